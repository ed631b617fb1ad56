package provider

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/bench"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
)

// benchModes are the data source configurations that the benchmarks and
// `make bench` measure.
var benchModes = func() []struct {
	name string
	q    segmentModel
} {
	no := false
	return []struct {
		name string
		q    segmentModel
	}{
		{"full", segmentModel{ID: bench.SegmentID}},
		{"no-users", segmentModel{ID: bench.SegmentID, IncludeUsers: &no}},
		{"statuses", segmentModel{ID: bench.SegmentID, Statuses: []string{"active"}}},
	}
}()

// BenchmarkMapping measures building the state from decoded users:
// filtering, sorting, emails and users, encoded for the plugin protocol.
func BenchmarkMapping(b *testing.B) {
	for _, n := range bench.Sizes {
		seg := bench.Segment(n)
		for _, mode := range benchModes {
			b.Run(fmt.Sprintf("%s/users=%d", mode.name, n), func(b *testing.B) {
				for b.Loop() {
					m := mode.q
					m.setSegment(&seg, keptUsers(seg.Users, newUserFilter(m.Statuses, m.UserRoles)))
					if state, err := encodeState(&m); err != nil || len(state) == 0 {
						b.Fatal("no state:", err)
					}
				}
			})
		}
	}
}

// BenchmarkRead measures the provider side of one data source read as
// Terraform drives it over the plugin protocol: ReadDataSource on a freshly
// configured provider, so without a cached segment: the request, the decode,
// the filters and the state in the protocol's encoding. The framework
// variant, for comparison, reads through the framework alone.
func BenchmarkRead(b *testing.B) {
	for _, n := range bench.Sizes {
		api := fakeapi.New(testToken, testInitiative)
		api.SetBody(bench.SegmentID, bench.CachedBody(n))
		srv := httptest.NewServer(api)
		// Each read configures a provider with a client of its own, as each run
		// of Terraform does: without keep-alives, their connections do not pile up.
		srv.Config.SetKeepAlivesEnabled(false)
		for _, mode := range benchModes {
			b.Run(fmt.Sprintf("%s/users=%d", mode.name, n), func(b *testing.B) {
				for b.Loop() {
					benchRead(b, NewProtocol6("bench")(), srv.URL, mode.q)
				}
			})
		}
		if n <= 10_000 { // minutes at 100,000 users
			b.Run(fmt.Sprintf("framework-full/users=%d", n), func(b *testing.B) {
				for b.Loop() {
					benchRead(b, providerserver.NewProtocol6(New("bench")())(), srv.URL, benchModes[0].q)
				}
			})
		}
		srv.Close()
	}
}

func benchRead(b *testing.B, s tfprotov6.ProviderServer, url string, q segmentModel) {
	configure(b, s, url)
	resp, err := s.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{
		TypeName: "shorterloop_segment", Config: segmentConfig(b, q, nil),
	})
	if err != nil || len(resp.Diagnostics) > 0 || resp.State == nil || len(resp.State.MsgPack) == 0 {
		b.Fatal(err, resp.Diagnostics)
	}
}
