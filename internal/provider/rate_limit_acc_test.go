package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// rateLimitedWorkspace serves segments 1..n from a fake API that accepts
// perSecond requests in each one-second window (0: no limit), and reads them
// all with for_each at Terraform's default -parallelism of 10.
func rateLimitedWorkspace(t *testing.T, n, perSecond int, env ...string) (*fakeapi.Server, *cliWorkspace) {
	t.Helper()
	api, srv := newFakeAPI(t)
	for i := int64(1); i <= int64(n); i++ {
		api.SetSegment(i, shorterloop.Segment{ID: i, Value: new(fmt.Sprintf("Segment %d", i)), Users: []shorterloop.User{{ID: i, Email: fmt.Sprintf("u%d@example.com", i)}}})
	}
	api.SetRateLimit(perSecond)
	w := newCLIWorkspace(t, fmt.Sprintf(`
data "shorterloop_segment" "s" {
  for_each = toset([for i in range(1, %d) : tostring(i)])
  id       = tonumber(each.key)
}

output "names" {
  value = [for s in data.shorterloop_segment.s : s.name]
}
`, n+1), append(fakeAPIEnv(srv), env...)...)
	return api, w
}

// TestAccCLI_rateLimitedAPI reads many segments against an API whose limit
// is far below what ten reads at once ask: every read succeeds, with close to
// one request each: at most the first burst of ten and a tenth more.
func TestAccCLI_rateLimitedAPI(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ segments, perSecond int }{{40, 2}, {60, 5}, {60, 10}} {
		t.Run(fmt.Sprintf("%d segments at %d a second", tt.segments, tt.perSecond), func(t *testing.T) {
			t.Parallel()
			api, w := rateLimitedWorkspace(t, tt.segments, tt.perSecond)
			start := time.Now()
			out, err := w.run(t, "apply", "-auto-approve", "-input=false", "-no-color")
			elapsed := time.Since(start)
			requests := 0
			for i := int64(1); i <= int64(tt.segments); i++ {
				requests += api.Requests(i)
			}
			perRead := float64(requests) / float64(tt.segments)
			t.Logf("%d segments at %d a second: %d requests, %.2f a read, in %s", tt.segments, tt.perSecond, requests, perRead, elapsed.Round(100*time.Millisecond))
			if err != nil {
				t.Fatalf("apply: %v\n%s", err, out)
			}
			out, err = w.run(t, "output", "-json", "names")
			var names []string
			if err != nil || json.Unmarshal([]byte(out), &names) != nil || len(names) != tt.segments {
				t.Fatalf("output: %v, want %d names:\n%s", err, tt.segments, out)
			}
			if want := tt.segments + 10 + tt.segments/10; requests > want {
				t.Errorf("%d requests for %d reads: %.2f a read, want at most %d", requests, tt.segments, perRead, want)
			}
		})
	}
}

// TestAccCLI_interruptWhileWaiting interrupts Terraform, as Ctrl-C does, while
// one read waits out a Retry-After of 30s and the others wait for their turn:
// it stops at once, not after the Retry-After.
func TestAccCLI_interruptWhileWaiting(t *testing.T) {
	t.Parallel()
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	api, w := rateLimitedWorkspace(t, 3, 0, envMaxRequestsPerSecond+"=0.5", "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logPath)
	for i := int64(1); i <= 3; i++ {
		api.SetFault(i, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "30"}})
	}
	cmd := w.command(t, "plan", "-input=false", "-no-color")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Wait until the first read was refused and the others wait for their turn.
	for {
		logs, _ := os.ReadFile(logPath)
		if strings.Contains(string(logs), "Waiting for a turn to send") {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("terraform exited before the reads waited: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	start := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("plan succeeded after the interrupt:\n%s", out.String())
		}
		elapsed := time.Since(start)
		t.Logf("terraform exited %s after the interrupt", elapsed.Round(10*time.Millisecond))
		if elapsed > 5*time.Second {
			t.Errorf("terraform exited %s after the interrupt, want under 5s", elapsed)
		}
	case <-time.After(25 * time.Second):
		t.Fatalf("terraform still runs 25s after the interrupt:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Interrupt received") {
		t.Errorf("output does not show the interrupt:\n%s", out.String())
	}
}

// TestAccCLI_rateLimitGiveUp: a read that the API keeps refusing with 429
// fails with a diagnostic that says so, how long it waited, how many reads
// shared the limit, and what to do.
func TestAccCLI_rateLimitGiveUp(t *testing.T) {
	t.Parallel()
	api, w := rateLimitedWorkspace(t, 2, 0, envMaxRetries+"=1")
	api.SetFault(2, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "1"}})
	out, err := w.run(t, "plan", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("plan succeeded, want the rate limit error:\n%s", out)
	}
	expectOutput(t, out,
		"Error: Shorter Loop rate limit reached",
		"Reading segment 2 in initiative SHO-TEST failed: GET http://127.0.0.1:",
		"API answered 429 Too Many Requests after 2 attempts and asked to retry after 1s.",
		"The API kept refusing requests with 429 Too Many Requests.",
		"2 reads of this provider configuration have shared the API's limit so far.",
		"Set max_requests_per_second (or SHORTERLOOP_MAX_REQUESTS_PER_SECOND) below the rate that the API allows, run Terraform with a lower -parallelism, or run it later.",
	)
	// The read waits out the Retry-After, and then its turn at the pace
	// after a push-back: up to 2s more at 0.5 a second when the other read
	// took the first turn.
	m := regexp.MustCompile(`This read waited (\S+), within the wait budget of 2m0s;`).FindStringSubmatch(strings.Join(strings.Fields(out), " "))
	if m == nil {
		t.Fatalf("output does not say how long the read waited:\n%s", out)
	}
	t.Logf("the read waited %s", m[1])
	if waited, err := time.ParseDuration(m[1]); err != nil || waited < time.Second || waited > 5*time.Second {
		t.Errorf("the read waited %s, want between the Retry-After of 1s and 5s", m[1])
	}
	if strings.Contains(out, testToken) {
		t.Error("plan output shows the token")
	}
}
