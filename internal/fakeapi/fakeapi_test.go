package fakeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

const (
	token      = "test-token"
	initiative = "SHO-TEST"
)

// do sends a request with the given headers, set with their names exactly as
// written (not canonicalised), and returns status, Content-Type and body.
func do(t *testing.T, url, method, path string, header map[string]string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = []string{v}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func good() map[string]string {
	return map[string]string{"Authorization": "Bearer " + token, "initiativeId": initiative}
}

func with(k, v string) map[string]string {
	h := good()
	if v == "" {
		delete(h, k)
	} else {
		h[k] = v
	}
	return h
}

func TestVendorExampleIsTheTestdataFile(t *testing.T) {
	want, err := os.ReadFile("testdata/segment-with-users-18.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(VendorExample, want) {
		t.Fatal("VendorExample differs from testdata/segment-with-users-18.json")
	}
}

func TestStatuses(t *testing.T) {
	ts := httptest.NewServer(New(token, initiative))
	defer ts.Close()

	const seg19 = "/api/v2/segments/with-users/19"
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		status int
	}{
		{"segment 19", "GET", seg19, good(), 200},
		{"segment 18 answers with 19", "GET", "/api/v2/segments/with-users/18", good(), 200},
		{"lower-case initiativeid header", "GET", seg19,
			map[string]string{"authorization": "Bearer " + token, "initiativeid": initiative}, 200},
		{"vendor web client's InitiativeId header", "GET", seg19,
			map[string]string{"Authorization": "Bearer " + token, "InitiativeId": initiative}, 200},
		{"no Authorization", "GET", seg19, with("Authorization", ""), 401},
		{"wrong token", "GET", seg19, with("Authorization", "Bearer nope"), 401},
		{"token without Bearer", "GET", seg19, with("Authorization", token), 401},
		{"token checked before initiative", "GET", seg19,
			map[string]string{"Authorization": "Bearer nope", "initiativeId": "SHO-OTHER"}, 401},
		{"no initiativeId", "GET", seg19, with("initiativeId", ""), 400},
		{"initiativeId checked before segment", "GET", "/api/v2/segments/with-users/20", with("initiativeId", ""), 400},
		{"other initiative", "GET", seg19, with("initiativeId", "SHO-OTHER"), 403},
		{"unknown segment", "GET", "/api/v2/segments/with-users/20", good(), 404},
		{"non-integer id", "GET", "/api/v2/segments/with-users/abc", good(), 400},
		{"id out of int64 range", "GET", "/api/v2/segments/with-users/99999999999999999999", good(), 400},
		{"id zero", "GET", "/api/v2/segments/with-users/0", good(), 404},
		{"no id", "GET", "/api/v2/segments/with-users/", good(), 404},
		{"extra path segment", "GET", seg19 + "/users", good(), 404},
		{"other path", "GET", "/api/v1/segments/19", good(), 404},
		{"root", "GET", "/", good(), 404},
		{"POST", "POST", seg19, good(), 405},
		{"DELETE", "DELETE", seg19, good(), 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ct, body := do(t, ts.URL, tt.method, tt.path, tt.header)
			if status != tt.status {
				t.Fatalf("status %d, want %d; body %s", status, tt.status, body)
			}
			if ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if status == 200 {
				if !bytes.Equal(body, VendorExample) {
					t.Errorf("body is not the vendor example byte for byte:\n%s", body)
				}
				return
			}
			var e struct {
				Success *bool  `json:"success"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("error body is not JSON: %v: %s", err, body)
			}
			if e.Success == nil || *e.Success || e.Message == "" {
				t.Errorf(`error body %s, want {"success":false,"message":"..."}`, body)
			}
		})
	}
}

func client(t *testing.T, url string) *shorterloop.Client {
	t.Helper()
	c, err := shorterloop.NewClient(shorterloop.Config{BaseURL: url, Token: token, InitiativeID: initiative})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVendorExampleThroughClient(t *testing.T) {
	ts := httptest.NewServer(New(token, initiative))
	defer ts.Close()

	for _, id := range []int64{18, 19} {
		seg, err := client(t, ts.URL).GetSegment(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if seg.ID != 19 || *seg.Value != "Young Innovators" || *seg.UserCount != 39 || len(seg.Users) != 39 {
			t.Errorf("segment %d: got id %d %q, userCount %d, %d users; want 19 \"Young Innovators\", 39, 39",
				id, seg.ID, *seg.Value, *seg.UserCount, len(seg.Users))
		}
		if seg.Users[0].Email != "aarav.patel@shorterloop.com" {
			t.Errorf("first user %q", seg.Users[0].Email)
		}
	}
}

func TestSetSegmentRoundTrip(t *testing.T) {
	api := New(token, initiative)
	ts := httptest.NewServer(api)
	defer ts.Close()

	name := "Ada"
	want := shorterloop.Segment{
		ID:        7,
		Value:     new("Early Adopters"),
		CreatedAt: new("2025-01-02T03:04:05.000Z"),
		UserCount: new(int64(2)),
		Users: []shorterloop.User{
			{
				ID: 2, Email: "ada@example.com",
				Subscriptions: []shorterloop.Subscription{{FirstName: &name, UserRole: "idm_member", Status: "active"}},
				SegmentOptions: []shorterloop.SegmentOption{{
					Value: "Early Adopters",
					UserSegment: shorterloop.UserSegment{SegmentOptionID: 7, InitiativeID: 1117,
						SubscriptionID: 1063, CreatedAt: "2025-01-02T03:04:05.000Z", UpdatedAt: "2025-01-02T03:04:05.000Z"},
				}},
			},
			{
				ID: 1, Email: "bob@example.com",
				Subscriptions:  []shorterloop.Subscription{{FirstName: nil, UserRole: "idm_member", Status: "pending"}},
				SegmentOptions: []shorterloop.SegmentOption{},
			},
		},
	}
	api.SetSegment(7, want)

	got, err := client(t, ts.URL).GetSegment(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("round trip changed the segment:\n got %+v\nwant %+v", *got, want)
	}
}

func TestSetBodyServesACopy(t *testing.T) {
	api := New(token, initiative)
	ts := httptest.NewServer(api)
	defer ts.Close()

	body := []byte(`{"success":true,"data":{"id":5}}`)
	api.SetBody(5, body)
	body[0] = 'X'

	status, ct, got := do(t, ts.URL, "GET", "/api/v2/segments/with-users/5", good())
	if status != 200 || ct != "application/json" || string(got) != `{"success":true,"data":{"id":5}}` {
		t.Errorf("got %d %q %s", status, ct, got)
	}
}

func TestFault(t *testing.T) {
	api := New(token, initiative)
	ts := httptest.NewServer(api)
	defer ts.Close()
	const path = "/api/v2/segments/with-users/19"

	api.SetFault(19, Fault{Status: 502, ContentType: "text/html", Body: "<html><h1>502 Bad Gateway</h1></html>"})

	status, ct, body := do(t, ts.URL, "GET", path, good())
	if status != 502 || ct != "text/html" || string(body) != "<html><h1>502 Bad Gateway</h1></html>" {
		t.Errorf("got %d %q %s", status, ct, body)
	}
	if status, _, _ := do(t, ts.URL, "GET", path, with("Authorization", "Bearer nope")); status != 401 {
		t.Errorf("fault answered before the token check: %d", status)
	}
	if status, _, _ := do(t, ts.URL, "GET", "/api/v2/segments/with-users/18", good()); status != 200 {
		t.Errorf("fault for 19 leaked to 18: %d", status)
	}

	_, err := client(t, ts.URL).GetSegment(context.Background(), 19)
	var apiErr *shorterloop.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 || apiErr.ContentType != "text/html" {
		t.Errorf("client error %v, want an APIError for 502 text/html", err)
	}

	// A fault for an id with no segment still applies, and may have no Content-Type.
	api.SetFault(20, Fault{Status: 429, Body: "slow down"})
	req, _ := http.NewRequestWithContext(t.Context(), "GET", ts.URL+"/api/v2/segments/with-users/20", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("initiativeId", initiative)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if _, has := resp.Header["Content-Type"]; resp.StatusCode != 429 || has || string(got) != "slow down" {
		t.Errorf("got %d, Content-Type %q, body %q", resp.StatusCode, resp.Header.Values("Content-Type"), got)
	}

	api.SetFault(19, Fault{})
	if status, _, body := do(t, ts.URL, "GET", path, good()); status != 200 || !bytes.Equal(body, VendorExample) {
		t.Errorf("after clearing the fault: %d %.60s", status, body)
	}
}

func TestRequests(t *testing.T) {
	api := New(token, initiative)
	ts := httptest.NewServer(api)
	defer ts.Close()
	get := func(id string, h map[string]string) { do(t, ts.URL, "GET", "/api/v2/segments/with-users/"+id, h) }

	get("19", good())
	get("19", with("Authorization", "")) // rejected, still counted
	get("19", with("initiativeId", "SHO-OTHER"))
	do(t, ts.URL, "POST", "/api/v2/segments/with-users/19", good())
	get("20", good()) // unknown segment
	get("abc", good())

	for id, want := range map[int64]int{19: 4, 20: 1, 18: 0} {
		if got := api.Requests(id); got != want {
			t.Errorf("Requests(%d) = %d, want %d", id, got, want)
		}
	}

	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			// t.Fatal must not be called here, so no do().
			req, _ := http.NewRequestWithContext(t.Context(), "GET", ts.URL+"/api/v2/segments/with-users/18", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_ = resp.Body.Close()
		})
	}
	wg.Wait()
	if got := api.Requests(18); got != 50 {
		t.Errorf("Requests(18) = %d after 50 concurrent requests", got)
	}
}

// TestRateLimit: n requests in each one-second window, across segments, and
// 429 with Retry-After: 1 past them.
func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := New(token, initiative)
		api.SetRateLimit(2)
		get := func(id string) (int, string) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequestWithContext(t.Context(), "GET", "/api/v2/segments/with-users/"+id, nil)
			for k, v := range good() {
				req.Header.Set(k, v)
			}
			api.ServeHTTP(rec, req)
			return rec.Code, rec.Header().Get("Retry-After")
		}
		time.Sleep(500 * time.Millisecond)
		var got []string
		for _, id := range []string{"19", "18", "19"} {
			code, ra := get(id)
			got = append(got, fmt.Sprint(code, " ", ra))
		}
		time.Sleep(500 * time.Millisecond) // the next window
		code, ra := get("19")
		got = append(got, fmt.Sprint(code, " ", ra))
		if want := []string{"200 ", "200 ", "429 1", "200 "}; !reflect.DeepEqual(got, want) {
			t.Errorf("answers = %q, want %q", got, want)
		}
		if api.Requests(19) != 3 {
			t.Errorf("Requests(19) = %d, want 3, the refused one included", api.Requests(19))
		}
	})
}
