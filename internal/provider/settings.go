package provider

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// settingValidator validates an attribute with its setting's parse function,
// which clientConfig calls on the attribute or its variable. parse takes the
// raw value and the name of the attribute or variable it came from.
type settingValidator[T any] struct {
	description string
	parse       func(raw, source string) (T, diag.Diagnostic)
}

func (v settingValidator[T]) Description(context.Context) string { return v.description }

func (v settingValidator[T]) MarkdownDescription(context.Context) string { return v.description }

func (v settingValidator[T]) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, d := v.parse(req.ConfigValue.ValueString(), req.Path.String()); d != nil {
		resp.Diagnostics.Append(d)
	}
}

// ValidateFloat64 parses a number attribute as its variable's text would be.
func (v settingValidator[T]) ValidateFloat64(_ context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, d := v.parse(strconv.FormatFloat(req.ConfigValue.ValueFloat64(), 'g', -1, 64), req.Path.String()); d != nil {
		resp.Diagnostics.Append(d)
	}
}

// parseToken drops a "Bearer " pasted with the token: the client adds its own.
func parseToken(raw, source string) (string, diag.Diagnostic) {
	token := withoutBearer(trimPasted(raw))
	if token == "" {
		return "", missingTokenDiagnostic()
	}
	if problem := tokenProblem(token); problem != "" {
		return "", invalidTokenDiagnostic(source, problem)
	}
	return token, nil
}

func parseInitiative(raw, source string) (string, diag.Diagnostic) {
	id := trimPasted(raw)
	if id == "" {
		return "", missingInitiativeDiagnostic()
	}
	if problem := headerProblem(id); problem != "" {
		return "", invalidInitiativeDiagnostic(source, id, problem)
	}
	return id, nil
}

func parseTimeout(raw, _ string) (time.Duration, diag.Diagnostic) {
	v := trimPasted(raw)
	if v == "" {
		return shorterloop.DefaultRequestTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Millisecond || d > maxRequestTimeout {
		return 0, invalidTimeoutDiagnostic(v)
	}
	return d, nil
}

// parseMaxRetries reads SHORTERLOOP_MAX_RETRIES; the attribute is a number,
// which int64validator.Between checks against the same bounds.
func parseMaxRetries(raw string) (int, diag.Diagnostic) {
	v := trimPasted(raw)
	if v == "" {
		return defaultMaxRetries, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxMaxRetries {
		return 0, invalidMaxRetriesDiagnostic(v)
	}
	return n, nil
}

// parseMaxRequestsPerSecond reads max_requests_per_second, or its variable:
// a number above 0 and at most maxMaxRequestsPerSecond; 0, no cap, when unset.
func parseMaxRequestsPerSecond(raw, source string) (float64, diag.Diagnostic) {
	v := trimPasted(raw)
	if v == "" {
		return 0, nil
	}
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || !(r > 0 && r <= maxMaxRequestsPerSecond) { // NaN fails both
		return 0, invalidMaxRequestsPerSecondDiagnostic(source, v)
	}
	return r, nil
}

// withoutBearer drops a leading "Bearer" scheme, in any case, that was pasted
// with the token.
func withoutBearer(token string) string {
	const scheme = "bearer"
	if len(token) > len(scheme) && strings.EqualFold(token[:len(scheme)], scheme) && (token[len(scheme)] == ' ' || token[len(scheme)] == '\t') {
		return strings.TrimLeft(token[len(scheme):], " \t")
	}
	return token
}

// trimPasted trims a setting as people paste it: surrounding whitespace, such
// as the newline that file() keeps, and a byte-order mark that some Windows
// editors write at the start of a file.
func trimPasted(v string) string {
	return strings.TrimFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

// headerProblem says why a trimmed setting cannot be one HTTP header value
// as it was meant, or "".
func headerProblem(v string) string {
	switch {
	case strings.ContainsAny(v, "\r\n"):
		return "contains a line break"
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		return "contains a space or tab"
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return "contains a control character"
	}
	return ""
}

// tokenProblem is headerProblem, and also refuses what no bearer token holds:
// a character outside ASCII, such as a zero-width space copied with it.
func tokenProblem(token string) string {
	if problem := headerProblem(token); problem != "" {
		return problem
	}
	if strings.IndexFunc(token, func(r rune) bool { return r > unicode.MaxASCII }) >= 0 {
		return "contains a character outside ASCII, such as an invisible one copied with it"
	}
	return ""
}
