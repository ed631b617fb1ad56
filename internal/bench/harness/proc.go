package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// proc is what was last seen of one process.
type proc struct {
	name   string
	peakMB float64 // VmHWM: the peak resident set size, kept by the kernel
}

// peaks polls /proc every 10 ms for pid and the processes it starts (the
// providers) until wait returns, and gives the last sample of each process,
// by pid. As VmHWM never decreases, a sample misses at most what a process
// adds in its last 10 ms.
func peaks(pid int, wait func()) map[string]proc {
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	seen := map[string]proc{}
	for {
		pids := []string{strconv.Itoa(pid)}
		// Go programs start processes from any thread: read every thread's children.
		tasks, _ := filepath.Glob("/proc/" + pids[0] + "/task/*/children")
		for _, f := range tasks {
			b, _ := readFile(f)
			pids = append(pids, strings.Fields(string(b))...)
		}
		for _, p := range pids {
			if pr, ok := readStatus(p); ok {
				seen[p] = pr
			}
		}
		select {
		case <-tick.C:
		case <-done:
			return seen
		}
	}
}

// readStatus reads the name and VmHWM of a process; ok is false once it is
// gone or a zombie, whose memory figures are gone too.
func readStatus(pid string) (pr proc, ok bool) {
	status, err := readFile("/proc/" + pid + "/status")
	if err != nil {
		return pr, false
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch v = strings.TrimSpace(v); k {
		case "Name":
			pr.name = v
		case "VmHWM":
			kb, err := strconv.ParseFloat(strings.TrimSuffix(v, " kB"), 64)
			pr.peakMB = kb / 1024
			return pr, err == nil
		}
	}
	return pr, false
}
