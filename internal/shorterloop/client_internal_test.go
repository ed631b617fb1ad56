package shorterloop

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestTransport checks the transport the client builds when it is given none.
func TestTransport(t *testing.T) {
	t.Parallel()
	c, err := NewClient(Config{Token: "t", InitiativeID: "i"})
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.http.Transport.(observingTransport).next.(*http.Transport) //nolint:forcetypeassert // NewClient always wraps it
	if !ok {
		t.Fatalf("transport is %T, want a clone of http.DefaultTransport", c.http.Transport.(observingTransport).next) //nolint:forcetypeassert // as above
	}
	if tr == http.DefaultTransport || tr.Proxy == nil {
		t.Errorf("transport = %p with Proxy set %v; want a clone of http.DefaultTransport, which reads HTTPS_PROXY", tr, tr.Proxy != nil)
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Errorf("TLS config = %+v, want MinVersion TLS 1.2", tr.TLSClientConfig)
	}
}

// TestProxyRefusal points the transport the client builds at a proxy that
// refuses CONNECT, as HTTPS_PROXY would.
func TestProxyRefusal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status       int
		wantAttempts int
	}{
		{status: http.StatusProxyAuthRequired, wantAttempts: 1},
		{status: http.StatusForbidden, wantAttempts: 1},
		{status: http.StatusServiceUnavailable, wantAttempts: 3},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			t.Parallel()
			var connects atomic.Int32
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodConnect && r.Host == "api.shorterloop.test:443" {
					connects.Add(1)
				}
				w.WriteHeader(tt.status)
			}))
			t.Cleanup(proxy.Close)
			c, err := NewClient(Config{BaseURL: "https://api.shorterloop.test", Token: "t", InitiativeID: "i",
				MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			proxyURL, _ := url.Parse(proxy.URL)
			proxyURL.User = url.UserPassword("corp", "s3cret")
			c.http.Transport.(observingTransport).next.(*http.Transport).Proxy = http.ProxyURL(proxyURL) //nolint:forcetypeassert // TestTransport checks it

			_, err = c.GetSegment(t.Context(), 19)
			var pe *ProxyError
			if !errors.As(err, &pe) || pe.StatusCode != tt.status || !pe.Credentials {
				t.Fatalf("err = %v (%+v), want a ProxyError with status %d and credentials", err, pe, tt.status)
			}
			if int(connects.Load()) != tt.wantAttempts {
				t.Errorf("proxy saw %d CONNECTs, want %d", connects.Load(), tt.wantAttempts)
			}
			want := fmt.Sprintf("proxy http://corp:xxxxx@%s refused to open a connection to the API: it answered %d %s",
				proxyURL.Host, tt.status, http.StatusText(tt.status))
			if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("err = %q, want it to contain %q and no password", err, want)
			}
		})
	}
}
