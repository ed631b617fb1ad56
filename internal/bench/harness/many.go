package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/bench"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/devenv"
)

// The many-segments run: manySegments segments of 39 users, read with
// for_each at Terraform's default -parallelism, against the fake API
// accepting manyPerSecond requests in each one-second window.
const (
	manySegments  = 60
	manyPerSecond = 5
	manyRuns      = 3
	manyFirstID   = 1000
)

// manyResult is one run of the many-segments plan.
type manyResult struct {
	Wall     time.Duration
	Requests int
}

// Floor is the least time the API's limit allows.
func (m manyResult) Floor() time.Duration {
	return time.Duration(manySegments) * time.Second / manyPerSecond
}

func (m manyResult) PerRead() float64 { return float64(m.Requests) / manySegments }

const manyConfig = `terraform {
  required_providers {
    shorterloop = { source = "shorterloop/shorterloop" }
  }
}
provider "shorterloop" {}
data "shorterloop_segment" "s" {
  for_each = toset([for i in range(%d, %d) : tostring(i)])
  id       = tonumber(each.key)
}
output "emails" { value = length(data.shorterloop_segment.s) }
`

// manyBenchmark times `terraform plan` of the many-segments run and counts
// the requests that reached the API.
func manyBenchmark(ctx context.Context, r *report, denv *devenv.Env, dir, tf string, env []string) error {
	for id := int64(manyFirstID); id < manyFirstID+manySegments; id++ {
		seg := bench.Segment(39)
		seg.ID = id
		denv.API.SetSegment(id, seg)
	}
	denv.API.SetRateLimit(manyPerSecond)
	defer denv.API.SetRateLimit(0)
	work := filepath.Join(dir, "many")
	if err := os.MkdirAll(work, 0o750); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(fmt.Sprintf(manyConfig, manyFirstID, manyFirstID+manySegments)), 0o600); err != nil {
		return err
	}
	requests := func() int {
		n := 0
		for id := int64(manyFirstID); id < manyFirstID+manySegments; id++ {
			n += denv.API.Requests(id)
		}
		return n
	}
	var runs []manyResult
	for range manyRuns {
		before := requests()
		s, err := planOnce(ctx, work, env, tf, manySegments)
		if err != nil {
			return fmt.Errorf("%d segments at %d a second: %w", manySegments, manyPerSecond, err)
		}
		runs = append(runs, manyResult{Wall: s.Wall, Requests: requests() - before})
		time.Sleep(time.Second) // the next run starts in a fresh window
	}
	slices.SortFunc(runs, func(a, b manyResult) int { return cmp.Compare(a.Wall, b.Wall) })
	r.Many = &runs[len(runs)/2]
	step("plan %d segments at %d a second: %.2f s (floor %.0f s), %.2f requests a read",
		manySegments, manyPerSecond, r.Many.Wall.Seconds(), r.Many.Floor().Seconds(), r.Many.PerRead())
	return nil
}
