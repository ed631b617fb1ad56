package provider

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// These tests run the example files that the data source docs and the guides
// include, unchanged, against the fake API.

// emptySegment is segment id with no members.
func emptySegment(id int64) shorterloop.Segment {
	return shorterloop.Segment{ID: id, Value: new("Emptied"), Users: []shorterloop.User{}}
}

func TestAccSegmentDataSource_documentedExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		file     string
		segments []shorterloop.Segment // served besides, or instead of, the vendor's segment 19
		vars     config.Variables
		// Exactly one of output and wantError is set.
		output    string
		want      knownvalue.Check
		wantError string
	}{
		{
			name: "not empty: vendor segment", file: "guard-not-empty.tf",
			output: "member_emails", want: knownvalue.ListSizeExact(39),
		},
		{
			name: "not empty: empty segment", file: "guard-not-empty.tf", segments: []shorterloop.Segment{emptySegment(19)},
			wantError: "Shorter Loop segment 19 has no members, so every membership fed from it would be removed.",
		},
		{
			name: "floor: vendor segment, default floor", file: "guard-min-members.tf",
			output: "core_member_count", want: knownvalue.Int64Exact(39),
		},
		{
			name: "floor: vendor segment at the floor", file: "guard-min-members.tf", vars: config.Variables{"min_members": config.IntegerVariable(39)},
			output: "core_member_count", want: knownvalue.Int64Exact(39),
		},
		{
			name: "floor: vendor segment below the floor", file: "guard-min-members.tf", vars: config.Variables{"min_members": config.IntegerVariable(40)},
			wantError: "Shorter Loop segment 19 has 39 members, fewer than min_members (40).",
		},
		{
			name: "floor: empty segment", file: "guard-min-members.tf", segments: []shorterloop.Segment{emptySegment(19)},
			wantError: "Shorter Loop segment 19 has 0 members, fewer than min_members (30).",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, srv := newFakeAPI(t)
			for _, s := range tt.segments {
				api.SetSegment(s.ID, s)
			}
			// Config rather than ConfigFile: terraform-plugin-testing adds
			// the required_providers block OpenTofu needs only to a Config.
			example, err := os.ReadFile(exampleFile(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			step := resource.TestStep{Config: providerConfig(srv) + string(example), ConfigVariables: tt.vars}
			if tt.wantError != "" {
				step.ExpectError = wrapped(tt.wantError)
			} else {
				step.ConfigStateChecks = []statecheck.StateCheck{statecheck.ExpectKnownOutputValue(tt.output, tt.want)}
			}
			acceptanceTest(t, resource.TestCase{Steps: []resource.TestStep{step}})
		})
	}
}

// TestAccCLI_usageExample applies the data source page's example, which
// feeds emails into a for_each resource, and reads its outputs.
func TestAccCLI_usageExample(t *testing.T) {
	t.Parallel()
	_, srv := newFakeAPI(t)
	w := exampleWorkspace(t, srv, "data-source.tf", "")
	out, err := w.run(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil || !strings.Contains(out, "Resources: 39 added, 0 changed, 0 destroyed.") {
		t.Fatalf("apply: %v, want one resource per member:\n%s", err, out)
	}
	out, err = w.run(t, "output", "-json")
	if err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	var outputs struct {
		SegmentName struct{ Value string }   `json:"segment_name"`
		Count       struct{ Value int }      `json:"idea_manager_member_count"`
		FirstNames  struct{ Value []string } `json:"first_names"`
	}
	if err := json.Unmarshal([]byte(out), &outputs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if outputs.SegmentName.Value != "Young Innovators" || outputs.Count.Value != 39 ||
		len(outputs.FirstNames.Value) == 0 || slices.Contains(outputs.FirstNames.Value, "") {
		t.Errorf("outputs = %+v, want the vendor segment's name, its 39 idm_member members and their first names", outputs)
	}
}

// TestAccCLI_severalSegmentsExample runs on the CLI because the example reads
// its segments with for_each.
func TestAccCLI_severalSegmentsExample(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	// Segment 20 shares one member with the vendor's segment 19, spelled
	// with other capitals.
	api.SetSegment(20, shorterloop.Segment{ID: 20, Value: new("Mentors"), UserCount: new(int64(3)), Users: []shorterloop.User{
		{ID: 9001, Email: "mentor.one@example.com"},
		{ID: 9002, Email: "mentor.two@example.com"},
		{ID: 1650, Email: "Aarav.Patel@ShorterLoop.com"},
	}})
	w := exampleWorkspace(t, srv, "several-segments.tf", "")
	if out, err := w.run(t, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	out, err := w.run(t, "output", "-json", "union_emails")
	if err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	var union []string
	if err := json.Unmarshal([]byte(out), &union); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := []string{"mentor.one@example.com", "mentor.two@example.com"}
	for _, u := range vendorSegment(t).Users {
		want = append(want, strings.ToLower(u.Email))
	}
	slices.Sort(want)
	if !slices.Equal(union, want) {
		t.Errorf("union_emails = %q\nwant %q", union, want)
	}

	api.SetSegment(20, emptySegment(20))
	out, err = w.run(t, "plan", "-input=false", "-no-color")
	if err == nil || !wrapped("Shorter Loop segment 20 has no members").MatchString(out) {
		t.Errorf("plan with segment 20 empty: err = %v, want the guard's error:\n%s", err, out)
	}
}

// TestAccCLI_guardedMemberships feeds the guarded segment's emails into a
// for_each resource that stands in for another provider's memberships. A
// member who leaves the segment is that one key's destroy; an empty answer
// fails the plan before any destroy is planned. It runs on the CLI because
// terraform-plugin-testing cannot hold for_each resources in its state checks.
func TestAccCLI_guardedMemberships(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	w := exampleWorkspace(t, srv, "guard-not-empty.tf", `
resource "terraform_data" "membership" {
  for_each = toset(data.shorterloop_segment.members.emails)
  input    = each.key
}
`)
	out, err := w.run(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil || !strings.Contains(out, "Resources: 39 added") {
		t.Fatalf("apply: %v\n%s", err, out)
	}

	vendor := vendorSegment(t)
	leaver := strings.ToLower(vendor.Users[0].Email)
	shrunk := *vendor
	shrunk.Users, shrunk.UserCount = vendor.Users[1:], new(*vendor.UserCount-1)
	api.SetSegment(19, shrunk)
	out, err = w.run(t, "plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	for _, want := range []string{
		`# terraform_data.membership["` + leaver + `"] will be destroyed`,
		`(because key ["` + leaver + `"] is not in for_each map)`,
		"Plan: 0 to add, 0 to change, 1 to destroy.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan after %s left lacks %q:\n%s", leaver, want, out)
		}
	}

	api.SetSegment(19, emptySegment(19))
	out, err = w.run(t, "plan", "-input=false", "-no-color")
	if err == nil || !strings.Contains(out, "Resource postcondition failed") || !wrapped("Shorter Loop segment 19 has no members").MatchString(out) {
		t.Errorf("plan of the empty segment: err = %v, want the guard's error:\n%s", err, out)
	}
	if strings.Contains(out, "destroy") {
		t.Errorf("plan of the empty segment mentions a destroy:\n%s", out)
	}
}
