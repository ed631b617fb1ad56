package shorterloop_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// logRecorder collects the client's log lines.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) log(_ context.Context, level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s %v", level, msg, fields))
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// handlerTransport serves requests with a handler in memory: inside a
// synctest bubble, where no real socket works and no wait is real.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// fakeClient returns the fake API and a client for it, in memory, with the
// default waits. Call it in a bubble.
func fakeClient(t *testing.T, mod ...func(*shorterloop.Config)) (*fakeapi.Server, *shorterloop.Client, *logRecorder) {
	t.Helper()
	api := fakeapi.New(testToken, testInitiative)
	logs := &logRecorder{}
	c := newClient(t, "https://api.shorterloop.test", append([]func(*shorterloop.Config){func(c *shorterloop.Config) {
		c.MaxRetries = 3
		c.HTTPClient = &http.Client{Transport: handlerTransport{api}}
		c.Log = logs.log
	}}, mod...)...)
	return api, c, logs
}

// socketClient serves the fake API on a real socket, with short waits, for
// tests that need one: a connection reset, gzip, redirects.
func socketClient(t *testing.T) (*fakeapi.Server, *shorterloop.Client) {
	t.Helper()
	api := fakeapi.New(testToken, testInitiative)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, newClient(t, srv.URL, func(c *shorterloop.Config) {
		c.MaxRetries = 3
		c.RetryWaitMin, c.RetryWaitMax = time.Millisecond, time.Millisecond
	})
}

func TestRetriesTransientStatuses(t *testing.T) {
	for _, status := range []int{429, 500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				api, c, _ := fakeClient(t)
				api.SetFault(19, fakeapi.Fault{Status: status, Times: 2})
				seg, err := c.GetSegment(t.Context(), 19)
				if err != nil {
					t.Fatal(err)
				}
				if len(seg.Users) != 39 || api.Requests(19) != 3 {
					t.Errorf("users = %d, requests = %d; want 39 users after 3 requests", len(seg.Users), api.Requests(19))
				}
			})
		})
	}
}

func TestNeverRetried(t *testing.T) {
	tests := []struct {
		name  string
		fault fakeapi.Fault
		body  string
		want  error
	}{
		{name: "400", fault: fakeapi.Fault{Status: 400}},
		{name: "401", fault: fakeapi.Fault{Status: 401}, want: shorterloop.ErrUnauthorized},
		{name: "403", fault: fakeapi.Fault{Status: 403}, want: shorterloop.ErrForbidden},
		{name: "404", fault: fakeapi.Fault{Status: 404}, want: shorterloop.ErrNotFound},
		{name: "501", fault: fakeapi.Fault{Status: 501}},
		{name: "505", fault: fakeapi.Fault{Status: 505}},
		{name: "truncated JSON", body: `{"success":true,"data":{"id":19,`, want: shorterloop.ErrInvalidResponse},
		{name: "HTML 200", fault: fakeapi.Fault{Status: 200, ContentType: "text/html", Body: "<p>hi</p>"}, want: shorterloop.ErrInvalidResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				api, c, _ := fakeClient(t)
				if tt.body != "" {
					api.SetBody(19, []byte(tt.body))
				} else {
					api.SetFault(19, tt.fault)
				}
				_, err := c.GetSegment(t.Context(), 19)
				if err == nil {
					t.Fatal("want an error")
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("err = %v, want %v", err, tt.want)
				}
				if n := api.Requests(19); n != 1 {
					t.Errorf("requests = %d, want 1 (no retry)", n)
				}
			})
		})
	}
}

func TestRetriesExhausted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := fakeClient(t)
		api.SetFault(19, fakeapi.Fault{Status: 503, ContentType: "text/plain", Body: "overloaded"})
		_, err := c.GetSegment(t.Context(), 19)
		var apiErr *shorterloop.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Attempts != 4 || apiErr.Excerpt != "overloaded" {
			t.Fatalf("err = %#v, want a 503 APIError after 4 attempts", err)
		}
		if api.Requests(19) != 4 || !strings.Contains(err.Error(), "after 4 attempts") {
			t.Errorf("requests = %d, err = %v", api.Requests(19), err)
		}
	})
}

func TestMaxRetriesZeroDisablesRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := fakeClient(t, func(c *shorterloop.Config) { c.MaxRetries = 0 })
		api.SetFault(19, fakeapi.Fault{Status: 503})
		if _, err := c.GetSegment(t.Context(), 19); err == nil || api.Requests(19) != 1 {
			t.Errorf("err = %v, requests = %d; want an error after 1 request", err, api.Requests(19))
		}
	})
}

func TestRetryAfterHonoured(t *testing.T) {
	for _, header := range []string{"1", "3"} {
		t.Run(header, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				api, c, _ := fakeClient(t)
				api.SetFault(19, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": header}, Times: 1})
				start := time.Now()
				if _, err := c.GetSegment(t.Context(), 19); err != nil {
					t.Fatal(err)
				}
				// The backoff alone would wait at most 0.5 s; the jitter after
				// Retry-After is at most 100ms and a tenth of it.
				ra := time.Duration(header[0]-'0') * time.Second
				if got := time.Since(start); got < ra || got > ra+100*time.Millisecond+ra/10 {
					t.Errorf("retried after %s, want %s and a little jitter", got, ra)
				}
			})
		})
	}
}

func TestRetryAfterBeyondBudgetFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := fakeClient(t, func(c *shorterloop.Config) { c.RetryBudget = 10 * time.Second })
		api.SetFault(19, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "60"}})
		start := time.Now()
		_, err := c.GetSegment(t.Context(), 19)
		var apiErr *shorterloop.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.RetryAfter != time.Minute {
			t.Fatalf("err = %v, want a 429 APIError with RetryAfter 1m", err)
		}
		if api.Requests(19) != 1 || time.Since(start) != 0 || !strings.Contains(err.Error(), "asked to retry after 1m0s") {
			t.Errorf("requests = %d after %s, err = %v", api.Requests(19), time.Since(start), err)
		}
	})
}

// The budget bounds a read that its attempts alone would keep waiting longer.
func TestRetryBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := fakeClient(t, func(c *shorterloop.Config) {
			c.MaxRetries, c.RetryBudget = 10, time.Minute
			c.RetryWaitMin, c.RetryWaitMax = 20*time.Second, time.Minute
		})
		api.SetFault(19, fakeapi.Fault{Status: 503})
		start := time.Now()
		_, err := c.GetSegment(t.Context(), 19)
		var apiErr *shorterloop.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
			t.Fatalf("err = %v, want a 503 APIError", err)
		}
		if elapsed, n := time.Since(start), api.Requests(19); elapsed > time.Minute || n > 5 || n != apiErr.Attempts {
			t.Errorf("gave up after %s and %d requests (%d attempts counted); want at most 1m0s and 5", elapsed, n, apiErr.Attempts)
		}
	})
}

func TestCancelStopsBackoffSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := fakeClient(t)
		api.SetFault(19, fakeapi.Fault{Status: 503, Header: map[string]string{"Retry-After": "30"}})
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.GetSegment(ctx, 19)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if elapsed := time.Since(start); elapsed != 100*time.Millisecond {
			t.Errorf("GetSegment returned %s after it started, want 100ms, when it was cancelled", elapsed)
		}
	})
}

func TestRequestTimeoutPerAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := fakeClient(t, func(c *shorterloop.Config) {
			c.MaxRetries = 1
			c.RequestTimeout = 100 * time.Millisecond
		})
		api.SetFault(19, fakeapi.Fault{Delay: 10 * time.Second})
		start := time.Now()
		_, err := c.GetSegment(t.Context(), 19)
		var timeout interface{ Timeout() bool }
		if !errors.As(err, &timeout) || !timeout.Timeout() {
			t.Fatalf("err = %v, want a timeout", err)
		}
		if api.Requests(19) != 2 || !strings.Contains(err.Error(), "after 2 attempts") {
			t.Errorf("requests = %d, err = %v", api.Requests(19), err)
		}
		// Two attempts of 100ms and the wait between them, at most 0.5 s.
		if elapsed := time.Since(start); elapsed < 200*time.Millisecond || elapsed > 700*time.Millisecond {
			t.Errorf("GetSegment took %s, want two attempts of 100ms and one wait", elapsed)
		}
	})
}

func TestResetMidBodyIsRetried(t *testing.T) {
	api, c := socketClient(t)
	api.SetFault(19, fakeapi.Fault{ResetAfter: 500, Times: 2})
	seg, err := c.GetSegment(context.Background(), 19)
	if err != nil {
		t.Fatal(err)
	}
	if len(seg.Users) != 39 || api.Requests(19) != 3 {
		t.Errorf("users = %d, requests = %d", len(seg.Users), api.Requests(19))
	}
}

func TestGzipBody(t *testing.T) {
	api, c := socketClient(t)
	api.SetGzip(true)
	seg, err := c.GetSegment(context.Background(), 19)
	if err != nil {
		t.Fatal(err)
	}
	if *seg.Value != "Young Innovators" || len(seg.Users) != 39 {
		t.Errorf("segment = %q with %d users", *seg.Value, len(seg.Users))
	}
}

func TestRedirects(t *testing.T) {
	var otherAuth []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherAuth = append(otherAuth, r.Header.Get("Authorization"))
	}))
	defer other.Close()

	t.Run("same host is followed", func(t *testing.T) {
		api, c := socketClient(t)
		api.SetFault(18, fakeapi.Fault{RedirectTo: "/api/v2/segments/with-users/19"})
		seg, err := c.GetSegment(context.Background(), 18)
		if err != nil || seg.ID != 19 {
			t.Fatalf("seg = %v, err = %v", seg, err)
		}
	})
	t.Run("another host is refused", func(t *testing.T) {
		api, c := socketClient(t)
		api.SetFault(19, fakeapi.Fault{RedirectTo: other.URL + "/steal"})
		_, err := c.GetSegment(context.Background(), 19)
		var redirect *shorterloop.RedirectError
		if !errors.As(err, &redirect) || redirect.To != other.URL {
			t.Fatalf("err = %v, want a RedirectError to %s", err, other.URL)
		}
		if api.Requests(19) != 1 {
			t.Errorf("a refused redirect was retried: %d requests", api.Requests(19))
		}
		assertNoToken(t, err)
	})
	if len(otherAuth) != 0 {
		t.Errorf("the other host was contacted %d times (Authorization %q)", len(otherAuth), otherAuth)
	}
}

func TestLogsNeverContainToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, logs := fakeClient(t)
		api.SetFault(19, fakeapi.Fault{Status: 502, ContentType: "text/plain", Body: "echo Bearer " + testToken, Times: 2})
		if _, err := c.GetSegment(t.Context(), 19); err != nil {
			t.Fatal(err)
		}
		out := logs.String()
		if !strings.Contains(out, "retrying request") {
			t.Fatalf("expected retry logs, got:\n%s", out)
		}
		if strings.Contains(out, testToken) || strings.Contains(out, tokenPart(testToken)) {
			t.Errorf("the token appears in the logs:\n%s", out)
		}
	})
}
