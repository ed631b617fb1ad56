package provider

import (
	"fmt"
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
