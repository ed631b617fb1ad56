package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

func notConfiguredDiagnostic(data *providerData) diag.Diagnostic {
	if data != nil && len(data.unknown) > 0 {
		return diag.NewErrorDiagnostic("Provider configuration is not known yet",
			fmt.Sprintf("The provider's %s depends on values that are known only after apply, but this data source is read during plan. "+
				"Set them from values known at plan time (variables or the SHORTERLOOP_* environment variables), "+
				"or apply the resources they come from first (terraform apply -target=...).", strings.Join(data.unknown, " and ")))
	}
	return diag.NewErrorDiagnostic("Provider not configured",
		"The shorterloop provider was not configured before this data source was read. This is a bug in the provider; please report it.")
}

// answerDiagnostics reports answers that differ from what was asked. An
// answer with fewer users than it counts is an error unless q allows it:
// whatever emails feeds would remove the members left out.
func answerDiagnostics(seg *shorterloop.Segment, q segmentQuery, initiative string) diag.Diagnostics {
	var diags diag.Diagnostics
	if seg.ID != q.id {
		diags.AddWarning("Shorter Loop answered with another segment",
			fmt.Sprintf("Asked for segment %d in initiative %s, the API answered with segment %d (%q). "+
				"The data source keeps id = %d and shows the data it received. Check that segment %d is the one you mean.",
				q.id, initiative, seg.ID, ptrValue(seg.Value), q.id, q.id))
	}
	if seg.UserCount == nil {
		return diags
	}
	count, returned := *seg.UserCount, int64(len(seg.Users))
	reports := fmt.Sprintf("Segment %d in initiative %s reports userCount %d but the API returned %d users.", q.id, initiative, count, returned)
	switch {
	case count > returned && !q.incompleteAllowed():
		diags.AddError("Shorter Loop answer is incomplete", reports+
			fmt.Sprintf(" Feeding this short list downstream would remove the %d missing members from wherever emails goes, so the read fails. "+
				"Run Terraform again later; if the API keeps answering this way, contact Shorter Loop support. "+
				"Where a short list is harmless, set allow_incomplete = true on this data source to use the users returned.", count-returned))
	case count > returned:
		diags.AddWarning("Shorter Loop answer is incomplete", reports+
			fmt.Sprintf(" allow_incomplete is true, so emails and users hold the %d users returned, without the %d missing members.", returned, count-returned))
	case count < returned:
		diags.AddWarning("Shorter Loop user count differs from the users returned", reports+
			" user_count shows the reported number; emails and users hold the users returned.")
	}
	return diags
}

// filterWarnings warns when the statuses and user_roles filters keep none of
// a non-empty segment's users, naming the values its subscriptions do have.
// kept is the number of users the filters kept.
func filterWarnings(seg *shorterloop.Segment, statuses, userRoles []string, kept int, id int64, initiative string) diag.Diagnostics {
	if kept > 0 || len(seg.Users) == 0 || (statuses == nil && userRoles == nil) {
		return nil
	}
	var filters, present []string
	add := func(name, what string, values []string, field func(shorterloop.Subscription) string) {
		if values == nil {
			return
		}
		filters = append(filters, name+" = ["+quoted(values)+"]")
		seen := map[string]bool{}
		for _, u := range seg.Users {
			for _, s := range u.Subscriptions {
				seen[field(s)] = true
			}
		}
		present = append(present, fmt.Sprintf("%s in the segment's subscriptions: %s.", what, someValues(slices.Sorted(maps.Keys(seen)), 10)))
	}
	add("statuses", "Statuses", statuses, func(s shorterloop.Subscription) string { return s.Status })
	add("user_roles", "User roles", userRoles, func(s shorterloop.Subscription) string { return s.UserRole })
	detail := fmt.Sprintf("The filter %s keeps none of the %d users of segment %d in initiative %s, so emails lists nobody.",
		filters[0], len(seg.Users), id, initiative)
	if len(filters) == 2 {
		detail = fmt.Sprintf("The filters %s and %s keep none of the %d users of segment %d in initiative %s, so emails lists nobody. "+
			"A user is kept only when one subscription matches both.", filters[0], filters[1], len(seg.Users), id, initiative)
	}
	var diags diag.Diagnostics
	diags.AddWarning("Shorter Loop segment filter keeps no users", detail+" "+strings.Join(present, " ")+
		` Matching is exact and case-sensitive: for example, statuses = ["Active"] does not keep a subscription whose status is "active".`)
	return diags
}

// quoted quotes values and joins them with commas.
func quoted(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// someValues quotes the first n of values, then says how many more there are.
func someValues(values []string, n int) string {
	if len(values) == 0 {
		return "none"
	}
	s := quoted(values[:min(n, len(values))])
	if len(values) > n {
		s += fmt.Sprintf(" and %d more", len(values)-n)
	}
	return s
}

// readErrorDiagnostic turns a client error into a diagnostic summary and
// detail. host is the one base_url names.
func readErrorDiagnostic(err error, id int64, initiative, host string) (string, string) {
	what := fmt.Sprintf("Reading segment %d in initiative %s failed: %s.", id, initiative, err)
	var apiErr *shorterloop.APIError
	var limited *shorterloop.RateLimitError
	var redirect *shorterloop.RedirectError
	var tooLarge *shorterloop.BodyTooLargeError
	var timeout interface{ Timeout() bool }
	var unknownCA x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	var badCert *tls.CertificateVerificationError
	var proxy *shorterloop.ProxyError
	var op *net.OpError
	// A proxy failure's detail starts with viaProxy, and ends with direct, the way around it.
	viaProxy := what + fmt.Sprintf(" The provider reaches %s through the proxy that HTTPS_PROXY names, and ", host)
	direct := fmt.Sprintf("if %s can be reached without the proxy, list it in NO_PROXY.", host)
	switch {
	case errors.As(err, &apiErr) && !apiErr.TokenExpiredAt.IsZero():
		return "Shorter Loop API token expired", what +
			fmt.Sprintf(" The API token expired at %s, %s ago. Set a fresh token in %s or api_token.",
				apiErr.TokenExpiredAt.UTC().Format(time.RFC3339), roughDuration(time.Since(apiErr.TokenExpiredAt)), envAPIToken)
	case errors.As(err, &apiErr) && apiErr.IsHTML() && (apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden):
		return "Shorter Loop request blocked", what +
			fmt.Sprintf(" The answer is a web page, not the API's JSON: a proxy, firewall or content filter between this machine and %s likely refused the request, and the page's text is above. "+
				"Ask whoever runs your network to allow %s, or set HTTPS_PROXY to the proxy you are meant to use. "+
				"If the page is Shorter Loop's own, check api_token (or %s) and initiative_id.", host, host, envAPIToken)
	case errors.Is(err, shorterloop.ErrUnauthorized):
		return "Shorter Loop rejected the API token", what +
			" Check that api_token (or " + envAPIToken + ") holds a valid, unexpired Shorter Loop API token."
	case errors.Is(err, shorterloop.ErrForbidden):
		return "No access to the Shorter Loop initiative", what +
			fmt.Sprintf(" The token is valid but has no access to initiative %s. Check initiative_id (or %s), or use a token of a user with access to it.", initiative, envInitiativeID)
	case errors.Is(err, shorterloop.ErrNotFound):
		return "Shorter Loop segment not found", what +
			fmt.Sprintf(" Initiative %s has no segment %d. Check the data source's id and the provider's initiative_id. "+
				"The provider appends %s{id} to base_url, so a base_url that ends in /api or /api/v2 asks for the wrong path: "+
				"set it to the API's root, such as %s.", initiative, id, shorterloop.SegmentPath, shorterloop.DefaultBaseURL)
	case errors.Is(err, context.Canceled):
		return "Reading the Shorter Loop segment was interrupted", what
	case errors.As(err, &limited):
		return "Shorter Loop rate limit reached", what + rateLimitAdvice(limited)
	case errors.As(err, &apiErr) && apiErr.StatusCode >= 500:
		return "Shorter Loop API error", what +
			" The API or a proxy in front of it failed; try again later, and contact Shorter Loop support if it persists."
	case errors.As(err, &apiErr):
		return "Shorter Loop API error", what + " Check the provider configuration and the data source arguments."
	case errors.As(err, &redirect):
		return "Shorter Loop API redirected to another host", what +
			" Set base_url (or " + envBaseURL + ") to the address the API answers at."
	case errors.As(err, &tooLarge):
		return "Shorter Loop response too large", what +
			" The provider refuses bodies this large to protect memory. Check base_url (or " + envBaseURL + ") points at the Shorter Loop API."
	case errors.Is(err, shorterloop.ErrInvalidResponse):
		return "Unexpected response from Shorter Loop", what +
			" The API answered, but not with a segment the provider can read. Check base_url (or " + envBaseURL + ") points at the Shorter Loop API; if it does, try again later."
	case errors.As(err, &proxy) && proxy.StatusCode == http.StatusProxyAuthRequired && proxy.Credentials:
		return "The proxy refused its credentials", viaProxy +
			"that proxy did not accept the user name and password in its URL. " +
			"Check them; in the URL, characters such as @, : and / in either must be percent-encoded (@ as %40)."
	case errors.As(err, &proxy) && proxy.StatusCode == http.StatusProxyAuthRequired:
		return "The proxy asks for credentials", viaProxy +
			"that proxy wants a user name and password. " +
			"Put them in the proxy's URL, as HTTPS_PROXY=http://user:password@proxy.example.com:8080, or, " + direct
	case errors.As(err, &proxy):
		return "The proxy refused the connection to Shorter Loop", viaProxy +
			fmt.Sprintf("that proxy would not open a connection to it. Ask whoever runs the proxy to allow %s, or, ", host) + direct
	case errors.As(err, &op) && op.Op == "proxyconnect":
		return "Cannot reach the proxy", viaProxy + "connecting to that proxy failed. Check HTTPS_PROXY, or, " + direct
	case errors.As(err, &unknownCA):
		return "Shorter Loop's certificate is not trusted", what +
			fmt.Sprintf(" The certificate that %s presented was issued by %s, an authority this machine does not trust. "+
				"A TLS-inspecting proxy or a private CA may have signed it. Add that CA's PEM certificate with the provider's ca_cert_pem, "+
				"for example ca_cert_pem = file(\"corp-ca.pem\"), or with %s, the path of a PEM file; the system's trusted roots stay trusted.",
				host, issuer(unknownCA.Cert), envCACertFile)
	case errors.As(err, &wrongHost):
		return "Shorter Loop's certificate does not match base_url", what +
			fmt.Sprintf(" The certificate that %s presented is not valid for that name. Set base_url (or %s) to the name the API's certificate is issued for, such as %s. "+
				"Adding CA certificates does not help here.", host, envBaseURL, shorterloop.DefaultBaseURL)
	case errors.As(err, &badCert):
		return "Shorter Loop's certificate is not valid", what +
			fmt.Sprintf(" The certificate that %s presented failed verification for the reason above. Check that base_url (or %s) points at the Shorter Loop API and that this machine's clock is right; "+
				"if both are, the server's certificate is at fault: contact whoever runs %s. Adding CA certificates does not help here.", host, envBaseURL, host)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return "Shorter Loop did not answer in time", what +
			" Raise request_timeout (or " + envTimeout + ") if the segment is large or the network slow, or try again later."
	}
	return "Cannot reach Shorter Loop", what + " Check base_url (or " + envBaseURL + ") and your network connection, then try again."
}

// rateLimitAdvice says how long a read waited on the API's rate limit, with
// how many others, and how to stay under the limit.
func rateLimitAdvice(e *shorterloop.RateLimitError) string {
	return fmt.Sprintf(" The API kept refusing requests with 429 Too Many Requests. This read waited %s, within the wait budget of %s; "+
		"%d reads of this provider configuration have shared the API's limit so far. "+
		"Set max_requests_per_second (or %s) below the rate that the API allows, run Terraform with a lower -parallelism, or run it later.",
		e.Waited.Round(100*time.Millisecond), shorterloop.DefaultRetryBudget, e.Reads, envMaxRequestsPerSecond)
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

// The provider's configuration errors.

func missingTokenDiagnostic() diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("api_token"), "Missing Shorter Loop API token",
		"The provider needs a Shorter Loop API token. Set the api_token attribute in the provider block, "+
			"or the "+envAPIToken+" environment variable.")
}

// invalidTokenDiagnostic names where the token came from and what is wrong
// with it, never any part of it.
func invalidTokenDiagnostic(source, problem string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("api_token"), "Invalid Shorter Loop API token",
		fmt.Sprintf("The API token in %s %s, after surrounding whitespace and a leading \"Bearer \" are removed, so it cannot be sent. "+
			"Copy the token again as one unbroken string, and set it in api_token or %s.", source, problem, envAPIToken))
}

func missingInitiativeDiagnostic() diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("initiative_id"), "Missing Shorter Loop initiative",
		"The provider needs the initiative (product) key, e.g. SHO-MJXR from the app URL "+
			"https://app.shorterloop.com/<ORG>/product/SHO-MJXR/dashboard. Set the initiative_id attribute in the provider block, "+
			"or the "+envInitiativeID+" environment variable.")
}

// invalidInitiativeDiagnostic names where the initiative key came from, what
// it is and what is wrong with it.
func invalidInitiativeDiagnostic(source, id, problem string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("initiative_id"), "Invalid Shorter Loop initiative",
		fmt.Sprintf("The initiative key in %s, %q, %s, after surrounding whitespace is removed, so it cannot be sent. "+
			"Set initiative_id or %s to the key alone, e.g. SHO-MJXR from the app URL https://app.shorterloop.com/<ORG>/product/SHO-MJXR/dashboard.",
			source, id, problem, envInitiativeID))
}

func invalidMaxRetriesDiagnostic(v string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("max_retries"), "Invalid "+envMaxRetries,
		fmt.Sprintf("%s is %q; it must be a whole number from 0 to %d.", envMaxRetries, v, maxMaxRetries))
}

func invalidMaxRequestsPerSecondDiagnostic(source, v string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("max_requests_per_second"), "Invalid max_requests_per_second",
		fmt.Sprintf("%s is %q; it must be a number above 0 and at most %d, such as 5 or 0.5. Leave it unset to send freely until the API pushes back.",
			source, v, maxMaxRequestsPerSecond))
}

func invalidTimeoutDiagnostic(v string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("request_timeout"), "Invalid request timeout",
		fmt.Sprintf("request_timeout (or %s) is %q; it must be a duration from 1ms to %s, such as 30s or 1m30s.", envTimeout, v, maxRequestTimeout))
}

// invalidBaseURLDiagnostic reports checkBaseURL's err.
func invalidBaseURLDiagnostic(err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("base_url"), "Invalid Shorter Loop base URL",
		fmt.Sprintf("%s. Set base_url (or %s) to an https URL such as %s.", err, envBaseURL, shorterloop.DefaultBaseURL))
}

// noCACertDiagnostic reports a CA setting that holds no PEM certificate;
// source is "ca_cert_pem" or names the file and its variable.
func noCACertDiagnostic(source string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("ca_cert_pem"), "Invalid CA certificates",
		fmt.Sprintf("%s holds no PEM certificate, a block that starts with -----BEGIN CERTIFICATE-----. "+
			"Set ca_cert_pem, for example to file(\"corp-ca.pem\"), or %s to the path of a PEM file, with the certificates of the CAs to trust.", source, envCACertFile))
}

func unreadableCACertFileDiagnostic(err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("ca_cert_pem"), "Cannot read "+envCACertFile,
		fmt.Sprintf("Reading the CA certificates in the file that %s names failed: %s. "+
			"Set it to the path of a readable PEM file, or set ca_cert_pem instead.", envCACertFile, err))
}

func invalidConfigDiagnostic(err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Invalid Shorter Loop provider configuration", err.Error()+".")
}

func unexpectedProviderDataDiagnostic(data any) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unexpected provider data",
		fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
}
