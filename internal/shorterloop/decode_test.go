package shorterloop_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// getBody runs GetSegment against a 200 JSON answer that reads from body.
func getBody(t *testing.T, body io.Reader) (*shorterloop.Segment, error) {
	t.Helper()
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: http.StatusOK,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(body),
			Request:    r,
		}, nil
	})}
	c := newClient(t, "https://api.example.com", func(cfg *shorterloop.Config) { cfg.HTTPClient = hc })
	return c.GetSegment(context.Background(), 18)
}

// A body that fails part way gives the reader's error, wherever it fails.
func TestGetSegmentBodyReadError(t *testing.T) {
	example := readExample(t)
	boom := errors.New("connection reset")
	for cut := 0; cut < len(example); cut += 61 {
		r := io.MultiReader(bytes.NewReader(example[:cut]), iotest.ErrReader(boom))
		seg, err := getBody(t, iotest.HalfReader(r))
		if seg != nil || !errors.Is(err, boom) {
			t.Fatalf("cut at %d: GetSegment = %v, %v; want the reader's error", cut, seg, err)
		}
		assertSentinels(t, err)
	}
}

// Long runs of white space anywhere decode like single spaces.
func TestGetSegmentLongWhiteSpace(t *testing.T) {
	pad := strings.Repeat(" \n", 2<<20)
	body := `{` + pad + `"success":true,"data":{"id":19,"users":[` + pad + `{"id":1,` + pad + `"email":"a@b"}` + pad + `,` + pad +
		`{"id":2}` + pad + `]` + pad + `,"userCount":2}` + pad + `}` + pad
	seg, err := getBody(t, iotest.HalfReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	want := shorterloop.Segment{ID: 19, Users: []shorterloop.User{{ID: 1, Email: "a@b"}, {ID: 2}}, UserCount: new(int64(2))}
	if !reflect.DeepEqual(*seg, want) {
		t.Errorf("segment = %+v, want %+v", *seg, want)
	}
}

// fuzzSeeds are bodies at the edges of the decoder; TOKEN stands for the token.
var fuzzSeeds = []string{
	``,
	`null`,
	`{}`,
	`[]`,
	`"x"`,
	`{"success":true}`,
	`{"success":true,"data":null}`,
	`{"success":true,"data":{}}`,
	`{"success":true,"data":{"id":19,"users":null}}`,
	`{"success":true,"data":{"id":19,"users":[{}]}}`,
	`{"SUCCESS":true,"Data":{"ID":19,"Users":[{"ID":1,"Email":"a@b"}],"usercount":1}}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1}]},"data":{"value":"again"}}`,
	`{"success":true,"extra":{"deep":[1,{"x":[null,true]}]},"data":{"id":19,"more":[{}],"users":[{"id":1,"unknown":{"a":[]}}]}}`,
	`{"success":false,"message":"m","error":{"message":"e"}}`,
	`{"success":false,"error":"TOKEN"}`,
	`{"success":"true"}`,
	`{"success":true,"data":{"id":"19"}}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1},{"id":"2"}]}}`,
	`{"success":true,"data":{"id":19,"users":[{"user_subscriptions":[{"firstName":null,"status":"active"}]}]}}`,
	`{"success":true,"data":{"id":19}} xyz`,
	`{"success":true,"data":{"id":19}}{"success":true}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1},`,
	`{"success":true,"data":{"id":19,"users":[{"id":1}}]}`,
	`{"success":true,"data":{"id":1.5}}`,
	`{"data":1e400}`,
	"{\"success\":true,\"data\":{\"id\":19,\"users\":[{\"id\":1,\"email\":\"\xff\"}]}}",
	`{"success":true,"data":{"id":19,"users":[{"id":1,"email":"\u00e9\"\\"}]}}`,
	`{"TOKEN": tru}`,
	`{"a":{"TOKEN":1,"TOKEN":2}}`,
	`{"success":true,"error":{"TOKEN":1e400},"data":{"id":19}}`,
	`{"success":true,"data":{"users":[{"segmentOptions":[{"user_segment":{"TOKEN": tru}}]}]}}`,
}

// Whatever the body, GetSegment gives a segment or one of its typed errors,
// without the token, and the same segment or reason in whatever pieces the
// body arrives (the JSON library's own text may differ for invalid JSON).
// FuzzReadSegment in the provider maps the segments it gives.
func FuzzGetSegment(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(strings.ReplaceAll(s, "TOKEN", testToken)))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		seg, err := getBody(t, bytes.NewReader(body))
		var invErr *shorterloop.InvalidResponseError
		switch {
		case err == nil && (seg == nil || seg.ID == 0):
			t.Fatalf("segment %+v without an id, and no error", seg)
		case err == nil:
		case seg != nil:
			t.Fatalf("a segment and an error: %v", err)
		case !errors.Is(err, shorterloop.ErrInvalidResponse) || !errors.As(err, &invErr):
			t.Fatalf("error %T %v is not an *InvalidResponseError", err, err)
		case strings.Contains(err.Error(), testToken):
			t.Fatalf("the error holds the token: %v", err)
		}

		seg2, err2 := getBody(t, iotest.OneByteReader(bytes.NewReader(body)))
		if !reflect.DeepEqual(seg, seg2) {
			t.Fatalf("read a byte at a time, the segment is\n%+v\nnot\n%+v", seg2, seg)
		}
		var invErr2 *shorterloop.InvalidResponseError
		if err != nil && (!errors.As(err2, &invErr2) || invErr2.Reason != invErr.Reason) {
			t.Fatalf("read a byte at a time, the error is\n%v\nnot\n%v", err2, err)
		}
	})
}
