// Package shorterloop is a client for the Shorter Loop REST API.
package shorterloop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
)

// DefaultBaseURL is the public Shorter Loop API.
const DefaultBaseURL = "https://api.shorterloop.com"

// DefaultMaxBodyBytes bounds a response body; a segment of 100,000 users is
// about 80 MB.
const DefaultMaxBodyBytes = 512 << 20

// Config configures a Client.
type Config struct {
	// BaseURL defaults to DefaultBaseURL.
	BaseURL string
	// Token is the bearer token. It is sent only in the Authorization header.
	Token string
	// InitiativeID is the initiative (product) key, e.g. "SHO-MJXR".
	InitiativeID string
	// HTTPClient defaults to a new http.Client.
	HTTPClient *http.Client
	// UserAgent is sent as the User-Agent header when set.
	UserAgent string
	// MaxBodyBytes defaults to DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// Client reads from the Shorter Loop API. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	cfg     Config
	http    *http.Client
	maxBody int64
}

// NewClient checks cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	if cfg.Token == "" {
		return nil, errors.New("token is empty")
	}
	if cfg.InitiativeID == "" {
		return nil, errors.New("initiative ID is empty")
	}
	c := &Client{base: base, cfg: cfg, http: cfg.HTTPClient, maxBody: cfg.MaxBodyBytes}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	return c, nil
}

// GetSegment reads one segment option with its users.
func (c *Client) GetSegment(ctx context.Context, id int64) (*Segment, error) {
	if id < 1 {
		return nil, fmt.Errorf("segment id must be at least 1, got %d", id)
	}
	u := c.base.JoinPath("api", "v2", "segments", "with-users", strconv.FormatInt(id, 10))
	var env segmentEnvelope
	if err := c.get(ctx, u, &env); err != nil {
		return nil, err
	}
	return env.Data, nil
}

func (c *Client) get(ctx context.Context, u *url.URL, out *segmentEnvelope) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
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

	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u.Redacted(), scrubURLError(err))
	}
	defer resp.Body.Close()

	ct := resp.Header.Get("Content-Type")
	body := &headReader{r: newLimitReader(resp.Body, c.maxBody)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(resp.StatusCode, ct, body)
	}
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
	if err := decodeEnvelope(body, out); err != nil {
		var tooLarge *BodyTooLargeError
		if errors.As(err, &tooLarge) {
			return err
		}
		return invalid(decodeReason(err), err)
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

// decodeEnvelope decodes exactly one JSON value from r as a stream.
func decodeEnvelope(r io.Reader, out *segmentEnvelope) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(out); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("data after the JSON value")
		}
		return err
	}
	return nil
}

func decodeReason(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return "JSON does not have the documented shape"
	case errors.As(err, &syntaxErr):
		return "body is not valid JSON"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "body ended before the JSON was complete"
	}
	return "body could not be read"
}

func (c *Client) apiError(status int, ct string, body *headReader) error {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, headMax))
	e := &APIError{StatusCode: status, ContentType: ct, Excerpt: sanitize(body.head, isHTML(ct), c.cfg.Token)}
	var env segmentEnvelope
	if json.Unmarshal(body.head, &env) == nil {
		e.Message = sanitize([]byte(envelopeMessage(&env)), false, c.cfg.Token)
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

// scrubURLError drops the *url.Error wrapper, whose message repeats the URL
// already named by the caller.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
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
