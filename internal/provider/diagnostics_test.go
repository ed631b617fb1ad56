package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

func TestMissingAttributeDiagnosticsNameEnvVars(t *testing.T) {
	t.Parallel()
	_, diags := clientConfig(providerModel{APIToken: types.StringNull(), InitiativeID: types.StringNull(), BaseURL: types.StringNull()},
		func(string) string { return "" })
	details := diags.Errors()[0].Detail() + diags.Errors()[1].Detail()
	for _, want := range []string{"api_token", envAPIToken, "initiative_id", envInitiativeID} {
		if !strings.Contains(details, want) {
			t.Errorf("details lack %q: %s", want, details)
		}
	}
}

func TestInvalidTokenDiagnostic(t *testing.T) {
	t.Parallel()
	const secret = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig"
	tests := []struct {
		name, token, env string
		detail           []string
	}{
		{name: "line break in the attribute", token: "eyJhbGciOiJIUzI1NiJ9\n.c2VjcmV0.sig", detail: []string{"The API token in api_token contains a line break"}},
		{name: "space in the env", env: secret[:10] + " " + secret[10:], detail: []string{"The API token in " + envAPIToken + " contains a space or tab"}},
		{name: "control character", token: secret + "\x00x", detail: []string{"contains a control character"}},
		{name: "zero-width space", token: secret[:10] + "\u200b" + secret[10:], detail: []string{"contains a character outside ASCII"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := providerModel{APIToken: types.StringNull(), InitiativeID: types.StringValue("SHO-1"), BaseURL: types.StringNull()}
			if tt.token != "" {
				m.APIToken = types.StringValue(tt.token)
			}
			_, diags := clientConfig(m, func(k string) string { return map[string]string{envAPIToken: tt.env}[k] })
			if len(diags) != 1 || diags[0].Summary() != "Invalid Shorter Loop API token" {
				t.Fatalf("diagnostics = %v, want one invalid token error", diags)
			}
			d := diags[0].Detail()
			for _, want := range tt.detail {
				if !strings.Contains(d, want) {
					t.Errorf("detail lacks %q: %s", want, d)
				}
			}
			for _, part := range []string{"eyJ", "c2VjcmV0", "sig"} {
				if strings.Contains(d, part) {
					t.Errorf("detail shows part of the token (%q): %s", part, d)
				}
			}
		})
	}
}

func TestInvalidInitiativeDiagnostic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		attr   types.String
		env    string
		detail string
	}{
		{name: "line break in the attribute", attr: types.StringValue("SHO-1\nSHO-2"),
			detail: `The initiative key in initiative_id, "SHO-1\nSHO-2", contains a line break`},
		{name: "space in the env", attr: types.StringNull(), env: " SHO 1 ",
			detail: `The initiative key in ` + envInitiativeID + `, "SHO 1", contains a space or tab`},
		{name: "control character", attr: types.StringValue("SHO-1\x7f"),
			detail: `The initiative key in initiative_id, "SHO-1\x7f", contains a control character`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := providerModel{APIToken: types.StringValue("t"), InitiativeID: tt.attr, BaseURL: types.StringNull()}
			_, diags := clientConfig(m, func(k string) string { return map[string]string{envInitiativeID: tt.env}[k] })
			if len(diags) != 1 || diags[0].Summary() != "Invalid Shorter Loop initiative" {
				t.Fatalf("diagnostics = %v, want one invalid initiative error", diags)
			}
			if d := diags[0].Detail(); !strings.Contains(d, tt.detail) || !strings.Contains(d, envInitiativeID+" to the key alone") {
				t.Errorf("detail = %s, want it to contain %q and say what to set", d, tt.detail)
			}
		})
	}
}

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		wantErr string
	}{
		{"https://api.shorterloop.com", ""},
		{"https://proxy.example.com/shorterloop/", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://localhost:1234", ""},
		{"http://[::1]:80", ""},
		{"http://127.1.2.3", ""},
		{"http://api.shorterloop.com", "plain http"},
		{"http://10.0.0.1", "plain http"},
		{"ftp://api.shorterloop.com", "must use https"},
		{"api.shorterloop.com", "not an absolute URL"},
		{"/api", "not an absolute URL"},
		{"https://", "not an absolute URL"},
		{"https://user:pa55word@api.shorterloop.com", "must not contain credentials"},
		{"https://api.shorterloop.com/?a=b", "query or fragment"},
		{"://bad", "not an absolute URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := checkBaseURL(tt.url)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "pa55word") {
				t.Errorf("error leaks the URL's password: %v", err)
			}
		})
	}
}

func TestFilterWarnings(t *testing.T) {
	t.Parallel()
	mixed := mixedSegment()
	crossed := shorterloop.Segment{ID: 7, Users: []shorterloop.User{
		{ID: 1, Subscriptions: []shorterloop.Subscription{{Status: "active", UserRole: "viewer"}}},
		{ID: 2, Subscriptions: []shorterloop.Subscription{{Status: "pending", UserRole: "admin"}}},
	}}
	many := shorterloop.Segment{ID: 3}
	for i := 11; i >= 0; i-- {
		many.Users = append(many.Users, shorterloop.User{ID: int64(i), Subscriptions: []shorterloop.Subscription{{Status: fmt.Sprintf("s%02d", i)}}})
	}
	list := func(values ...string) []string { return values }
	tests := []struct {
		name              string
		seg               shorterloop.Segment
		statuses, roles   []string
		wantWarning       bool
		wantPath          string
		wantIn, wantNotIn []string
	}{
		{name: "no filter", seg: mixed},
		{name: "filter keeps someone", seg: mixed, statuses: list("active")},
		{name: "both filters keep someone", seg: mixed, statuses: list("active"), roles: list("idm_member")},
		{name: "empty segment", seg: shorterloop.Segment{ID: 7}, statuses: list("Active")},
		{name: "status in the wrong case", seg: mixed, statuses: list("Active"), wantWarning: true, wantPath: "statuses",
			wantIn: []string{`The filter statuses = ["Active"] keeps none of the 4 users of segment 7 in initiative SHO-TEST`,
				`Statuses in the segment's subscriptions: "active", "pending".`, "exact and case-sensitive"},
			wantNotIn: []string{"User roles in", "more", "matches both"}},
		{name: "unknown role", seg: mixed, roles: list("owner", "viewer"), wantWarning: true, wantPath: "user_roles",
			wantIn:    []string{`The filter user_roles = ["owner", "viewer"] keeps none`, `User roles in the segment's subscriptions: "admin", "idm_member".`},
			wantNotIn: []string{"Statuses in"}},
		{name: "both filters, each matching, no subscription matching both", seg: crossed, statuses: list("active"), roles: list("admin"), wantWarning: true, wantPath: "statuses",
			wantIn: []string{`The filters statuses = ["active"] and user_roles = ["admin"] keep none of the 2 users`,
				"one subscription matches both", `Statuses in the segment's subscriptions: "active", "pending".`,
				`User roles in the segment's subscriptions: "admin", "viewer".`}},
		{name: "more than ten values", seg: many, statuses: list("s99"), wantWarning: true, wantPath: "statuses",
			wantIn: []string{`Statuses in the segment's subscriptions: "s00", "s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09" and 2 more.`}},
		{name: "users without subscriptions", seg: shorterloop.Segment{ID: 7, Users: make([]shorterloop.User, 2)}, roles: list("admin"), wantWarning: true, wantPath: "user_roles",
			wantIn: []string{"keeps none of the 2 users", "User roles in the segment's subscriptions: none."}},
		{name: "both filters, only the role absent", seg: mixed, statuses: list("active"), roles: list("owner"), wantWarning: true, wantPath: "user_roles",
			wantIn: []string{`The filters statuses = ["active"] and user_roles = ["owner"] keep none`}},
		{name: "both filters, both absent", seg: mixed, statuses: list("Active"), roles: list("owner"), wantWarning: true, wantPath: "statuses",
			wantIn: []string{`The filters statuses = ["Active"] and user_roles = ["owner"] keep none`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kept := keptUsers(tt.seg.Users, newUserFilter(tt.statuses, tt.roles))
			diags := filterWarnings(&tt.seg, tt.statuses, tt.roles, len(kept), 7, "SHO-TEST")
			if !tt.wantWarning {
				if len(diags) != 0 {
					t.Fatalf("diagnostics = %v, want none", diags)
				}
				return
			}
			if len(diags) != 1 || diags.HasError() || diags[0].Summary() != "Shorter Loop segment filter keeps no users" {
				t.Fatalf("diagnostics = %v, want one warning", diags)
			}
			if got := diagPath(diags[0]); got != tt.wantPath {
				t.Errorf("the warning points at %q, want %q", got, tt.wantPath)
			}
			detail := diags[0].Detail()
			for _, want := range tt.wantIn {
				if !strings.Contains(detail, want) {
					t.Errorf("detail lacks %q:\n%s", want, detail)
				}
			}
			for _, unwanted := range tt.wantNotIn {
				if strings.Contains(detail, unwanted) {
					t.Errorf("detail has %q:\n%s", unwanted, detail)
				}
			}
		})
	}
}

// diagPath is the attribute path d points at, "" for none.
func diagPath(d diag.Diagnostic) string {
	if d, ok := d.(diag.DiagnosticWithPath); ok {
		return d.Path().String()
	}
	return ""
}

func TestAnswerDiagnostics(t *testing.T) {
	t.Parallel()
	vendor := vendorSegment(t)
	counted := func(count int64, users int) *shorterloop.Segment {
		return &shorterloop.Segment{ID: 5, UserCount: &count, Users: make([]shorterloop.User, users)}
	}
	yes, no := true, false
	type want struct {
		severity diag.Severity
		summary  string
		path     string
		detail   []string
	}
	tests := []struct {
		name  string
		seg   *shorterloop.Segment
		q     segmentModel
		diags []want
	}{
		{name: "as asked", seg: vendor, q: segmentModel{ID: 19}},
		{name: "vendor quirk: asked 18, got 19", seg: vendor, q: segmentModel{ID: 18}, diags: []want{{diag.SeverityWarning,
			"Shorter Loop answered with another segment", "", []string{"segment 18", "segment 19", "SHO-TEST", "Young Innovators"}}}},
		{name: "fewer users than counted", seg: counted(50, 39), q: segmentModel{ID: 5}, diags: []want{{diag.SeverityError,
			"Shorter Loop answer is incomplete", "allow_incomplete", []string{"Segment 5 in initiative SHO-TEST reports userCount 50 but the API returned 39 users",
				"would remove the 11 missing members", "allow_incomplete = true"}}}},
		{name: "fewer users than counted, allow_incomplete = false", seg: counted(50, 39), q: segmentModel{ID: 5, AllowIncomplete: &no},
			diags: []want{{diag.SeverityError, "Shorter Loop answer is incomplete", "allow_incomplete", nil}}},
		{name: "fewer users than counted, allowed", seg: counted(50, 39), q: segmentModel{ID: 5, AllowIncomplete: &yes}, diags: []want{{diag.SeverityWarning,
			"Shorter Loop answer is incomplete", "allow_incomplete", []string{"reports userCount 50 but the API returned 39 users", "hold the 39 users returned, without the 11 missing members"}}}},
		{name: "no users, positive count", seg: counted(3, 0), q: segmentModel{ID: 5}, diags: []want{{diag.SeverityError,
			"Shorter Loop answer is incomplete", "allow_incomplete", []string{"reports userCount 3 but the API returned 0 users"}}}},
		{name: "more users than counted", seg: counted(30, 39), q: segmentModel{ID: 5}, diags: []want{{diag.SeverityWarning,
			"Shorter Loop user count differs from the users returned", "", []string{"reports userCount 30 but the API returned 39 users", "user_count shows the reported number"}}}},
		{name: "no count", seg: &shorterloop.Segment{ID: 5, Users: make([]shorterloop.User, 39)}, q: segmentModel{ID: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := answerDiagnostics(tt.seg, &tt.q, "SHO-TEST")
			if len(diags) != len(tt.diags) {
				t.Fatalf("diagnostics = %v, want %d", diags, len(tt.diags))
			}
			for i, w := range tt.diags {
				d := diags[i]
				if d.Severity() != w.severity || d.Summary() != w.summary || diagPath(d) != w.path {
					t.Errorf("diagnostic %d = %v %q at %q, want %v %q at %q", i, d.Severity(), d.Summary(), diagPath(d), w.severity, w.summary, w.path)
				}
				for _, part := range w.detail {
					if !strings.Contains(d.Detail(), part) {
						t.Errorf("detail lacks %q: %s", part, d.Detail())
					}
				}
			}
		})
	}
}

func TestBaseURLValidatorTrims(t *testing.T) {
	t.Parallel()
	for value, wantError := range map[string]bool{"https://api.shorterloop.com\n": false, "\uFEFFhttps://api.shorterloop.com\r\n": false, " http://api.shorterloop.com ": true} {
		var resp validator.StringResponse
		baseURLValidator.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("base_url"), ConfigValue: types.StringValue(value)}, &resp)
		if resp.Diagnostics.HasError() != wantError {
			t.Errorf("%q: diagnostics %v, want error %v", value, resp.Diagnostics, wantError)
		}
	}
}
