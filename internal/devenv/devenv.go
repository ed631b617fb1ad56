// Package devenv prepares what `make demo` and `make bench` run the real
// Terraform CLI in: the provider built from this repository, a fake Shorter
// Loop API on 127.0.0.1 and a CLI configuration whose dev_overrides point at
// the build, all in a directory of the caller's. The user's own CLI
// configuration is neither read nor changed.
package devenv

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
)

// Env is a running fake API and the environment in which terraform uses the
// provider's build against it. Close stops the API.
type Env struct {
	API     *fakeapi.Server
	BaseURL string
	// Vars is this process's environment, then the CLI configuration and the
	// provider's settings for the fake API: later entries win, so they
	// override the user's own.
	Vars []string
	srv  *http.Server
}

// ModuleRoot is the repository's directory; target is the make target that
// runs the caller.
func ModuleRoot(ctx context.Context, target string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("run it from inside the repository: make %s", target)
	}
	return filepath.Dir(gomod), nil
}

// Start builds the provider from root into dir/bin, writes dir/terraform.rc
// and serves a fake API for initiativeID on a free loopback port, with a
// random token. progress reports each step.
func Start(ctx context.Context, root, dir, initiativeID string, progress func(format string, args ...any)) (*Env, error) {
	bin := filepath.Join(dir, "bin")
	progress("Building the provider into %s", bin)
	exe := "terraform-provider-shorterloop"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, exe), ".") //nolint:gosec // G204: go build into the caller's directory
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building the provider: %w", err)
	}
	rc := filepath.Join(dir, "terraform.rc")
	config := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"shorterloop/shorterloop\" = %q\n  }\n  direct {}\n}\n", filepath.ToSlash(bin))
	if err := os.WriteFile(rc, []byte(config), 0o600); err != nil {
		return nil, err
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the fake API: %w", err)
	}
	token := rand.Text()
	e := &Env{API: fakeapi.New(token, initiativeID), BaseURL: "http://" + ln.Addr().String()}
	e.srv = &http.Server{Handler: e.API, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }() // returns http.ErrServerClosed once closed
	progress("Fake Shorter Loop API listening on %s (initiative %s)", e.BaseURL, initiativeID)
	e.Vars = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc,
		"CHECKPOINT_DISABLE=1",
		"SHORTERLOOP_API_TOKEN="+token,
		"SHORTERLOOP_INITIATIVE_ID="+initiativeID,
		"SHORTERLOOP_BASE_URL="+e.BaseURL,
	)
	return e, nil
}

// Close stops the fake API.
func (e *Env) Close() error {
	if err := e.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
