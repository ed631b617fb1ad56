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
	c := &Client{cfg: Config{RetryWaitMin: 100 * time.Millisecond, RetryWaitMax: time.Second}}
	for attempt := 1; attempt <= 40; attempt++ {
		r := &retrier{c: c, attempts: attempt}
		ceiling := min(100*time.Millisecond<<(attempt-1), time.Second)
		if attempt > 20 {
			ceiling = time.Second
		}
		for range 50 {
			if d := r.backoff(); d < ceiling/2 || d > ceiling {
				t.Fatalf("attempt %d: backoff %s outside [%s, %s]", attempt, d, ceiling/2, ceiling)
			}
		}
	}
}
