package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/bench"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/devenv"
)

// modes are the data source configurations measured end to end: those of
// the targets. Every plan must show all the segment's emails.
var modes = []struct{ name, args string }{{"full", ""}, {"no-users", "include_users = false"}}

// planResult is one run of `terraform plan`.
type planResult struct {
	Wall, MinWall, MaxWall  time.Duration // MinWall and MaxWall: of all the runs summarized
	TerraformMB, ProviderMB float64       // peaks of terraform and of the largest provider process
}

// PeakMB is an upper bound of what terraform and the provider hold at once.
func (p planResult) PeakMB() float64 { return p.TerraformMB + p.ProviderMB }

// planBenchmarks times `terraform plan` for every size and mode: a warm-up
// run, then r.Runs measured runs, or 3 where the warm-up took over 20 s; then
// the many-segments run.
func planBenchmarks(ctx context.Context, r *report, root, dir, tf string) error {
	r.Plans = map[string]planResult{}
	denv, err := devenv.Start(ctx, root, dir, "SHO-BENCH", step)
	if err != nil {
		return err
	}
	defer func() { _ = denv.Close() }()
	env := append(denv.Vars, "TF_IN_AUTOMATION=1", "TF_LOG=")

	for _, n := range r.Sizes {
		body := bench.Body(n)
		denv.API.SetBody(bench.SegmentID, body)
		r.BodyBytes = append(r.BodyBytes, len(body))
		for _, m := range modes {
			work := filepath.Join(dir, m.name)
			if err := os.MkdirAll(work, 0o750); err != nil {
				return err
			}
			config := fmt.Sprintf(planConfig, bench.SegmentID, m.args)
			if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
				return err
			}
			runs, samples := r.Runs, []planResult{}
			for i := 0; i <= runs; i++ {
				s, err := planOnce(ctx, work, env, tf, n)
				if err != nil {
					return fmt.Errorf("%d users, %s: %w", n, m.name, err)
				}
				if i == 0 && s.Wall > 20*time.Second {
					runs = min(runs, 3)
				}
				samples = append(samples, s)
			}
			res := summarize(samples[1:])
			r.Plans[key(n, m.name)] = res
			step("plan %7d users %-9s %6.2f s  %5.0f MB (terraform %4.0f + provider %4.0f)",
				n, m.name, res.Wall.Seconds(), res.PeakMB(), res.TerraformMB, res.ProviderMB)
		}
	}
	return manyBenchmark(ctx, r, denv, dir, tf, env)
}

const planConfig = `terraform {
  required_providers {
    shorterloop = { source = "shorterloop/shorterloop" }
  }
}
provider "shorterloop" {}
data "shorterloop_segment" "s" {
  id = %d
  %s
}
output "emails" { value = length(data.shorterloop_segment.s.emails) }
`

var emailsOutput = regexp.MustCompile(`emails\s*=\s*(\d+)`)

// planOnce runs `terraform plan` in dir, checks that it shows want emails,
// and measures it.
func planOnce(ctx context.Context, dir string, env []string, tf string, want int) (planResult, error) {
	cmd := command(ctx, tf, "plan", "-input=false", "-lock=false", "-no-color")
	var output bytes.Buffer
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &output, &output
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return planResult{}, err
	}
	procs := peaks(cmd.Process.Pid, func() { _ = cmd.Wait() })
	s := planResult{Wall: time.Since(start)}
	if !cmd.ProcessState.Success() {
		return s, fmt.Errorf("terraform plan: %s\n%s", cmd.ProcessState, output.String())
	}
	if m := emailsOutput.FindStringSubmatch(output.String()); m == nil || m[1] != strconv.Itoa(want) {
		return s, fmt.Errorf("terraform plan did not show emails = %d:\n%s", want, output.String())
	}
	for _, p := range procs {
		switch p.name {
		case "terraform":
			s.TerraformMB = max(s.TerraformMB, p.peakMB)
		case "terraform-provi": // names are cut at 15 bytes
			s.ProviderMB = max(s.ProviderMB, p.peakMB)
		}
	}
	if s.TerraformMB == 0 || s.ProviderMB == 0 {
		return s, fmt.Errorf("sampled no terraform or no provider process: %v", procs)
	}
	return s, nil
}

// summarize gives the run of median wall time, with the range of all runs.
func summarize(samples []planResult) planResult {
	slices.SortFunc(samples, func(a, b planResult) int { return cmp.Compare(a.Wall, b.Wall) })
	res := samples[len(samples)/2]
	res.MinWall, res.MaxWall = samples[0].Wall, samples[len(samples)-1].Wall
	return res
}

func key(n int, mode string) string { return fmt.Sprintf("%s/users=%d", mode, n) }
