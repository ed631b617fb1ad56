package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

func TestAccSegmentDataSource_vendorExample(t *testing.T) {
	t.Parallel()
	_, srv := newFakeAPI(t)
	user := func(i int) tfjsonpath.Path { return at("users").AtSliceIndex(i) }
	acceptanceTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + `
data "shorterloop_segment" "test" {
  id = 19
}

# terraform-plugin-testing cannot read for_each resources from state, so
# the for_each keys are checked through an output (make demo runs a real one).
output "members" {
  value = length({ for e in toset(data.shorterloop_segment.test.emails) : e => e })
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(segmentAddr, at("id"), knownvalue.Int64Exact(19)),
				statecheck.ExpectKnownValue(segmentAddr, at("name"), knownvalue.StringExact("Young Innovators")),
				statecheck.ExpectKnownValue(segmentAddr, at("created_at"), knownvalue.StringExact("2024-10-24T08:11:55.000Z")),
				statecheck.ExpectKnownValue(segmentAddr, at("user_count"), knownvalue.Int64Exact(39)),
				statecheck.ExpectKnownValue(segmentAddr, at("emails"), knownvalue.ListSizeExact(39)),
				statecheck.ExpectKnownValue(segmentAddr, at("emails").AtSliceIndex(0), knownvalue.StringExact("aarav.patel1@shorterloop.com")),
				statecheck.ExpectKnownValue(segmentAddr, at("emails").AtSliceIndex(38), knownvalue.StringExact("vikram.iyer@shorterloop.com")),
				statecheck.ExpectKnownValue(segmentAddr, at("users"), knownvalue.ListSizeExact(39)),
				statecheck.ExpectKnownValue(segmentAddr, user(0).AtMapKey("id"), knownvalue.Int64Exact(1650)),
				statecheck.ExpectKnownValue(segmentAddr, user(38).AtMapKey("id"), knownvalue.Int64Exact(1855)),
				// User 1686 (index 17 by id) is in segments 18 and 19 of initiative 1117.
				statecheck.ExpectKnownValue(segmentAddr, user(17), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":    knownvalue.Int64Exact(1686),
					"email": knownvalue.StringExact("rahul.sharma@shorterloop.com"),
					"subscriptions": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
						"first_name": knownvalue.Null(),
						"user_role":  knownvalue.StringExact("idm_member"),
						"status":     knownvalue.StringExact("pending"),
					})}),
					"memberships": knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"segment_id":      knownvalue.Int64Exact(18),
							"segment_name":    knownvalue.StringExact("Budget Conscious Families"),
							"initiative_id":   knownvalue.Int64Exact(1117),
							"team_id":         knownvalue.Int64Exact(0),
							"subscription_id": knownvalue.Int64Exact(1063),
							"created_at":      knownvalue.StringExact("2024-10-25T05:03:17.000Z"),
							"updated_at":      knownvalue.StringExact("2024-10-25T05:03:17.000Z"),
						}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"segment_id":   knownvalue.Int64Exact(19),
							"segment_name": knownvalue.StringExact("Young Innovators"),
							"created_at":   knownvalue.StringExact("2024-10-29T06:10:41.000Z"),
						}),
					}),
				})),
				statecheck.ExpectKnownValue(segmentAddr, user(22).AtMapKey("subscriptions").AtSliceIndex(0).AtMapKey("first_name"),
					knownvalue.StringExact("Deepak Rao")),
				statecheck.ExpectKnownOutputValue("members", knownvalue.Int64Exact(39)),
			},
		}},
	})
}

// The vendor's page asks for segment 18 and gets segment 19: the read
// succeeds and id stays as configured.
func TestAccSegmentDataSource_vendorQuirkOtherID(t *testing.T) {
	t.Parallel()
	_, srv := newFakeAPI(t)
	acceptanceTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + `data "shorterloop_segment" "test" { id = 18 }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(segmentAddr, at("id"), knownvalue.Int64Exact(18)),
				statecheck.ExpectKnownValue(segmentAddr, at("name"), knownvalue.StringExact("Young Innovators")),
				statecheck.ExpectKnownValue(segmentAddr, at("user_count"), knownvalue.Int64Exact(39)),
			},
		}},
	})
}

func mixedSegment() shorterloop.Segment {
	sub := func(status, role string) []shorterloop.Subscription {
		return []shorterloop.Subscription{{UserRole: role, Status: status}}
	}
	return shorterloop.Segment{
		ID: 7, Value: new("Mixed"), CreatedAt: new("2025-01-02T03:04:05.000Z"), UserCount: new(int64(4)),
		Users: []shorterloop.User{
			{ID: 4, Email: "dora@example.com", Subscriptions: sub("active", "admin")},
			{ID: 1, Email: "ann@example.com", Subscriptions: sub("active", "idm_member")},
			{ID: 3, Email: "cid@example.com", Subscriptions: sub("pending", "admin")},
			{ID: 2, Email: "bob@example.com", Subscriptions: sub("pending", "idm_member")},
		},
	}
}

func TestAccSegmentDataSource_filters(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	api.SetSegment(7, mixedSegment())
	acceptanceTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + `
data "shorterloop_segment" "all" {
  id = 7
}
data "shorterloop_segment" "active" {
  id       = 7
  statuses = ["active"]
}
data "shorterloop_segment" "admins" {
  id         = 7
  user_roles = ["admin"]
}
data "shorterloop_segment" "active_members" {
  id         = 7
  statuses   = ["active"]
  user_roles = ["idm_member"]
}
data "shorterloop_segment" "nobody" {
  id       = 7
  statuses = ["suspended"]
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				expectEmails("data.shorterloop_segment.all", "ann@example.com", "bob@example.com", "cid@example.com", "dora@example.com"),
				expectEmails("data.shorterloop_segment.active", "ann@example.com", "dora@example.com"),
				expectEmails("data.shorterloop_segment.admins", "cid@example.com", "dora@example.com"),
				expectEmails("data.shorterloop_segment.active_members", "ann@example.com"),
				expectEmails("data.shorterloop_segment.nobody"),
				statecheck.ExpectKnownValue("data.shorterloop_segment.active", at("users").AtSliceIndex(0).AtMapKey("id"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue("data.shorterloop_segment.active", at("users"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.shorterloop_segment.nobody", at("users"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.shorterloop_segment.active", at("user_count"), knownvalue.Int64Exact(4)),
			},
		}},
	})
}

func TestAccSegmentDataSource_includeUsersFalse(t *testing.T) {
	t.Parallel()
	_, srv := newFakeAPI(t)
	acceptanceTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + `
data "shorterloop_segment" "test" {
  id            = 19
  include_users = false
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(segmentAddr, at("users"), knownvalue.Null()),
				statecheck.ExpectKnownValue(segmentAddr, at("emails"), knownvalue.ListSizeExact(39)),
				statecheck.ExpectKnownValue(segmentAddr, at("user_count"), knownvalue.Int64Exact(39)),
			},
		}},
	})
}

func TestAccSegmentDataSource_configFromEnv(t *testing.T) {
	_, srv := newFakeAPI(t)
	t.Setenv(envAPIToken, testToken)
	t.Setenv(envInitiativeID, testInitiative)
	t.Setenv(envBaseURL, srv.URL)
	acceptanceTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: `data "shorterloop_segment" "test" { id = 19 }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(segmentAddr, at("name"), knownvalue.StringExact("Young Innovators")),
			},
		}},
	})
}
func TestAccProvider_configErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, config string
		id           int
		want         string
	}{
		{"missing token", `provider "shorterloop" { initiative_id = "SHO-TEST" }`, 19, `(?s)Missing Shorter Loop API token.*api_token.*SHORTERLOOP_API_TOKEN`},
		{"missing initiative", `provider "shorterloop" { api_token = "x" }`, 19, `(?s)Missing Shorter Loop initiative.*initiative_id.*SHORTERLOOP_INITIATIVE_ID`},
		{"plain http to a remote host", `provider "shorterloop" {
  api_token     = "x"
  initiative_id = "SHO-TEST"
  base_url      = "http://api.shorterloop.com"
}`, 19, `(?s)Invalid Shorter Loop base URL.*plain http`},
		{"id below 1", `provider "shorterloop" {
  api_token     = "x"
  initiative_id = "SHO-TEST"
}`, 0, `(?s)id.*must be at least 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			acceptanceTest(t, resource.TestCase{
				Steps: []resource.TestStep{{
					Config:      tt.config + fmt.Sprintf("\ndata \"shorterloop_segment\" \"test\" { id = %d }\n", tt.id),
					ExpectError: regexp.MustCompile(tt.want),
				}},
			})
		})
	}
}

// Provider configuration that is unknown until apply is fine as long as the
// data source itself is only read at apply.
func TestAccProvider_unknownConfigAtPlan(t *testing.T) {
	t.Parallel()
	_, srv := newFakeAPI(t)
	acceptanceTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "initiative" {
  input = %q
}

provider "shorterloop" {
  api_token     = %q
  initiative_id = terraform_data.initiative.output
  base_url      = %q
}

data "shorterloop_segment" "test" {
  id         = 19
  depends_on = [terraform_data.initiative]
}
`, testInitiative, testToken, srv.URL),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(segmentAddr, at("user_count"), knownvalue.Int64Exact(39)),
			},
		}},
	})
}
