// Command harness is `make bench`: it runs the Go benchmarks of the client's
// decode, the state mapping and the provider's Read, then times `terraform
// plan` with the provider built from this repository against a local fake
// API serving generated segments, and writes the results to BENCHMARKS.md.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/bench"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/devenv"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

const initiativeID = "SHO-BENCH"

// mode is one data source configuration measured end to end.
type mode struct {
	name, args string
	keep       func(shorterloop.User) bool
}

var modes = []mode{
	{name: "full", args: "", keep: func(shorterloop.User) bool { return true }},
	{name: "no-users", args: "include_users = false", keep: func(shorterloop.User) bool { return true }},
	{name: "statuses", args: `statuses = ["active"]`, keep: func(u shorterloop.User) bool {
		return slices.ContainsFunc(u.Subscriptions, func(s shorterloop.Subscription) bool { return s.Status == "active" })
	}},
}

func main() {
	runs := flag.Int("runs", 7, "measured `terraform plan` runs per size and mode (the median is reported)")
	sizesFlag := flag.String("sizes", "", "comma-separated segment sizes (default: 39,1000,10000,100000)")
	out := flag.String("out", "BENCHMARKS.md", "file to write the report to; empty writes none")
	skipGo := flag.Bool("skip-go", false, "skip the Go benchmarks")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sizes := bench.Sizes
	if *sizesFlag != "" {
		sizes = nil
		for _, f := range strings.Split(*sizesFlag, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				fatalf("bad -sizes %q", *sizesFlag)
			}
			sizes = append(sizes, n)
		}
	}
	if err := run(ctx, sizes, *runs, *skipGo, *out); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "==> "+format+"\n", args...)
}

func run(ctx context.Context, sizes []int, runs int, skipGo bool, out string) error {
	root, err := devenv.ModuleRoot(ctx, "bench")
	if err != nil {
		return err
	}
	timeBin, err := gnuTime(ctx)
	if err != nil {
		return err
	}
	tf, err := exec.LookPath(cmp.Or(os.Getenv("TF_ACC_TERRAFORM_PATH"), "terraform"))
	if err != nil {
		return errors.New("no terraform on PATH (or TF_ACC_TERRAFORM_PATH)")
	}
	r := &report{Sizes: sizes, Runs: runs}
	r.Machine, err = describeMachine(ctx, tf)
	if err != nil {
		return err
	}
	step("%s", r.Machine.String())

	dir, err := os.MkdirTemp("", "shorterloop-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()

	if !skipGo {
		if r.Go, r.Profile, err = goBenchmarks(ctx, root, dir, sizes); err != nil {
			return err
		}
	}
	if err := planBenchmarks(ctx, r, root, dir, tf, timeBin); err != nil {
		return err
	}
	r.Machine.LoadAfter = loadAverage()

	text := r.markdown()
	fmt.Println(text)
	if out != "" {
		if !filepath.IsAbs(out) {
			out = filepath.Join(root, out)
		}
		if err := os.WriteFile(out, []byte(text), 0o600); err != nil {
			return err
		}
		step("wrote %s", out)
	}
	return nil
}

// planBenchmarks times `terraform plan` for every size and mode.
func planBenchmarks(ctx context.Context, r *report, root, dir, tf, timeBin string) error {
	r.Plans = map[string]planResult{}
	denv, err := devenv.Start(ctx, root, dir, initiativeID, step)
	if err != nil {
		return err
	}
	defer func() { _ = denv.Close() }()

	env := append(denv.Vars, "TF_IN_AUTOMATION=1", "TF_LOG=")

	for _, n := range r.Sizes {
		seg, body := bench.Segment(n), bench.Body(n)
		denv.API.SetBody(bench.SegmentID, body)
		r.BodyBytes = append(r.BodyBytes, len(body))
		for _, m := range modes {
			want := 0
			for _, u := range seg.Users {
				if m.keep(u) {
					want++
				}
			}
			work := filepath.Join(dir, fmt.Sprintf("plan-%d-%s", n, m.name))
			if err := os.MkdirAll(work, 0o750); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(planConfig(m.args)), 0o600); err != nil {
				return err
			}
			// The first run warms caches and is not counted; runs of more
			// than 20 s are measured three times instead of r.Runs.
			warm, err := planOnce(ctx, work, env, timeBin, tf, want)
			if err != nil {
				return fmt.Errorf("%d users, %s: %w", n, m.name, err)
			}
			runs := r.Runs
			if warm.wall > 20*time.Second {
				runs = min(runs, 3)
			}
			var samples []planSample
			for range runs {
				s, err := planOnce(ctx, work, env, timeBin, tf, want)
				if err != nil {
					return fmt.Errorf("%d users, %s: %w", n, m.name, err)
				}
				samples = append(samples, s)
			}
			res := summarize(samples)
			r.Plans[key(n, m.name)] = res
			step("plan %7d users %-9s %6.2f s  %5.0f MB (terraform %4.0f + provider %4.0f)", n, m.name,
				res.Wall.Seconds(), res.PeakMB(), res.TerraformMB, res.ProviderMB)
		}
	}
	return nil
}

func planConfig(args string) string {
	return `terraform {
  required_providers {
    shorterloop = { source = "shorterloop/shorterloop" }
  }
}

provider "shorterloop" {}

data "shorterloop_segment" "s" {
  id = ` + strconv.Itoa(bench.SegmentID) + `
  ` + args + `
}

output "emails" {
  value = length(data.shorterloop_segment.s.emails)
}
`
}

// planSample is one measured `terraform plan`.
type planSample struct {
	wall                      time.Duration
	terraformKB, providerKB   int64 // peak RSS of terraform, and of the largest provider process
	terraformCPU, providerCPU time.Duration
	timeMaxKB                 int64 // /usr/bin/time's maximum resident set size
	providers                 int   // provider processes started
}

var emailsOutput = regexp.MustCompile(`emails\s*=\s*(\d+)`)

func planOnce(ctx context.Context, dir string, env []string, timeBin, tf string, want int) (planSample, error) {
	timeOut := filepath.Join(dir, "time.txt")
	cmd := command(ctx, timeBin, "-v", "-o", timeOut, tf, "plan", "-input=false", "-lock=false", "-no-color")
	var output bytes.Buffer
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &output, &output
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return planSample{}, err
	}
	smp := startSampler(cmd.Process.Pid, 10*time.Millisecond)
	err := cmd.Wait()
	wall := time.Since(start)
	procs := smp.finish()
	if err != nil {
		return planSample{}, fmt.Errorf("terraform plan: %w\n%s", err, output.String())
	}
	if m := emailsOutput.FindStringSubmatch(output.String()); m == nil || m[1] != strconv.Itoa(want) {
		return planSample{}, fmt.Errorf("terraform plan did not show emails = %d:\n%s", want, output.String())
	}

	s := planSample{wall: wall}
	for _, p := range procs {
		cpu := time.Duration(p.cpuTicks) * time.Second / clockTicks
		switch {
		case strings.HasPrefix(p.comm, "terraform-provi"):
			s.providers++
			s.providerKB = max(s.providerKB, p.hwmKB)
			s.providerCPU += cpu
		case p.comm == "terraform":
			s.terraformKB = max(s.terraformKB, p.hwmKB)
			s.terraformCPU += cpu
		}
	}
	tv, err := readFile(timeOut)
	if err != nil {
		return planSample{}, err
	}
	for _, line := range strings.Split(string(tv), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Maximum resident set size (kbytes):"); ok {
			s.timeMaxKB, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	if s.terraformKB == 0 || s.providerKB == 0 {
		return planSample{}, fmt.Errorf("sampled no terraform or no provider process (%d processes)", len(procs))
	}
	return s, nil
}

// clockTicks is USER_HZ, the unit of CPU times in /proc/<pid>/stat: 100 on Linux.
const clockTicks = 100

// planResult holds the medians of several runs.
type planResult struct {
	Runs                      int
	Wall                      time.Duration
	MinWall, MaxWall          time.Duration
	TerraformMB, ProviderMB   float64
	TerraformCPU, ProviderCPU time.Duration
	TimeMaxMB                 float64
	Providers                 int
}

// PeakMB is the peak of terraform plus the peak of the largest provider
// process: an upper bound of their simultaneous memory.
func (p planResult) PeakMB() float64 { return p.TerraformMB + p.ProviderMB }

func summarize(samples []planSample) planResult {
	med := func(f func(planSample) float64) float64 {
		v := make([]float64, len(samples))
		for i, s := range samples {
			v[i] = f(s)
		}
		return median(v)
	}
	walls := make([]time.Duration, len(samples))
	for i, s := range samples {
		walls[i] = s.wall
	}
	return planResult{
		Runs:         len(samples),
		MinWall:      slices.Min(walls),
		MaxWall:      slices.Max(walls),
		Wall:         time.Duration(med(func(s planSample) float64 { return float64(s.wall) })),
		TerraformMB:  med(func(s planSample) float64 { return float64(s.terraformKB) / 1024 }),
		ProviderMB:   med(func(s planSample) float64 { return float64(s.providerKB) / 1024 }),
		TerraformCPU: time.Duration(med(func(s planSample) float64 { return float64(s.terraformCPU) })),
		ProviderCPU:  time.Duration(med(func(s planSample) float64 { return float64(s.providerCPU) })),
		TimeMaxMB:    med(func(s planSample) float64 { return float64(s.timeMaxKB) / 1024 }),
		Providers:    int(med(func(s planSample) float64 { return float64(s.providers) })),
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func key(n int, mode string) string { return fmt.Sprintf("%s/users=%d", mode, n) }

// gnuTime finds GNU time, installing it with apt-get when possible.
func gnuTime(ctx context.Context) (string, error) {
	const p = "/usr/bin/time"
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	if _, err := exec.LookPath("apt-get"); err == nil && os.Geteuid() == 0 {
		step("installing GNU time with apt-get")
		install := command(ctx, "sh", "-c", "apt-get install -y -qq time || (apt-get update -qq && apt-get install -y -qq time)")
		install.Stdout, install.Stderr = os.Stderr, os.Stderr
		install.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if err := install.Run(); err == nil {
			return p, nil
		}
	}
	return "", errors.New("GNU time is needed at /usr/bin/time: install it (Debian/Ubuntu: apt-get install time)")
}

// machine describes where the numbers come from.
type machine struct {
	Cores                       int
	CPU, Memory                 string
	Terraform, Go               string
	LoadBefore, LoadAfter, Date string
}

func (m machine) String() string {
	return fmt.Sprintf("%d cores (%s), %s RAM, Terraform %s, %s", m.Cores, m.CPU, m.Memory, m.Terraform, m.Go)
}

func describeMachine(ctx context.Context, tf string) (machine, error) {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version(), LoadBefore: loadAverage(), Date: time.Now().UTC().Format("2006-01-02")}
	var err error
	if m.Terraform, err = terraformVersion(ctx, tf); err != nil {
		return m, err
	}
	if b, err := readFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := readFile("/proc/meminfo"); err == nil {
		var kb int64
		_, _ = fmt.Sscanf(string(b), "MemTotal: %d kB", &kb)
		m.Memory = fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
	}
	return m, nil
}

func terraformVersion(ctx context.Context, tf string) (string, error) {
	out, err := command(ctx, tf, "version", "-json").Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", tf, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", fmt.Errorf("%s version -json: %w", tf, err)
	}
	return v.Version, nil
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
	return exec.CommandContext(ctx, name, args...) //nolint:gosec // G204, G702: runs go, terraform and GNU time, by design
}

// readFile reads a file of /proc, or one the harness wrote.
func readFile(path string) ([]byte, error) {
	return os.ReadFile(path) //nolint:gosec // G304: /proc and the harness's own files
}
