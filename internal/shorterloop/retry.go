package shorterloop

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// do sends req with go-retryablehttp, whose RetryMax is the attempt limit,
// and returns the final error with the request and the attempts named once.
// The retry budget is a deadline set as the read starts, which the hooks
// only read: nothing in the hooks depends on the order the library calls them.
// Each attempt first waits for its turn from the client's pacer, here and in
// PrepareRetry: outside http.Client's per-attempt timeout, and not an
// attempt itself. A turn after the deadline ends the read at once.
func (c *Client) do(req *retryablehttp.Request) error {
	start := time.Now()
	deadline := start.Add(c.cfg.RetryBudget)
	c.pace.reads.Add(1)
	attempts := 0 // stays 0 when a wait between attempts is cancelled
	// last is the answer with a retryable status that is to be retried,
	// read before the library drains its body.
	var last error
	rc := &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryMax:     c.cfg.MaxRetries,
		RetryWaitMin: c.cfg.RetryWaitMin,
		RetryWaitMax: c.cfg.RetryWaitMax,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			retry, checkErr := checkRetry(ctx, resp, err, deadline)
			if retry && err == nil {
				last = c.apiError(resp)
			}
			return retry, checkErr
		},
		Backoff: func(lo, hi time.Duration, attempt int, _ *http.Response) time.Duration {
			return backoff(lo, hi, attempt, deadline)
		},
		PrepareRetry: func(r *http.Request) error { return c.pace.wait(r.Context(), deadline) },
		// Called when no attempt succeeded. A nil err means the attempts
		// ran out on that answer; the answer to a 429 also says why no turn
		// was left after it.
		ErrorHandler: func(resp *http.Response, err error, n int) (*http.Response, error) {
			attempts = n
			if resp != nil {
				_ = resp.Body.Close()
				if err == nil || errors.Is(err, errNoTurn) && resp.StatusCode == http.StatusTooManyRequests {
					err = last
				}
			}
			return nil, err
		},
	}
	if c.cfg.Log != nil {
		rc.Logger = leveledLogger{ctx: req.Context(), log: c.cfg.Log}
	}
	if err := c.pace.wait(req.Context(), deadline); err != nil {
		return annotate(c.rateLimited(err, start), req.URL, attempts)
	}
	resp, err := rc.Do(req)
	if err != nil {
		return annotate(c.rateLimited(err, start), req.URL, attempts)
	}
	_ = resp.Body.Close()
	return nil
}

// rateLimited makes a RateLimitError of a read that gave up on a rate limit:
// refused with 429 at its last attempt, or left no turn.
func (c *Client) rateLimited(err error, start time.Time) error {
	var apiErr *APIError
	if errors.Is(err, errNoTurn) || errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests {
		return &RateLimitError{Waited: time.Since(start), Reads: int(c.pace.reads.Load()), PushedBack: c.pace.pushedBack(), Err: err}
	}
	return err
}

// checkRetry retries transport failures, including those while reading the
// body, and the retryable statuses of the API or of a proxy asked to open a
// tunnel, while the deadline allows.
func checkRetry(ctx context.Context, resp *http.Response, err error, deadline time.Time) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var transport *transportError
	var proxy *ProxyError
	var apiErr *APIError
	var redirect *RedirectError
	switch {
	case errors.As(err, &transport):
	case errors.As(err, &proxy):
		if !retryableStatus(proxy.StatusCode) {
			return false, err
		}
	case errors.As(err, &apiErr), errors.Is(err, ErrInvalidResponse), errors.As(err, &redirect):
		return false, err
	case err != nil:
		if retry, policyErr := retryablehttp.DefaultRetryPolicy(ctx, nil, err); !retry {
			return false, policyErr
		}
	case !retryableStatus(resp.StatusCode):
		return false, nil
	}
	// Rather than wait in vain, give up now: the answer is reported as it is.
	return time.Now().Add(retryAfter(resp)).Before(deadline), nil
}

// retryableStatus says whether an answer with this status may succeed if
// asked again: 429, 500, 502, 503 and 504.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff is capped exponential backoff with jitter, a random wait between
// half and all of lo·2^attempt and at most hi, cut at deadline so that it
// does not outlast the budget. A Retry-After is the pacer's hold, which
// PrepareRetry waits out in full.
func backoff(lo, hi time.Duration, attempt int, deadline time.Time) time.Duration {
	d := lo << min(attempt, 20)
	if d <= 0 || d > hi {
		d = hi
	}
	d = d/2 + rand.N(d/2+1) //nolint:gosec // G404: jitter needs no cryptographic randomness
	return min(d, time.Until(deadline))
}

// annotate adds the method and the URL asked, once, and the attempt count to
// a final error. An APIError carries its count itself.
func annotate(err error, u *url.URL, attempts int) error {
	after := ""
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Attempts = attempts
	} else if attempts > 1 {
		after = fmt.Sprintf(" after %d attempts", attempts)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL
	}
	return fmt.Errorf("GET %s failed%s: %w", u.Redacted(), after, err)
}

// retryAfter parses a Retry-After header of a 429 or 503 response, given in
// seconds or as an HTTP date.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(min(max(secs, 0), 1<<31)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
