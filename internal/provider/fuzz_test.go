package provider

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"golang.org/x/text/unicode/norm"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

type bodyTransport []byte

func (b bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(bytes.NewReader(b)),
		Request:    r,
	}, nil
}

// FuzzReadSegment feeds arbitrary bodies through the client's decoding and
// the state mapping: they must either fail with an error or produce
// consistent values, never panic, and never echo the token.
func FuzzReadSegment(f *testing.F) {
	f.Add(fakeapi.VendorExample)
	f.Add([]byte(`{"success":true,"data":{"id":5,"value":null,"userCount":2,"users":[{"id":2,"email":null},{"id":1,"email":" A@x.io ","user_subscriptions":[{"firstName":null,"userRole":"r","status":"active"}]}]}}`))
	f.Add([]byte(`{"success":true,"data":{"id":1,"users":[{"id":1,"email":"a@x.io"},{"id":1,"email":"A@X.IO"}]}}`))
	f.Add([]byte(`{"success":true,"data":{"id":1,"users":[{"id":1,"email":"zo\u00eb@x.io"},{"id":2,"email":"ZOE\u0308@x.io"},{"id":3,"email":"\u00a0I\u0307lker@x.io"},{"id":4,"email":"STRA\u1e9eE@x.de "}]}}`))
	f.Add([]byte(`{"success":false,"message":"Bearer fuzz-token-123"}`))
	f.Add([]byte(`{"success":true,"data":{"id":"19"}}`))
	f.Add([]byte(`{"success":true,"data":{"id":19,"users":[`))
	f.Add([]byte(`<html>502</html>`))
	f.Add([]byte(`{"success":true,"data":{"id":19,"users":[]}} trailing`))

	const token = "fuzz-token-123"
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := shorterloop.NewClient(shorterloop.Config{
			BaseURL: "https://api.example.com", Token: token, InitiativeID: "SHO-FUZZ",
			HTTPClient: &http.Client{Transport: bodyTransport(body)},
		})
		if err != nil {
			t.Fatal(err)
		}
		seg, err := c.GetSegment(context.Background(), 19)
		if err != nil {
			if seg != nil {
				t.Fatal("a segment and an error")
			}
			summary, detail := readErrorDiagnostic(err, 19, "SHO-FUZZ", "api.example.com")
			if strings.Contains(err.Error()+summary+detail, token) {
				t.Fatalf("the token leaked: %s", detail)
			}
			return
		}
		short := seg.UserCount != nil && *seg.UserCount > int64(len(seg.Users))
		if diags := answerDiagnostics(seg, segmentQuery{id: 19}, "SHO-FUZZ"); diags.HasError() != short {
			t.Fatalf("userCount %v with %d users: diagnostics %v", seg.UserCount, len(seg.Users), diags)
		}
		for _, q := range []segmentQuery{{id: 19}, {id: 19, statuses: []string{"active"}}, {id: 19, userRoles: []string{"idm_member"}}} {
			kept := keptUsers(seg.Users, newUserFilter(q.statuses, q.userRoles))
			emails := listStringsOf(t, emailsValue(kept))
			if fast := fastEmails(t, q, seg, kept); !slices.Equal(fast, emails) {
				t.Fatalf("the fast path's emails %q differ from the framework path's %q", fast, emails)
			}
			// Each kept user's email, as Terraform normalises it, is listed once.
			want := map[string]bool{}
			for _, u := range kept {
				if e := norm.NFC.String(strings.ToLower(strings.TrimSpace(norm.NFC.String(u.Email)))); e != "" {
					want[e] = true
				}
			}
			if !slices.IsSorted(emails) || len(slices.Compact(slices.Clone(emails))) != len(emails) || len(emails) != len(want) {
				t.Fatalf("emails %q: not sorted, not unique, or not the %d that the users have", emails, len(want))
			}
			for _, e := range emails {
				if !want[e] || !norm.NFC.IsNormalString(e) {
					t.Fatalf("email %q not one of the users' or not in NFC", e)
				}
			}
			users := usersValue(kept)
			if len(users.Elements()) != len(kept) {
				t.Fatalf("%d user values for %d users", len(users.Elements()), len(kept))
			}
			for i, u := range users.Elements() {
				if got := u.(types.Object).Attributes()["id"].(types.Int64).ValueInt64(); got != kept[i].ID {
					t.Fatalf("user %d has id %d, want %d", i, got, kept[i].ID)
				}
			}
		}
	})
}

// fastEmails is emails as the fast path encodes them in the state.
func fastEmails(t *testing.T, q segmentQuery, seg *shorterloop.Segment, kept []*shorterloop.User) []string {
	t.Helper()
	state, err := encodeSegmentState(q, seg, kept)
	if err != nil {
		t.Fatal(err)
	}
	v, err := (&tfprotov6.DynamicValue{MsgPack: state}).Unmarshal(segmentTypes().state)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	emails, ok := stringsFrom(attrs["emails"])
	if !ok {
		t.Fatalf("emails in the state: %v", attrs["emails"])
	}
	return emails
}
