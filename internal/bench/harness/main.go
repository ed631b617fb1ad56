// Command harness is `make bench`. It runs the Go benchmarks of
// internal/bench and internal/provider with -benchmem and profiles the
// provider's Read at the largest size. Then it builds the provider, serves
// generated segments from internal/fakeapi on 127.0.0.1 and times
// `terraform plan` for every size and mode, with a dev_overrides CLI
// configuration for the build, as `make demo` does.
//
// Terraform runs the provider in processes of its own, and the maximum
// resident set size of getrusage (and /usr/bin/time) is that of the largest
// single process, not their sum. So the harness samples /proc for the peak of
// terraform and of each provider process, and reports their sum: an upper
// bound of what they hold at once.
//
// It prints the report, with the targets checked, and writes it to -out.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/bench"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/devenv"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	r := &report{}
	flag.IntVar(&r.Runs, "runs", 7, "measured terraform plan runs per size and mode, after a warm-up run")
	maxUsers := flag.Int("max-users", bench.Sizes[len(bench.Sizes)-1], fmt.Sprintf("measure the segment sizes %v up to this one", bench.Sizes))
	out := flag.String("out", "", "file to write the report to, besides standard output")
	skipGo := flag.Bool("skip-go", false, "skip the Go benchmarks")
	flag.Parse()
	for _, n := range bench.Sizes {
		if n <= *maxUsers {
			r.Sizes = append(r.Sizes, n)
		}
	}
	if len(r.Sizes) == 0 {
		log.Fatalf("-max-users below the smallest size, %d", bench.Sizes[0])
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, r, *skipGo, *out); err != nil {
		log.Fatal(err)
	}
}

func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...)
}

func run(ctx context.Context, r *report, skipGo bool, out string) error {
	root, err := devenv.ModuleRoot(ctx, "bench")
	if err != nil {
		return err
	}
	tf, err := exec.LookPath(cmp.Or(os.Getenv("TF_ACC_TERRAFORM_PATH"), "terraform"))
	if err != nil {
		return errors.New("no terraform on PATH (or TF_ACC_TERRAFORM_PATH)")
	}
	r.Machine = describeMachine(ctx, tf)
	step("%s", r.Machine)
	dir, err := os.MkdirTemp("", "shorterloop-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()

	if !skipGo {
		if err := goBenchmarks(ctx, r, root, dir); err != nil {
			return err
		}
	}
	if err := planBenchmarks(ctx, r, root, dir, tf); err != nil {
		return err
	}
	r.LoadAfter = loadAverage()

	text := r.markdown()
	fmt.Println(text)
	if out == "" {
		return nil
	}
	step("writing %s", out)
	return os.WriteFile(out, []byte(text), 0o600)
}

// describeMachine says where the numbers come from, with the load average
// before the run.
func describeMachine(ctx context.Context, tf string) string {
	out, _ := command(ctx, tf, "version").Output()
	version, _, _ := strings.Cut(string(out), "\n")
	cpu := "unknown CPU"
	if b, err := readFile("/proc/cpuinfo"); err == nil {
		if _, after, ok := strings.Cut(string(b), "model name"); ok {
			cpu, _, _ = strings.Cut(strings.TrimLeft(after, "\t :"), "\n")
		}
	}
	return fmt.Sprintf("%d cores (%s), %s, %s, %s; load average %s before", runtime.NumCPU(), cpu,
		version, runtime.Version(), time.Now().UTC().Format("2006-01-02"), loadAverage())
}

func loadAverage() string {
	b, err := readFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// command is exec.CommandContext for the programs the harness runs.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, name, args...) //nolint:gosec // G204, G702: runs go and terraform, by design
}

// readFile reads a file of /proc.
func readFile(path string) ([]byte, error) {
	return os.ReadFile(path) //nolint:gosec // G304: /proc only
}
