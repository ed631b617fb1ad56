package provider

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAccCLI_emailsAsTerraformComputesThem lets Terraform be the oracle for
// emails: for generated bodies full of hostile emails, emails must be the
// list that Terraform computes from the same body with
// sort(distinct(compact([for u in users : lower(trimspace(email))]))), with
// and without a status filter.
func TestAccCLI_emailsAsTerraformComputesThem(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	const bodies = 4
	var config strings.Builder
	for id := 1; id <= bodies; id++ {
		// coalesce refuses to return an empty string, so null is handled apart.
		fmt.Fprintf(&config, `
locals {
  users_%[1]d = jsondecode(file("${path.module}/body-%[1]d.json")).data.users
}

data "shorterloop_segment" "all_%[1]d" {
  id = %[1]d
}

data "shorterloop_segment" "active_%[1]d" {
  id            = %[1]d
  statuses      = ["active"]
  include_users = false
}

output "emails_%[1]d" {
  value = {
    all    = data.shorterloop_segment.all_%[1]d.emails
    active = data.shorterloop_segment.active_%[1]d.emails
    want_all = sort(distinct(compact([for u in local.users_%[1]d : lower(trimspace(u.email == null ? "" : u.email))])))
    want_active = sort(distinct(compact([for u in local.users_%[1]d : lower(trimspace(u.email == null ? "" : u.email))
      if contains([for s in u.user_subscriptions : s.status], "active")])))
  }
}
`, id)
	}
	w := newCLIWorkspace(t, config.String(), fakeAPIEnv(srv)...)
	rng := rand.New(rand.NewPCG(22, 6)) //nolint:gosec // G404: seeded on purpose, for repeatable bodies
	for id := 1; id <= bodies; id++ {
		b := hostileEmailsBody(t, rng, id, 60)
		writeFile(t, filepath.Join(w.dir, fmt.Sprintf("body-%d.json", id)), string(b))
		api.SetBody(int64(id), b)
	}

	if out, err := w.run(t, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	out, err := w.run(t, "output", "-json")
	if err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	var outputs map[string]struct {
		Value struct {
			All        []string `json:"all"`
			Active     []string `json:"active"`
			WantAll    []string `json:"want_all"`
			WantActive []string `json:"want_active"`
		}
	}
	// Past any warning that Terraform prints before the JSON.
	_, outputsJSON, _ := strings.Cut(out, "{")
	if err := json.Unmarshal([]byte("{"+outputsJSON), &outputs); err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	if len(outputs) != bodies {
		t.Fatalf("got %d outputs, want %d:\n%s", len(outputs), bodies, out)
	}
	for name, o := range outputs {
		v := o.Value
		if len(v.WantAll) < 10 || len(v.WantActive) == 0 || len(v.WantActive) == len(v.WantAll) {
			t.Errorf("%s: Terraform computes %d emails, %d active: the body does not test enough", name, len(v.WantAll), len(v.WantActive))
		}
		if !slices.Equal(v.All, v.WantAll) {
			t.Errorf("%s: emails\n%q\nTerraform computes\n%q", name, v.All, v.WantAll)
		}
		if !slices.Equal(v.Active, v.WantActive) {
			t.Errorf("%s: emails with statuses = [\"active\"]\n%q\nTerraform computes\n%q", name, v.Active, v.WantActive)
		}
	}
}

// hostileEmailsBody is a body for segment id with n users whose emails mix
// case, Unicode spaces, both normalisation forms, Turkish and German letters,
// empty and null emails, and duplicates.
func hostileEmailsBody(t *testing.T, rng *rand.Rand, id, n int) []byte {
	t.Helper()
	locals := []string{
		"ann", "zo\u00eb", "zoe\u0308", "\u0130lker", "I\u0307lker", "\u0131lker", "ilker",
		"stra\u00dfe", "STRA\u1e9eE", "strasse", "\u00c5sa", "A\u030asa", "\u212aelvin", "\u2126mega",
	}
	domains := []string{"example.com", "EXAMPLE.COM", "ex\u00e4mple.com", "exa\u0308mple.com"}
	spaces := []string{"", "", " ", "\t", "\u00a0", "\u2003", "\u3000", "\n", "\u200b"}
	cases := []func(string) string{
		func(s string) string { return s },
		strings.ToUpper,
		strings.ToLower,
	}
	users := make([]map[string]any, n)
	for i := range users {
		var email any = spaces[rng.IntN(len(spaces))] + cases[rng.IntN(len(cases))](locals[rng.IntN(len(locals))]) +
			"@" + domains[rng.IntN(len(domains))] + spaces[rng.IntN(len(spaces))]
		switch rng.IntN(10) {
		case 0:
			email = nil
		case 1:
			email = spaces[rng.IntN(len(spaces))]
		}
		subs := []map[string]any{}
		for range rng.IntN(3) {
			subs = append(subs, map[string]any{"firstName": nil, "userRole": "idm_member", "status": []string{"active", "pending"}[rng.IntN(2)]})
		}
		users[i] = map[string]any{"id": i + 1, "email": email, "user_subscriptions": subs}
	}
	return body(t, map[string]any{"success": true, "data": map[string]any{"id": id, "value": "Hostile", "userCount": n, "users": users}})
}
