package provider

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// These helpers run the real Terraform CLI with the provider binary, the way
// users do, for what terraform-plugin-testing cannot observe: Terraform's own
// logs and output, warnings, and -parallelism.

var (
	buildOnce   sync.Once
	providerBin string
	buildErr    error
)

// buildProvider compiles the provider once per test binary.
func buildProvider(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		// Not t.TempDir(), which is removed when the first test ends: the
		// binary is shared by every test, and TestMain removes it at the end.
		dir, err := os.MkdirTemp("", "shorterloop-provider-") //nolint:usetesting // shared by every test
		if err != nil {
			buildErr = err
			return
		}
		providerBin = filepath.Join(dir, "terraform-provider-shorterloop")
		out, err := exec.CommandContext(t.Context(), "go", "build", "-o", providerBin, "github.com/shorterloop/terraform-provider-shorterloop").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return providerBin
}

// removeProviderBuild deletes what buildProvider built, if anything.
func removeProviderBuild() {
	if providerBin != "" {
		_ = os.RemoveAll(filepath.Dir(providerBin))
	}
}

// cliWorkspace is a directory with a configuration and a CLI config whose
// dev_overrides point at the freshly built provider.
type cliWorkspace struct {
	dir string
	env []string
}

func newCLIWorkspace(t *testing.T, config string, env ...string) *cliWorkspace {
	t.Helper()
	skipWithoutCLI(t)
	bin := buildProvider(t)
	dir := t.TempDir()
	rc := filepath.Join(dir, "terraformrc")
	writeFile(t, rc, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "shorterloop/shorterloop" = %q
  }
  direct {}
}
`, filepath.Dir(bin)))
	writeFile(t, filepath.Join(dir, "main.tf"), `terraform {
  required_providers {
    shorterloop = { source = "shorterloop/shorterloop" }
  }
}
`+config)
	base := []string{"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
	return &cliWorkspace{dir: dir, env: append(base, env...)}
}

// run runs terraform in the workspace and returns its combined output.
func (w *cliWorkspace) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), terraformCLI, args...)
	cmd.Dir = w.dir
	cmd.Env = append(cleanEnv(), w.env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cleanEnv is the test's environment without variables that would change
// what Terraform or the provider do.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "TF_CLI_CONFIG_FILE", "TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_REATTACH_PROVIDERS":
		default:
			env = append(env, kv)
		}
	}
	return env
}

// writeFile writes a file that the test made, failing the test on error.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// exampleFile is the path of one of the data source's example files, which
// the docs and guides include.
func exampleFile(name string) string {
	return filepath.Join("..", "..", "examples", "data-sources", "shorterloop_segment", name)
}

// exampleWorkspace is a CLI workspace configured by the example file, linked
// in, and by extra.
func exampleWorkspace(t *testing.T, srv *httptest.Server, file, extra string) *cliWorkspace {
	t.Helper()
	w := newCLIWorkspace(t, extra, fakeAPIEnv(srv)...)
	example, err := filepath.Abs(exampleFile(file))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(example, filepath.Join(w.dir, file)); err != nil {
		t.Fatal(err)
	}
	return w
}
