package provider

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/singleflight"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// segmentCache makes one request per segment for the life of the provider
// process, which Terraform starts for one run: concurrent reads of a segment
// share one request, later reads reuse its result. A failure is not kept.
// Cached segments are shared and must not be modified.
//
// The request runs until it ends or every read waiting for it is cancelled.
// On Ctrl-C, Terraform calls StopProvider, on which terraform-plugin-go's
// server cancels the context of every call in flight, and so every read's.
type segmentCache struct {
	group   singleflight.Group
	mu      sync.Mutex
	kept    map[int64]*shorterloop.Segment
	flights map[int64]*flight
}

// flight is the context of the request for a segment and the reads waiting
// for it.
type flight struct {
	ctx    context.Context
	cancel context.CancelFunc
	reads  int
}

func newSegmentCache() *segmentCache {
	return &segmentCache{kept: map[int64]*shorterloop.Segment{}, flights: map[int64]*flight{}}
}

// get returns segment id, calling fetch unless a result or a request for it
// is already there. shared reports that the result served other reads too.
func (c *segmentCache) get(ctx context.Context, id int64, fetch func(context.Context) (*shorterloop.Segment, error)) (seg *shorterloop.Segment, shared bool, err error) {
	key := strconv.FormatInt(id, 10)
	c.mu.Lock()
	if seg := c.kept[id]; seg != nil {
		c.mu.Unlock()
		return seg, true, nil
	}
	f := c.flights[id]
	if f == nil {
		// The request keeps ctx's values, such as its loggers, but not its cancellation.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{ctx: fctx, cancel: cancel}
		c.flights[id] = f
	}
	f.reads++
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if f.reads--; f.reads == 0 {
			f.cancel()
			delete(c.flights, id)
			c.group.Forget(key) // a read that comes now makes a new request
		}
	}()

	result := c.group.DoChan(key, func() (any, error) {
		seg, err := fetch(f.ctx)
		if err == nil {
			c.mu.Lock()
			c.kept[id] = seg
			c.mu.Unlock()
		}
		return seg, err
	})
	select {
	case r := <-result:
		seg, _ := r.Val.(*shorterloop.Segment)
		return seg, r.Shared, r.Err
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// segment reads segment id through the provider's cache.
func (d *providerData) segment(ctx context.Context, id int64) (seg *shorterloop.Segment, shared bool, err error) {
	return d.segments.get(ctx, id, func(ctx context.Context) (*shorterloop.Segment, error) { return d.client.GetSegment(ctx, id) })
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
