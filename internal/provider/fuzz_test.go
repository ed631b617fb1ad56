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
		for _, f := range []userFilter{{}, newUserFilter([]string{"active"}, nil), newUserFilter(nil, []string{"idm_member"})} {
			kept := keptUsers(seg.Users, f)
			emails := listStringsOf(t, emailsValue(kept))
			if !slices.IsSorted(emails) || len(slices.Compact(slices.Clone(emails))) != len(emails) {
				t.Fatalf("emails not sorted and unique: %q", emails)
			}
			for _, e := range emails {
				if e == "" || e != strings.ToLower(strings.TrimSpace(e)) {
					t.Fatalf("email %q not normalised", e)
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
