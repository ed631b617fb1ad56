// Helpers shared by the package's tests. This file holds the run's setup,
// the fake API, provider configurations, checks and response bodies;
// helpers_cli_test.go runs the Terraform CLI itself, and helpers_tls_test.go
// holds a test CA and a CONNECT proxy.

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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

// serveAPI serves api for one test.
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

// providerBlock configures the provider with these settings.
func providerBlock(token, initiative, url string) string {
	return fmt.Sprintf(`
provider "shorterloop" {
  api_token     = %q
  initiative_id = %q
  base_url      = %q
}
`, token, initiative, url)
}

// fakeAPIEnv configures the provider for srv through its environment
// variables, for a CLI workspace.
func fakeAPIEnv(srv *httptest.Server) []string {
	return []string{envAPIToken + "=" + testToken, envInitiativeID + "=" + testInitiative, envBaseURL + "=" + srv.URL}
}

// segmentAddr is the data source that tests name "test".
const segmentAddr = "data.shorterloop_segment.test"

// at is the path of a top-level attribute, for state checks.
func at(name string) tfjsonpath.Path { return tfjsonpath.New(name) }

// expectEmails checks the emails of the data source at addr, in order.
func expectEmails(addr string, want ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(want))
	for i, w := range want {
		checks[i] = knownvalue.StringExact(w)
	}
	return statecheck.ExpectKnownValue(addr, at("emails"), knownvalue.ListExact(checks))
}

// requestCount checks how many requests for a segment reached the fake API.
type requestCount struct {
	api  *fakeapi.Server
	id   int64
	want int
}

func (c requestCount) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if got := c.api.Requests(c.id); got != c.want {
		resp.Error = fmt.Errorf("segment %d: %d requests so far, want %d", c.id, got, c.want)
	}
}

// wrapped matches text however Terraform wraps it.
func wrapped(text string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`))
}

// body is v in JSON, for the fake API to serve.
func body(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// vendorWith serves the vendor's example as segment 19, its "data" changed by edit.
func vendorWith(edit func(data map[string]any)) func(*testing.T, *fakeapi.Server) string {
	return func(t *testing.T, api *fakeapi.Server) string {
		var v map[string]any
		if err := json.Unmarshal(fakeapi.VendorExample, &v); err != nil {
			t.Fatal(err)
		}
		edit(v["data"].(map[string]any))
		api.SetBody(19, body(t, v))
		return ""
	}
}

// fault makes the fake API answer segment id with f.
func fault(id int64, f fakeapi.Fault) func(*testing.T, *fakeapi.Server) string {
	return func(_ *testing.T, api *fakeapi.Server) string {
		api.SetFault(id, f)
		return ""
	}
}
