package provider

import (
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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
			name:  "values as pasted: file()'s newline, a Bearer prefix, spaces",
			model: providerModel{APIToken: types.StringValue("eyJ.a.b\n"), InitiativeID: types.StringValue(" SHO-1\n"), BaseURL: types.StringValue("https://api.shorterloop.com\n")},
			want:  shorterloop.Config{Token: "eyJ.a.b", InitiativeID: "SHO-1", BaseURL: "https://api.shorterloop.com"},
		},
		{
			name:  "byte-order mark and CRLF from a Windows editor",
			model: providerModel{APIToken: types.StringValue("\uFEFFeyJ.a.b\r\n"), InitiativeID: types.StringValue("\uFEFFSHO-1\r\n"), BaseURL: types.StringNull()},
			want:  shorterloop.Config{Token: "eyJ.a.b", InitiativeID: "SHO-1", BaseURL: "https://api.shorterloop.com"},
		},
		{
			name:      "env initiative with a line break inside",
			model:     providerModel{APIToken: types.StringValue("t"), InitiativeID: types.StringNull(), BaseURL: types.StringNull()},
			env:       map[string]string{envInitiativeID: "SHO-1\nSHO-2"},
			errorPath: []string{"initiative_id"},
		},
		{
			name:  "Bearer prefix in the env, any case, tab",
			model: providerModel{APIToken: types.StringNull(), InitiativeID: types.StringValue("SHO-1"), BaseURL: types.StringNull()},
			env:   map[string]string{envAPIToken: " bEARER\t  eyJ.a.b \n"},
			want:  shorterloop.Config{Token: "eyJ.a.b", InitiativeID: "SHO-1", BaseURL: "https://api.shorterloop.com"},
		},
		{
			name:  "Bearer without a separator is the token",
			model: providerModel{APIToken: types.StringValue("Bearerabc"), InitiativeID: types.StringValue("SHO-1"), BaseURL: types.StringNull()},
			want:  shorterloop.Config{Token: "Bearerabc", InitiativeID: "SHO-1", BaseURL: "https://api.shorterloop.com"},
		},
		{
			name:      "token with a line break inside",
			model:     providerModel{APIToken: types.StringValue("eyJ.a\n.b"), InitiativeID: types.StringValue("SHO-1"), BaseURL: types.StringNull()},
			errorPath: []string{"api_token"},
		},
		{
			name:      "env token with a space inside",
			model:     providerModel{APIToken: types.StringNull(), InitiativeID: types.StringValue("SHO-1"), BaseURL: types.StringNull()},
			env:       map[string]string{envAPIToken: "Bearer Bearer eyJ"},
			errorPath: []string{"api_token"},
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

func TestRootCAs(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t, "Corp Proxy CA")
	dir := t.TempDir()
	caFile, notPEM := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "token.txt")
	writeFile(t, caFile, ca.pem)
	writeFile(t, notPEM, "eyJ.a.b\n")
	withCA, err := x509.SystemCertPool()
	if err != nil {
		t.Fatal(err)
	}
	withCA.AddCert(ca.cert)

	tests := []struct {
		name    string
		attr    types.String
		file    string
		want    *x509.CertPool
		summary string
		detail  string
	}{
		{name: "neither set: the system's roots", attr: types.StringNull()},
		{name: "attribute", attr: types.StringValue(ca.pem), want: withCA},
		{name: "file", attr: types.StringNull(), file: caFile, want: withCA},
		{name: "attribute wins; the file is not read", attr: types.StringValue(ca.pem), file: filepath.Join(dir, "missing.pem"), want: withCA},
		{name: "attribute without a certificate", attr: types.StringValue("corp-ca.pem"),
			summary: "Invalid CA certificates", detail: "ca_cert_pem holds no PEM certificate"},
		{name: "empty attribute", attr: types.StringValue(""), file: caFile,
			summary: "Invalid CA certificates", detail: "ca_cert_pem holds no PEM certificate"},
		{name: "file without a certificate", attr: types.StringNull(), file: notPEM,
			summary: "Invalid CA certificates", detail: "The file " + notPEM + ", named by " + envCACertFile + ", holds no PEM certificate"},
		{name: "missing file", attr: types.StringNull(), file: filepath.Join(dir, "missing.pem"),
			summary: "Cannot read " + envCACertFile, detail: "open " + filepath.Join(dir, "missing.pem") + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, diags := rootCAs(tt.attr, func(k string) string { return map[string]string{envCACertFile: tt.file}[k] })
			if tt.summary == "" {
				if diags.HasError() || !pool.Equal(tt.want) {
					t.Fatalf("pool matches want: %v, diagnostics: %v", pool.Equal(tt.want), diags)
				}
				return
			}
			if len(diags) != 1 || diags[0].Summary() != tt.summary || !strings.Contains(diags[0].Detail(), tt.detail) || pool != nil {
				t.Fatalf("diagnostics = %v, pool %v; want one %q with %q and no pool", diags, pool, tt.summary, tt.detail)
			}
		})
	}
}

func TestUnknownAttributes(t *testing.T) {
	t.Parallel()
	known := providerModel{
		APIToken: types.StringValue("t"), InitiativeID: types.StringNull(), BaseURL: types.StringNull(),
		MaxRetries: types.Int64Null(), RequestTimeout: types.StringNull(), CACertPEM: types.StringNull(),
	}
	tests := []struct {
		name string
		edit func(*providerModel)
		want []string
	}{
		{name: "all known", edit: func(*providerModel) {}},
		{name: "ca_cert_pem from a resource", edit: func(m *providerModel) { m.CACertPEM = types.StringUnknown() }, want: []string{"ca_cert_pem"}},
		{name: "several, sorted", edit: func(m *providerModel) {
			m.RequestTimeout, m.APIToken, m.MaxRetries = types.StringUnknown(), types.StringUnknown(), types.Int64Unknown()
		}, want: []string{"api_token", "max_retries", "request_timeout"}},
	}
	for _, tt := range tests {
		m := known
		tt.edit(&m)
		if got := m.unknownAttributes(); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: unknownAttributes() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestSettingsAgree holds each setting's validator, its attribute and its
// variable to one check: what one accepts, the others accept.
func TestSettingsAgree(t *testing.T) {
	t.Parallel()
	var resp provider.SchemaResponse
	(&ShorterloopProvider{}).Schema(t.Context(), provider.SchemaRequest{}, &resp)
	tests := []struct {
		attr, env, value string
		wantError        bool
	}{
		{"api_token", envAPIToken, "Bearer eyJ.a.b\n", false},
		{"api_token", envAPIToken, "  ", true},
		{"api_token", envAPIToken, "eyJ a", true},
		{"initiative_id", envInitiativeID, " SHO-1\n", false},
		{"initiative_id", envInitiativeID, "\uFEFF", true},
		{"initiative_id", envInitiativeID, "SHO 1", true},
		{"base_url", envBaseURL, "http://localhost:8080\n", false},
		{"base_url", envBaseURL, "http://api.shorterloop.com", true},
		{"request_timeout", envTimeout, "1m30s", false},
		{"request_timeout", envTimeout, "1ms", false},
		{"request_timeout", envTimeout, "10m", false},
		{"request_timeout", envTimeout, "0s", true},
		{"request_timeout", envTimeout, "999us", true},
		{"request_timeout", envTimeout, "11m", true},
		{"request_timeout", envTimeout, "30", true},
		{"request_timeout", envTimeout, "-5s", true},
	}
	for _, tt := range tests {
		t.Run(tt.attr+" "+tt.value, func(t *testing.T) {
			p := path.Root(tt.attr)
			var validated validator.StringResponse
			for _, v := range resp.Schema.Attributes[tt.attr].(schema.StringAttribute).Validators { //nolint:forcetypeassert // a string setting
				v.ValidateString(t.Context(), validator.StringRequest{Path: p, ConfigValue: types.StringValue(tt.value)}, &validated)
			}
			valid := map[string]string{envAPIToken: "t", envInitiativeID: "SHO-1"}
			fromEnv := func(k string) string {
				if k == tt.env {
					return tt.value
				}
				return valid[k]
			}
			m := providerModel{APIToken: types.StringNull(), InitiativeID: types.StringNull(), BaseURL: types.StringNull(), RequestTimeout: types.StringNull()}
			_, envDiags := clientConfig(m, fromEnv)
			attrSet := map[string]*types.String{"api_token": &m.APIToken, "initiative_id": &m.InitiativeID, "base_url": &m.BaseURL, "request_timeout": &m.RequestTimeout}
			*attrSet[tt.attr] = types.StringValue(tt.value)
			_, attrDiags := clientConfig(m, func(k string) string { return valid[k] })
			got := []bool{validated.Diagnostics.HasError(), envDiags.HasError(), attrDiags.HasError()}
			if fmt.Sprint(got) != fmt.Sprint([]bool{tt.wantError, tt.wantError, tt.wantError}) {
				t.Errorf("errors from the validator, the variable and the attribute = %v, want %v: %v %v %v",
					got, tt.wantError, validated.Diagnostics, envDiags, attrDiags)
			}
			for _, d := range append(append(validated.Diagnostics, envDiags...), attrDiags...) {
				if dp, ok := d.(diag.DiagnosticWithPath); !ok || !dp.Path().Equal(p) {
					t.Errorf("diagnostic %q is not about %s", d.Summary(), p)
				}
			}
		})
	}
	for _, tt := range []struct {
		value     float64
		wantError bool
	}{{0.5, false}, {1000, false}, {0.001, false}, {0, true}, {-1, true}, {1000.5, true}} {
		p := path.Root("max_requests_per_second")
		var validated validator.Float64Response
		for _, v := range resp.Schema.Attributes[p.String()].(schema.Float64Attribute).Validators { //nolint:forcetypeassert // a number
			v.ValidateFloat64(t.Context(), validator.Float64Request{Path: p, ConfigValue: types.Float64Value(tt.value)}, &validated)
		}
		valid := map[string]string{envAPIToken: "t", envInitiativeID: "SHO-1"}
		m := providerModel{MaxRequestsPerSecond: types.Float64Value(tt.value)}
		fromAttr, attrDiags := clientConfig(m, func(k string) string { return valid[k] })
		valid[envMaxRequestsPerSecond] = strconv.FormatFloat(tt.value, 'f', -1, 64)
		fromEnv, envDiags := clientConfig(providerModel{}, func(k string) string { return valid[k] })
		got := []bool{validated.Diagnostics.HasError(), envDiags.HasError(), attrDiags.HasError()}
		if fmt.Sprint(got) != fmt.Sprint([]bool{tt.wantError, tt.wantError, tt.wantError}) {
			t.Errorf("max_requests_per_second %v: errors from the validator, the variable and the attribute = %v, want %v", tt.value, got, tt.wantError)
		}
		if !tt.wantError && (fromAttr.MaxRequestsPerSecond != tt.value || fromEnv.MaxRequestsPerSecond != tt.value) {
			t.Errorf("max_requests_per_second %v: configured %v from the attribute, %v from the variable", tt.value, fromAttr.MaxRequestsPerSecond, fromEnv.MaxRequestsPerSecond)
		}
	}
	for _, v := range []string{"five", "NaN", "Inf", "1e3", " 2.5\n"} {
		r, d := parseMaxRequestsPerSecond(v, envMaxRequestsPerSecond)
		if ok := v == "1e3" || v == " 2.5\n"; ok != (d == nil) || ok && r == 0 {
			t.Errorf("%s=%q: %v, %v", envMaxRequestsPerSecond, v, r, d)
		}
	}
	for _, n := range []int64{-1, 0, 10, 11} {
		var validated validator.Int64Response
		for _, v := range resp.Schema.Attributes["max_retries"].(schema.Int64Attribute).Validators { //nolint:forcetypeassert // a number
			v.ValidateInt64(t.Context(), validator.Int64Request{Path: path.Root("max_retries"), ConfigValue: types.Int64Value(n)}, &validated)
		}
		_, d := parseMaxRetries(strconv.FormatInt(n, 10))
		if validated.Diagnostics.HasError() != (d != nil) || (n >= 0 && n <= maxMaxRetries) == (d != nil) {
			t.Errorf("max_retries %d: validator error %v, variable error %v", n, validated.Diagnostics.HasError(), d)
		}
	}
}
