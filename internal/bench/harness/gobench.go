package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// goResult is one run of a Go benchmark.
type goResult struct{ NsPerOp, BytesPerOp float64 }

var benchLine = regexp.MustCompile(`(?m)^Benchmark(\S+?)/users=\d+(?:-\d+)?\s+\d+\s+([\d.]+) ns/op.*?\s(\d+) B/op`)

// goBenchmarks runs BenchmarkDecode (internal/bench), BenchmarkMapping and
// BenchmarkRead (internal/provider) for every size: five runs of a second
// each, or at 100,000 users and more three runs of three operations. Then it
// profiles BenchmarkRead/full at the largest size.
func goBenchmarks(ctx context.Context, r *report, root, dir string) error {
	samples := map[string][]goResult{}
	for _, n := range r.Sizes {
		pattern := fmt.Sprintf("^Benchmark(Decode|Mapping|Read)$/.*/users=%d$", n)
		runs := []string{"-count", "5"}
		if n >= 100_000 {
			runs = []string{"-count", "3", "-benchtime", "3x"}
		}
		step("go test -bench '%s' %s", pattern, strings.Join(runs, " "))
		// -p 1: the two packages' benchmarks one after the other, not side by side.
		args := append([]string{"test", "-p", "1", "-run", "^$", "-bench", pattern, "-benchmem", "-timeout", "60m"}, runs...)
		out, err := goTest(ctx, root, append(args, "./internal/bench", "./internal/provider")...)
		if err != nil {
			return err
		}
		for _, m := range benchLine.FindAllStringSubmatch(out, -1) {
			if !slices.Contains(r.GoNames, m[1]) {
				r.GoNames = append(r.GoNames, m[1])
			}
			ns, _ := strconv.ParseFloat(m[2], 64)
			b, _ := strconv.ParseFloat(m[3], 64)
			samples[key(n, m[1])] = append(samples[key(n, m[1])], goResult{ns, b})
		}
	}
	r.Go = map[string]goResult{}
	for k, s := range samples {
		slices.SortFunc(s, func(a, b goResult) int { return cmp.Compare(a.NsPerOp, b.NsPerOp) })
		r.Go[k] = s[len(s)/2]
	}

	largest := r.Sizes[len(r.Sizes)-1]
	profile := filepath.Join(dir, "read.pprof")
	step("profiling BenchmarkRead/full/users=%d", largest)
	if _, err := goTest(ctx, root, "test", "-run", "^$", "-bench", fmt.Sprintf("^BenchmarkRead$/^full$/^users=%d$", largest),
		"-benchtime", "3x", "-count", "1", "-cpuprofile", profile, "-o", filepath.Join(dir, "provider.test"), "./internal/provider"); err != nil {
		return err
	}
	// The focus leaves out the fake API, which serves the body in the same process.
	top, err := command(ctx, "go", "tool", "pprof", "-top", "-cum", "-nodecount", "35", "-compact_labels",
		"-focus", "ReadDataSource", "-show_from", "ReadDataSource", profile).Output()
	r.Profile = string(top)
	if err != nil {
		return fmt.Errorf("go tool pprof: %w", err)
	}
	return nil
}

func goTest(ctx context.Context, root string, args ...string) (string, error) {
	cmd := command(ctx, "go", args...)
	var out strings.Builder
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}
