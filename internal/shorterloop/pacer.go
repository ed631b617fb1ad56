package shorterloop

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// errNoTurn is a turn that would come after the read's retry budget.
var errNoTurn = errors.New("the pace of requests leaves this request no turn within the wait budget")

// Pacing constants: see DESIGN.md, "One pace per client".
const (
	// cutFactor is the share of the accepted rate kept after a push-back.
	cutFactor = 0.5
	// minRate is the slowest pace a push-back leads to, in requests a second.
	minRate rate.Limit = 0.5
	// growthDivisor: after a cut to rate r, the rate grows by r/growthDivisor
	// requests a second for each second of successes.
	growthDivisor = 12
	// holdJitter is the least jitter after a Retry-After; a tenth of the
	// Retry-After is added to it.
	holdJitter = 100 * time.Millisecond
)

// pacer gives the requests of one Client their turns: all of them wait out
// the API's Retry-After, and send no faster than a token bucket allows whose
// rate follows AIMD. It starts at the configured cap, or unlimited; on a
// push-back (429, or 503 with Retry-After) it cuts to a fraction of the rate
// the API accepted in the second before, then grows by a fixed step per
// second of successes, never above the cap.
type pacer struct {
	lim *rate.Limiter
	cap rate.Limit
	log func(ctx context.Context, level, msg string, fields map[string]any)

	mu sync.Mutex
	// holdEnd is the latest Retry-After; each turn after it gets up to
	// jitter more.
	holdEnd time.Time
	jitter  time.Duration
	// accepted holds the send times of the requests accepted in the last
	// second. A round is the requests sent since the last cut; pushedAt is
	// when the API first refused one of them.
	accepted             []time.Time
	roundStart, pushedAt time.Time
	step                 rate.Limit
	// reads counts the reads that have started, all sharing this pace.
	reads atomic.Int64
}

func newPacer(perSecond float64, log func(ctx context.Context, level, msg string, fields map[string]any)) *pacer {
	limit := rate.Inf
	if perSecond > 0 {
		limit = rate.Limit(perSecond)
	}
	return &pacer{lim: rate.NewLimiter(limit, 1), cap: limit, log: log}
}

// pushedBack says whether the API has ever refused a request or asked for a
// wait.
func (p *pacer) pushedBack() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.holdEnd.IsZero()
}

// wait returns when the request may be sent: after the API's Retry-After,
// with jitter, and when the limiter has a token. It returns errNoTurn as soon
// as the next turn comes after deadline, and ctx's error as soon as ctx is
// done. Waiters take tokens as they come, never ahead: a rate changed while
// they wait applies to them at once.
func (p *pacer) wait(ctx context.Context, deadline time.Time) error {
	logged := false
	for {
		p.mu.Lock()
		until, why := time.Time{}, "retry_after"
		if !p.holdEnd.IsZero() {
			until = p.holdEnd.Add(rand.N(p.jitter + 1)) //nolint:gosec // G404: jitter needs no cryptographic randomness
			if until.After(deadline) && !p.holdEnd.After(deadline) {
				until = deadline // the jitter never costs a turn
			}
		}
		p.mu.Unlock()
		if !until.After(time.Now()) {
			p.cut(ctx)
			now := time.Now()
			if p.lim.AllowN(now, 1) {
				return nil
			}
			limit := p.lim.Limit()
			until = now.Add(time.Duration((1 - p.lim.TokensAt(now)) / float64(limit) * float64(time.Second)))
			why = "max_requests_per_second"
			if limit < p.cap {
				why = "pace_after_push_back"
			}
		}
		if until.After(deadline) {
			return errNoTurn
		}
		if !logged {
			p.logf(ctx, "Waiting for a turn to send", map[string]any{"reason": why, "wait": time.Until(until).String(),
				"requests_per_second": fmt.Sprintf("%.2f", float64(p.lim.Limit()))})
			logged = true
		}
		if err := sleep(ctx, time.Until(until)); err != nil {
			return err
		}
	}
}

// cut lowers the rate, once per round, after a push-back, to a fraction of
// the rate the API accepted in the second before it pushed back, counted by
// the requests sent then. It runs once the hold is over, so that the answers
// to those requests are in.
func (p *pacer) cut(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pushedAt.IsZero() {
		return
	}
	n := 0
	for _, t := range p.accepted {
		if !t.After(p.pushedAt) && t.After(p.pushedAt.Add(-time.Second)) {
			n++
		}
	}
	accepted := rate.Limit(n)
	r := min(max(cutFactor*min(p.lim.Limit(), accepted), minRate), p.cap)
	p.lim.SetLimit(r)
	p.step = r / growthDivisor
	p.roundStart, p.pushedAt = time.Now(), time.Time{}
	p.logf(ctx, "The API pushed back: pacing requests", map[string]any{
		"requests_per_second": fmt.Sprintf("%.2f", float64(r)), "accepted_per_second": n,
	})
}

// observe takes the API's answer to a request sent at sent.
func (p *pacer) observe(sent time.Time, resp *http.Response) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ra := retryAfter(resp); {
	case resp.StatusCode == http.StatusTooManyRequests || ra > 0:
		if end := time.Now().Add(ra); end.After(p.holdEnd) {
			p.holdEnd, p.jitter = end, holdJitter+ra/10
		}
		if p.pushedAt.IsZero() && !sent.Before(p.roundStart) {
			p.pushedAt = time.Now()
		}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
	default:
		since := time.Now()
		if !p.pushedAt.IsZero() {
			since = p.pushedAt
		}
		p.accepted = append(slices.DeleteFunc(p.accepted, func(t time.Time) bool { return t.Before(since.Add(-time.Second)) }), sent)
		if r := p.lim.Limit(); r < p.cap && p.pushedAt.IsZero() && !sent.Before(p.roundStart) {
			p.lim.SetLimit(min(r+p.step/r, p.cap))
		}
	}
}

func (p *pacer) logf(ctx context.Context, msg string, fields map[string]any) {
	if p.log != nil {
		p.log(ctx, "debug", msg, fields)
	}
}

// sleep waits for d, or returns ctx's error as soon as ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// observingTransport tells the pacer of every answer, without holding any
// request: waiting here would count against http.Client.Timeout.
type observingTransport struct {
	next http.RoundTripper
	pace *pacer
}

func (t observingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sent := time.Now()
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		t.pace.observe(sent, resp)
	}
	return resp, err
}

// CloseIdleConnections passes go-retryablehttp's call on to the transport.
func (t observingTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
