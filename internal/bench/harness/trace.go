package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// phase is a step of `terraform plan`, timed from Terraform's trace log.
type phase struct {
	Name     string
	Duration time.Duration
}

// traceMarkers end the phases of a plan, in the order they appear in the log.
var traceMarkers = []struct{ name, marker, also string }{
	{"terraform starts, validates, launches the provider", "Reading Shorter Loop segment", ""},
	{"provider: request and decode", "Read Shorter Loop segment", ""},
	{"provider: filters and state", "Received downstream response", "tf_rpc=ReadDataSource"},
	{"terraform: receives and checks the state", "writeResourceInstanceState to refreshState", ""},
	{"terraform: stores it in the refreshed state", "writeResourceInstanceState to workingState", ""},
	{"terraform: stores it in the working state", `vertex "data.shorterloop_segment.s": visit complete`, ""},
	{"terraform: outputs, plan, exit", "", ""},
}

// tracePhases runs one more plan in dir with TF_LOG=trace and splits its
// time into phases by the first log line of each marker, in order.
func tracePhases(ctx context.Context, dir string, env []string, tf string) ([]phase, error) {
	logPath := filepath.Join(dir, "trace.log")
	cmd := command(ctx, tf, "plan", "-input=false", "-lock=false", "-no-color")
	cmd.Dir = dir
	cmd.Env = append(env, "TF_LOG=trace", "TF_LOG_PATH="+logPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("terraform plan with TF_LOG=trace: %w\n%s", err, out)
	}
	log, err := readFile(logPath)
	if err != nil {
		return nil, err
	}

	var phases []phase
	var start, prev, last time.Time
	next := 0
	for _, line := range strings.Split(string(log), "\n") {
		stamp, _, ok := strings.Cut(line, " ")
		t, err := time.Parse("2006-01-02T15:04:05.000Z0700", stamp)
		if !ok || err != nil {
			continue
		}
		if start.IsZero() {
			start, prev = t, t
		}
		last = t
		m := traceMarkers[next]
		if m.marker != "" && strings.Contains(line, m.marker) && strings.Contains(line, m.also) {
			phases = append(phases, phase{m.name, t.Sub(prev)})
			prev = t
			next++
		}
	}
	if next != len(traceMarkers)-1 {
		return nil, fmt.Errorf("trace log lacks %q", traceMarkers[next].marker)
	}
	phases = append(phases, phase{traceMarkers[next].name, last.Sub(prev)})
	return append(phases, phase{"total", last.Sub(start)}), nil
}
