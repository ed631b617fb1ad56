package provider

import (
	"cmp"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// faultCase is one row of the fault matrix documented in the provider's
// Troubleshooting section: what the API does, and what the user gets. Error
// rows match titles only: the texts are pinned by the unit tests of the
// functions that write them.
type faultCase struct {
	name string
	// setup prepares the fake API and returns extra provider arguments.
	setup func(t *testing.T, api *fakeapi.Server) (providerArgs string)
	// token is the provider's api_token; testToken when empty.
	token string
	id    int
	// dataArgs are extra data source arguments.
	dataArgs string
	// Exactly one of wantError (the error's title) and checks is set.
	wantError string
	checks    []statecheck.StateCheck
	// warning is the title of the one warning of a successful read; empty for none.
	warning string
	// requests is how many requests Terraform's first read makes, retries
	// included.
	requests int
}

func vendorChecks(name string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(segmentAddr, at("name"), knownvalue.StringExact(name)),
		statecheck.ExpectKnownValue(segmentAddr, at("emails"), knownvalue.ListSizeExact(39)),
		statecheck.ExpectKnownValue(segmentAddr, at("users"), knownvalue.ListSizeExact(39)),
	}
}

func faultMatrix() []faultCase {
	return []faultCase{
		{name: "401 unauthorized", id: 19, token: "revoked-token",
			setup:     func(*testing.T, *fakeapi.Server) string { return "" },
			requests:  1,
			wantError: "Shorter Loop rejected the API token"},
		{name: "401 with an expired JWT", id: 19, token: expiredToken,
			setup:     func(*testing.T, *fakeapi.Server) string { return "" },
			requests:  1,
			wantError: "Shorter Loop API token expired"},
		{name: "403 forbidden", id: 19,
			setup:     fault(19, fakeapi.Fault{Status: 403, ContentType: "application/json", Body: `{"success":false,"message":"no access"}`}),
			requests:  1,
			wantError: "No access to the Shorter Loop initiative"},
		{name: "403 web page from a proxy or firewall", id: 19,
			setup: fault(19, fakeapi.Fault{Status: 403, ContentType: "text/html",
				Body: "<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1><p>Web policy blocks this site.</p></body></html>"}),
			requests:  1,
			wantError: "Shorter Loop request blocked"},
		{name: "404 not found", id: 404,
			setup:     func(*testing.T, *fakeapi.Server) string { return "" },
			requests:  1,
			wantError: "Shorter Loop segment not found"},
		{name: "503 twice, then success", id: 19,
			setup:    fault(19, fakeapi.Fault{Status: 503, Times: 2}),
			requests: 3,
			checks:   vendorChecks("Young Innovators")},
		{name: "retries exhausted", id: 19,
			setup: func(_ *testing.T, api *fakeapi.Server) string {
				api.SetFault(19, fakeapi.Fault{Status: 503, ContentType: "text/plain", Body: "upstream overloaded"})
				return "max_retries = 2"
			},
			requests:  3,
			wantError: "Shorter Loop API error"},
		{name: "Retry-After longer than the wait budget", id: 19,
			setup:     fault(19, fakeapi.Fault{Status: 429, Header: map[string]string{"Retry-After": "3600"}}),
			requests:  1,
			wantError: "Shorter Loop rate limit reached"},
		{name: "connection reset mid-body every time", id: 19,
			setup: func(_ *testing.T, api *fakeapi.Server) string {
				api.SetFault(19, fakeapi.Fault{ResetAfter: 1000})
				return "max_retries = 1"
			},
			requests:  2,
			wantError: "Cannot reach Shorter Loop"},
		{name: "truncated JSON", id: 19,
			setup: func(_ *testing.T, api *fakeapi.Server) string {
				api.SetBody(19, fakeapi.VendorExample[:len(fakeapi.VendorExample)/2])
				return ""
			},
			requests:  1,
			wantError: "Unexpected response from Shorter Loop"},
		{name: "missing and null fields, no userCount", id: 5,
			setup: func(t *testing.T, api *fakeapi.Server) string {
				api.SetBody(5, []byte(`{"success":true,"data":{"id":5,"value":null,"users":[
					{"id":2,"email":null,"user_subscriptions":null,"segmentOptions":null},
					{"id":1,"email":"one@example.com"},
					{"id":3,"email":"three@example.com","user_subscriptions":[{"firstName":null,"userRole":null,"status":"active"}],"segmentOptions":[{"value":null,"user_segment":{"segmentOptionId":5}}]}
				]}}`))
				return ""
			},
			requests: 1,
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(segmentAddr, at("name"), knownvalue.Null()),
				statecheck.ExpectKnownValue(segmentAddr, at("created_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue(segmentAddr, at("user_count"), knownvalue.Null()),
				expectEmails(segmentAddr, "one@example.com", "three@example.com"),
				statecheck.ExpectKnownValue(segmentAddr, at("users").AtSliceIndex(1).AtMapKey("email"), knownvalue.StringExact("")),
				statecheck.ExpectKnownValue(segmentAddr, at("users").AtSliceIndex(1).AtMapKey("subscriptions"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(segmentAddr, at("users").AtSliceIndex(2).AtMapKey("subscriptions").AtSliceIndex(0).AtMapKey("first_name"), knownvalue.Null()),
				statecheck.ExpectKnownValue(segmentAddr, at("users").AtSliceIndex(2).AtMapKey("memberships").AtSliceIndex(0).AtMapKey("segment_id"), knownvalue.Int64Exact(5)),
			}},
		{name: "answer for another segment id", id: 18,
			setup:    func(*testing.T, *fakeapi.Server) string { return "" },
			requests: 1,
			checks: append(vendorChecks("Young Innovators"),
				statecheck.ExpectKnownValue(segmentAddr, at("id"), knownvalue.Int64Exact(18))),
			warning: "Shorter Loop answered with another segment"},
		{name: "fewer users than counted", id: 19,
			setup:     vendorWith(func(data map[string]any) { data["userCount"] = 50 }),
			requests:  1,
			wantError: "Shorter Loop answer is incomplete"},
		{name: "fewer users than counted, allow_incomplete", id: 19, dataArgs: "allow_incomplete = true",
			setup:    vendorWith(func(data map[string]any) { data["userCount"] = 50 }),
			requests: 1,
			checks: append(vendorChecks("Young Innovators"),
				statecheck.ExpectKnownValue(segmentAddr, at("user_count"), knownvalue.Int64Exact(50))),
			warning: "Shorter Loop answer is incomplete"},
		{name: "more users than counted", id: 19,
			setup:    vendorWith(func(data map[string]any) { data["userCount"] = 30 }),
			requests: 1,
			checks: append(vendorChecks("Young Innovators"),
				statecheck.ExpectKnownValue(segmentAddr, at("user_count"), knownvalue.Int64Exact(30))),
			warning: "Shorter Loop user count differs from the users returned"},
		{name: "server slower than request_timeout", id: 19,
			setup: func(_ *testing.T, api *fakeapi.Server) string {
				api.SetFault(19, fakeapi.Fault{Delay: 5e9})
				return "request_timeout = \"300ms\"\n  max_retries = 1"
			},
			requests:  2,
			wantError: "Shorter Loop did not answer in time"},
		{name: "redirect to another host", id: 19,
			setup: func(t *testing.T, api *fakeapi.Server) string {
				var leaked []string
				other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					leaked = append(leaked, r.Header.Get("Authorization"))
				}))
				t.Cleanup(func() {
					other.Close()
					if len(leaked) > 0 {
						t.Errorf("the other host received %d requests (Authorization %q)", len(leaked), leaked)
					}
				})
				api.SetFault(19, fakeapi.Fault{RedirectTo: strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/api/v2/segments/with-users/19"})
				return ""
			},
			requests:  1,
			wantError: "Shorter Loop API redirected to another host"},
		{name: "oversized body", id: 19,
			setup:     fault(19, fakeapi.Fault{Pad: shorterloop.DefaultMaxBodyBytes}),
			requests:  1,
			wantError: "Shorter Loop response too large"},
		{name: "duplicate and differently-cased emails", id: 9,
			setup: func(t *testing.T, api *fakeapi.Server) string {
				api.SetBody(9, body(t, map[string]any{"success": true, "data": map[string]any{"id": 9, "value": "Dupes", "userCount": 4, "users": []map[string]any{
					{"id": 1, "email": "Ann@Example.com"}, {"id": 2, "email": "ann@example.com"}, {"id": 3, "email": " ann@example.COM "}, {"id": 4, "email": "bob@example.com"},
				}}}))
				return ""
			},
			requests: 1,
			checks: []statecheck.StateCheck{
				expectEmails(segmentAddr, "ann@example.com", "bob@example.com"),
				statecheck.ExpectKnownValue(segmentAddr, at("users"), knownvalue.ListSizeExact(4)),
				statecheck.ExpectKnownValue(segmentAddr, at("users").AtSliceIndex(0).AtMapKey("email"), knownvalue.StringExact("Ann@Example.com")),
			}},
		{name: "non-ASCII emails and names", id: 10,
			setup: func(t *testing.T, api *fakeapi.Server) string {
				api.SetBody(10, body(t, map[string]any{"success": true, "data": map[string]any{"id": 10, "value": "Équipe 日本", "userCount": 1, "users": []map[string]any{
					{"id": 1, "email": "Zoë@exämple.com", "user_subscriptions": []map[string]any{{"firstName": "Zoë Ångström", "userRole": "idm_member", "status": "active"}}},
				}}}))
				return ""
			},
			requests: 1,
			checks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(segmentAddr, at("name"), knownvalue.StringExact("Équipe 日本")),
				expectEmails(segmentAddr, "zoë@exämple.com"),
				statecheck.ExpectKnownValue(segmentAddr, at("users").AtSliceIndex(0).AtMapKey("subscriptions").AtSliceIndex(0).AtMapKey("first_name"), knownvalue.StringExact("Zoë Ångström")),
			}},
		{name: "one email composed and decomposed", id: 11,
			setup: func(t *testing.T, api *fakeapi.Server) string {
				api.SetBody(11, body(t, map[string]any{"success": true, "data": map[string]any{"id": 11, "value": "Forms", "userCount": 2, "users": []map[string]any{
					{"id": 1, "email": "zo\u00eb@example.com"}, {"id": 2, "email": "ZOE\u0308@example.com"},
				}}}))
				return ""
			},
			requests: 1,
			checks: []statecheck.StateCheck{
				expectEmails(segmentAddr, "zo\u00eb@example.com"),
				statecheck.ExpectKnownValue(segmentAddr, at("users").AtSliceIndex(1).AtMapKey("email"), knownvalue.StringExact("ZO\u00cb@example.com")),
			}},
	}
}

func TestAccFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, tc := range faultMatrix() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api, srv := newFakeAPI(t)
			token := cmp.Or(tc.token, testToken)
			args := tc.setup(t, api)
			config := fmt.Sprintf(`
provider "shorterloop" {
  api_token     = %q
  initiative_id = %q
  base_url      = %q
  %s
}

data "shorterloop_segment" "test" {
  id = %d
  %s
}
`, token, testInitiative, srv.URL, args, tc.id, tc.dataArgs)
			step := resource.TestStep{Config: config, ConfigStateChecks: tc.checks}
			if tc.wantError != "" {
				step.ExpectError = wrapped("Error: " + tc.wantError)
			} else {
				// After the first terraform plan, whose read is the only one so far.
				step.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{requestCount{api, int64(tc.id), tc.requests}}
			}
			acceptanceTest(t, resource.TestCase{Steps: []resource.TestStep{step}})
			// Terraform stops after a failed read.
			if got := api.Requests(int64(tc.id)); tc.wantError != "" && got != tc.requests {
				t.Errorf("the API got %d requests, want %d", got, tc.requests)
			}
			if tc.wantError == "" {
				checkWarnings(t, config, tc.warning)
			}
		})
	}
}

// checkWarnings plans config with the CLI, which terraform-plugin-testing
// cannot ask for warnings, and checks that the provider's warnings are the
// one titled want, or none when want is empty.
func checkWarnings(t *testing.T, config, want string) {
	t.Helper()
	out, err := newCLIWorkspace(t, config).run(t, "plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	warnings := strings.Count(flat, "Warning: ") - strings.Count(flat, "Warning: Provider development overrides are in effect")
	switch {
	case want == "" && warnings != 0:
		t.Errorf("plan warns, want no warning:\n%s", out)
	case want != "" && (warnings != 1 || !strings.Contains(flat, "Warning: "+want)):
		t.Errorf("plan has %d warnings, want one titled %q:\n%s", warnings, want, out)
	}
}
