package provider

import (
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

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
