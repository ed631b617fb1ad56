package provider

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
)

// These tests run the example folders under examples/guides, which the
// guides include, on the real CLI: they need the state and plan files, the
// CLI's own commands (test) and its warnings.

// memberData is the vendor segment's emails, as sent and lower-cased, and
// its users' first names.
func memberData(t *testing.T) []string {
	t.Helper()
	var data []string
	for _, u := range vendorSegment(t).Users {
		data = append(data, u.Email, strings.ToLower(u.Email))
		for _, s := range u.Subscriptions {
			if s.FirstName != nil {
				data = append(data, *s.FirstName)
			}
		}
	}
	slices.Sort(data)
	return slices.Compact(data)
}

// TestAccCLI_encryptedState applies the OpenTofu encryption example, which
// feeds segment 19's emails to terraform_data, and finds no member's email
// or first name in any file of the working directory: the state, its backup
// and a saved plan.
func TestAccCLI_encryptedState(t *testing.T) {
	t.Parallel()
	requireCLI(t, "State and plan encryption", -1, 7)
	api, srv := newFakeAPI(t)
	w := guideWorkspace(t, "customer-data/opentofu-encryption", fakeAPIEnv(srv)...)
	right := w.with("TF_VAR_state_passphrase=correct-horse-battery-staple")

	out, err := right.run(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil || !strings.Contains(out, "Resources: 39 added") {
		t.Fatalf("apply: %v, want one resource per member:\n%s", err, out)
	}
	// -detailed-exitcode exits with 2 when the plan has changes.
	out, err = right.run(t, "plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=tfplan")
	if err != nil {
		t.Fatalf("second plan: %v, want no changes:\n%s", err, out)
	}
	// A member leaving makes the next apply replace the state, keeping the
	// previous one as the backup.
	shrunk := *vendorSegment(t)
	shrunk.Users, shrunk.UserCount = shrunk.Users[1:], new(*shrunk.UserCount-1)
	api.SetSegment(19, shrunk)
	if out, err := right.run(t, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil || !strings.Contains(out, "1 destroyed") {
		t.Fatalf("apply after a member left: %v\n%s", err, out)
	}

	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup", "tfplan"} {
		if _, err := os.Stat(filepath.Join(w.dir, name)); err != nil {
			t.Errorf("want %s in the working directory: %v", name, err)
		}
	}
	personal := memberData(t)
	err = filepath.WalkDir(w.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var found []string
		for _, s := range personal {
			if holds(t, path, s) {
				found = append(found, s)
			}
		}
		if len(found) > 0 {
			t.Errorf("%s holds %d emails and first names in plain text, such as %q", path, len(found), found[0])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate")); err == nil {
		t.Logf("the encrypted state begins: %q", state[:min(200, len(state))])
	}

	out, err = w.with("TF_VAR_state_passphrase=a-wrong-passphrase-0000").run(t, "plan", "-input=false", "-no-color")
	if err == nil || !wrapped("decryption failed for all provided methods").MatchString(out) {
		t.Errorf("plan with the wrong passphrase: err = %v, want OpenTofu's decryption error:\n%s", err, out)
	}
}

// TestAccCLI_ephemeralToken shows that a saved plan holds the token of a
// plain variable but not of an ephemeral one, which the apply of that plan
// then needs again.
func TestAccCLI_ephemeralToken(t *testing.T) {
	t.Parallel()
	requireCLI(t, "Ephemeral variables", 10, 11)
	const tokenVar = "TF_VAR_shorterloop_api_token=" + testToken
	for _, ephemeral := range []bool{true, false} {
		t.Run(fmt.Sprintf("ephemeral=%t", ephemeral), func(t *testing.T) {
			t.Parallel()
			_, srv := newFakeAPI(t)
			w := guideWorkspace(t, "customer-data/ephemeral-token",
				envInitiativeID+"="+testInitiative, envBaseURL+"="+srv.URL)
			if !ephemeral {
				w.edit(t, "main.tf", "ephemeral   = true\n", "")
			}

			out, err := w.with(tokenVar).run(t, "plan", "-input=false", "-no-color", "-out=tfplan")
			if err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			if got := holds(t, filepath.Join(w.dir, "tfplan"), testToken); got != !ephemeral {
				t.Fatalf("the saved plan holds the token: %t, want %t", got, !ephemeral)
			}
			if !ephemeral {
				return
			}
			out, err = w.run(t, "apply", "-input=false", "-no-color", "tfplan")
			if err == nil || !strings.Contains(out, `"shorterloop_api_token"`) {
				t.Errorf("apply without the token: err = %v, want an error naming the variable:\n%s", err, out)
			}
			out, err = w.with(tokenVar).run(t, "apply", "-input=false", "-no-color", "tfplan")
			if err != nil || !strings.Contains(out, "Resources: 39 added") {
				t.Errorf("apply with the token given again: %v\n%s", err, out)
			}
		})
	}
}

// TestAccCLI_pipelineTestKit runs the test kit's own tests with mocks, with
// no token and no API.
func TestAccCLI_pipelineTestKit(t *testing.T) {
	t.Parallel()
	requireCLI(t, "mock_provider", 7, 8)
	w := guideWorkspace(t, "testing-pipelines")
	out, err := w.run(t, "test", "-no-color")
	if err != nil {
		t.Fatalf("test: %v\n%s", err, out)
	}
	expectOutput(t, out,
		`run "one_membership_per_mocked_email"... pass`,
		`run "empty_segment_stops_the_plan"... pass`,
		`run "segment_below_its_floor_stops_the_plan"... pass`,
		`run "segment_at_its_floor_passes"... pass`,
		"Success! 4 passed, 0 failed.",
	)
}

// TestAccCLI_segmentCheck applies the check block example: a segment outside
// its range, and an error of the read, warn and the run succeeds.
func TestAccCLI_segmentCheck(t *testing.T) {
	t.Parallel()
	const assertion = "Check block assertion failed"
	tests := []struct {
		name  string
		setup func(*fakeapi.Server)
		args  []string
		// The warning expected besides the one about dev_overrides; an empty
		// summary means none.
		summary, detail string
	}{
		{name: "within range"},
		{
			name: "below the range", args: []string{"-var=expected_min_members=40"},
			summary: assertion, detail: "Shorter Loop segment 19 has 39 members, fewer than expected_min_members (40).",
		},
		{
			name: "above the range", args: []string{"-var=expected_max_members=38"},
			summary: assertion, detail: "Shorter Loop segment 19 has 39 members, more than expected_max_members (38).",
		},
		{
			name: "empty", setup: func(api *fakeapi.Server) { api.SetSegment(19, emptySegment(19)) },
			summary: assertion, detail: "Shorter Loop segment 19 has no members.",
		},
		{
			name: "token revoked",
			setup: func(api *fakeapi.Server) {
				api.SetFault(19, fakeapi.Fault{Status: 401, ContentType: "application/json", Body: `{"success":false,"message":"token revoked"}`})
			},
			summary: "Shorter Loop rejected the API token", detail: "401 Unauthorized: token revoked",
		},
		{
			name: "API down",
			setup: func(api *fakeapi.Server) {
				api.SetFault(19, fakeapi.Fault{Status: 503, ContentType: "text/plain", Body: "down for maintenance"})
			},
			summary: "Shorter Loop API error", detail: "503 Service Unavailable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, srv := newFakeAPI(t)
			if tt.setup != nil {
				tt.setup(api)
			}
			w := guideWorkspace(t, "watching-segments", append(fakeAPIEnv(srv), envMaxRetries+"=0")...)
			out, err := w.run(t, append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, tt.args...)...)
			if err != nil || !strings.Contains(out, "Apply complete!") {
				t.Fatalf("apply: %v, want it to succeed:\n%s", err, out)
			}
			var warnings []string
			for line := range strings.Lines(out) {
				if strings.HasPrefix(line, "Warning: ") && !strings.Contains(line, "development overrides") {
					warnings = append(warnings, strings.TrimSpace(line))
				}
			}
			if tt.summary == "" {
				if len(warnings) > 0 {
					t.Errorf("warnings %q, want none:\n%s", warnings, out)
				}
				return
			}
			if !slices.Contains(warnings, "Warning: "+tt.summary) || !wrapped(tt.detail).MatchString(out) {
				t.Errorf("want the warning %q with %q:\n%s", tt.summary, tt.detail, out)
			}
		})
	}
}

// TestAccCLI_whereMemberDataGoes checks what the customer data guide says:
// members' emails reach the saved plan, the state of the data source and of
// the resources fed from it, the plan and apply output as resource
// addresses, and a TF_LOG=DEBUG log; first names reach the saved plan and the
// state, but not with include_users = false.
func TestAccCLI_whereMemberDataGoes(t *testing.T) {
	t.Parallel()
	_, srv := newFakeAPI(t)
	logs := t.TempDir()
	w := newCLIWorkspace(t, `
data "shorterloop_segment" "full" {
  id = 19
}

data "shorterloop_segment" "emails_only" {
  id            = 19
  include_users = false
}

resource "terraform_data" "member" {
  for_each = toset(data.shorterloop_segment.emails_only.emails)
  input    = each.key
}
`, fakeAPIEnv(srv)...)
	const email, firstName = "aarav.patel@shorterloop.com", "Deepak Rao"
	address := `terraform_data.member["` + email + `"]`

	planLog := filepath.Join(logs, "plan.log")
	out, err := w.with("TF_LOG=DEBUG", "TF_LOG_PATH="+planLog).run(t, "plan", "-input=false", "-no-color", "-out=tfplan")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	if !strings.Contains(out, "# "+address+" will be created") {
		t.Errorf("plan output lacks the address %s:\n%s", address, out)
	}
	for _, f := range []string{planLog, filepath.Join(w.dir, "tfplan")} {
		if !holds(t, f, email) {
			t.Errorf("%s does not hold %s", filepath.Base(f), email)
		}
	}
	if !holds(t, filepath.Join(w.dir, "tfplan"), firstName) {
		t.Errorf("the saved plan does not hold %s", firstName)
	}

	applyLog := filepath.Join(logs, "apply.log")
	out, err = w.with("TF_LOG=DEBUG", "TF_LOG_PATH="+applyLog).run(t, "apply", "-input=false", "-no-color", "tfplan")
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if !strings.Contains(out, address+": Creation complete") {
		t.Errorf("apply output lacks the address %s:\n%s", address, out)
	}
	if !holds(t, applyLog, email) {
		t.Errorf("the apply's log does not hold %s", email)
	}

	stateFile, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Name      string
			Instances []struct{ Attributes json.RawMessage }
		}
	}
	if err := json.Unmarshal(stateFile, &state); err != nil {
		t.Fatal(err)
	}
	holders := map[string]bool{}
	for _, r := range state.Resources {
		for _, i := range r.Instances {
			attrs := string(i.Attributes)
			if strings.Contains(attrs, email) {
				holders[r.Name] = true
			}
			if strings.Contains(attrs, firstName) {
				holders[r.Name+" first names"] = true
			}
		}
	}
	want := map[string]bool{"full": true, "full first names": true, "emails_only": true, "member": true}
	if !maps.Equal(holders, want) {
		t.Errorf("state instances holding member data: %v, want %v", holders, want)
	}
}
