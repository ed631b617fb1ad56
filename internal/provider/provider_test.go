package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

func TestClientConfig(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		envAPIToken:     "env-token",
		envInitiativeID: "SHO-ENV",
		envBaseURL:      "https://env.example.com",
	}
	tests := []struct {
		name      string
		model     providerModel
		env       map[string]string
		want      shorterloop.Config
		errorPath []string
	}{
		{
			name:  "attributes win over env",
			model: providerModel{APIToken: types.StringValue("attr-token"), InitiativeID: types.StringValue("SHO-ATTR"), BaseURL: types.StringValue("https://attr.example.com")},
			env:   env,
			want:  shorterloop.Config{Token: "attr-token", InitiativeID: "SHO-ATTR", BaseURL: "https://attr.example.com"},
		},
		{
			name:  "env fills nulls",
			model: providerModel{APIToken: types.StringNull(), InitiativeID: types.StringNull(), BaseURL: types.StringNull()},
			env:   env,
			want:  shorterloop.Config{Token: "env-token", InitiativeID: "SHO-ENV", BaseURL: "https://env.example.com"},
		},
		{
			name:  "default base URL",
			model: providerModel{APIToken: types.StringValue("t"), InitiativeID: types.StringValue("SHO-1"), BaseURL: types.StringNull()},
			want:  shorterloop.Config{Token: "t", InitiativeID: "SHO-1", BaseURL: "https://api.shorterloop.com"},
		},
		{
			name:      "nothing set",
			model:     providerModel{APIToken: types.StringNull(), InitiativeID: types.StringNull(), BaseURL: types.StringNull()},
			errorPath: []string{"api_token", "initiative_id"},
		},
		{
			name:      "plain http env URL to a remote host",
			model:     providerModel{APIToken: types.StringValue("t"), InitiativeID: types.StringValue("SHO-1"), BaseURL: types.StringNull()},
			env:       map[string]string{envBaseURL: "http://api.shorterloop.com"},
			errorPath: []string{"base_url"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := clientConfig(tt.model, func(k string) string { return tt.env[k] })
			var paths []string
			for _, d := range diags.Errors() {
				if dp, ok := d.(diag.DiagnosticWithPath); ok {
					paths = append(paths, dp.Path().String())
				}
			}
			if fmt.Sprint(paths) != fmt.Sprint(tt.errorPath) {
				t.Fatalf("error paths = %v, want %v (%v)", paths, tt.errorPath, diags)
			}
			gotKey := [3]string{got.Token, got.InitiativeID, got.BaseURL}
			wantKey := [3]string{tt.want.Token, tt.want.InitiativeID, tt.want.BaseURL}
			if tt.errorPath == nil && gotKey != wantKey {
				t.Errorf("config = %+v, want %+v", got, tt.want)
			}
		})
	}
}

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
		{"404", &shorterloop.APIError{StatusCode: 404}, "Shorter Loop segment not found", []string{"has no segment 42"}},
		{"429", &shorterloop.APIError{StatusCode: 429}, "Shorter Loop rate limit reached", []string{"429"}},
		{"502 html", &shorterloop.APIError{StatusCode: 502, ContentType: "text/html", Excerpt: "502 Bad Gateway nginx"}, "Shorter Loop API error", []string{"502", "Bad Gateway nginx", "try again later"}},
		{"400", &shorterloop.APIError{StatusCode: 400, Message: "bad id"}, "Shorter Loop API error", []string{"bad id"}},
		{"invalid", &shorterloop.InvalidResponseError{StatusCode: 200, Reason: "body is not valid JSON"}, "Unexpected response from Shorter Loop", []string{"not valid JSON", "base_url"}},
		{"network", errors.New("dial tcp 127.0.0.1:1: connection refused"), "Cannot reach Shorter Loop", []string{"connection refused", envBaseURL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			summary, detail := readErrorDiagnostic(tt.err, 42, "SHO-X")
			if summary != tt.summary {
				t.Errorf("summary = %q, want %q", summary, tt.summary)
			}
			for _, want := range append(tt.detail, "segment 42", "SHO-X") {
				if !strings.Contains(detail, want) {
					t.Errorf("detail lacks %q: %s", want, detail)
				}
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
