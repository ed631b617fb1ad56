package shorterloop

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"
)

// TestPacerAIMD checks the pace: cut to half the rate accepted in the second
// before a push-back, once per round; grown on the successes of the round,
// not before the cut; never above the cap.
func TestPacerAIMD(t *testing.T) {
	ok := &http.Response{StatusCode: http.StatusOK}
	refused := &http.Response{StatusCode: http.StatusTooManyRequests}
	tests := []struct {
		name     string
		cap      float64
		accepted int // in the second before the push-back
		wantCut  rate.Limit
	}{
		{name: "uncapped", accepted: 8, wantCut: 4},
		{name: "capped below the accepted rate", cap: 3, accepted: 8, wantCut: 1.5},
		{name: "nothing accepted", accepted: 0, wantCut: minRate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newPacer(tt.cap, nil)
				far := time.Now().Add(time.Hour)
				time.Sleep(time.Second)
				for range tt.accepted {
					p.observe(time.Now(), ok)
					time.Sleep(time.Second / 10)
				}
				round := time.Now()
				p.observe(round, refused)
				p.observe(round, refused)
				time.Sleep(time.Second)
				if err := p.wait(t.Context(), far); err != nil {
					t.Fatal(err)
				}
				if got := p.lim.Limit(); got != tt.wantCut {
					t.Fatalf("rate after the push-back = %v, want %v", got, tt.wantCut)
				}
				// A late refusal of a request sent before the cut cuts no more.
				p.observe(round, refused)
				if err := p.wait(t.Context(), far); err != nil {
					t.Fatal(err)
				}
				if got := p.lim.Limit(); got != tt.wantCut {
					t.Errorf("rate after a refusal from the same round = %v, want %v", got, tt.wantCut)
				}
				// Nor does a late success of a request sent before the cut grow it.
				p.observe(round, ok)
				if got := p.lim.Limit(); got != tt.wantCut {
					t.Errorf("rate after a success from before the cut = %v, want %v", got, tt.wantCut)
				}
				// Growth: higher on every success, up to the cap.
				last := p.lim.Limit()
				for i := range 600 {
					p.observe(time.Now(), ok)
					got := p.lim.Limit()
					if got <= last && got < p.cap || tt.cap > 0 && got > rate.Limit(tt.cap) {
						t.Fatalf("success %d: rate %v after %v, want it higher and at most the cap %v", i, got, last, tt.cap)
					}
					last = got
				}
				if tt.cap > 0 && last != rate.Limit(tt.cap) {
					t.Errorf("rate after 600 successes = %v, want the cap %v", last, tt.cap)
				}
				// After the next push-back, successes wait for its cut.
				p.observe(time.Now(), refused)
				p.observe(time.Now(), ok)
				if got := p.lim.Limit(); got != last {
					t.Errorf("rate after a success between a push-back and its cut = %v, want %v", got, last)
				}
			})
		})
	}
}

// The cut counts the requests accepted in the second before the first
// push-back of a round, even when answers come in during a long hold: not a
// request sent long before, nor one sent after the push-back, and a later
// refusal does not move that second.
func TestPacerCutWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ok := &http.Response{StatusCode: http.StatusOK}
		hold := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"5"}}}
		p := newPacer(0, nil)
		early := time.Now()
		time.Sleep(2 * time.Second)
		for range 6 {
			p.observe(time.Now(), ok)
			time.Sleep(time.Second / 10)
		}
		pushed := time.Now()
		p.observe(pushed, hold)
		time.Sleep(2 * time.Second)
		p.observe(pushed, hold)
		time.Sleep(time.Second)
		p.observe(early, ok)
		p.observe(time.Now(), ok)
		if err := p.wait(t.Context(), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := p.lim.Limit(); got != 3 {
			t.Errorf("rate after the push-back = %v, want 3, half the 6 accepted in the second before it", got)
		}
	})
}
