package provider

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	out, err := w.command(t, args...).CombinedOutput()
	return string(out), err
}

// command is terraform with args, to run in the workspace.
func (w *cliWorkspace) command(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(t.Context(), terraformCLI, args...)
	cmd.Dir = w.dir
	cmd.Env = append(cleanEnv(), w.env...)
	return cmd
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

// guideWorkspace is a CLI workspace holding a copy of the example folder
// examples/guides/<folder>, whose main.tf replaces the workspace's own.
func guideWorkspace(t *testing.T, folder string, env ...string) *cliWorkspace {
	t.Helper()
	w := newCLIWorkspace(t, "", env...)
	src := filepath.Join("..", "..", "examples", "guides", folder)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenRoot(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = dst.Close() }()
	for _, e := range entries {
		content, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err == nil {
			err = dst.WriteFile(e.Name(), content, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// edit replaces old with new in the workspace's file name.
func (w *cliWorkspace) edit(t *testing.T, name, old, new string) {
	t.Helper()
	root, err := os.OpenRoot(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = root.Close() }()
	content, err := root.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(content), old, new, 1)
	if edited == string(content) {
		t.Fatalf("%s has no %q", name, old)
	}
	if err := root.WriteFile(name, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
}

// with is w with env added to its environment.
func (w *cliWorkspace) with(env ...string) *cliWorkspace {
	return &cliWorkspace{dir: w.dir, env: append(slices.Clip(w.env), env...)}
}

// cliVersion is the CLI's version line, such as "OpenTofu v1.12.6".
var cliVersion = sync.OnceValues(func() (string, error) {
	cmd := exec.Command(terraformCLI, "version") //nolint:noctx // once per test binary
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "Terraform v") || strings.HasPrefix(line, "OpenTofu v") {
			return strings.TrimSpace(line), err
		}
	}
	return "", fmt.Errorf("no version line in %q: %w", out, err)
})

// requireCLI skips t unless the CLI is Terraform 1.terraformMinor or
// OpenTofu 1.tofuMinor or later; a negative minor means never.
func requireCLI(t *testing.T, feature string, terraformMinor, tofuMinor int) {
	t.Helper()
	skipWithoutCLI(t)
	version, err := cliVersion()
	if err != nil {
		t.Fatalf("%s version: %v", terraformCLI, err)
	}
	var product string
	var major, minor int
	if _, err := fmt.Sscanf(version, "%s v%d.%d", &product, &major, &minor); err != nil {
		t.Fatalf("cannot read the CLI's version from %q: %v", version, err)
	}
	need := terraformMinor
	if product == "OpenTofu" {
		need = tofuMinor
	}
	if need < 0 || major == 1 && minor < need {
		t.Skipf("%s needs %s; this leg runs %s", feature, supportedBy(terraformMinor, tofuMinor), version)
	}
}

func supportedBy(terraformMinor, tofuMinor int) string {
	if terraformMinor < 0 {
		return fmt.Sprintf("OpenTofu 1.%d or later", tofuMinor)
	}
	return fmt.Sprintf("Terraform 1.%d or OpenTofu 1.%d or later", terraformMinor, tofuMinor)
}

// plainTexts returns the file's bytes and, when it is a zip archive such as
// a saved plan, the uncompressed bytes of each file in it.
func plainTexts(t *testing.T, path string) [][]byte {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	texts := [][]byte{content}
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return texts
	}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		_ = r.Close()
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, b)
	}
	return texts
}

// holds reports whether the file, or a file in it if it is a zip archive,
// contains s.
func holds(t *testing.T, path, s string) bool {
	t.Helper()
	return slices.ContainsFunc(plainTexts(t, path), func(b []byte) bool { return bytes.Contains(b, []byte(s)) })
}

// expectOutput fails t for each of wants that the CLI's output lacks, with
// its line breaks and runs of spaces read as one space.
func expectOutput(t *testing.T, out string, wants ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range wants {
		if !strings.Contains(flat, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
