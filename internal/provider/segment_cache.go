package provider

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// segmentCache makes one request per segment for the life of the provider
// process, which Terraform starts for one run: concurrent reads of a segment
// wait for the same request, later reads reuse its result. A failed request
// is shared with the reads waiting for it, but not kept: the next read asks
// again. Cached segments are shared and must not be modified.
type segmentCache struct {
	mu    sync.Mutex
	calls map[segmentKey]*segmentCall
}

type segmentKey struct {
	baseURL, initiativeID string
	id                    int64
}

// segmentCall is one request, finished once done is closed.
type segmentCall struct {
	done chan struct{}
	seg  *shorterloop.Segment
	err  error
	// abandoned is set when the read that made the request was cancelled.
	abandoned bool
	// waiters counts the other reads that joined the request.
	waiters int
}

func newSegmentCache() *segmentCache {
	return &segmentCache{calls: map[segmentKey]*segmentCall{}}
}

// get returns the segment for key, calling fetch unless a result or a request
// for it is already there. shared reports that another read made the request.
func (c *segmentCache) get(ctx context.Context, key segmentKey, fetch func(context.Context) (*shorterloop.Segment, error)) (seg *shorterloop.Segment, shared bool, err error) {
	for {
		c.mu.Lock()
		call, ok := c.calls[key]
		if !ok {
			call = &segmentCall{done: make(chan struct{})}
			c.calls[key] = call
			c.mu.Unlock()
			c.do(ctx, key, call, fetch)
			return call.seg, false, call.err
		}
		call.waiters++
		c.mu.Unlock()

		select {
		case <-call.done:
		case <-ctx.Done():
			return nil, true, ctx.Err()
		}
		// The read that made the request was cancelled, but this one was
		// not: make the request again.
		if call.abandoned && ctx.Err() == nil {
			continue
		}
		return call.seg, true, call.err
	}
}

func (c *segmentCache) do(ctx context.Context, key segmentKey, call *segmentCall, fetch func(context.Context) (*shorterloop.Segment, error)) {
	defer close(call.done)
	call.err = errors.New("reading the segment stopped unexpectedly") // replaced unless fetch panics
	defer func() {
		if call.err != nil {
			c.mu.Lock()
			delete(c.calls, key)
			c.mu.Unlock()
		}
	}()
	call.seg, call.err = fetch(ctx)
	call.abandoned = call.err != nil && ctx.Err() != nil
}

// segment reads segment id through the provider's cache.
func (d *providerData) segment(ctx context.Context, id int64) (seg *shorterloop.Segment, shared bool, err error) {
	fetch := func(ctx context.Context) (*shorterloop.Segment, error) { return d.client.GetSegment(ctx, id) }
	if d.segments == nil {
		seg, err = fetch(ctx)
		return seg, false, err
	}
	return d.segments.get(ctx, segmentKey{baseURL: d.client.BaseURL(), initiativeID: d.initiativeID, id: id}, fetch)
}

// readSegment reads segment id through the cache, with logs, and returns it,
// or the failure as an error diagnostic.
func (d *providerData) readSegment(ctx context.Context, id int64) (*shorterloop.Segment, diag.Diagnostics) {
	var diags diag.Diagnostics
	ctx = d.withMasking(ctx)
	ctx = tflog.SetField(ctx, "segment_id", id)
	ctx = tflog.SetField(ctx, "initiative_id", d.initiativeID)
	tflog.Debug(ctx, "Reading Shorter Loop segment")
	start := time.Now()
	seg, shared, err := d.segment(ctx, id)
	if err != nil {
		summary, detail := readErrorDiagnostic(err, id, d.initiativeID, d.client.Host())
		if errors.Is(err, shorterloop.ErrNotFound) {
			diags.AddAttributeError(path.Root("id"), summary, detail)
		} else {
			diags.AddError(summary, detail)
		}
		return nil, diags
	}
	tflog.Debug(ctx, "Read Shorter Loop segment", map[string]any{
		"users": len(seg.Users), "user_count": seg.UserCount, "duration_ms": time.Since(start).Milliseconds(),
		"shared_request": shared,
	})
	return seg, diags
}
