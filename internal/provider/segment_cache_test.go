package provider

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// fakeFetch is a request in memory: each call records its context, then
// answers seg and err once release is closed.
type fakeFetch struct {
	seg     *shorterloop.Segment
	err     error
	release chan struct{}

	mu   sync.Mutex
	ctxs []context.Context
}

func newFakeFetch(seg *shorterloop.Segment, err error) *fakeFetch {
	return &fakeFetch{seg: seg, err: err, release: make(chan struct{})}
}

func (f *fakeFetch) fetch(ctx context.Context) (*shorterloop.Segment, error) {
	f.mu.Lock()
	f.ctxs = append(f.ctxs, ctx)
	f.mu.Unlock()
	<-f.release
	return f.seg, f.err
}

// calls returns the context of each call so far.
func (f *fakeFetch) calls() []context.Context {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ctxs
}

type readResult struct {
	seg    *shorterloop.Segment
	shared bool
	err    error
}

// startRead reads segment 19 through c in a goroutine of its own.
func startRead(ctx context.Context, c *segmentCache, f *fakeFetch) <-chan readResult {
	done := make(chan readResult, 1)
	go func() {
		seg, shared, err := c.get(ctx, 19, f.fetch)
		done <- readResult{seg, shared, err}
	}()
	return done
}

func TestSegmentCacheSharesConcurrentReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, f := newSegmentCache(), newFakeFetch(&shorterloop.Segment{ID: 19}, nil)
		var reads []<-chan readResult
		for range 5 {
			reads = append(reads, startRead(t.Context(), c, f))
		}
		synctest.Wait()
		close(f.release)
		for i, read := range reads {
			if r := <-read; r.seg != f.seg || !r.shared || r.err != nil {
				t.Errorf("read %d = %+v, want the shared segment", i, r)
			}
		}
		if n := len(f.calls()); n != 1 {
			t.Errorf("%d requests for 5 concurrent reads, want 1", n)
		}
	})
}

func TestSegmentCacheReusesResult(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, f := newSegmentCache(), newFakeFetch(&shorterloop.Segment{ID: 19}, nil)
		close(f.release)
		first, later := <-startRead(t.Context(), c, f), <-startRead(t.Context(), c, f)
		if first.seg != f.seg || later.seg != f.seg || !later.shared || len(f.calls()) != 1 {
			t.Errorf("reads got %+v then %+v with %d requests, want the segment of one request twice", first, later, len(f.calls()))
		}
		other := newFakeFetch(&shorterloop.Segment{ID: 20}, nil)
		close(other.release)
		if seg, _, _ := c.get(t.Context(), 20, other.fetch); seg != other.seg {
			t.Errorf("segment 20 got %+v, want its own request's", seg)
		}
	})
}

func TestSegmentCacheDoesNotKeepFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newSegmentCache()
		boom := errors.New("boom")
		failing, ok := newFakeFetch(nil, boom), newFakeFetch(&shorterloop.Segment{ID: 19}, nil)
		close(failing.release)
		close(ok.release)
		if r := <-startRead(t.Context(), c, failing); !errors.Is(r.err, boom) {
			t.Fatalf("read = %+v, want the failure", r)
		}
		if r := <-startRead(t.Context(), c, ok); r.seg != ok.seg || r.err != nil || len(ok.calls()) != 1 {
			t.Errorf("the read after a failure got %+v with %d new requests, want the segment of a new request", r, len(ok.calls()))
		}
	})
}

func TestSegmentCacheCancelledReadDoesNotFailOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, f := newSegmentCache(), newFakeFetch(&shorterloop.Segment{ID: 19}, nil)
		ctx, cancel := context.WithCancel(t.Context())
		first := startRead(ctx, c, f) // makes the request
		synctest.Wait()
		second := startRead(t.Context(), c, f)
		synctest.Wait()
		cancel()
		if r := <-first; !errors.Is(r.err, context.Canceled) {
			t.Errorf("the cancelled read got %+v, want context.Canceled", r)
		}
		synctest.Wait()
		if err := f.calls()[0].Err(); err != nil {
			t.Fatalf("the request stopped with one read still waiting: %v", err)
		}
		close(f.release)
		if r := <-second; r.seg != f.seg || r.err != nil || len(f.calls()) != 1 {
			t.Errorf("the read still waiting got %+v after %d requests, want the segment of the first", r, len(f.calls()))
		}
	})
}

func TestSegmentCacheAllReadsCancelledStopRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, stuck := newSegmentCache(), newFakeFetch(&shorterloop.Segment{ID: 19}, nil)
		defer close(stuck.release)
		ctx1, cancel1 := context.WithCancel(t.Context())
		ctx2, cancel2 := context.WithCancel(t.Context())
		read1, read2 := startRead(ctx1, c, stuck), startRead(ctx2, c, stuck)
		synctest.Wait()
		cancel1()
		<-read1
		synctest.Wait()
		if err := stuck.calls()[0].Err(); err != nil {
			t.Fatalf("the request stopped with one read still waiting: %v", err)
		}
		cancel2()
		<-read2
		synctest.Wait()
		if err := stuck.calls()[0].Err(); !errors.Is(err, context.Canceled) {
			t.Fatalf("the request's context: %v after every read was cancelled, want context.Canceled", err)
		}

		// The stopped request has not returned yet: a new read does not wait for it.
		fresh := newFakeFetch(&shorterloop.Segment{ID: 19}, nil)
		close(fresh.release)
		read3 := startRead(t.Context(), c, fresh)
		synctest.Wait()
		select {
		case r := <-read3:
			if r.seg != fresh.seg || r.err != nil {
				t.Errorf("a new read got %+v, want the segment of a new request", r)
			}
		default:
			t.Error("a new read waits for the stopped request")
		}
	})
}

// stopTestServer is the provider's protocol server, except that every read
// reads segment 19 through data, as the data source does.
type stopTestServer struct {
	tfprotov6.ProviderServer
	data *providerData
}

func (s stopTestServer) ReadDataSource(ctx context.Context, _ *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	_, diags := s.data.readSegment(ctx, 19)
	resp := &tfprotov6.ReadDataSourceResponse{}
	for _, d := range diags {
		resp.Diagnostics = append(resp.Diagnostics, &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityError, Summary: d.Summary()})
	}
	return resp, nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// callPlugin calls method of terraform-plugin-go's server as Terraform does,
// with an empty request: its types are internal to terraform-plugin-go.
func callPlugin(ctx context.Context, t *testing.T, server any, method string) {
	t.Helper()
	m := reflect.ValueOf(server).MethodByName(method)
	out := m.Call([]reflect.Value{reflect.ValueOf(ctx), reflect.New(m.Type().In(1).Elem())})
	if err, _ := out[1].Interface().(error); err != nil {
		t.Errorf("%s: %v", method, err)
	}
}

// On Ctrl-C, Terraform calls StopProvider: the request that the reads in
// flight share stops.
func TestSegmentCacheProviderStopStopsRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		var requests []*http.Request
		client, err := shorterloop.NewClient(shorterloop.Config{Token: testToken, InitiativeID: testInitiative,
			HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				requests = append(requests, r)
				select {
				case <-r.Context().Done():
					return nil, r.Context().Err()
				case <-release:
					return nil, errors.New("released")
				}
			})}})
		if err != nil {
			t.Fatal(err)
		}
		data := &providerData{client: client, initiativeID: testInitiative, segments: newSegmentCache()}
		server := tf6server.New("registry.terraform.io/shorterloop/shorterloop", stopTestServer{NewProtocol6("test")(), data}, tf6server.WithLoggingSink(t))

		var reads sync.WaitGroup
		for range 2 {
			reads.Go(func() { callPlugin(t.Context(), t, server, "ReadDataSource") })
		}
		synctest.Wait()
		if len(requests) != 1 {
			t.Fatalf("%d requests for 2 reads, want 1", len(requests))
		}
		callPlugin(t.Context(), t, server, "StopProvider")
		synctest.Wait()
		if err := requests[0].Context().Err(); err == nil {
			t.Fatal("the request goes on after StopProvider")
		}
		reads.Wait()
		if len(requests) != 1 {
			t.Errorf("%d requests, want 1: a stopped request is not retried", len(requests))
		}
	})
}

// Several data sources on one segment, with different filters, make one
// request per Terraform run.
func TestAccSegmentDataSource_oneRequestPerSegment(t *testing.T) {
	t.Parallel()
	api, srv := newFakeAPI(t)
	api.SetSegment(7, mixedSegment())
	acceptanceTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + `
data "shorterloop_segment" "all" {
  id = 7
}
data "shorterloop_segment" "active" {
  id       = 7
  statuses = ["active"]
}
data "shorterloop_segment" "admins" {
  id            = 7
  user_roles    = ["admin"]
  include_users = false
}
data "shorterloop_segment" "pending_members" {
  id         = 7
  statuses   = ["pending"]
  user_roles = ["idm_member"]
}
data "shorterloop_segment" "vendor" {
  id = 19
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				// After the first terraform plan, the only run so far.
				PreApply: []plancheck.PlanCheck{requestCount{api, 7, 1}, requestCount{api, 19, 1}},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				expectEmails("data.shorterloop_segment.all", "ann@example.com", "bob@example.com", "cid@example.com", "dora@example.com"),
				expectEmails("data.shorterloop_segment.active", "ann@example.com", "dora@example.com"),
				expectEmails("data.shorterloop_segment.admins", "cid@example.com", "dora@example.com"),
				expectEmails("data.shorterloop_segment.pending_members", "bob@example.com"),
				statecheck.ExpectKnownValue("data.shorterloop_segment.all", at("users"), knownvalue.ListSizeExact(4)),
				statecheck.ExpectKnownValue("data.shorterloop_segment.active", at("users").AtSliceIndex(1).AtMapKey("id"), knownvalue.Int64Exact(4)),
				statecheck.ExpectKnownValue("data.shorterloop_segment.admins", at("users"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.shorterloop_segment.pending_members", at("user_count"), knownvalue.Int64Exact(4)),
				statecheck.ExpectKnownValue("data.shorterloop_segment.vendor", at("emails"), knownvalue.ListSizeExact(39)),
			},
		}},
	})
}
