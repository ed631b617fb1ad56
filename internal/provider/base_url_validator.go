package provider

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = baseURLValidator{}

// baseURLValidator accepts absolute https URLs, and http URLs only for
// loopback hosts.
type baseURLValidator struct{}

func (v baseURLValidator) Description(_ context.Context) string {
	return "value must be an absolute https URL, or an http URL of a loopback host"
}

func (v baseURLValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v baseURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkBaseURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Shorter Loop base URL",
			fmt.Sprintf("%s. Use an https URL such as https://api.shorterloop.com.", err))
	}
}

// checkBaseURL is shared by the validator and the environment variable check.
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
