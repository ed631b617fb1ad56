package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// readErrorDiagnostic turns a client error into a diagnostic summary and
// detail. host is the one base_url names.
func readErrorDiagnostic(err error, id int64, initiative, host string) (string, string) {
	f := readFailure{err: err, id: id, initiative: initiative, host: host,
		what: fmt.Sprintf("Reading segment %d in initiative %s failed: %s.", id, initiative, err)}
	// A cancelled read fails with whatever error the request was at.
	if errors.Is(err, context.Canceled) {
		return "Reading the Shorter Loop segment was interrupted", f.what
	}
	for _, cause := range []func() (string, string){f.auth, f.answer, f.proxy, f.tls} {
		if summary, detail := cause(); summary != "" {
			return summary, detail
		}
	}
	return f.transport()
}

// readFailure is a failed read. Each of its methods names one cause of
// failure and returns its diagnostic, or "" when err has another cause.
type readFailure struct {
	err              error
	id               int64
	initiative, host string
	// what opens every detail: what failed, and the error.
	what string
}

// auth reports the API's refusal of the token or the initiative.
func (f readFailure) auth() (string, string) {
	var apiErr *shorterloop.APIError
	switch {
	case errors.As(f.err, &apiErr) && !apiErr.TokenExpiredAt.IsZero():
		return "Shorter Loop API token expired", f.what +
			fmt.Sprintf(" The API token expired at %s, %s ago. Set a fresh token in %s or api_token.",
				apiErr.TokenExpiredAt.UTC().Format(time.RFC3339), roughDuration(time.Since(apiErr.TokenExpiredAt)), envAPIToken)
	case errors.As(f.err, &apiErr) && apiErr.IsHTML() && (apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden):
		return "Shorter Loop request blocked", f.what +
			fmt.Sprintf(" The answer is a web page, not the API's JSON: a proxy, firewall or content filter between this machine and %s likely refused the request, and the page's text is above. "+
				"Ask whoever runs your network to allow %s, or set HTTPS_PROXY to the proxy you are meant to use. "+
				"If the page is Shorter Loop's own, check api_token (or %s) and initiative_id.", f.host, f.host, envAPIToken)
	case errors.Is(f.err, shorterloop.ErrUnauthorized):
		return "Shorter Loop rejected the API token", f.what +
			" Check that api_token (or " + envAPIToken + ") holds a valid, unexpired Shorter Loop API token."
	case errors.Is(f.err, shorterloop.ErrForbidden):
		return "No access to the Shorter Loop initiative", f.what +
			fmt.Sprintf(" The token is valid but has no access to initiative %s. Check initiative_id (or %s), or use a token of a user with access to it.", f.initiative, envInitiativeID)
	}
	return "", ""
}

// answer reports an answer of the API's that is not the segment.
func (f readFailure) answer() (string, string) {
	var apiErr *shorterloop.APIError
	var limited *shorterloop.RateLimitError
	var redirect *shorterloop.RedirectError
	var tooLarge *shorterloop.BodyTooLargeError
	switch {
	case errors.Is(f.err, shorterloop.ErrNotFound):
		return "Shorter Loop segment not found", f.what +
			fmt.Sprintf(" Initiative %s has no segment %d. Check the data source's id and the provider's initiative_id. "+
				"The provider appends %s{id} to base_url, so a base_url that ends in /api or /api/v2 asks for the wrong path: "+
				"set it to the API's root, such as %s.", f.initiative, f.id, shorterloop.SegmentPath, shorterloop.DefaultBaseURL)
	case errors.As(f.err, &limited):
		return "Shorter Loop rate limit reached", f.what + rateLimitAdvice(limited)
	case errors.As(f.err, &apiErr) && apiErr.StatusCode >= 500:
		return "Shorter Loop API error", f.what +
			" The API or a proxy in front of it failed; try again later, and contact Shorter Loop support if it persists."
	case errors.As(f.err, &apiErr):
		return "Shorter Loop API error", f.what + " Check the provider configuration and the data source arguments."
	case errors.As(f.err, &redirect):
		return "Shorter Loop API redirected to another host", f.what +
			" Set base_url (or " + envBaseURL + ") to the address the API answers at."
	case errors.As(f.err, &tooLarge): // also an ErrInvalidResponse
		return "Shorter Loop response too large", f.what +
			" The provider refuses bodies this large to protect memory. Check base_url (or " + envBaseURL + ") points at the Shorter Loop API."
	case errors.Is(f.err, shorterloop.ErrInvalidResponse):
		return "Unexpected response from Shorter Loop", f.what +
			" The API answered, but not with a segment the provider can read. Check base_url (or " + envBaseURL + ") points at the Shorter Loop API; if it does, try again later."
	}
	return "", ""
}

// rateLimitAdvice says why a read gave up on a rate limit, how long it
// waited, with how many others, and how to stay under the limit.
func rateLimitAdvice(e *shorterloop.RateLimitError) string {
	var apiErr *shorterloop.APIError
	why, limit := " The API kept refusing requests with 429 Too Many Requests.", "the API's limit"
	advice := fmt.Sprintf(" Set max_requests_per_second (or %s) below the rate that the API allows, run Terraform with a lower -parallelism, or run it later.", envMaxRequestsPerSecond)
	switch {
	case errors.As(e.Err, &apiErr) && apiErr.Attempts == 1:
		why = " The API refused the request with 429 Too Many Requests."
	case errors.As(e.Err, &apiErr):
	case e.PushedBack:
		why = " The API pushed back on this provider configuration's requests, and the pace since left this read no turn."
	default:
		why = fmt.Sprintf(" The API has refused no request: max_requests_per_second (or %s) leaves too few turns for the reads at once.", envMaxRequestsPerSecond)
		limit, advice = "that pace", " Raise max_requests_per_second, or run Terraform with a lower -parallelism."
	}
	shared := fmt.Sprintf("%d reads of this provider configuration have shared %s so far", e.Reads, limit)
	if e.Reads == 1 {
		shared = fmt.Sprintf("no other read of this provider configuration has shared %s so far", limit)
	}
	return why + fmt.Sprintf(" This read waited %s, within the wait budget of %s; %s.", e.Waited.Round(100*time.Millisecond), shorterloop.DefaultRetryBudget, shared) + advice
}

// proxy reports a failure of the proxy that HTTPS_PROXY names.
func (f readFailure) proxy() (string, string) {
	var proxy *shorterloop.ProxyError
	var op *net.OpError
	// The detail starts with viaProxy, and ends with direct, the way around the proxy.
	viaProxy := f.what + fmt.Sprintf(" The provider reaches %s through the proxy that HTTPS_PROXY names, and ", f.host)
	direct := fmt.Sprintf("if %s can be reached without the proxy, list it in NO_PROXY.", f.host)
	switch {
	case errors.As(f.err, &proxy) && proxy.StatusCode == http.StatusProxyAuthRequired && proxy.Credentials:
		return "The proxy refused its credentials", viaProxy +
			"that proxy did not accept the user name and password in its URL. " +
			"Check them; in the URL, characters such as @, : and / in either must be percent-encoded (@ as %40)."
	case errors.As(f.err, &proxy) && proxy.StatusCode == http.StatusProxyAuthRequired:
		return "The proxy asks for credentials", viaProxy +
			"that proxy wants a user name and password. " +
			"Put them in the proxy's URL, as HTTPS_PROXY=http://user:password@proxy.example.com:8080, or, " + direct
	case errors.As(f.err, &proxy):
		return "The proxy refused the connection to Shorter Loop", viaProxy +
			fmt.Sprintf("that proxy would not open a connection to it. Ask whoever runs the proxy to allow %s, or, ", f.host) + direct
	case errors.As(f.err, &op) && op.Op == "proxyconnect":
		return "Cannot reach the proxy", viaProxy + "connecting to that proxy failed. Check HTTPS_PROXY, or, " + direct
	}
	return "", ""
}

// tls reports a certificate of the API's that failed verification.
func (f readFailure) tls() (string, string) {
	var unknownCA x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	var badCert *tls.CertificateVerificationError
	switch {
	case errors.As(f.err, &unknownCA):
		return "Shorter Loop's certificate is not trusted", f.what +
			fmt.Sprintf(" The certificate that %s presented was issued by %s, an authority this machine does not trust. "+
				"A TLS-inspecting proxy or a private CA may have signed it. Add that CA's PEM certificate with the provider's ca_cert_pem, "+
				"for example ca_cert_pem = file(\"corp-ca.pem\"), or with %s, the path of a PEM file; the system's trusted roots stay trusted.",
				f.host, issuer(unknownCA.Cert), envCACertFile)
	case errors.As(f.err, &wrongHost):
		return "Shorter Loop's certificate does not match base_url", f.what +
			fmt.Sprintf(" The certificate that %s presented is not valid for that name. Set base_url (or %s) to the name the API's certificate is issued for, such as %s. "+
				"Adding CA certificates does not help here.", f.host, envBaseURL, shorterloop.DefaultBaseURL)
	case errors.As(f.err, &badCert):
		return "Shorter Loop's certificate is not valid", f.what +
			fmt.Sprintf(" The certificate that %s presented failed verification for the reason above. Check that base_url (or %s) points at the Shorter Loop API and that this machine's clock is right; "+
				"if both are, the server's certificate is at fault: contact whoever runs %s. Adding CA certificates does not help here.", f.host, envBaseURL, f.host)
	}
	return "", ""
}

// transport reports a request that got no answer.
func (f readFailure) transport() (string, string) {
	var timeout interface{ Timeout() bool }
	if errors.Is(f.err, context.DeadlineExceeded) || errors.As(f.err, &timeout) && timeout.Timeout() {
		return "Shorter Loop did not answer in time", f.what +
			" Raise request_timeout (or " + envTimeout + ") if the segment is large or the network slow, or try again later."
	}
	return "Cannot reach Shorter Loop", f.what + " Check base_url (or " + envBaseURL + ") and your network connection, then try again."
}

// issuer names who issued cert, for a person to recognise.
func issuer(cert *x509.Certificate) string {
	if cert == nil {
		return "an unnamed issuer"
	}
	return strconv.Quote(cert.Issuer.String())
}

// roughDuration says d in its largest whole unit: seconds, minutes, hours or,
// from two days, days.
func roughDuration(d time.Duration) string {
	n, unit := int64(d/time.Second), "second"
	switch {
	case d >= 48*time.Hour:
		n, unit = int64(d/(24*time.Hour)), "day"
	case d >= time.Hour:
		n, unit = int64(d/time.Hour), "hour"
	case d >= time.Minute:
		n, unit = int64(d/time.Minute), "minute"
	}
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
