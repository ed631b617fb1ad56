// Package shorterloop is a client for the Shorter Loop REST API.
package shorterloop

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// DefaultBaseURL is the public Shorter Loop API.
const DefaultBaseURL = "https://api.shorterloop.com"

// SegmentPath is the path, under the base URL, that GetSegment appends the
// segment id to.
const SegmentPath = "/api/v2/segments/with-users/"

// Defaults for the zero values of Config.
const (
	// DefaultMaxBodyBytes bounds a response body, so that an answer that is
	// not the API's cannot exhaust memory.
	DefaultMaxBodyBytes = 256 << 20
	// DefaultRequestTimeout bounds one attempt, body included.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultRetryBudget bounds the time one call spends retrying: it makes
	// no retry after it and honours no Retry-After that ends after it.
	DefaultRetryBudget = 2 * time.Minute

	retryWaitMin = 500 * time.Millisecond
	retryWaitMax = 30 * time.Second
)

// Config configures a Client.
type Config struct {
	// BaseURL defaults to DefaultBaseURL.
	BaseURL string
	// Token is the bearer token. It is sent only in the Authorization header.
	Token string
	// InitiativeID is the initiative (product) key, e.g. "SHO-MJXR".
	InitiativeID string
	// HTTPClient defaults to a new http.Client. The client uses a copy with
	// its own timeout and redirect policy, whose transport also tells the
	// client's pacer of the API's answers.
	HTTPClient *http.Client
	// RootCAs, when set, are the certificate authorities trusted for the
	// API's TLS certificate instead of the system's. It applies only when
	// HTTPClient brings no Transport of its own.
	RootCAs *x509.CertPool
	// UserAgent is sent as the User-Agent header when set.
	UserAgent string
	// MaxBodyBytes defaults to DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxRetries is how many times a transient failure is retried.
	MaxRetries int
	// RequestTimeout bounds each attempt; it defaults to DefaultRequestTimeout.
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound one backoff wait.
	RetryWaitMin, RetryWaitMax time.Duration
	// RetryBudget defaults to DefaultRetryBudget.
	RetryBudget time.Duration
	// MaxRequestsPerSecond, when above 0, caps the rate of requests from the
	// first one. Without it, the client sends freely until the API pushes back.
	MaxRequestsPerSecond float64
	// Log, when set, receives debug messages about requests and retries.
	// level is "debug", "info", "warn" or "error".
	Log func(ctx context.Context, level, msg string, fields map[string]any)
}

// Client reads from the Shorter Loop API. It is safe for concurrent use, and
// its requests share one pace.
type Client struct {
	base *url.URL
	cfg  Config
	http *http.Client
	pace *pacer
}

// BaseURL returns the API base URL the client sends requests to.
func (c *Client) BaseURL() string { return c.base.String() }

// Host returns the host, and port if any, that the client sends requests to.
func (c *Client) Host() string { return c.base.Host }

// NewClient returns a Client for cfg, which its caller has checked. It fails
// only when cfg.BaseURL cannot be parsed.
func NewClient(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, errors.New("base URL is not a valid URL") // url.Error's text would show a password in it
	}
	setDefault(&cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&cfg.RequestTimeout, DefaultRequestTimeout)
	setDefault(&cfg.RetryWaitMin, retryWaitMin)
	setDefault(&cfg.RetryWaitMax, retryWaitMax)
	setDefault(&cfg.RetryBudget, DefaultRetryBudget)

	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		*hc = *cfg.HTTPClient
	}
	if hc.Transport == nil {
		// The clone keeps http.ProxyFromEnvironment: HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
		t := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // it is one unless a program replaces it, and this one does not
		t.TLSClientConfig = &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}
		t.OnProxyConnectResponse = proxyRefusal
		hc.Transport = t
	}
	pace := newPacer(cfg.MaxRequestsPerSecond, cfg.Log)
	hc.Transport = observingTransport{next: hc.Transport, pace: pace}
	hc.Timeout = cfg.RequestTimeout
	hc.CheckRedirect = sameOriginRedirects
	return &Client{base: base, cfg: cfg, http: hc, pace: pace}, nil
}

// proxyRefusal turns a proxy's refusal of CONNECT into a ProxyError, which
// net/http would report as its bare status text.
func proxyRefusal(_ context.Context, proxy *url.URL, _ *http.Request, resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	return &ProxyError{Proxy: proxy.Redacted(), Credentials: proxy.User != nil, StatusCode: resp.StatusCode, Status: resp.Status}
}

func setDefault[T int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// GetSegment reads one segment option with its users.
func (c *Client) GetSegment(ctx context.Context, id int64) (*Segment, error) {
	if id < 1 {
		return nil, fmt.Errorf("segment id must be at least 1, got %d", id)
	}
	u := c.base.JoinPath(SegmentPath, strconv.FormatInt(id, 10))
	var env segmentEnvelope
	if err := c.get(ctx, u, &env); err != nil {
		return nil, err
	}
	return env.Data, nil
}

// get reads u into out. Every final response, successful or not, goes through
// handle, so a failure while streaming the body can be retried like any other
// transport error.
func (c *Client) get(ctx context.Context, u *url.URL, out *segmentEnvelope) error {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("initiativeId", c.cfg.InitiativeID)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	req.SetResponseHandler(func(resp *http.Response) error {
		*out = segmentEnvelope{}
		return c.handle(resp, out)
	})
	return c.do(req)
}

// handle reads one final response into out, or returns why it cannot.
func (c *Client) handle(resp *http.Response, out *segmentEnvelope) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(resp)
	}
	ct := resp.Header.Get("Content-Type")
	body := &headReader{r: newLimitReader(resp.Body, c.cfg.MaxBodyBytes)}
	invalid := func(reason string, err error) error {
		_, _ = io.Copy(io.Discard, io.LimitReader(body, 512))
		return &InvalidResponseError{
			StatusCode: resp.StatusCode, ContentType: ct, Reason: reason, Err: err,
			Excerpt: sanitize(body.head, isHTML(ct), c.cfg.Token),
		}
	}
	if isHTML(ct) {
		return invalid("expected JSON, got an HTML page", nil)
	}
	if resp.ContentLength > c.cfg.MaxBodyBytes {
		return &BodyTooLargeError{Limit: c.cfg.MaxBodyBytes}
	}
	if err := decode(body, out); err != nil {
		var tooLarge *BodyTooLargeError
		var transport *transportError
		if errors.As(err, &tooLarge) || errors.As(err, &transport) {
			return err
		}
		return invalid(decodeReason(err), redactJSONError(err, c.cfg.Token))
	}
	switch {
	case out.Success == nil:
		return invalid(`body has no "success" field`, nil)
	case !*out.Success:
		reason := `"success" is false`
		if msg := envelopeMessage(out); msg != "" {
			reason += ": " + sanitize([]byte(msg), false, c.cfg.Token)
		}
		return invalid(reason, nil)
	case out.Data == nil:
		return invalid(`body has no "data" object`, nil)
	case out.Data.ID == 0:
		return invalid(`"data" has no segment "id"`, nil)
	}
	return nil
}

func (c *Client) apiError(resp *http.Response) error {
	ct := resp.Header.Get("Content-Type")
	head, _ := io.ReadAll(io.LimitReader(resp.Body, headMax))
	e := &APIError{
		StatusCode: resp.StatusCode, ContentType: ct, Excerpt: sanitize(head, isHTML(ct), c.cfg.Token),
		RetryAfter: retryAfter(resp),
	}
	var env segmentEnvelope
	if decode(bytes.NewReader(head), &env) == nil {
		e.Message = sanitize([]byte(envelopeMessage(&env)), false, c.cfg.Token)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		if exp, ok := tokenExpiry(c.cfg.Token); ok && exp.Before(time.Now()) {
			e.TokenExpiredAt = exp
		}
	}
	return e
}

func envelopeMessage(env *segmentEnvelope) string {
	if env.Message != "" {
		return env.Message
	}
	switch v := env.Error.(type) {
	case string:
		return v
	case map[string]any:
		if m, ok := v["message"].(string); ok {
			return m
		}
	}
	return ""
}

func isHTML(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// BodyTooLargeError is returned when a response body exceeds Config.MaxBodyBytes.
type BodyTooLargeError struct{ Limit int64 }

func (e *BodyTooLargeError) Error() string {
	if e.Limit%(1<<20) == 0 {
		return fmt.Sprintf("response body is larger than the %d MiB limit", e.Limit>>20)
	}
	return fmt.Sprintf("response body is larger than the %d-byte limit", e.Limit)
}

// Is makes errors.Is(err, ErrInvalidResponse) true.
func (e *BodyTooLargeError) Is(target error) bool { return target == ErrInvalidResponse }

// limitReader fails with BodyTooLargeError once more than limit bytes are read.
type limitReader struct {
	r           io.Reader
	limit, read int64
}

func newLimitReader(r io.Reader, limit int64) *limitReader {
	return &limitReader{r: io.LimitReader(r, limit+1), limit: limit}
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.read > l.limit {
		return n, &BodyTooLargeError{Limit: l.limit}
	}
	if err != nil && err != io.EOF {
		err = &transportError{err: err, read: l.read}
	}
	return n, err
}

const headMax = 4096

// headReader keeps the first headMax bytes read, for error excerpts.
type headReader struct {
	r    io.Reader
	head []byte
}

func (h *headReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if room := headMax - len(h.head); room > 0 {
		h.head = append(h.head, p[:min(n, room)]...)
	}
	return n, err
}
