package main

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStats is what the sampler last saw of one process.
type procStats struct {
	comm     string
	hwmKB    int64 // VmHWM: the kernel's own peak resident set size
	cpuTicks int64 // utime + stime
}

// sampler polls /proc for the process tree under a root pid: terraform and
// every provider process it starts. VmHWM is a high-water mark kept by the
// kernel, so sampling misses at most what a process adds in its last interval.
type sampler struct {
	root int
	mu   sync.Mutex
	seen map[int]procStats
	stop chan struct{}
	done chan struct{}
}

func startSampler(root int, every time.Duration) *sampler {
	s := &sampler{root: root, seen: map[int]procStats{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// finish stops sampling and returns the last sample of every process seen.
func (s *sampler) finish() map[int]procStats {
	close(s.stop)
	<-s.done
	return s.seen
}

func (s *sampler) sample() {
	for _, pid := range descendants(s.root) {
		st, ok := readProc(pid)
		if !ok {
			continue
		}
		s.mu.Lock()
		prev := s.seen[pid]
		st.hwmKB = max(st.hwmKB, prev.hwmKB)
		st.cpuTicks = max(st.cpuTicks, prev.cpuTicks)
		s.seen[pid] = st
		s.mu.Unlock()
	}
}

// descendants lists the children of pid, their children and so on, from the
// children files of every thread (Go programs fork from any thread).
func descendants(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	for _, f := range tasks {
		b, err := readFile(f)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(b)) {
			if child, err := strconv.Atoi(field); err == nil {
				out = append(out, child)
				out = append(out, descendants(child)...)
			}
		}
	}
	return out
}

// readProc reads the name, peak RSS and CPU time of pid; ok is false once
// the process is gone or a zombie (whose memory figures are gone too).
func readProc(pid int) (procStats, bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := readFile(dir + "/stat")
	if err != nil {
		return procStats{}, false
	}
	// pid (comm) state ppid ... utime(14) stime(15): comm may hold spaces.
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || end < open {
		return procStats{}, false
	}
	st := procStats{comm: string(stat[open+1 : end])}
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 13 || fields[0] == "Z" {
		return procStats{}, false
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	st.cpuTicks = utime + stime

	status, err := readFile(dir + "/status")
	if err != nil {
		return procStats{}, false
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			st.hwmKB, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return st, true
		}
	}
	return procStats{}, false
}
