package provider

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
)

const (
	testToken      = "test-token-3f9a1c"
	testInitiative = "SHO-TEST"
)

var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"shorterloop": func() (tfprotov6.ProviderServer, error) { return NewProtocol6("test")(), nil },
}

// TestMain points terraform-plugin-testing at a local Terraform (or OpenTofu)
// binary so that acceptance tests never download one.
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		for _, name := range []string{"terraform", "tofu"} {
			if p, err := exec.LookPath(name); err == nil {
				_ = os.Setenv("TF_ACC_TERRAFORM_PATH", p)
				break
			}
		}
	}
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		fmt.Fprintln(os.Stderr, "no terraform or tofu binary: put one on PATH or set TF_ACC_TERRAFORM_PATH")
		os.Exit(1)
	}
	if strings.HasPrefix(filepath.Base(bin), "tofu") && os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
	}
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	code := m.Run()
	removeProviderBuild()
	os.Exit(code)
}

// newFakeAPI starts a fake Shorter Loop API for one test.
func newFakeAPI(t *testing.T) (*fakeapi.Server, *httptest.Server) {
	t.Helper()
	return serveAPI(t, fakeapi.New(testToken, testInitiative))
}

func serveAPI(t *testing.T, api *fakeapi.Server) (*fakeapi.Server, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv
}

// providerConfig configures the provider explicitly for srv.
func providerConfig(srv *httptest.Server) string {
	return providerBlock(testToken, testInitiative, srv.URL)
}

func providerBlock(token, initiative, url string) string {
	return fmt.Sprintf(`
provider "shorterloop" {
  api_token     = %q
  initiative_id = %q
  base_url      = %q
}
`, token, initiative, url)
}
