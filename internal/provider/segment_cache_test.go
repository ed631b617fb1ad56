package provider

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/fakeapi"
	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

var testKey = segmentKey{baseURL: "https://api.example.com", initiativeID: "SHO-TEST", id: 19}

// Concurrent reads of one segment share one request; reads of another
// segment, initiative or base URL make their own.
func TestSegmentCacheConcurrentReads(t *testing.T) {
	t.Parallel()
	c := newSegmentCache()
	release := make(chan struct{})
	var fetches atomic.Int32
	fetch := func(id int64) func(context.Context) (*shorterloop.Segment, error) {
		return func(context.Context) (*shorterloop.Segment, error) {
			fetches.Add(1)
			<-release
			return &shorterloop.Segment{ID: id}, nil
		}
	}

	const readers = 20
	results := make([]*shorterloop.Segment, readers)
	var shared atomic.Int32
	var wg sync.WaitGroup
	for i := range readers {
		wg.Go(func() {
			seg, s, err := c.get(context.Background(), testKey, fetch(19))
			if err != nil {
				t.Error(err)
			}
			if s {
				shared.Add(1)
			}
			results[i] = seg
		})
	}
	// Let every reader reach the cache before the request ends.
	waitFor(t, func() bool { return fetches.Load() == 1 && c.waiting(testKey) == readers-1 })
	close(release)
	wg.Wait()

	if n := fetches.Load(); n != 1 {
		t.Errorf("%d requests for %d concurrent reads, want 1", n, readers)
	}
	if n := shared.Load(); n != readers-1 {
		t.Errorf("%d reads shared the request, want %d", n, readers-1)
	}
	for i, seg := range results {
		if seg != results[0] || seg.ID != 19 {
			t.Fatalf("read %d got %p %+v, want the shared segment %p", i, seg, seg, results[0])
		}
	}

	// Later reads reuse the result; other keys make their own request.
	if seg, s, _ := c.get(context.Background(), testKey, fetch(19)); seg != results[0] || !s {
		t.Errorf("a later read got %p (shared %v), want the cached %p", seg, s, results[0])
	}
	for _, k := range []segmentKey{
		{baseURL: testKey.baseURL, initiativeID: testKey.initiativeID, id: 20},
		{baseURL: testKey.baseURL, initiativeID: "SHO-OTHER", id: 19},
		{baseURL: "https://other.example.com", initiativeID: testKey.initiativeID, id: 19},
	} {
		if seg, s, _ := c.get(context.Background(), k, fetch(k.id)); seg == results[0] || s {
			t.Errorf("%+v got the cached segment of %+v", k, testKey)
		}
	}
	if n := fetches.Load(); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

// A failed request is shared with the reads waiting for it, but the next
// read asks again.
func TestSegmentCacheDoesNotKeepErrors(t *testing.T) {
	t.Parallel()
	c := newSegmentCache()
	release := make(chan struct{})
	boom := errors.New("boom")
	var fetches atomic.Int32
	failing := func(context.Context) (*shorterloop.Segment, error) {
		fetches.Add(1)
		<-release
		return nil, boom
	}
	errs := make(chan error, 5)
	for range 5 {
		go func() {
			_, _, err := c.get(context.Background(), testKey, failing)
			errs <- err
		}()
	}
	waitFor(t, func() bool { return fetches.Load() == 1 && c.waiting(testKey) == 4 })
	close(release)
	for range 5 {
		if err := <-errs; !errors.Is(err, boom) {
			t.Errorf("err = %v, want boom", err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d requests, want 1 shared by the concurrent reads", n)
	}

	seg, _, err := c.get(context.Background(), testKey, func(context.Context) (*shorterloop.Segment, error) {
		return &shorterloop.Segment{ID: 19}, nil
	})
	if err != nil || seg == nil {
		t.Fatalf("the read after a failure got %v, %v; want a new request's segment", seg, err)
	}
}

// A read that gives up does not fail the others waiting for its request.
func TestSegmentCacheCancelledRead(t *testing.T) {
	t.Parallel()
	c := newSegmentCache()
	ctx, cancel := context.WithCancel(context.Background())
	var fetches atomic.Int32
	fetch := func(ctx context.Context) (*shorterloop.Segment, error) {
		if fetches.Add(1) == 1 {
			<-ctx.Done()
			return nil, fmt.Errorf("GET: %w", ctx.Err())
		}
		return &shorterloop.Segment{ID: 19}, nil
	}
	first := make(chan error, 1)
	go func() {
		_, _, err := c.get(ctx, testKey, fetch)
		first <- err
	}()
	waitFor(t, func() bool { return fetches.Load() == 1 })

	second := make(chan *shorterloop.Segment, 1)
	go func() {
		seg, _, err := c.get(context.Background(), testKey, fetch)
		if err != nil {
			t.Error(err)
		}
		second <- seg
	}()
	waitFor(t, func() bool { return c.waiting(testKey) == 1 })

	// A waiting read that is cancelled itself stops waiting.
	waiterCtx, cancelWaiter := context.WithCancel(context.Background())
	waiter := make(chan error, 1)
	go func() {
		_, _, err := c.get(waiterCtx, testKey, fetch)
		waiter <- err
	}()
	waitFor(t, func() bool { return c.waiting(testKey) == 2 })
	cancelWaiter()
	if err := <-waiter; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: err = %v", err)
	}

	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: err = %v", err)
	}
	if seg := <-second; seg == nil || seg.ID != 19 {
		t.Errorf("the read still waiting got %+v, want the segment of a new request", seg)
	}
	if n := fetches.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// waiting counts the reads waiting for the request for key. Tests only.
func (c *segmentCache) waiting(key segmentKey) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if call := c.calls[key]; call != nil {
		return call.waiters
	}
	return 0
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// requestCount checks how many requests for a segment reached the fake API.
type requestCount struct {
	api  *fakeapi.Server
	id   int64
	want int
}

func (c requestCount) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if got := c.api.Requests(c.id); got != c.want {
		resp.Error = fmt.Errorf("segment %d: %d requests so far, want %d", c.id, got, c.want)
	}
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
