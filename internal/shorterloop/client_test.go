package shorterloop_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// testToken looks like a JWT so that redaction is tested against a realistic secret.
const (
	testToken      = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0LXVzZXIifQ.c2lnbmF0dXJlLXNlY3JldC12YWx1ZQ"
	testInitiative = "SHO-MJXR"
	examplePath    = "../fakeapi/testdata/segment-with-users-18.json"
	segmentPath    = "/api/v2/segments/with-users/18"
)

// sentinels is every sentinel error the package exports; each error test
// states which of them must match and asserts that the others do not.
var sentinels = map[string]error{
	"ErrUnauthorized":    shorterloop.ErrUnauthorized,
	"ErrForbidden":       shorterloop.ErrForbidden,
	"ErrNotFound":        shorterloop.ErrNotFound,
	"ErrInvalidResponse": shorterloop.ErrInvalidResponse,
}

func newClient(t *testing.T, baseURL string, mod ...func(*shorterloop.Config)) *shorterloop.Client {
	t.Helper()
	cfg := shorterloop.Config{BaseURL: baseURL, Token: testToken, InitiativeID: testInitiative}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := shorterloop.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// serve starts a server that answers every request with the given status,
// content type and body.
func serve(t *testing.T, status int, contentType, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing: send no content type
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func readExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatalf("reading the vendor example: %v", err)
	}
	return b
}

// roundTripFunc lets a test see the outgoing request without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func assertSentinels(t *testing.T, err error, want ...error) {
	t.Helper()
	for name, s := range sentinels {
		wantIt := false
		for _, w := range want {
			if errors.Is(w, s) {
				wantIt = true
			}
		}
		if got := errors.Is(err, s); got != wantIt {
			t.Errorf("errors.Is(err, %s) = %v, want %v (err: %v)", name, got, wantIt, err)
		}
	}
}

func assertNoToken(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got nil")
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error string contains the token: %q", err.Error())
	}
	if part := tokenPart(err.Error()); part != "" {
		t.Errorf("error string contains part of the token (%q): %q", part, err.Error())
	}
}

// tokenPart returns the first 8-byte piece of the token found in s, so that
// a token cut short (e.g. at the end of an excerpt) counts as a leak too.
func tokenPart(s string) string {
	const w = 8
	for i := 0; i+w <= len(testToken); i++ {
		if strings.Contains(s, testToken[i:i+w]) {
			return testToken[i : i+w]
		}
	}
	return ""
}

func TestGetSegmentRequest(t *testing.T) {
	tests := []struct {
		name      string
		basePath  string // appended to the test server's URL
		userAgent string
		id        int64
		wantPath  string
	}{
		{name: "root", id: 18, wantPath: segmentPath},
		{name: "root with trailing slash", basePath: "/", id: 18, wantPath: segmentPath},
		{name: "path prefix", basePath: "/proxy", id: 18, wantPath: "/proxy" + segmentPath},
		{name: "path prefix with trailing slash", basePath: "/proxy/", id: 18, wantPath: "/proxy" + segmentPath},
		{name: "nested path prefix", basePath: "/a/b", id: 18, wantPath: "/a/b" + segmentPath},
		{name: "user agent", userAgent: "terraform-provider-shorterloop/1.2.3", id: 18, wantPath: segmentPath},
		{name: "id 1", id: 1, wantPath: "/api/v2/segments/with-users/1"},
		{name: "large id", id: 9007199254740993, wantPath: "/api/v2/segments/with-users/9007199254740993"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu   sync.Mutex
				reqs []*http.Request
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				reqs = append(reqs, r.Clone(context.Background()))
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				_, _ = fmt.Fprintf(w, `{"success":true,"data":{"id":%d,"value":"v","createdAt":"c","users":[],"userCount":0}}`, tt.id)
			}))
			defer srv.Close()

			c := newClient(t, srv.URL+tt.basePath, func(cfg *shorterloop.Config) { cfg.UserAgent = tt.userAgent })
			seg, err := c.GetSegment(context.Background(), tt.id)
			if err != nil {
				t.Fatalf("GetSegment: %v", err)
			}
			if seg.ID != tt.id {
				t.Errorf("segment ID = %d, want %d", seg.ID, tt.id)
			}

			mu.Lock()
			defer mu.Unlock()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodGet {
				t.Errorf("method = %q, want GET", r.Method)
			}
			if r.URL.Path != tt.wantPath {
				t.Errorf("path = %q, want %q", r.URL.Path, tt.wantPath)
			}
			if r.URL.RawQuery != "" {
				t.Errorf("query = %q, want none", r.URL.RawQuery)
			}
			if r.ContentLength != 0 {
				t.Errorf("request has a body of %d bytes, want none", r.ContentLength)
			}
			wantHeaders := map[string]string{
				"Authorization": "Bearer " + testToken,
				"initiativeId":  testInitiative,
				"Content-Type":  "application/json",
				"Accept":        "application/json",
			}
			for k, want := range wantHeaders {
				if got := r.Header.Values(k); len(got) != 1 || got[0] != want {
					t.Errorf("header %s = %q, want exactly [%q]", k, got, want)
				}
			}
			ua := r.Header.Get("User-Agent")
			if tt.userAgent != "" && ua != tt.userAgent {
				t.Errorf("User-Agent = %q, want %q", ua, tt.userAgent)
			}
			if tt.userAgent == "" && strings.Contains(ua, "shorterloop") {
				t.Errorf("User-Agent = %q without one configured, want Go's default", ua)
			}
		})
	}
}

// NewClient parses the base URL; the provider checks every setting before.
func TestNewClientValidation(t *testing.T) {
	tests := []struct {
		name    string
		baseURL string
		wantErr bool
	}{
		{name: "https", baseURL: "https://api.example.com"},
		{name: "http with prefix", baseURL: "http://127.0.0.1:8080/proxy"},
		{name: "default base URL"},
		{name: "garbage", baseURL: "::not a url::", wantErr: true},
		{name: "control character, password", baseURL: "http://user:hunter2@host\x7f/", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := shorterloop.NewClient(shorterloop.Config{BaseURL: tt.baseURL, Token: "t", InitiativeID: "i"})
			if (err != nil) != tt.wantErr || (c == nil) != tt.wantErr {
				t.Fatalf("NewClient = %v, %v; want an error: %v", c, err, tt.wantErr)
			}
			if err != nil && (err.Error() != "base URL is not a valid URL" || strings.Contains(err.Error(), "hunter2")) {
				t.Errorf("error = %q", err)
			}
		})
	}
}

func TestDefaultBaseURL(t *testing.T) {
	if shorterloop.DefaultBaseURL != "https://api.shorterloop.com" {
		t.Errorf("DefaultBaseURL = %q", shorterloop.DefaultBaseURL)
	}
	var got string
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r.URL.String()
		return &http.Response{
			StatusCode: http.StatusOK,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(strings.NewReader(`{"success":true,"data":{"id":18}}`)),
			Request:    r,
		}, nil
	})}
	c := newClient(t, "", func(cfg *shorterloop.Config) { cfg.HTTPClient = hc })
	if _, err := c.GetSegment(context.Background(), 18); err != nil {
		t.Fatalf("GetSegment: %v", err)
	}
	if want := "https://api.shorterloop.com/api/v2/segments/with-users/18"; got != want {
		t.Errorf("request URL = %q, want %q", got, want)
	}
}

func TestGetSegmentRejectsNonPositiveID(t *testing.T) {
	for _, id := range []int64{0, -1, -18} {
		t.Run(fmt.Sprint(id), func(t *testing.T) {
			called := false
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				called = true
				return nil, errors.New("no request expected")
			})}
			c := newClient(t, "https://api.example.com", func(cfg *shorterloop.Config) { cfg.HTTPClient = hc })
			seg, err := c.GetSegment(context.Background(), id)
			if err == nil || seg != nil {
				t.Fatalf("GetSegment(%d) = %v, %v; want an error", id, seg, err)
			}
			if want := fmt.Sprintf("segment id must be at least 1, got %d", id); err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
			if called {
				t.Error("a request was sent for an invalid id")
			}
			assertSentinels(t, err)
		})
	}
}

func TestGetSegmentVendorExample(t *testing.T) {
	body := readExample(t)
	srv := serve(t, http.StatusOK, "application/json; charset=utf-8", string(body))
	c := newClient(t, srv.URL)

	seg, err := c.GetSegment(context.Background(), 18)
	if err != nil {
		t.Fatalf("GetSegment: %v", err)
	}
	// The vendor's example answers a request for 18 with segment 19.
	if seg.ID != 19 {
		t.Errorf("ID = %d, want 19", seg.ID)
	}
	if *seg.Value != "Young Innovators" {
		t.Errorf("Value = %q", *seg.Value)
	}
	if *seg.CreatedAt != "2024-10-24T08:11:55.000Z" {
		t.Errorf("CreatedAt = %q", *seg.CreatedAt)
	}
	if *seg.UserCount != 39 {
		t.Errorf("UserCount = %d, want 39", *seg.UserCount)
	}
	if len(seg.Users) != 39 {
		t.Fatalf("len(Users) = %d, want 39", len(seg.Users))
	}

	first := seg.Users[0]
	if first.ID != 1650 || first.Email != "aarav.patel@shorterloop.com" {
		t.Errorf("first user = %d %q, want 1650 aarav.patel@shorterloop.com", first.ID, first.Email)
	}
	if len(first.Subscriptions) != 1 {
		t.Fatalf("first user has %d subscriptions, want 1", len(first.Subscriptions))
	}
	if s := first.Subscriptions[0]; s.FirstName != nil || s.UserRole != "idm_member" || s.Status != "pending" {
		t.Errorf("first user's subscription = %+v, want null firstName, idm_member, pending", s)
	}
	if len(first.SegmentOptions) != 1 {
		t.Fatalf("first user has %d segment options, want 1", len(first.SegmentOptions))
	}
	wantFirstMembership := shorterloop.SegmentOption{
		Value: "Young Innovators",
		UserSegment: shorterloop.UserSegment{
			SegmentOptionID: 19, InitiativeID: 0, TeamID: 0, SubscriptionID: 0,
			CreatedAt: "2024-10-24T11:35:19.000Z", UpdatedAt: "2024-10-24T11:35:19.000Z",
		},
	}
	if first.SegmentOptions[0] != wantFirstMembership {
		t.Errorf("first user's membership = %+v, want %+v", first.SegmentOptions[0], wantFirstMembership)
	}

	nullNames, twoSegments, inSegment18 := 0, 0, 0
	index := map[int64]int{}
	emails := map[string]bool{}
	for i, u := range seg.Users {
		index[u.ID] = i
		emails[u.Email] = true
		if len(u.Subscriptions) != 1 {
			t.Errorf("user %d has %d subscriptions, want 1", u.ID, len(u.Subscriptions))
			continue
		}
		if u.Subscriptions[0].FirstName == nil {
			nullNames++
		} else if *u.Subscriptions[0].FirstName == "" {
			t.Errorf("user %d has a non-null but empty firstName", u.ID)
		}
		if len(u.SegmentOptions) == 2 {
			twoSegments++
		}
		for _, so := range u.SegmentOptions {
			if so.UserSegment.SegmentOptionID == 18 {
				inSegment18++
				if so.Value != "Budget Conscious Families" {
					t.Errorf("user %d: segment 18 is named %q", u.ID, so.Value)
				}
			}
		}
	}
	if nullNames != 22 {
		t.Errorf("%d users with a null firstName, want 22", nullNames)
	}
	if len(seg.Users)-nullNames != 17 {
		t.Errorf("%d users with a firstName, want 17", len(seg.Users)-nullNames)
	}
	if twoSegments != 16 || inSegment18 != 16 {
		t.Errorf("%d users in two segments and %d in segment 18, want 16 and 16", twoSegments, inSegment18)
	}
	if len(emails) != 39 {
		t.Errorf("%d distinct emails, want 39", len(emails))
	}

	deepak, ok := index[1819]
	if !ok {
		t.Fatal("user 1819 is missing")
	}
	if fn := seg.Users[deepak].Subscriptions[0].FirstName; fn == nil || *fn != "Deepak Rao" {
		t.Errorf("user 1819 firstName = %v, want Deepak Rao", fn)
	}

	// The first membership with non-zero initiative and subscription ids in
	// the file is user 1681's membership of segment 19.
	u1681, ok := index[1681]
	if !ok {
		t.Fatal("user 1681 is missing")
	}
	wantMembership := shorterloop.UserSegment{
		SegmentOptionID: 19, InitiativeID: 1117, TeamID: 0, SubscriptionID: 1063,
		CreatedAt: "2024-10-24T11:55:15.000Z", UpdatedAt: "2024-10-24T11:55:15.000Z",
	}
	if so := seg.Users[u1681].SegmentOptions; len(so) != 1 || so[0].UserSegment != wantMembership || so[0].Value != "Young Innovators" {
		t.Errorf("user 1681 memberships = %+v, want one: %+v", so, wantMembership)
	}

	// Order is the body's, not sorted by id: 1712 comes right after 1830.
	i1830, ok1 := index[1830]
	i1712, ok2 := index[1712]
	if !ok1 || !ok2 || i1712 != i1830+1 {
		t.Errorf("user 1830 at %d (%v), user 1712 at %d (%v); want 1712 right after 1830", i1830, ok1, i1712, ok2)
	}
	if seg.Users[len(seg.Users)-1].ID != 1855 {
		t.Errorf("last user = %d, want 1855", seg.Users[len(seg.Users)-1].ID)
	}
}

func TestGetSegmentDecodesOptionalAndUnknownFields(t *testing.T) {
	body := `{
		"success": true,
		"extraTopLevel": {"nested": [1, 2, 3]},
		"data": {
			"id": 7,
			"value": "Seven",
			"createdAt": "2025-01-02T03:04:05.000Z",
			"userCount": 2,
			"somethingNew": "ignored",
			"users": [
				{"id": 1, "email": "a@example.com", "user_subscriptions": [{"firstName": null, "userRole": "idm_member", "status": "active", "lastName": "x"}]},
				{"id": 2, "email": "b@example.com", "avatar": null}
			]
		}
	}`
	srv := serve(t, http.StatusOK, "application/json", body)
	seg, err := newClient(t, srv.URL).GetSegment(context.Background(), 7)
	if err != nil {
		t.Fatalf("GetSegment: %v", err)
	}
	if seg.ID != 7 || *seg.Value != "Seven" || *seg.CreatedAt != "2025-01-02T03:04:05.000Z" || *seg.UserCount != 2 {
		t.Errorf("segment = %+v", seg)
	}
	if len(seg.Users) != 2 {
		t.Fatalf("len(Users) = %d, want 2", len(seg.Users))
	}
	u1, u2 := seg.Users[0], seg.Users[1]
	if u1.ID != 1 || u1.Email != "a@example.com" || len(u1.Subscriptions) != 1 {
		t.Fatalf("user 1 = %+v", u1)
	}
	if s := u1.Subscriptions[0]; s.FirstName != nil || s.UserRole != "idm_member" || s.Status != "active" {
		t.Errorf("user 1 subscription = %+v", s)
	}
	if u1.SegmentOptions != nil {
		t.Errorf("user 1 segmentOptions = %#v, want nil", u1.SegmentOptions)
	}
	if u2.ID != 2 || u2.Email != "b@example.com" {
		t.Errorf("user 2 = %+v", u2)
	}
	if u2.Subscriptions != nil || u2.SegmentOptions != nil {
		t.Errorf("user 2 slices = %#v, %#v, want nil, nil", u2.Subscriptions, u2.SegmentOptions)
	}
}

// Null, empty and unusual values decode to what the provider maps.
func TestGetSegmentDecodesEdgeValues(t *testing.T) {
	ptr := func(s string) *string { return &s }
	tests := []struct {
		name string
		data string // the "data" object
		want shorterloop.Segment
	}{
		{
			name: "null fields are zero values and nil slices",
			data: `{"id":5,"value":null,"createdAt":null,"userCount":null,"users":[
				{"id":2,"email":null,"user_subscriptions":null,"segmentOptions":null},
				{"id":3,"user_subscriptions":[{"firstName":null,"userRole":null,"status":null}],
				 "segmentOptions":[{"value":null,"user_segment":null},{"value":"v","user_segment":{"segmentOptionId":3,"teamId":null,"createdAt":null}}]}]}`,
			want: shorterloop.Segment{ID: 5, Users: []shorterloop.User{
				{ID: 2},
				{ID: 3, Subscriptions: []shorterloop.Subscription{{}},
					SegmentOptions: []shorterloop.SegmentOption{{}, {Value: "v", UserSegment: shorterloop.UserSegment{SegmentOptionID: 3}}}},
			}},
		},
		{
			name: "null users",
			data: `{"id":5,"users":null}`,
			want: shorterloop.Segment{ID: 5},
		},
		{
			name: "empty arrays are empty, not nil",
			data: `{"id":5,"users":[{"id":1,"user_subscriptions":[],"segmentOptions":[]}]}`,
			want: shorterloop.Segment{ID: 5, Users: []shorterloop.User{{ID: 1, Subscriptions: []shorterloop.Subscription{}, SegmentOptions: []shorterloop.SegmentOption{}}}},
		},
		{
			name: "a first name is kept",
			data: `{"id":5,"users":[{"id":1,"user_subscriptions":[{"firstName":"Zoë","status":"active"}]}]}`,
			want: shorterloop.Segment{ID: 5, Users: []shorterloop.User{{ID: 1, Subscriptions: []shorterloop.Subscription{{FirstName: ptr("Zoë"), Status: "active"}}}}},
		},
		{
			// JSON.stringify writes names as documented; others are unknown fields.
			name: "names in another case are ignored",
			data: `{"id":5,"Value":"x","users":[{"ID":1,"Email":"a@b","id":2}]}`,
			want: shorterloop.Segment{ID: 5, Users: []shorterloop.User{{ID: 2}}},
		},
		{
			name: "invalid UTF-8 is replaced, in values and names",
			data: "{\"id\":5,\"users\":[{\"id\":1,\"email\":\"a\xffb@x.io\",\"\xfe\":1}]}",
			want: shorterloop.Segment{ID: 5, Users: []shorterloop.User{{ID: 1, Email: "a\uFFFDb@x.io"}}},
		},
		{
			name: "escapes are decoded",
			data: `{"id":5,"value":"\u00e9\"\\","users":[{"id":1,"email":"a\u0040b"}]}`,
			want: shorterloop.Segment{ID: 5, Value: new("é\"\\"), Users: []shorterloop.User{{ID: 1, Email: "a@b"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, http.StatusOK, "application/json", `{"success":true,"data":`+tt.data+`}`)
			seg, err := newClient(t, srv.URL).GetSegment(context.Background(), 5)
			if err != nil {
				t.Fatalf("GetSegment: %v", err)
			}
			if !reflect.DeepEqual(*seg, tt.want) {
				t.Errorf("segment =\n%#v\nwant\n%#v", *seg, tt.want)
			}
		})
	}
}

func TestGetSegmentWithoutUsers(t *testing.T) {
	srv := serve(t, http.StatusOK, "application/json", `{"success":true,"data":{"id":5,"value":"Empty","userCount":0}}`)
	seg, err := newClient(t, srv.URL).GetSegment(context.Background(), 5)
	if err != nil {
		t.Fatalf("GetSegment: %v", err)
	}
	if seg.ID != 5 || *seg.Value != "Empty" || seg.Users != nil || *seg.UserCount != 0 {
		t.Errorf("segment = %+v, want id 5, Empty, nil users", seg)
	}
}

// Absent and null fields stay apart from zero values: the API's page calls
// userCount optional.
func TestGetSegmentAbsentFieldsAreNil(t *testing.T) {
	for _, data := range []string{
		`{"id":5}`,
		`{"id":5,"value":null,"createdAt":null,"userCount":null,"users":null}`,
	} {
		srv := serve(t, http.StatusOK, "application/json", `{"success":true,"data":`+data+`}`)
		seg, err := newClient(t, srv.URL).GetSegment(context.Background(), 5)
		if err != nil {
			t.Fatalf("%s: GetSegment: %v", data, err)
		}
		if seg.Value != nil || seg.CreatedAt != nil || seg.UserCount != nil || seg.Users != nil {
			t.Errorf("%s: segment = %+v, want nil value, createdAt, userCount and users", data, seg)
		}
	}
}

func TestGetSegmentAPIErrors(t *testing.T) {
	longHTML := "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>\n<h1>502   Bad Gateway</h1>\n<p>" +
		strings.Repeat("The upstream server is unavailable. ", 200) + "</p></body></html>"
	tests := []struct {
		name        string
		status      int
		ct          string
		body        string
		sentinels   []error
		wantMessage string
		wantExcerpt string // exact, when set
		wantInError []string
	}{
		{
			name: "401", status: 401, ct: "application/json", body: `{"message":"Invalid token"}`,
			sentinels: []error{shorterloop.ErrUnauthorized}, wantMessage: "Invalid token",
			wantInError: []string{"401 Unauthorized", "Invalid token"},
		},
		{
			name: "403", status: 403, ct: "application/json", body: `{"success":false,"error":"not a member of this initiative"}`,
			sentinels: []error{shorterloop.ErrForbidden}, wantMessage: "not a member of this initiative",
			wantInError: []string{"403 Forbidden", "not a member of this initiative"},
		},
		{
			name: "404", status: 404, ct: "application/json", body: `{"success":false,"error":{"message":"Segment not found"}}`,
			sentinels: []error{shorterloop.ErrNotFound}, wantMessage: "Segment not found",
			wantInError: []string{"404 Not Found", "Segment not found"},
		},
		{
			name: "404 empty body", status: 404,
			sentinels:   []error{shorterloop.ErrNotFound},
			wantInError: []string{"API answered 404 Not Found"},
		},
		{
			name: "429 matches no sentinel", status: 429, ct: "text/plain", body: "slow down",
			wantExcerpt: "slow down", wantInError: []string{"429 Too Many Requests", "text/plain", "slow down"},
		},
		{
			name: "500 JSON message", status: 500, ct: "application/json; charset=utf-8",
			body:        `{"success":false,"message":"Internal server error: db timeout"}`,
			wantMessage: "Internal server error: db timeout",
			wantInError: []string{"500 Internal Server Error", "Internal server error: db timeout"},
		},
		{
			name: "502 HTML page", status: 502, ct: "text/html",
			body:        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
			wantExcerpt: "502 Bad Gateway 502 Bad Gateway nginx",
			wantInError: []string{"502 Bad Gateway (text/html): 502 Bad Gateway 502 Bad Gateway nginx"},
		},
		{
			name: "502 long HTML page", status: 502, ct: "text/html; charset=utf-8", body: longHTML,
			wantInError: []string{"502 Bad Gateway", "The upstream server is unavailable."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.status, tt.ct, tt.body)
			seg, err := newClient(t, srv.URL).GetSegment(context.Background(), 18)
			if err == nil || seg != nil {
				t.Fatalf("GetSegment = %+v, %v; want an error", seg, err)
			}
			assertSentinels(t, err, tt.sentinels...)
			var apiErr *shorterloop.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T %v is not an *APIError", err, err)
			}
			var invErr *shorterloop.InvalidResponseError
			if errors.As(err, &invErr) {
				t.Errorf("an API error is also an *InvalidResponseError")
			}
			if apiErr.StatusCode != tt.status {
				t.Errorf("StatusCode = %d, want %d", apiErr.StatusCode, tt.status)
			}
			if apiErr.ContentType != tt.ct {
				t.Errorf("ContentType = %q, want %q", apiErr.ContentType, tt.ct)
			}
			if apiErr.Message != tt.wantMessage {
				t.Errorf("Message = %q, want %q", apiErr.Message, tt.wantMessage)
			}
			if tt.wantExcerpt != "" && apiErr.Excerpt != tt.wantExcerpt {
				t.Errorf("Excerpt = %q, want %q", apiErr.Excerpt, tt.wantExcerpt)
			}
			if tt.body == "" && apiErr.Excerpt != "" {
				t.Errorf("Excerpt = %q for an empty body", apiErr.Excerpt)
			}
			checkExcerpt(t, apiErr.Excerpt)
			for _, s := range tt.wantInError {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			assertNoToken(t, err)
		})
	}
}

// checkExcerpt asserts the excerpt is a short single line with no markup.
func checkExcerpt(t *testing.T, excerpt string) {
	t.Helper()
	if n := utf8.RuneCountInString(excerpt); n > 201 {
		t.Errorf("excerpt is %d runes long, want at most 201: %q", n, excerpt)
	}
	if strings.ContainsAny(excerpt, "<>\n\r\t") {
		t.Errorf("excerpt has markup or control characters: %q", excerpt)
	}
	if strings.Contains(excerpt, "  ") {
		t.Errorf("excerpt has runs of spaces: %q", excerpt)
	}
}

func TestLongHTMLErrorExcerptIsCut(t *testing.T) {
	page := "<html><body><h1>Service Unavailable</h1><p>" + strings.Repeat("ééé maintenance ", 500) + "</p></body></html>"
	srv := serve(t, http.StatusServiceUnavailable, "text/html", page)
	_, err := newClient(t, srv.URL).GetSegment(context.Background(), 18)
	var apiErr *shorterloop.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %T %v is not an *APIError", err, err)
	}
	if !strings.HasPrefix(apiErr.Excerpt, "Service Unavailable ééé maintenance ééé") {
		t.Errorf("Excerpt = %q", apiErr.Excerpt)
	}
	if !strings.HasSuffix(apiErr.Excerpt, "…") || strings.HasSuffix(apiErr.Excerpt, " …") {
		t.Errorf("a cut excerpt should end with an ellipsis: %q", apiErr.Excerpt)
	}
	if n := utf8.RuneCountInString(apiErr.Excerpt); n < 190 || n > 201 {
		t.Errorf("Excerpt is %d runes, want about 200", n)
	}
	if len(err.Error()) > 400 {
		t.Errorf("error string is %d bytes, want a short one: %q", len(err.Error()), err)
	}
}

func TestGetSegmentInvalidResponses(t *testing.T) {
	example := readExample(t)
	tests := []struct {
		name        string
		ct          string
		body        string
		wantReason  string // exact
		wantErrIs   error  // an extra error the chain must match
		wantExcerpt string // exact, when set
		wantInError []string
	}{
		{
			name: "success false with message", ct: "application/json",
			body:       `{"success":false,"message":"Segment belongs to another initiative"}`,
			wantReason: `"success" is false: Segment belongs to another initiative`,
		},
		{
			name: "success false with error string", ct: "application/json",
			body:       `{"success":false,"error":"bad initiative"}`,
			wantReason: `"success" is false: bad initiative`,
		},
		{
			name: "success false with error object", ct: "application/json",
			body:       `{"success":false,"error":{"code":42,"message":"nested message"}}`,
			wantReason: `"success" is false: nested message`,
		},
		{
			name: "success false without message", ct: "application/json",
			body:       `{"success":false}`,
			wantReason: `"success" is false`,
		},
		{
			name: "HTML page", ct: "text/html; charset=UTF-8",
			body:        "<!doctype html><html><head><title>Sign in</title></head><body><div id=\"root\">Please sign in</div></body></html>",
			wantReason:  "expected JSON, got an HTML page",
			wantExcerpt: "Sign in Please sign in",
		},
		{
			name: "HTML page with a JSON body", ct: "text/html",
			body:       string(example),
			wantReason: "expected JSON, got an HTML page",
		},
		{
			name: "plain text", ct: "text/plain",
			body:        "hello world",
			wantReason:  "body is not valid JSON",
			wantExcerpt: "hello world",
		},
		{
			name: "HTML without a content type", ct: "",
			body:       "<html><body>oops</body></html>",
			wantReason: "body is not valid JSON",
			// Without an HTML content type the tags are kept, so the
			// excerpt check below is not applied to this case.
		},
		{
			name: "empty body", ct: "application/json",
			body:       "",
			wantReason: "body ended before the JSON was complete",
			wantErrIs:  io.EOF,
		},
		{
			name: "truncated JSON", ct: "application/json",
			body:        string(example[:len(example)/2]),
			wantReason:  "body ended before the JSON was complete",
			wantErrIs:   io.ErrUnexpectedEOF,
			wantInError: []string{`unexpected EOF within "/data/users/`},
		},
		{
			name: "id as a string", ct: "application/json",
			body:        `{"success":true,"data":{"id":"19","value":"Young Innovators"}}`,
			wantReason:  "JSON does not have the documented shape",
			wantInError: []string{`JSON string into Go int64 within "/data/id"`},
		},
		{
			name: "a user's id as a fraction", ct: "application/json",
			body:        `{"success":true,"data":{"id":19,"users":[{"id":1},{"id":2.5}]}}`,
			wantReason:  "JSON does not have the documented shape",
			wantInError: []string{`JSON number 2.5 into Go int64 within "/data/users/1/id"`},
		},
		{
			name: "id out of range", ct: "application/json",
			body:        `{"success":true,"data":{"id":9223372036854775808}}`,
			wantReason:  "JSON does not have the documented shape",
			wantInError: []string{`within "/data/id": value out of range`},
		},
		{
			name: "users as an object", ct: "application/json",
			body:        `{"success":true,"data":{"id":19,"users":{"id":1}}}`,
			wantReason:  "JSON does not have the documented shape",
			wantInError: []string{`JSON object into Go []shorterloop.User within "/data/users"`},
		},
		{
			name: "success as a string", ct: "application/json",
			body:       `{"success":"true","data":{"id":19}}`,
			wantReason: "JSON does not have the documented shape",
		},
		{
			name: "top-level array", ct: "application/json",
			body:       `[{"success":true}]`,
			wantReason: "JSON does not have the documented shape",
		},
		{
			name: "missing data", ct: "application/json",
			body:       `{"success":true}`,
			wantReason: `body has no "data" object`,
		},
		{
			name: "null data", ct: "application/json",
			body:       `{"success":true,"data":null}`,
			wantReason: `body has no "data" object`,
		},
		{
			name: "data without id", ct: "application/json",
			body:       `{"success":true,"data":{"value":"Young Innovators","users":[]}}`,
			wantReason: `"data" has no segment "id"`,
		},
		{
			name: "missing success", ct: "application/json",
			body:       `{"data":{"id":19}}`,
			wantReason: `body has no "success" field`,
		},
		{
			name: "trailing garbage", ct: "application/json",
			body:        `{"success":true,"data":{"id":19}} xyz`,
			wantReason:  "body is not valid JSON",
			wantInError: []string{"invalid character 'x' at start of value"},
		},
		{
			name: "invalid JSON inside a user", ct: "application/json",
			body:        `{"success":true,"data":{"id":19,"users":[{"id":1,"email":tru}]}}`,
			wantReason:  "body is not valid JSON",
			wantInError: []string{`invalid character '}' in literal true (expecting 'e') within "/data/users/0/email"`},
		},
		{
			// JSON.stringify never writes a name twice.
			name: "duplicate name", ct: "application/json",
			body:        `{"success":true,"data":{"id":19,"users":[{"id":1,"id":2}]}}`,
			wantReason:  "body is not valid JSON",
			wantInError: []string{`duplicate object member name "id" within "/data/users/0"`},
		},
		{
			name: "second JSON value", ct: "application/json",
			body:        `{"success":true,"data":{"id":19}}{"success":true,"data":{"id":20}}`,
			wantReason:  "body has more than one JSON value",
			wantInError: []string{"data after the JSON value"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, http.StatusOK, tt.ct, tt.body)
			seg, err := newClient(t, srv.URL).GetSegment(context.Background(), 18)
			if err == nil || seg != nil {
				t.Fatalf("GetSegment = %+v, %v; want an error", seg, err)
			}
			assertSentinels(t, err, shorterloop.ErrInvalidResponse)
			var invErr *shorterloop.InvalidResponseError
			if !errors.As(err, &invErr) {
				t.Fatalf("error %T %v is not an *InvalidResponseError", err, err)
			}
			var apiErr *shorterloop.APIError
			if errors.As(err, &apiErr) {
				t.Errorf("a 200 answer gave an *APIError")
			}
			if invErr.StatusCode != http.StatusOK {
				t.Errorf("StatusCode = %d, want 200", invErr.StatusCode)
			}
			if invErr.ContentType != tt.ct {
				t.Errorf("ContentType = %q, want %q", invErr.ContentType, tt.ct)
			}
			if tt.wantReason != "" && invErr.Reason != tt.wantReason {
				t.Errorf("Reason = %q, want %q", invErr.Reason, tt.wantReason)
			}
			if tt.wantErrIs != nil && !errors.Is(err, tt.wantErrIs) {
				t.Errorf("errors.Is(err, %v) = false for %v", tt.wantErrIs, err)
			}
			if tt.wantExcerpt != "" && invErr.Excerpt != tt.wantExcerpt {
				t.Errorf("Excerpt = %q, want %q", invErr.Excerpt, tt.wantExcerpt)
			}
			if tt.body != "" && invErr.Excerpt == "" {
				t.Errorf("Excerpt is empty for a non-empty body")
			}
			if tt.ct != "" {
				checkExcerpt(t, invErr.Excerpt)
			}
			if !strings.Contains(err.Error(), invErr.Reason) {
				t.Errorf("error %q does not contain the reason %q", err, invErr.Reason)
			}
			for _, s := range tt.wantInError {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			assertNoToken(t, err)
		})
	}
}

func TestWrongShapeUnwrapsToJSONError(t *testing.T) {
	srv := serve(t, http.StatusOK, "application/json", `{"success":true,"data":{"id":"19"}}`)
	_, err := newClient(t, srv.URL).GetSegment(context.Background(), 18)
	var semErr *json.SemanticError
	if !errors.As(err, &semErr) {
		t.Fatalf("error %v does not wrap a *json.SemanticError", err)
	}
	if semErr.JSONKind != '"' || semErr.JSONPointer != "/data/id" || semErr.GoType != reflect.TypeFor[int64]() {
		t.Errorf("SemanticError kind %v at %q into %v, want a string at /data/id into int64", semErr.JSONKind, semErr.JSONPointer, semErr.GoType)
	}
}

func TestBodyLimit(t *testing.T) {
	body := readExample(t)
	size := int64(len(body))
	tests := []struct {
		name    string
		limit   int64
		wantErr bool
	}{
		{name: "exactly at the limit", limit: size},
		{name: "one byte under the limit", limit: size + 1},
		{name: "one byte over the limit", limit: size - 1, wantErr: true},
		{name: "far over the limit", limit: 1000, wantErr: true},
		{name: "over a limit smaller than one read", limit: 10, wantErr: true},
	}
	// With a Content-Length the client refuses an oversized body before
	// reading it; chunked, it stops reading at the limit.
	chunked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for chunk := range slices.Chunk(body, 7) {
			_, _ = w.Write(chunk)
			_ = http.NewResponseController(w).Flush()
		}
	}))
	t.Cleanup(chunked.Close)
	for _, tt := range tests {
		for _, mode := range []string{"content-length", "chunked"} {
			t.Run(tt.name+" "+mode, func(t *testing.T) {
				srv := serve(t, http.StatusOK, "application/json", string(body))
				if mode == "chunked" {
					srv = chunked
				}
				c := newClient(t, srv.URL, func(cfg *shorterloop.Config) { cfg.MaxBodyBytes = tt.limit })
				seg, err := c.GetSegment(context.Background(), 18)
				if !tt.wantErr {
					if err != nil {
						t.Fatalf("GetSegment: %v", err)
					}
					if seg.ID != 19 || len(seg.Users) != 39 {
						t.Errorf("segment %d with %d users, want 19 with 39", seg.ID, len(seg.Users))
					}
					return
				}
				if err == nil || seg != nil {
					t.Fatalf("GetSegment = %v, %v; want a too-large error", seg, err)
				}
				var tooLarge *shorterloop.BodyTooLargeError
				if !errors.As(err, &tooLarge) {
					t.Fatalf("error %T %v is not a *BodyTooLargeError", err, err)
				}
				if tooLarge.Limit != tt.limit {
					t.Errorf("Limit = %d, want %d", tooLarge.Limit, tt.limit)
				}
				assertSentinels(t, err, shorterloop.ErrInvalidResponse)
				if want := fmt.Sprintf("%d-byte limit", tt.limit); !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name the limit (%q)", err, want)
				}
			})
		}
	}
}

func TestBodyTooLargeErrorMessage(t *testing.T) {
	tests := []struct {
		limit int64
		want  string
	}{
		{shorterloop.DefaultMaxBodyBytes, "response body is larger than the 256 MiB limit"},
		{1 << 20, "response body is larger than the 1 MiB limit"},
		{1000, "response body is larger than the 1000-byte limit"},
		{3 << 19, "response body is larger than the 1572864-byte limit"},
	}
	for _, tt := range tests {
		if got := (&shorterloop.BodyTooLargeError{Limit: tt.limit}).Error(); got != tt.want {
			t.Errorf("Limit %d: Error() = %q, want %q", tt.limit, got, tt.want)
		}
	}
}

func TestDefaultMaxBodyAcceptsLargeBody(t *testing.T) {
	// A body larger than the default net/http buffers but far under the
	// default limit, with the default MaxBodyBytes (zero in Config).
	var b strings.Builder
	b.WriteString(`{"success":true,"data":{"id":3,"value":"Big","users":[`)
	const n = 20000
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"email":"user%d@example.com","user_subscriptions":[{"firstName":null,"userRole":"idm_member","status":"pending"}]}`, i+1, i+1)
	}
	fmt.Fprintf(&b, `],"userCount":%d}}`, n)
	srv := serve(t, http.StatusOK, "application/json", b.String())
	seg, err := newClient(t, srv.URL).GetSegment(context.Background(), 3)
	if err != nil {
		t.Fatalf("GetSegment: %v", err)
	}
	if len(seg.Users) != n || *seg.UserCount != n || seg.Users[n-1].Email != fmt.Sprintf("user%d@example.com", n) {
		t.Errorf("got %d users (count %d), last %q", len(seg.Users), *seg.UserCount, seg.Users[len(seg.Users)-1].Email)
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ct     string
		// body is rendered with the request's Authorization header value
		// (which is "Bearer <token>") in place of %[1]s and the bare token
		// in place of %[2]s.
		body string
	}{
		{name: "401 JSON message echoes header", status: 401, ct: "application/json", body: `{"message":"bad credentials: %[1]s"}`},
		{name: "401 JSON error echoes token", status: 401, ct: "application/json", body: `{"error":"token %[2]s expired"}`},
		{name: "500 plain text echo", status: 500, ct: "text/plain", body: "request failed\nAuthorization: %[1]s\n"},
		{name: "502 HTML echo", status: 502, ct: "text/html", body: "<html><body><h1>Bad Gateway</h1><pre>Authorization: %[1]s</pre></body></html>"},
		{name: "400 non-JSON body with JSON content type", status: 400, ct: "application/json", body: "token=%[2]s is invalid"},
		{name: "200 success false message", status: 200, ct: "application/json", body: `{"success":false,"message":"you sent %[1]s"}`},
		{name: "200 success false error object", status: 200, ct: "application/json", body: `{"success":false,"error":{"message":"you sent %[2]s"}}`},
		{name: "200 HTML echo", status: 200, ct: "text/html", body: "<p>Your token: <b>%[2]s</b></p>"},
		{name: "200 plain text echo", status: 200, ct: "text/plain", body: "%[1]s"},
		{name: "200 wrong shape echo", status: 200, ct: "application/json", body: `{"success":true,"data":{"id":"%[2]s"}}`},
		{name: "200 missing data echo", status: 200, ct: "application/json", body: `{"success":true,"note":"%[2]s"}`},
		// JSON errors quote names, and shorten long paths.
		{name: "200 token as a name before invalid JSON", status: 200, ct: "application/json", body: `{"%[2]s": tru}`},
		{name: "200 token as a name deep before invalid JSON", status: 200, ct: "application/json", body: `{"success":true,"data":{"users":[{"segmentOptions":[{"user_segment":{"%[2]s": tru}}]}]}}`},
		{name: "200 token as a duplicate name", status: 200, ct: "application/json", body: `{"a":{"%[2]s":1,"%[2]s":2}}`},
		{name: "200 token as a name of a wrong value", status: 200, ct: "application/json", body: `{"success":true,"error":{"%[2]s":1e400},"data":{"id":19}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				auth := r.Header.Get("Authorization")
				w.Header().Set("Content-Type", tt.ct)
				w.WriteHeader(tt.status)
				_, _ = fmt.Fprintf(w, tt.body, auth, strings.TrimPrefix(auth, "Bearer ")) //nolint:gosec // G705: echoes the token on purpose
			}))
			defer srv.Close()
			_, err := newClient(t, srv.URL).GetSegment(context.Background(), 18)
			assertNoToken(t, err)
			if !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("error %q does not show where the token was redacted", err)
			}
			// The fields a caller might log separately must be clean too.
			var apiErr *shorterloop.APIError
			var invErr *shorterloop.InvalidResponseError
			switch {
			case errors.As(err, &apiErr):
				for _, f := range []string{apiErr.Message, apiErr.Excerpt} {
					if strings.Contains(f, testToken) {
						t.Errorf("APIError field contains the token: %q", f)
					}
				}
			case errors.As(err, &invErr):
				for _, f := range []string{invErr.Reason, invErr.Excerpt} {
					if strings.Contains(f, testToken) {
						t.Errorf("InvalidResponseError field contains the token: %q", f)
					}
				}
			default:
				t.Errorf("unexpected error type %T", err)
			}
		})
	}
}

// TestTokenCutAtExcerptEnd moves an echoed token across the points where the
// client stops keeping the body for an excerpt, behind padding that
// the excerpt collapses, so that a cut token would show in the error.
func TestTokenCutAtExcerptEnd(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ct     string
		pad    string
	}{
		{name: "502 HTML", status: 502, ct: "text/html", pad: "<br>"},
		{name: "500 text", status: 500, ct: "text/plain", pad: " "},
		{name: "200 HTML", status: 200, ct: "text/html", pad: "<i></i>"},
		{name: "200 text", status: 200, ct: "text/plain", pad: "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The client keeps 512 bytes after some failures and 4 KiB
			// after others; the echo is about 105 bytes long.
			var sizes []int
			for size := 380; size <= 540; size++ {
				sizes = append(sizes, size, size+3580)
			}
			for _, size := range sizes {
				var body string
				hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					echo := "Authorization: " + r.Header.Get("Authorization")
					padding := strings.Repeat(tt.pad, size/len(tt.pad)+1)[:size]
					body = padding + echo + strings.Repeat(" ", 600)
					return &http.Response{
						StatusCode: tt.status,
						Header:     http.Header{"Content-Type": {tt.ct}},
						Body:       io.NopCloser(strings.NewReader(body)),
						Request:    r,
					}, nil
				})}
				c := newClient(t, "https://api.example.com", func(cfg *shorterloop.Config) { cfg.HTTPClient = hc })
				_, err := c.GetSegment(context.Background(), 18)
				if err == nil {
					t.Fatalf("padding %d: want an error", size)
				}
				if strings.Contains(err.Error(), testToken) {
					t.Fatalf("padding %d: error contains the token: %q", size, err)
				}
				if part := tokenPart(err.Error()); part != "" {
					t.Fatalf("padding %d: error contains part of the token (%q): %q", size, part, err)
				}
			}
		})
	}
}

func TestContextCancelled(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
	}))
	// Cleanups run last-in first-out: release the handler, then close.
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newClient(t, srv.URL)

	type result struct {
		seg *shorterloop.Segment
		err error
	}
	done := make(chan result, 1)
	go func() {
		seg, err := c.GetSegment(ctx, 18)
		done <- result{seg, err}
	}()

	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the server")
	}
	start := time.Now()
	cancel()
	select {
	case res := <-done:
		if res.err == nil || res.seg != nil {
			t.Fatalf("GetSegment = %v, %v; want an error", res.seg, res.err)
		}
		if !errors.Is(res.err, context.Canceled) {
			t.Errorf("errors.Is(err, context.Canceled) = false for %v", res.err)
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("GetSegment took %v to return after cancel", elapsed)
		}
		assertSentinels(t, res.err)
		assertNoToken(t, res.err)
	case <-time.After(5 * time.Second):
		t.Fatal("GetSegment did not return after the context was cancelled")
	}
}

func TestContextDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, c, _ := fakeClient(t)
		api.SetFault(18, fakeapi.Fault{Delay: time.Hour})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.GetSegment(ctx, 18)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("errors.Is(err, context.DeadlineExceeded) = false for %v", err)
		}
		if elapsed := time.Since(start); elapsed != 50*time.Millisecond {
			t.Errorf("GetSegment took %v with a 50ms deadline", elapsed)
		}
	})
}

func TestAlreadyCancelledContext(t *testing.T) {
	hits := 0
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, srv.URL).GetSegment(ctx, 18)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(err, context.Canceled) = false for %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Errorf("server saw %d requests with a cancelled context", hits)
	}
}

func TestTransportError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	base := srv.URL + "/proxy"
	srv.Close()

	_, err := newClient(t, base).GetSegment(context.Background(), 18)
	if err == nil {
		t.Fatal("want an error from a closed server")
	}
	wantURL := base + segmentPath
	if !strings.HasPrefix(err.Error(), "GET "+wantURL+" failed: ") {
		t.Errorf("error %q does not start with %q", err, "GET "+wantURL+" failed: ")
	}
	// The URL is named once, not repeated by a *url.Error wrapper.
	if n := strings.Count(err.Error(), wantURL); n != 1 {
		t.Errorf("error names the URL %d times: %q", n, err)
	}
	assertNoToken(t, err)
	assertSentinels(t, err)
	var apiErr *shorterloop.APIError
	if errors.As(err, &apiErr) {
		t.Error("a transport error is an *APIError")
	}
}

func TestTransportErrorRedactsURLPassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	base := strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1)
	srv.Close()

	_, err := newClient(t, base).GetSegment(context.Background(), 18)
	if err == nil {
		t.Fatal("want an error from a closed server")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error contains the URL password: %q", err)
	}
	if !strings.Contains(err.Error(), "user:xxxxx@") {
		t.Errorf("error %q does not show the redacted URL", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	body := readExample(t)
	srv := serve(t, http.StatusOK, "application/json", string(body))
	c := newClient(t, srv.URL)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			seg, err := c.GetSegment(context.Background(), 18)
			if err == nil && (seg.ID != 19 || len(seg.Users) != 39) {
				err = fmt.Errorf("segment %d with %d users", seg.ID, len(seg.Users))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// Every read error names the method and the URL asked, once.
func TestErrorsNameTheURLOnce(t *testing.T) {
	for _, tt := range []struct {
		name, contentType, body string
		status                  int
	}{
		{name: "404", status: http.StatusNotFound, contentType: "application/json", body: `{"success":false,"message":"Segment not found"}`},
		{name: "invalid body", status: http.StatusOK, contentType: "application/json", body: `{"success":true}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.status, tt.contentType, tt.body)
			_, err := newClient(t, srv.URL+"/api").GetSegment(context.Background(), 19)
			want := "GET " + srv.URL + "/api/api/v2/segments/with-users/19 failed: "
			if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Count(err.Error(), srv.URL) != 1 {
				t.Errorf("error = %v, want it to start with %q and name the URL once", err, want)
			}
		})
	}
}
