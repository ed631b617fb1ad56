package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// goResult holds the medians of several runs of one Go benchmark.
type goResult struct {
	NsPerOp, BytesPerOp, AllocsPerOp float64
	Runs                             int
}

var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+[\d.]+ MB/s)?\s+(\d+) B/op\s+(\d+) allocs/op`)

// goBenchmarks runs BenchmarkDecode, BenchmarkMapping and BenchmarkRead for
// every size (sizes of 100,000 users and more three operations per run, three
// runs; smaller ones for a second, five runs), then profiles BenchmarkRead at
// the largest size.
func goBenchmarks(ctx context.Context, root, dir string, sizes []int) (map[string]goResult, string, error) {
	var small, large []string
	for _, n := range sizes {
		if n >= 100_000 {
			large = append(large, strconv.Itoa(n))
		} else {
			small = append(small, strconv.Itoa(n))
		}
	}
	samples := map[string][]goResult{}
	for _, set := range []struct {
		sizes []string
		args  []string
	}{{small, []string{"-count", "5"}}, {large, []string{"-count", "3", "-benchtime", "3x"}}} {
		if len(set.sizes) == 0 {
			continue
		}
		pattern := fmt.Sprintf("^Benchmark(Decode|Mapping|Read)$/.*/users=(%s)$", strings.Join(set.sizes, "|"))
		step("go test -bench '%s' %s", pattern, strings.Join(set.args, " "))
		// -p 1: the two packages' benchmarks one after the other, not side by side.
		args := append([]string{"test", "-p", "1", "-run", "^$", "-bench", pattern, "-benchmem", "-timeout", "60m"}, set.args...)
		out, err := goTest(ctx, root, append(args, "./internal/bench", "./internal/provider")...)
		if err != nil {
			return nil, "", err
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			m := benchLine.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			ns, _ := strconv.ParseFloat(m[2], 64)
			b, _ := strconv.ParseFloat(m[3], 64)
			a, _ := strconv.ParseFloat(m[4], 64)
			samples[m[1]] = append(samples[m[1]], goResult{NsPerOp: ns, BytesPerOp: b, AllocsPerOp: a})
		}
	}
	results := map[string]goResult{}
	for name, s := range samples {
		pick := func(f func(goResult) float64) float64 {
			v := make([]float64, len(s))
			for i := range s {
				v[i] = f(s[i])
			}
			return median(v)
		}
		results[name] = goResult{
			NsPerOp:     pick(func(r goResult) float64 { return r.NsPerOp }),
			BytesPerOp:  pick(func(r goResult) float64 { return r.BytesPerOp }),
			AllocsPerOp: pick(func(r goResult) float64 { return r.AllocsPerOp }),
			Runs:        len(s),
		}
	}

	largest := sizes[len(sizes)-1]
	profile := filepath.Join(dir, "read.pprof")
	step("profiling BenchmarkRead/full/users=%d", largest)
	if _, err := goTest(ctx, root, "test", "-run", "^$", "-bench", fmt.Sprintf("^BenchmarkRead$/^full$/^users=%d$", largest),
		"-benchtime", "3x", "-count", "1", "-cpuprofile", profile, "-o", filepath.Join(dir, "provider.test"), "./internal/provider"); err != nil {
		return nil, "", err
	}
	top, err := command(ctx, "go", "tool", "pprof", "-top", "-cum", "-nodecount", "35",
		"-focus", `protocolServer\)\.ReadDataSource`, profile).Output()
	if err != nil {
		return nil, "", fmt.Errorf("go tool pprof: %w", err)
	}
	var lines []string
	for _, line := range strings.Split(string(top), "\n") {
		if !strings.HasPrefix(line, "File:") && !strings.HasPrefix(line, "Build ID:") && !strings.HasPrefix(line, "Time:") {
			lines = append(lines, line)
		}
	}
	return results, strings.Join(lines, "\n"), nil
}

func goTest(ctx context.Context, root string, args ...string) ([]byte, error) {
	cmd := command(ctx, "go", args...)
	var out bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.Bytes(), nil
}
