package shorterloop_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// TestTLSTrust checks whose CAs the client trusts, and that a certificate
// failure is reported as one, after one connection.
func TestTLSTrust(t *testing.T) {
	t.Parallel()
	body := readExample(t)
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	serverCA := x509.NewCertPool()
	serverCA.AddCert(srv.Certificate())

	tests := []struct {
		name          string
		cfg           func(*shorterloop.Config)
		wantUntrusted bool
	}{
		{name: "system roots only", cfg: func(*shorterloop.Config) {}, wantUntrusted: true},
		{name: "RootCAs hold the server's CA", cfg: func(c *shorterloop.Config) { c.RootCAs = serverCA }},
		{name: "RootCAs without it", cfg: func(c *shorterloop.Config) { c.RootCAs = x509.NewCertPool() }, wantUntrusted: true},
		{name: "HTTPClient's own transport wins over RootCAs", cfg: func(c *shorterloop.Config) {
			c.HTTPClient = srv.Client()
			c.RootCAs = x509.NewCertPool()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := conns.Load()
			c := newClient(t, srv.URL, tt.cfg, func(c *shorterloop.Config) { c.MaxRetries = 3 })
			_, err := c.GetSegment(t.Context(), 18)
			var unknown x509.UnknownAuthorityError
			var verify *tls.CertificateVerificationError
			if got := errors.As(err, &unknown) && errors.As(err, &verify); got != tt.wantUntrusted {
				t.Fatalf("unknown-authority error = %v, want %v; err = %v", got, tt.wantUntrusted, err)
			}
			if !tt.wantUntrusted && err != nil {
				t.Fatal(err)
			}
			if n := conns.Load() - before; tt.wantUntrusted && n != 1 {
				t.Errorf("%d connections, want 1: a certificate failure is not retried", n)
			}
		})
	}
}
