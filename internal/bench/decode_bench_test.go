package bench

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/go-json-experiment/json"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// BenchmarkDecode compares the client's GET (request, streaming decode,
// checks) with the floor: a plain json.Unmarshal of the same body, already
// in memory, into the client's structs, by the library the client decodes with.
func BenchmarkDecode(b *testing.B) {
	for _, n := range Sizes {
		body := CachedBody(n)
		b.Run(fmt.Sprintf("plain/users=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var env struct {
					Success *bool                `json:"success"`
					Data    *shorterloop.Segment `json:"data"`
				}
				if err := json.Unmarshal(body, &env); err != nil || len(env.Data.Users) != n {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("client/users=%d", n), func(b *testing.B) {
			api := fakeapi.New("token", "SHO-BENCH")
			api.SetBody(SegmentID, body)
			srv := httptest.NewServer(api)
			defer srv.Close()
			c, err := shorterloop.NewClient(shorterloop.Config{BaseURL: srv.URL, Token: "token", InitiativeID: "SHO-BENCH"})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				seg, err := c.GetSegment(context.Background(), SegmentID)
				if err != nil || len(seg.Users) != n {
					b.Fatal(err)
				}
			}
		})
	}
}
