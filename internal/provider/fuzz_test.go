package provider

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
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
// consistent values, the same state on both read paths, never panic, and
// never echo the token.
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
		if diags := answerDiagnostics(seg, &segmentModel{ID: 19}, "SHO-FUZZ"); diags.HasError() != short {
			t.Fatalf("userCount %v with %d users: diagnostics %v", seg.UserCount, len(seg.Users), diags)
		}
		no := false
		for _, q := range []segmentModel{{ID: 19}, {ID: 19, Statuses: []string{"active"}}, {ID: 19, UserRoles: []string{"idm_member"}, IncludeUsers: &no}} {
			kept := keptUsers(seg.Users, newUserFilter(q.Statuses, q.UserRoles))
			q.setSegment(seg, kept)
			fast, err := encodeState(&q)
			if err != nil {
				t.Fatal(err)
			}
			if framework := frameworkState(t, &q); !bytes.Equal(fast, framework) {
				t.Fatalf("the fast path's state differs from the framework path's:\nfast:      %x\nframework: %x", fast, framework)
			}
			// Each kept user's email, as Terraform normalises it, is listed once.
			want := map[string]bool{}
			for _, u := range kept {
				if e := norm.NFC.String(strings.ToLower(strings.TrimSpace(norm.NFC.String(u.Email)))); e != "" {
					want[e] = true
				}
			}
			emails := q.Emails
			if !slices.IsSorted(emails) || len(slices.Compact(slices.Clone(emails))) != len(emails) || len(emails) != len(want) {
				t.Fatalf("emails %q: not sorted, not unique, or not the %d that the users have", emails, len(want))
			}
			for _, e := range emails {
				if !want[e] || !norm.NFC.IsNormalString(e) {
					t.Fatalf("email %q not one of the users' or not in NFC", e)
				}
			}
			if !q.withUsers() {
				if q.Users != nil {
					t.Fatalf("users %v with include_users = false, want null", q.Users)
				}
				continue
			}
			if len(q.Users) != len(kept) {
				t.Fatalf("%d users in the state for %d users kept", len(q.Users), len(kept))
			}
			for i, u := range q.Users {
				if u.ID != kept[i].ID {
					t.Fatalf("user %d has id %d, want %d", i, u.ID, kept[i].ID)
				}
			}
		}
	})
}

// frameworkState is m as the framework's Read encodes it: set in the state,
// then encoded by terraform-plugin-go.
func frameworkState(t *testing.T, m *segmentModel) []byte {
	t.Helper()
	sch, typ := segmentSchema()
	state := tfsdk.State{Schema: sch, Raw: tftypes.NewValue(typ, nil)}
	if diags := state.Set(context.Background(), m); diags.HasError() {
		t.Fatal(diags)
	}
	v, err := tfprotov6.NewDynamicValue(typ, state.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return v.MsgPack
}
