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

// retrier holds the retry state of one call.
type retrier struct {
	c        *Client
	client   *retryablehttp.Client
	attempts int
	waited   time.Duration
	next     time.Duration
}

func (c *Client) newRetrier(ctx context.Context) *retrier {
	r := &retrier{c: c}
	r.client = &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryMax:     c.cfg.MaxRetries,
		RetryWaitMin: c.cfg.RetryWaitMin,
		RetryWaitMax: c.cfg.RetryWaitMax,
		CheckRetry:   r.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return r.next },
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, attempt int) {
			r.attempts = attempt + 1
		},
	}
	if c.cfg.Log != nil {
		r.client.Logger = leveledLogger{ctx: ctx, log: c.cfg.Log}
	}
	return r
}

// checkRetry retries transport failures, including those while reading the
// body, and 429, 500, 502, 503 and 504 from the API or from a proxy asked to
// open a tunnel; never 501 nor any other status. It
// also chooses the wait before the next attempt, and gives up when that wait
// does not fit in the retry budget.
func (r *retrier) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var transport *transportError
	var apiErr *APIError
	var invalid *InvalidResponseError
	var tooLarge *BodyTooLargeError
	var redirect *RedirectError
	var proxy *ProxyError
	switch {
	case errors.As(err, &transport):
	case errors.As(err, &proxy):
		if !retryableStatus(proxy.StatusCode) {
			return false, err
		}
	case errors.As(err, &apiErr), errors.As(err, &invalid), errors.As(err, &tooLarge), errors.As(err, &redirect):
		return false, err
	case err != nil:
		if retry, policyErr := retryablehttp.DefaultRetryPolicy(ctx, nil, err); !retry {
			return false, policyErr
		}
	case !retryableStatus(resp.StatusCode):
		return false, nil
	}
	if r.attempts > r.c.cfg.MaxRetries {
		return false, nil
	}

	wait := r.backoff()
	if ra := retryAfter(resp); ra > 0 {
		wait = ra
	}
	if r.waited+wait > r.c.cfg.RetryBudget {
		// Give up now rather than sleep past the budget; the final response
		// or error is reported as it is.
		return false, nil
	}
	r.waited += wait
	r.next = wait
	return true, nil
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

// backoff is capped exponential backoff with jitter: a random wait between
// half and all of min·2^(attempt-1), at most max.
func (r *retrier) backoff() time.Duration {
	d := r.c.cfg.RetryWaitMin << min(r.attempts-1, 20)
	if d <= 0 || d > r.c.cfg.RetryWaitMax {
		d = r.c.cfg.RetryWaitMax
	}
	return d/2 + rand.N(d/2+1) //nolint:gosec // G404: jitter needs no cryptographic randomness
}

// annotate adds the method and the URL asked, once, and the attempt count to
// a final error. An APIError carries its count itself.
func (r *retrier) annotate(err error, u *url.URL) error {
	if err == nil {
		return nil
	}
	attempts := ""
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Attempts = r.attempts
	} else if r.attempts > 1 {
		attempts = fmt.Sprintf(" after %d attempts", r.attempts)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL
	}
	return fmt.Errorf("GET %s failed%s: %w", u.Redacted(), attempts, err)
}

// retryAfter parses a Retry-After header of a 429 or 503 response, given in
// seconds or as an HTTP date.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, 1<<31)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// transportError is a failure while reading a response body, such as a
// connection reset or a body shorter than its Content-Length.
type transportError struct {
	err  error
	read int64
}

func (e *transportError) Error() string {
	return fmt.Sprintf("connection failed after %d bytes of the body: %v", e.read, e.err)
}

func (e *transportError) Unwrap() error { return e.err }

// RedirectError is returned when the API redirects to another origin. The
// request is not followed, so the bearer token never leaves the configured host.
type RedirectError struct {
	From, To string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("API redirected from %s to %s, another host; not followed, so that the API token is not sent there", e.From, e.To)
}

func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return &RedirectError{From: first.Scheme + "://" + first.Host, To: req.URL.Scheme + "://" + req.URL.Host}
	}
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	return nil
}

// leveledLogger passes retryablehttp's messages to Config.Log.
type leveledLogger struct {
	ctx context.Context
	log func(ctx context.Context, level, msg string, fields map[string]any)
}

func (l leveledLogger) fields(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = fmt.Sprint(kv[i+1])
	}
	return m
}

func (l leveledLogger) Error(msg string, kv ...any) { l.log(l.ctx, "error", msg, l.fields(kv)) }
func (l leveledLogger) Info(msg string, kv ...any)  { l.log(l.ctx, "info", msg, l.fields(kv)) }
func (l leveledLogger) Debug(msg string, kv ...any) { l.log(l.ctx, "debug", msg, l.fields(kv)) }
func (l leveledLogger) Warn(msg string, kv ...any)  { l.log(l.ctx, "warn", msg, l.fields(kv)) }
