package provider

import (
	"context"

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
	if err := checkBaseURL(trimPasted(req.ConfigValue.ValueString())); err != nil {
		resp.Diagnostics.Append(invalidBaseURLDiagnostic(req.Path, err))
	}
}
