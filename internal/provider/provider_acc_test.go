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
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
)

const (
	testToken      = "test-token-3f9a1c"
	testInitiative = "SHO-TEST"
	// expiredToken is a JWT whose exp, 2025-04-05T05:43:54Z, has passed. Its
	// email claim, expiredTokenEmail, must never be shown.
	expiredToken      = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJlbWFpbCI6ImxlYWtlZC5jbGFpbUBzaG9ydGVybG9vcC5jb20iLCJpYXQiOjE3NDM1NzI2MzQsImV4cCI6MTc0MzgzMTgzNH0.bm90LWEtcmVhbC1zaWduYXR1cmUtNGYxYw"
	expiredTokenEmail = "leaked.claim@shorterloop.com"
)

// terraformCLI is the Terraform or OpenTofu binary that the acceptance tests
// run, empty when there is none.
var terraformCLI string

// TestMain points terraform-plugin-testing at a local Terraform (or OpenTofu)
// binary so that acceptance tests never download one. The acceptance tests
// run only with TF_ACC set, and then a missing binary fails the run, so that
// it cannot pass having run no acceptance test.
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		for _, name := range []string{"terraform", "tofu"} {
			if p, err := exec.LookPath(name); err == nil {
				_ = os.Setenv("TF_ACC_TERRAFORM_PATH", p)
				break
			}
		}
	}
	terraformCLI = os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraformCLI == "" && os.Getenv(resource.EnvTfAcc) != "" {
		fmt.Fprintln(os.Stderr, "TF_ACC is set but there is no terraform or tofu binary: put one on PATH or set TF_ACC_TERRAFORM_PATH")
		os.Exit(1)
	}
	if strings.HasPrefix(filepath.Base(terraformCLI), "tofu") && os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")
	}
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	// The provider falls back on these when its configuration leaves an
	// attribute out: tests configure it explicitly.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "SHORTERLOOP_") {
			_ = os.Unsetenv(k)
		}
	}
	code := m.Run()
	removeProviderBuild()
	os.Exit(code)
}

// acceptanceTest runs c on the Terraform CLI against the provider in this
// process; without TF_ACC, resource.Test skips it.
func acceptanceTest(t *testing.T, c resource.TestCase) {
	t.Helper()
	c.ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
		"shorterloop": func() (tfprotov6.ProviderServer, error) { return NewProtocol6("test")(), nil },
	}
	resource.Test(t, c)
}

// skipWithoutCLI skips a test that runs the Terraform CLI itself unless
// TF_ACC is set, as resource.Test does.
func skipWithoutCLI(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("Acceptance tests skipped unless env '%s' set", resource.EnvTfAcc)
	}
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
