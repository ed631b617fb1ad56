package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

func TestReadErrorDiagnostic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     error
		summary string
		detail  []string
	}{
		{"401", &shorterloop.APIError{StatusCode: 401}, "Shorter Loop rejected the API token", []string{"api_token", envAPIToken}},
		{"401 expired token", &shorterloop.APIError{StatusCode: 401, TokenExpiredAt: time.Date(2025, 4, 5, 5, 43, 54, 0, time.UTC)},
			"Shorter Loop API token expired", []string{"401 Unauthorized", "expired at 2025-04-05T05:43:54Z", " days ago", "fresh token in " + envAPIToken + " or api_token"}},
		{"403", &shorterloop.APIError{StatusCode: 403}, "No access to the Shorter Loop initiative", []string{"initiative SHO-X", "initiative_id"}},
		{"403 web page", &shorterloop.APIError{StatusCode: 403, ContentType: "text/html; charset=utf-8", Excerpt: "Access Denied by web policy"},
			"Shorter Loop request blocked", []string{"Access Denied by web policy", "a web page, not the API's JSON", "allow api.example.com", "HTTPS_PROXY", "initiative_id"}},
		{"401 web page", &shorterloop.APIError{StatusCode: 401, ContentType: "text/html", Excerpt: "Sign in to the proxy"},
			"Shorter Loop request blocked", []string{"Sign in to the proxy", "a web page", "api_token"}},
		{"401 web page, expired token", &shorterloop.APIError{StatusCode: 401, ContentType: "text/html", TokenExpiredAt: time.Now().Add(-time.Hour)},
			"Shorter Loop API token expired", []string{"fresh token"}},
		{"404", &shorterloop.APIError{StatusCode: 404}, "Shorter Loop segment not found", []string{"has no segment 42", "appends /api/v2/segments/with-users/{id} to base_url", "ends in /api or /api/v2"}},
		{"429", &shorterloop.RateLimitError{Waited: 118*time.Second + 340*time.Millisecond, Reads: 40, Err: &shorterloop.APIError{StatusCode: 429, Attempts: 5}},
			"Shorter Loop rate limit reached", []string{"429 Too Many Requests after 5 attempts.", "kept refusing requests with 429", "This read waited 1m58.3s, within the wait budget of 2m0s",
				"40 reads of this provider configuration have shared the API's limit so far", "max_requests_per_second (or SHORTERLOOP_MAX_REQUESTS_PER_SECOND)", "lower -parallelism", "run it later"}},
		{"429 once, asked to wait past the budget", &shorterloop.RateLimitError{Reads: 1, Err: &shorterloop.APIError{StatusCode: 429, Attempts: 1, RetryAfter: time.Hour}},
			"Shorter Loop rate limit reached", []string{"429 Too Many Requests and asked to retry after 1h0m0s.", "The API refused the request with 429", "This read waited 0s, within the wait budget of 2m0s",
				"no other read of this provider configuration has shared the API's limit so far.", "run it later"}},
		{"no turn after a push-back", &shorterloop.RateLimitError{Waited: 90 * time.Second, Reads: 12, PushedBack: true, Err: errors.New("the pace of requests leaves this request no turn")},
			"Shorter Loop rate limit reached", []string{"no turn.", "The API pushed back on this provider configuration's requests", "This read waited 1m30s",
				"12 reads of this provider configuration have shared the API's limit so far.", "max_requests_per_second (or SHORTERLOOP_MAX_REQUESTS_PER_SECOND) below the rate that the API allows"}},
		{"no turn at the configured pace", &shorterloop.RateLimitError{Waited: 110 * time.Second, Reads: 70, Err: errors.New("the pace of requests leaves this request no turn")},
			"Shorter Loop rate limit reached", []string{"The API has refused no request: max_requests_per_second (or SHORTERLOOP_MAX_REQUESTS_PER_SECOND) leaves too few turns",
				"70 reads of this provider configuration have shared that pace so far.", "Raise max_requests_per_second, or run Terraform with a lower -parallelism."}},
		{"502 html", &shorterloop.APIError{StatusCode: 502, ContentType: "text/html", Excerpt: "502 Bad Gateway nginx"}, "Shorter Loop API error", []string{"502", "Bad Gateway nginx", "try again later"}},
		{"400", &shorterloop.APIError{StatusCode: 400, Message: "bad id"}, "Shorter Loop API error", []string{"bad id"}},
		{"invalid", &shorterloop.InvalidResponseError{StatusCode: 200, Reason: "body is not valid JSON"}, "Unexpected response from Shorter Loop", []string{"not valid JSON", "base_url"}},
		{"network", errors.New("dial tcp 127.0.0.1:1: connection refused"), "Cannot reach Shorter Loop", []string{"connection refused", envBaseURL}},
		{"proxy asks for credentials", &url.Error{Op: "Get", URL: "https://api.example.com", Err: &shorterloop.ProxyError{
			Proxy: "http://proxy.example:3128", StatusCode: 407, Status: "407 Proxy Authentication Required"}},
			"The proxy asks for credentials", []string{"proxy http://proxy.example:3128", "407 Proxy Authentication Required", "reaches api.example.com through the proxy that HTTPS_PROXY names", "HTTPS_PROXY=http://user:password@", "NO_PROXY"}},
		{"proxy refuses its credentials", &shorterloop.ProxyError{Proxy: "http://corp:xxxxx@proxy.example:3128", Credentials: true, StatusCode: 407, Status: "407 Proxy Authentication Required"},
			"The proxy refused its credentials", []string{"proxy http://corp:xxxxx@proxy.example:3128", "did not accept the user name and password in its URL", "@ as %40"}},
		{"proxy refuses the host", &shorterloop.ProxyError{Proxy: "http://proxy.example:3128", StatusCode: 403, Status: "403 Forbidden"},
			"The proxy refused the connection to Shorter Loop", []string{"it answered 403 Forbidden", "allow api.example.com", "NO_PROXY"}},
		{"proxy unreachable", &net.OpError{Op: "proxyconnect", Net: "tcp", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}},
			"Cannot reach the proxy", []string{"proxyconnect tcp: dial tcp: connect: connection refused", "Check HTTPS_PROXY", "NO_PROXY"}},
		{"proxy times out", &net.OpError{Op: "proxyconnect", Net: "tcp", Err: context.DeadlineExceeded},
			"Cannot reach the proxy", []string{"proxyconnect tcp", "Check HTTPS_PROXY"}},
		{"unknown authority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{Cert: &x509.Certificate{Issuer: pkix.Name{CommonName: "Corp Proxy CA"}}}},
			"Shorter Loop's certificate is not trusted", []string{"api.example.com presented", `issued by "CN=Corp Proxy CA"`, "TLS-inspecting proxy or a private CA", "ca_cert_pem", envCACertFile}},
		{"hostname mismatch", &tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: &x509.Certificate{DNSNames: []string{"other.example"}}, Host: "api.example.com"}},
			"Shorter Loop's certificate does not match base_url", []string{"valid for other.example, not api.example.com", "api.example.com presented", envBaseURL, "does not help"}},
		{"expired", &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Reason: x509.Expired}},
			"Shorter Loop's certificate is not valid", []string{"has expired", "api.example.com presented", envBaseURL, "clock", "does not help"}},
		{"redirect", &url.Error{Op: "Get", URL: "https://api.example.com", Err: &shorterloop.RedirectError{From: "https://api.example.com", To: "https://login.example.com"}},
			"Shorter Loop API redirected to another host", []string{"to https://login.example.com, another host; not followed", "Set base_url (or " + envBaseURL + ") to the address the API answers at"}},
		{"too large", &shorterloop.BodyTooLargeError{Limit: shorterloop.DefaultMaxBodyBytes},
			"Shorter Loop response too large", []string{"larger than the 256 MiB limit", "to protect memory", envBaseURL}},
		{"timeout", &url.Error{Op: "Get", URL: "https://api.example.com", Err: context.DeadlineExceeded},
			"Shorter Loop did not answer in time", []string{"context deadline exceeded", "Raise request_timeout (or " + envTimeout + ")"}},
		{"interrupted", &url.Error{Op: "Get", URL: "https://api.example.com", Err: context.Canceled},
			"Reading the Shorter Loop segment was interrupted", []string{"context canceled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			summary, detail := readErrorDiagnostic(tt.err, 42, "SHO-X", "api.example.com")
			if summary != tt.summary {
				t.Errorf("summary = %q, want %q", summary, tt.summary)
			}
			for _, want := range append(tt.detail, "segment 42", "SHO-X") {
				if !strings.Contains(detail, want) {
					t.Errorf("detail lacks %q: %s", want, detail)
				}
			}
			// Only an unknown authority is fixed by the CA settings.
			if mentions := strings.Contains(detail, "ca_cert_pem"); mentions != (tt.summary == "Shorter Loop's certificate is not trusted") {
				t.Errorf("detail mentions ca_cert_pem: %v: %s", mentions, detail)
			}
		})
	}
}

func TestRoughDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 seconds"},
		{time.Second, "1 second"},
		{59 * time.Second, "59 seconds"},
		{time.Minute, "1 minute"},
		{59*time.Minute + 59*time.Second, "59 minutes"},
		{time.Hour, "1 hour"},
		{47*time.Hour + 59*time.Minute, "47 hours"},
		{48 * time.Hour, "2 days"},
		{400*24*time.Hour + 23*time.Hour, "400 days"},
	}
	for _, tt := range tests {
		if got := roughDuration(tt.d); got != tt.want {
			t.Errorf("roughDuration(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
