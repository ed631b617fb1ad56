package shorterloop_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// readAll reads segments 1..n, parallelism at a time, as Terraform does, and
// returns each read's error.
func readAll(t *testing.T, c *shorterloop.Client, n, parallelism int) []error {
	t.Helper()
	errs := make([]error, n)
	sem := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_, errs[i] = c.GetSegment(t.Context(), int64(i+1))
		})
	}
	wg.Wait()
	return errs
}

// rateLimitedAPI is the fake API with segments 1..n, accepting perSecond
// requests in each one-second window.
func rateLimitedAPI(t *testing.T, n, perSecond int, mod ...func(*shorterloop.Config)) (*fakeapi.Server, *shorterloop.Client, *logRecorder) {
	t.Helper()
	api := fakeapi.New(testToken, testInitiative)
	logs := &logRecorder{}
	// Each answer takes 50ms, so that the reads' requests are in flight together.
	slow := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		time.Sleep(50 * time.Millisecond)
		return handlerTransport{api}.RoundTrip(r)
	})
	c := newClient(t, "https://api.shorterloop.test", append([]func(*shorterloop.Config){func(c *shorterloop.Config) {
		c.MaxRetries = 4
		c.HTTPClient = &http.Client{Transport: slow}
		c.Log = logs.log
	}}, mod...)...)
	for i := int64(1); i <= int64(n); i++ {
		api.SetSegment(i, shorterloop.Segment{ID: i, Users: []shorterloop.User{{ID: i, Email: fmt.Sprintf("u%d@example.com", i)}}})
	}
	if perSecond > 0 {
		api.SetRateLimit(perSecond)
	}
	return api, c, logs
}

func totalRequests(api *fakeapi.Server, n int) int {
	total := 0
	for i := int64(1); i <= int64(n); i++ {
		total += api.Requests(i)
	}
	return total
}

// Many reads against a strict limit, ten at a time: the first burst is
// refused, and from then on the reads share one pace, so that every read
// succeeds, none spending its attempts on waits, with close to one request:
// at most the first burst and a tenth more.
func TestPacerHerd(t *testing.T) {
	tests := []struct {
		segments, perSecond int
	}{
		{segments: 40, perSecond: 2},
		{segments: 60, perSecond: 5},
		{segments: 60, perSecond: 10},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d at %d a second", tt.segments, tt.perSecond), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				api, c, _ := rateLimitedAPI(t, tt.segments, tt.perSecond)
				start := time.Now()
				for i, err := range readAll(t, c, tt.segments, 10) {
					if err != nil {
						t.Errorf("segment %d: %v", i+1, err)
					}
				}
				total := totalRequests(api, tt.segments)
				t.Logf("%d requests, %.2f a read, in %s", total, float64(total)/float64(tt.segments), time.Since(start))
				if want := tt.segments + 10 + tt.segments/10; total > want {
					t.Errorf("%d requests for %d reads, want at most %d", total, tt.segments, want)
				}
			})
		})
	}
}

// sendTimes records when each request reached the API, since start.
type sendTimes struct {
	mu    sync.Mutex
	start time.Time
	times []time.Duration
}

func (s *sendTimes) transport(api http.Handler) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		s.mu.Lock()
		s.times = append(s.times, time.Since(s.start))
		s.mu.Unlock()
		return handlerTransport{api}.RoundTrip(r)
	})
}

// One read's Retry-After holds the reads of the whole client, which then
// send one by one, with no attempt of theirs spent on the wait.
func TestPacerRetryAfterHoldsEveryRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, _, logs := rateLimitedAPI(t, 6, 0)
		api.SetFault(1, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "5"}, Times: 1})
		sent := &sendTimes{start: time.Now()}
		c := newClient(t, "https://api.shorterloop.test", func(cfg *shorterloop.Config) {
			cfg.MaxRetries = 1
			cfg.HTTPClient = &http.Client{Transport: sent.transport(api)}
			cfg.Log = logs.log
		})
		if _, err := c.GetSegment(t.Context(), 6); err != nil { // a success before the push-back
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := c.GetSegment(t.Context(), 1); err != nil {
				t.Errorf("segment 1: %v", err)
			}
		})
		synctest.Wait() // refused, and waiting for its retry
		for id := int64(2); id <= 5; id++ {
			wg.Go(func() {
				if _, err := c.GetSegment(t.Context(), id); err != nil {
					t.Errorf("segment %d: %v", id, err)
				}
			})
		}
		wg.Wait()
		if len(sent.times) != 7 {
			t.Fatalf("sent %d requests at %v, want 7", len(sent.times), sent.times)
		}
		for _, d := range sent.times[2:] {
			if d < 5*time.Second {
				t.Errorf("requests sent at %v: one before the Retry-After of 5s", sent.times)
			}
		}
		for id := int64(2); id <= 5; id++ {
			if n := api.Requests(id); n != 1 {
				t.Errorf("segment %d: %d requests, want 1", id, n)
			}
		}
		if !strings.Contains(logs.String(), "Waiting for a turn to send map[reason:retry_after") {
			t.Errorf("no debug log of a read waiting for its turn:\n%s", logs)
		}
	})
}

// The jitter comes after the Retry-After, never before, and differs between
// clients, so that they do not retry in lockstep.
func TestPacerJitterAfterRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seen := map[time.Duration]bool{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				api, c, _ := fakeClient(t)
				api.SetFault(19, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "3"}, Times: 1})
				start := time.Now()
				if _, err := c.GetSegment(t.Context(), 19); err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				seen[time.Since(start)] = true
			})
		}
		wg.Wait()
		for d := range seen {
			if d < 3*time.Second || d > 3*time.Second+400*time.Millisecond {
				t.Errorf("retried after %s, want within 400ms after the Retry-After of 3s", d)
			}
		}
		if len(seen) < 10 {
			t.Errorf("20 clients retried at only %d different times: %v", len(seen), seen)
		}
	})
}

// max_requests_per_second paces from the first request, evenly, with no
// request refused.
func TestPacerCapFromFirstRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, _, logs := rateLimitedAPI(t, 6, 2)
		sent := &sendTimes{start: time.Now()}
		c := newClient(t, "https://api.shorterloop.test", func(cfg *shorterloop.Config) {
			cfg.MaxRequestsPerSecond = 2
			cfg.HTTPClient = &http.Client{Transport: sent.transport(api)}
			cfg.Log = logs.log
		})
		for i, err := range readAll(t, c, 6, 6) {
			if err != nil {
				t.Errorf("segment %d: %v", i+1, err)
			}
		}
		slices.Sort(sent.times)
		for i, d := range sent.times {
			if want := time.Duration(i) * 500 * time.Millisecond; d < want || d > want+time.Millisecond {
				t.Errorf("requests sent at %v, want one every 500ms from 0", sent.times)
				break
			}
		}
		if n := totalRequests(api, 6); n != 6 {
			t.Errorf("%d requests for 6 reads, want 6", n)
		}
		if !strings.Contains(logs.String(), "reason:max_requests_per_second") {
			t.Errorf("no debug log of the cap:\n%s", logs)
		}
	})
}

// A read that keeps being refused gives up within the wait budget, with an
// error that says how long it waited and how many reads shared the limit.
func TestPacerBudgetGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := fakeClient(t, func(c *shorterloop.Config) { c.MaxRetries, c.RetryBudget = 10, 10*time.Second })
		api.SetFault(19, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "3"}})
		start := time.Now()
		_, err := c.GetSegment(t.Context(), 19)
		var limited *shorterloop.RateLimitError
		var apiErr *shorterloop.APIError
		if !errors.As(err, &limited) || !errors.As(err, &apiErr) || apiErr.StatusCode != 429 {
			t.Fatalf("err = %v, want a RateLimitError with a 429 APIError", err)
		}
		if elapsed := time.Since(start); limited.Waited != elapsed || elapsed > 10*time.Second || limited.Reads != 1 {
			t.Errorf("gave up after %s: Waited %s, Reads %d; want at most 10s, and 1 read", elapsed, limited.Waited, limited.Reads)
		}
		if want := "failed: API answered 429 Too Many Requests after 4 attempts and asked to retry after 3s"; !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want %q", err, want)
		}
	})
}

// A read whose turn comes after its wait budget gives up at once.
func TestPacerNoTurnWithinBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, c, _ := rateLimitedAPI(t, 2, 0, func(c *shorterloop.Config) {
			c.MaxRequestsPerSecond, c.RetryBudget = 0.05, 10*time.Second
		})
		if _, err := c.GetSegment(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err := c.GetSegment(t.Context(), 2)
		var limited *shorterloop.RateLimitError
		if !errors.As(err, &limited) || limited.Reads != 2 || limited.PushedBack || time.Since(start) != 0 {
			t.Fatalf("err = %#v after %s, want a RateLimitError at once, with 2 reads and no push-back", err, time.Since(start))
		}
		if want := "GET https://api.shorterloop.test/api/v2/segments/with-users/2 failed: the pace of requests leaves this request no turn within the wait budget"; err.Error() != want {
			t.Errorf("err = %q, want %q", err, want)
		}
	})
}

// A read refused with 429 and then left no turn reports the API's answer,
// its message included.
func TestPacerNoTurnAfterRefusal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := rateLimitedAPI(t, 1, 0, func(c *shorterloop.Config) {
			c.MaxRequestsPerSecond, c.RetryBudget = 0.05, 10*time.Second
		})
		api.SetFault(1, fakeapi.Fault{Status: 429, ContentType: "application/json", Body: `{"message":"slow down please"}`,
			Header: map[string]string{"Retry-After": "1"}})
		_, err := c.GetSegment(t.Context(), 1)
		var limited *shorterloop.RateLimitError
		var apiErr *shorterloop.APIError
		if !errors.As(err, &limited) || !limited.PushedBack || !errors.As(err, &apiErr) || apiErr.Message != "slow down please" || api.Requests(1) != 1 {
			t.Fatalf("err = %#v after %d request(s), want the API's 429 with its message, after 1, and a push-back", err, api.Requests(1))
		}
	})
}

// Cancelling a read stops its wait for a turn at once, whether it waits out
// another read's Retry-After or the pace.
func TestPacerCancelStopsWait(t *testing.T) {
	for _, hold := range []string{"retry_after", "pace"} {
		t.Run(hold, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				api, c, _ := rateLimitedAPI(t, 2, 0, func(c *shorterloop.Config) {
					if hold == "pace" {
						c.MaxRequestsPerSecond = 0.1
					}
				})
				if hold == "retry_after" {
					api.SetFault(1, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "30"}})
				}
				go func() { _, _ = c.GetSegment(t.Context(), 1) }()
				time.Sleep(time.Second) // segment 1 is read, and refused or paced
				ctx, cancel := context.WithCancel(t.Context())
				time.AfterFunc(100*time.Millisecond, cancel)
				start := time.Now()
				_, err := c.GetSegment(ctx, 2)
				if !errors.Is(err, context.Canceled) || time.Since(start) != 100*time.Millisecond {
					t.Errorf("err = %v after %s, want context.Canceled after 100ms", err, time.Since(start))
				}
				if n := api.Requests(2); n != 0 {
					t.Errorf("segment 2 was asked %d times, want 0", n)
				}
			})
		})
	}
}

// A wait for a turn counts against neither request_timeout nor max_retries.
func TestPacerTurnIsNoAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := rateLimitedAPI(t, 4, 0, func(c *shorterloop.Config) {
			c.MaxRequestsPerSecond, c.RequestTimeout, c.MaxRetries = 1, 100*time.Millisecond, 0
		})
		for i, err := range readAll(t, c, 4, 4) {
			if err != nil {
				t.Errorf("segment %d: %v", i+1, err)
			}
		}
		if n := totalRequests(api, 4); n != 4 {
			t.Errorf("%d requests for 4 reads, want 4", n)
		}
	})
}
