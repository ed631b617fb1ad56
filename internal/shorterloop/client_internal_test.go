package shorterloop

import (
	"crypto/tls"
	"net/http"
	"testing"
)

// TestTransport checks the transport the client builds when it is given none.
func TestTransport(t *testing.T) {
	t.Parallel()
	c, err := NewClient(Config{Token: "t", InitiativeID: "i"})
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.http.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T, want a clone of http.DefaultTransport", c.http.Transport)
	}
	if tr == http.DefaultTransport || tr.Proxy == nil {
		t.Errorf("transport = %p with Proxy set %v; want a clone of http.DefaultTransport, which reads HTTPS_PROXY", tr, tr.Proxy != nil)
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Errorf("TLS config = %+v, want MinVersion TLS 1.2", tr.TLSClientConfig)
	}
}
