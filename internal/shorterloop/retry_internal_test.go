package shorterloop

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfterHeader(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		status   int
		header   string
		min, max time.Duration
	}{
		{429, "7", 7 * time.Second, 7 * time.Second},
		{503, " 2 ", 2 * time.Second, 2 * time.Second},
		{429, future, 85 * time.Second, 90 * time.Second},
		{429, past, 0, 0},
		{429, "0", 0, 0},
		{429, "-5", 0, 0},
		{429, "soon", 0, 0},
		{429, "", 0, 0},
		{502, "7", 0, 0},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Retry-After": {tt.header}}}
		if got := retryAfter(resp); got < tt.min || got > tt.max {
			t.Errorf("%d Retry-After %q = %s, want %s..%s", tt.status, tt.header, got, tt.min, tt.max)
		}
	}
	if retryAfter(nil) != 0 {
		t.Error("nil response")
	}
}

func TestBackoffIsCappedExponentialWithJitter(t *testing.T) {
	far := time.Now().Add(time.Hour)
	for attempt := range 40 {
		ceiling := min(100*time.Millisecond<<min(attempt, 20), time.Second)
		seen := map[time.Duration]bool{}
		for range 50 {
			d := backoff(100*time.Millisecond, time.Second, attempt, far)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("attempt %d: backoff %s outside [%s, %s]", attempt, d, ceiling/2, ceiling)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Fatalf("attempt %d: 50 waits of %v, want random ones", attempt, seen)
		}
	}
}

// A wait is cut at the read's deadline, but a Retry-After never is.
func TestBackoffDeadline(t *testing.T) {
	soon := time.Now().Add(time.Second)
	if d := backoff(time.Minute, time.Minute, 0, soon); d > time.Second {
		t.Errorf("backoff = %s with a deadline in 1s, want at most 1s", d)
	}
}
