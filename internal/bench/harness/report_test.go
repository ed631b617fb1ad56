package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTargetsExplainAMissedPlanTarget(t *testing.T) {
	r := &report{
		Plans: map[string]planResult{key(10_000, "full"): {Wall: 4100 * time.Millisecond, TerraformCPU: 4500 * time.Millisecond, ProviderCPU: 220 * time.Millisecond}},
	}
	var b strings.Builder
	r.targets(func(format string, args ...any) { fmt.Fprintf(&b, format, args...) })
	want := "| full detail, 10,000 users: plan under 4 s | 4.10 s | **no**: Terraform's own work, 4.50 s of CPU in terraform against 0.22 s in the provider (see below) |"
	if !strings.Contains(b.String(), want) {
		t.Errorf("targets lack\n%s\nin\n%s", want, b.String())
	}

	r.Plans[key(10_000, "full")] = planResult{Wall: 3900 * time.Millisecond}
	b.Reset()
	r.targets(func(format string, args ...any) { fmt.Fprintf(&b, format, args...) })
	if want := "| full detail, 10,000 users: plan under 4 s | 3.90 s | yes |"; !strings.Contains(b.String(), want) {
		t.Errorf("targets lack\n%s\nin\n%s", want, b.String())
	}
}
