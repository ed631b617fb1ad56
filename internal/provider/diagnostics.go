package provider

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

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
func answerDiagnostics(seg *shorterloop.Segment, q *segmentModel, initiative string) diag.Diagnostics {
	var diags diag.Diagnostics
	if seg.ID != q.ID {
		diags.AddWarning("Shorter Loop answered with another segment",
			fmt.Sprintf("Asked for segment %d in initiative %s, the API answered with segment %d (%q). "+
				"The data source keeps id = %d and shows the data it received. Check that segment %d is the one you mean.",
				q.ID, initiative, seg.ID, ptrValue(seg.Value), q.ID, q.ID))
	}
	if seg.UserCount == nil {
		return diags
	}
	count, returned := *seg.UserCount, int64(len(seg.Users))
	reports := fmt.Sprintf("Segment %d in initiative %s reports userCount %d but the API returned %d users.", q.ID, initiative, count, returned)
	switch {
	case count > returned && !q.incompleteAllowed():
		diags.AddAttributeError(path.Root("allow_incomplete"), "Shorter Loop answer is incomplete", reports+
			fmt.Sprintf(" Feeding this short list downstream would remove the %d missing members from wherever emails goes, so the read fails. "+
				"Run Terraform again later; if the API keeps answering this way, contact Shorter Loop support. "+
				"Where a short list is harmless, set allow_incomplete = true on this data source to use the users returned.", count-returned))
	case count > returned:
		diags.AddAttributeWarning(path.Root("allow_incomplete"), "Shorter Loop answer is incomplete", reports+
			fmt.Sprintf(" allow_incomplete is true, so emails and users hold the %d users returned, without the %d missing members.", returned, count-returned))
	case count < returned:
		diags.AddWarning("Shorter Loop user count differs from the users returned", reports+
			" user_count shows the reported number; emails and users hold the users returned.")
	}
	return diags
}

// ptrValue is *p, or the zero value for nil.
func ptrValue[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}

// filterWarnings warns when the statuses and user_roles filters keep none of
// a non-empty segment's users, naming the values its subscriptions do have.
// kept is the number of users the filters kept. The warning points at
// statuses, unless only user_roles is set or only user_roles has no value
// that the subscriptions have.
func filterWarnings(seg *shorterloop.Segment, statuses, userRoles []string, kept int, id int64, initiative string) diag.Diagnostics {
	if kept > 0 || len(seg.Users) == 0 || (statuses == nil && userRoles == nil) {
		return nil
	}
	var filters, present []string
	// add describes one filter, and reports whether none of its values is present.
	add := func(name, what string, values []string, field func(shorterloop.Subscription) string) bool {
		if values == nil {
			return false
		}
		filters = append(filters, name+" = ["+quoted(values)+"]")
		seen := map[string]bool{}
		for _, u := range seg.Users {
			for _, s := range u.Subscriptions {
				seen[field(s)] = true
			}
		}
		present = append(present, fmt.Sprintf("%s in the segment's subscriptions: %s.", what, someValues(slices.Sorted(maps.Keys(seen)), 10)))
		return !slices.ContainsFunc(values, func(v string) bool { return seen[v] })
	}
	statusesAbsent := add("statuses", "Statuses", statuses, func(s shorterloop.Subscription) string { return s.Status })
	rolesAbsent := add("user_roles", "User roles", userRoles, func(s shorterloop.Subscription) string { return s.UserRole })
	at := path.Root("statuses")
	if statuses == nil || (rolesAbsent && !statusesAbsent) {
		at = path.Root("user_roles")
	}
	detail := fmt.Sprintf("The filter %s keeps none of the %d users of segment %d in initiative %s, so emails lists nobody.",
		filters[0], len(seg.Users), id, initiative)
	if len(filters) == 2 {
		detail = fmt.Sprintf("The filters %s and %s keep none of the %d users of segment %d in initiative %s, so emails lists nobody. "+
			"A user is kept only when one subscription matches both.", filters[0], filters[1], len(seg.Users), id, initiative)
	}
	var diags diag.Diagnostics
	diags.AddAttributeWarning(at, "Shorter Loop segment filter keeps no users", detail+" "+strings.Join(present, " ")+
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
