// Command demo builds the provider and runs examples/demo with the real
// Terraform CLI against a local fake Shorter Loop API, in a temporary
// directory that it removes afterwards. Run it from the repository with
// `make demo`. It reaches no network: the provider comes from a dev_overrides
// CLI config and the only other resource, terraform_data, is built in.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/devenv"
)

const initiativeID = "SHO-DEMO"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	err := run(ctx)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case interrupted:
		fmt.Fprintln(os.Stderr, "demo: interrupted; stopped the fake API and removed the temporary directory")
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	root, err := devenv.ModuleRoot(ctx, "demo")
	if err != nil {
		return err
	}
	tf, err := terraformBinary()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "shorterloop-demo-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()

	denv, err := devenv.Start(ctx, root, dir, initiativeID, step)
	if err != nil {
		return err
	}
	defer func() { _ = denv.Close() }()
	config, err := os.ReadFile(filepath.Join(root, "examples", "demo", "main.tf")) //nolint:gosec // G304: the repository's own example
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), config, 0o600); err != nil { //nolint:gosec // G703: dir is the demo's own temporary directory
		return err
	}
	step("%s apply (examples/demo/main.tf)", filepath.Base(tf))
	if err := command(ctx, dir, denv.Vars, tf, "apply", "-auto-approve", "-input=false"); err != nil {
		return fmt.Errorf("terraform apply: %w", err)
	}
	step("%s output", filepath.Base(tf))
	if err := command(ctx, dir, denv.Vars, tf, "output"); err != nil {
		return fmt.Errorf("terraform output: %w", err)
	}
	step("Done: the provider read segment 19 from the fake API (%d request(s))", denv.API.Requests(19))
	return nil
}

// command runs name in dir with the given environment, streaming its output. Cancelling ctx interrupts it once, then kills it if it
// has not exited 10s later.
func command(ctx context.Context, dir string, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...) //nolint:gosec // G204: runs go and the chosen Terraform CLI, by design
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return cmd.Process.Kill() // no interrupts on Windows
		}
		return nil
	}
	cmd.WaitDelay = 10 * time.Second
	ownProcessGroup(cmd)
	return cmd.Run()
}

// terraformBinary is TF_ACC_TERRAFORM_PATH, else terraform or tofu on PATH.
func terraformBinary() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p, nil
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("neither terraform nor tofu is on PATH; install one or set TF_ACC_TERRAFORM_PATH")
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}
