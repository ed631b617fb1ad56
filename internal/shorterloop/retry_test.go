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

// fakeClient starts the fake API and a client for it with fast retries.
func fakeClient(t *testing.T, mod ...func(*shorterloop.Config)) (*fakeapi.Server, *shorterloop.Client, *logRecorder) {
	t.Helper()
	api := fakeapi.New(testToken, testInitiative)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	logs := &logRecorder{}
	c := newClient(t, srv.URL, append([]func(*shorterloop.Config){func(c *shorterloop.Config) {
		c.MaxRetries = 3
		c.RetryWaitMin = time.Millisecond
		c.RetryWaitMax = 5 * time.Millisecond
		c.Log = logs.log
	}}, mod...)...)
	return api, c, logs
}

func TestRetriesTransientStatuses(t *testing.T) {
	for _, status := range []int{429, 500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			api, c, _ := fakeClient(t)
			api.SetFault(19, fakeapi.Fault{Status: status, Times: 2})
			seg, err := c.GetSegment(context.Background(), 19)
			if err != nil {
				t.Fatal(err)
			}
			if len(seg.Users) != 39 || api.Requests(19) != 3 {
				t.Errorf("users = %d, requests = %d; want 39 users after 3 requests", len(seg.Users), api.Requests(19))
			}
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
			api, c, _ := fakeClient(t)
			if tt.body != "" {
				api.SetBody(19, []byte(tt.body))
			} else {
				api.SetFault(19, tt.fault)
			}
			_, err := c.GetSegment(context.Background(), 19)
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
	}
}

func TestRetriesExhausted(t *testing.T) {
	api, c, _ := fakeClient(t)
	api.SetFault(19, fakeapi.Fault{Status: 503, ContentType: "text/plain", Body: "overloaded"})
	_, err := c.GetSegment(context.Background(), 19)
	var apiErr *shorterloop.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Attempts != 4 || apiErr.Excerpt != "overloaded" {
		t.Fatalf("err = %#v, want a 503 APIError after 4 attempts", err)
	}
	if api.Requests(19) != 4 || !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("requests = %d, err = %v", api.Requests(19), err)
	}
}

func TestMaxRetriesZeroDisablesRetries(t *testing.T) {
	api, c, _ := fakeClient(t, func(c *shorterloop.Config) { c.MaxRetries = 0 })
	api.SetFault(19, fakeapi.Fault{Status: 503})
	if _, err := c.GetSegment(context.Background(), 19); err == nil || api.Requests(19) != 1 {
		t.Errorf("err = %v, requests = %d; want an error after 1 request", err, api.Requests(19))
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	api, c, logs := fakeClient(t)
	api.SetFault(19, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "1"}, Times: 1})
	if _, err := c.GetSegment(context.Background(), 19); err != nil {
		t.Fatal(err)
	}
	// The wait comes from Retry-After, not from the 1-5 ms backoff.
	if !strings.Contains(logs.String(), "timeout:1s") {
		t.Errorf("no 1s wait in the log:\n%s", logs)
	}
}

func TestRetryAfterBeyondBudgetFailsAtOnce(t *testing.T) {
	api, c, _ := fakeClient(t, func(c *shorterloop.Config) { c.RetryBudget = 10 * time.Second })
	api.SetFault(19, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "60"}})
	_, err := c.GetSegment(context.Background(), 19)
	var apiErr *shorterloop.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.RetryAfter != time.Minute {
		t.Fatalf("err = %v, want a 429 APIError with RetryAfter 1m", err)
	}
	if api.Requests(19) != 1 || !strings.Contains(err.Error(), "asked to retry after 1m0s") {
		t.Errorf("requests = %d, err = %v", api.Requests(19), err)
	}
}

func TestCancelStopsBackoffSleep(t *testing.T) {
	api, c, _ := fakeClient(t)
	api.SetFault(19, fakeapi.Fault{Status: 503, Header: map[string]string{"Retry-After": "30"}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.GetSegment(ctx, 19)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("GetSegment returned %s after cancel; the 30 s wait was not interrupted", elapsed)
	}
}

func TestRequestTimeoutPerAttempt(t *testing.T) {
	api, c, _ := fakeClient(t, func(c *shorterloop.Config) {
		c.MaxRetries = 1
		c.RequestTimeout = 100 * time.Millisecond
	})
	api.SetFault(19, fakeapi.Fault{Delay: 10 * time.Second})
	_, err := c.GetSegment(context.Background(), 19)
	var timeout interface{ Timeout() bool }
	if !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if api.Requests(19) != 2 || !strings.Contains(err.Error(), "after 2 attempts") {
		t.Errorf("requests = %d, err = %v", api.Requests(19), err)
	}
}

func TestResetMidBodyIsRetried(t *testing.T) {
	api, c, _ := fakeClient(t)
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
	api, c, _ := fakeClient(t)
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
		api, c, _ := fakeClient(t)
		api.SetFault(18, fakeapi.Fault{RedirectTo: "/api/v2/segments/with-users/19"})
		seg, err := c.GetSegment(context.Background(), 18)
		if err != nil || seg.ID != 19 {
			t.Fatalf("seg = %v, err = %v", seg, err)
		}
	})
	t.Run("another host is refused", func(t *testing.T) {
		api, c, _ := fakeClient(t)
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
	api, c, logs := fakeClient(t)
	api.SetFault(19, fakeapi.Fault{Status: 502, ContentType: "text/plain", Body: "echo Bearer " + testToken, Times: 2})
	if _, err := c.GetSegment(context.Background(), 19); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "retrying request") {
		t.Fatalf("expected retry logs, got:\n%s", out)
	}
	if strings.Contains(out, testToken) || strings.Contains(out, tokenPart(testToken)) {
		t.Errorf("the token appears in the logs:\n%s", out)
	}
}
