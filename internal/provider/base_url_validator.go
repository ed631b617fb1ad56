package provider

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// baseURLValidator accepts absolute https URLs, and http URLs only for
// loopback hosts, because the token is a bearer secret.
var baseURLValidator = settingValidator[string]{
	description: "value must be an absolute https URL, or an http URL of a loopback host",
	parse:       parseBaseURL,
}

func parseBaseURL(raw, _ string) (string, diag.Diagnostic) {
	v := trimPasted(raw)
	if v == "" {
		return shorterloop.DefaultBaseURL, nil
	}
	if err := checkBaseURL(v); err != nil {
		return "", invalidBaseURLDiagnostic(err)
	}
	return v, nil
}

func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("base URL %q is not an absolute URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("base URL %q must not contain credentials", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("base URL %q must not have a query or fragment", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("base URL %q uses plain http, which is allowed only for loopback hosts because the API token is a bearer secret", raw)
	}
	return fmt.Errorf("base URL %q must use https", raw)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
