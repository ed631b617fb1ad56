package shorterloop

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// decodeEnvelope is the reference for the streaming decoder: encoding/json
// decoding exactly one JSON value from r.
func decodeEnvelope(r io.Reader, out *segmentEnvelope) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(out); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errTrailingData
		}
		return err
	}
	return nil
}

var streamCases = []string{
	``,
	`null`,
	`{}`,
	`[]`,
	`"x"`,
	`{"success":true}`,
	`{"success":true,"data":null}`,
	`{"success":true,"data":{}}`,
	`{"success":true,"data":{"id":19,"users":null}}`,
	`{"success":true,"data":{"id":19,"users":[]}}`,
	`{"success":true,"data":{"id":19,"users":[{}]}}`,
	`{"SUCCESS":true,"Data":{"ID":19,"Users":[{"ID":1,"Email":"a@b"}],"usercount":1}}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1}]},"data":{"value":"again","users":[{"id":2},{"id":3}]}}`,
	`{"success":true,"extra":{"deep":[1,{"x":[null,true]}]},"data":{"id":19,"more":[{}],"users":[{"id":1,"unknown":{"a":[]}}]}}`,
	`{"success":false,"message":"m","error":{"message":"e"}}`,
	`{"success":false,"error":"e"}`,
	`{"success":"true"}`,
	`{"success":true,"data":[]}`,
	`{"success":true,"data":{"id":"19"}}`,
	`{"success":true,"data":{"id":19,"users":{"id":1}}}`,
	`{"success":true,"data":{"id":19,"users":[{"id":"1"}]}}`,
	`{"success":true,"data":{"id":19,"users":[1]}}`,
	`{"success":true,"data":{"id":19,"users":[{"user_subscriptions":[{"firstName":null,"status":"active"}]}]}}`,
	`{"success":true,"data":{"id":19}} xyz`,
	`{"success":true,"data":{"id":19}}{"success":true}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1},`,
	`{"success":true,"data":{"id":19,"users":[{"id":1}`,
	`{"success":true,"data":{"id":19`,
	`{"success":true,`,
	`{"success" true}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1}}]}`,
	`{"success":true,"data":{"id":1.5}}`,
	`[`,
	`{"0":true,"DAtA":0 }`,
	`{"success":true,"data":{"id":19,"users": [ {"id":1} , {"ID":2} , {"id":3} ] ,"userCount":3}}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1},]}}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1} {"id":2}]}}`,
	`{"success":true,"data":{"id":19,"users":[,{"id":1}]}}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1},{"email":"\u00e9"},{"id":3}],"users":[{"email":"x"}]}}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1},1,{"id":3}]}}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1},{"id":2}`,
	`{"success":true,"data":{"id":19,"users":[{"id":1},{"id":`,
	`{"success":true,"data":{"id":19,"users":[{"id":1,"x":"}"},{"id":2,"y":"\"}"}]}}`,
	`{"success":true,"data":{"users":[{"id":1}],"id":19}} `,
	`{"success":true,"data":{"users":[{"id":1}]}, "data":{"users":[{"email":"e"}]}}`,
	`{"data":1e400}`,
	`{"data":1e400`,
	`1e400`,
	`{"success":true,"data":{"users":1e400,"id":1}}`,
}

// The streaming decoder gives the same envelope as decodeEnvelope, which
// decodes the whole body with encoding/json, and an error exactly when it
// does, of the same kind.
func TestDecodeEnvelopeStreamMatchesEncodingJSON(t *testing.T) {
	example, err := os.ReadFile("../fakeapi/testdata/segment-with-users-18.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range append(streamCases, string(example), string(example[:len(example)/2])) {
		checkStreamMatches(t, []byte(body))
	}
}

func FuzzDecodeEnvelopeStream(f *testing.F) {
	for _, c := range streamCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkStreamMatches(t, body) })
}

func checkStreamMatches(t *testing.T, body []byte) {
	t.Helper()
	var want segmentEnvelope
	wantErr := decodeEnvelope(bytes.NewReader(body), &want)
	short := string(body[:min(len(body), 80)])
	for _, r := range []io.Reader{bytes.NewReader(body), iotest.OneByteReader(bytes.NewReader(body)), iotest.HalfReader(bytes.NewReader(body))} {
		var got segmentEnvelope
		gotErr := decodeEnvelopeStream(r, &got)
		compareDecodes(t, short, got, want, gotErr, wantErr)
	}
}

func compareDecodes(t *testing.T, short string, got, want segmentEnvelope, gotErr, wantErr error) {
	t.Helper()
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%s: stream error %v, encoding/json error %v", short, gotErr, wantErr)
	}
	if wantErr != nil {
		if decodeReason(gotErr) != decodeReason(wantErr) {
			t.Errorf("%s: stream error %q (%s), encoding/json error %q (%s)", short, gotErr, decodeReason(gotErr), wantErr, decodeReason(wantErr))
		}
		var wantType, gotType *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(wantErr, &wantType) && errors.As(gotErr, &gotType):
			if gotType.Field != wantType.Field {
				t.Errorf("%s: type error at %q, encoding/json says %q", short, gotType.Field, wantType.Field)
			}
		case errors.As(wantErr, &syntaxErr):
			// json.Decoder.Token words some syntax errors its own way.
		case gotErr.Error() != wantErr.Error():
			t.Errorf("%s: stream error %q, encoding/json error %q", short, gotErr, wantErr)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: stream decoded\n%+v\nencoding/json decoded\n%+v", short, got, want)
	}
}

var userCases = []string{
	`{}`,
	`{"id":1650,"email":"aarav.patel@shorterloop.com","user_subscriptions":[{"firstName":null,"userRole":"idm_member","status":"pending"}],"segmentOptions":[{"value":"Young Innovators","user_segment":{"userId":1650,"segmentOptionId":19,"initiativeId":0,"teamId":0,"subscriptionId":0,"createdAt":"2024-10-24T11:35:19.000Z","updatedAt":"2024-10-24T11:35:19.000Z"}}]}`,
	` { "id" : -9223372036854775808 , "email" : "zoë@exämple.com" , "user_subscriptions" : [ ] , "segmentOptions" : null } `,
	`{"id":9223372036854775807,"user_subscriptions":null,"segmentOptions":[]}`,
	`{"id":9223372036854775808}`,
	`{"id":-9223372036854775809}`,
	`{"id":1.5}`,
	`{"id":1e3}`,
	`{"id":-0}`,
	`{"id":"1"}`,
	`{"id":null,"email":null}`,
	`{"ID":1}`,
	`{"id":1,"id":2}`,
	`{"email":"a\"b"}`,
	`{"email":"\u00e9"}`,
	"{\"email\":\"\xff\"}",
	`{"extra":{"a":[1,"]}",{"b":null}],"c":"\\"},"more":[[]],"n":-1.5e+3,"t":true,"f":false,"z":null,"id":7}`,
	`{"user_subscriptions":[{"firstName":"A","userRole":"r","status":"s","x":1},{"firstName":null}]}`,
	`{"user_subscriptions":[{"firstName":"A"}],"user_subscriptions":[{"status":"y"}]}`,
	`{"user_subscriptions":[1]}`,
	`{"user_subscriptions":{}}`,
	`{"segmentOptions":[{"value":"v","user_segment":null},{"user_segment":{"teamId":3,"createdAt":null}}]}`,
	`{"segmentOptions":[{"user_segment":{"teamId":"3"}}]}`,
	`{"segmentOptions":[{"user_segment":[]}]}`,
	`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"id":18}`,
	`[]`,
	`null`,
}

// The fast user decoder either declines or decodes exactly what
// encoding/json decodes, without error.
func FuzzUserDecoder(f *testing.F) {
	for _, c := range userCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		var d userDecoder
		var got User
		if !d.decode(data, &got) {
			return
		}
		var want User
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("%s: fast decoder accepted what encoding/json rejects: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: fast decoder gave\n%+v\nencoding/json gave\n%+v", data, got, want)
		}
	})
}

// The fast decoder takes the users the API sends.
func TestUserDecoderTakesVendorUsers(t *testing.T) {
	example, err := os.ReadFile("../fakeapi/testdata/segment-with-users-18.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Data struct{ Users []json.RawMessage }
	}
	if err := json.Unmarshal(example, &env); err != nil {
		t.Fatal(err)
	}
	var d userDecoder
	for i, raw := range env.Data.Users {
		var u User
		if !d.decode(raw, &u) {
			t.Errorf("user %d went to encoding/json: %s", i, raw)
		}
	}
}

// A body that fails part way gives the reader's error, wherever it fails.
func TestDecodeEnvelopeStreamReadError(t *testing.T) {
	example, err := os.ReadFile("../fakeapi/testdata/segment-with-users-18.json")
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("connection reset")
	for cut := 0; cut < len(example); cut += 61 {
		r := io.MultiReader(bytes.NewReader(example[:cut]), iotest.ErrReader(boom))
		var env segmentEnvelope
		if err := decodeEnvelopeStream(iotest.HalfReader(r), &env); !errors.Is(err, boom) {
			t.Fatalf("cut at %d: err = %v, want the reader's error", cut, err)
		}
	}
}

// Long runs of white space anywhere decode as encoding/json decodes them
// (json.Decoder.Token alone would take quadratic time over them).
func TestDecodeEnvelopeStreamLongWhiteSpace(t *testing.T) {
	pad := string(bytes.Repeat([]byte(" \n"), 2<<20))
	body := `{` + pad + `"success":true,"data":{"id":19,"users":[` + pad + `{"id":1,` + pad + `"email":"a@b"}` + pad + `,` + pad +
		`{"id":2}` + pad + `]` + pad + `,"userCount":2}` + pad + `}` + pad
	var want, got segmentEnvelope
	if err := decodeEnvelope(strings.NewReader(body), &want); err != nil {
		t.Fatal(err)
	}
	if err := decodeEnvelopeStream(iotest.HalfReader(strings.NewReader(body)), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stream decoded %+v, encoding/json %+v", got, want)
	}
}
