package shorterloop

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors, matched with errors.Is against the errors returned by the client.
var (
	ErrUnauthorized    = errors.New("unauthorized")
	ErrForbidden       = errors.New("forbidden")
	ErrNotFound        = errors.New("not found")
	ErrInvalidResponse = errors.New("invalid response")
)

// APIError is a non-2xx answer from the API.
type APIError struct {
	StatusCode  int
	ContentType string
	// Message is the "message" or "error" field of a JSON error body, if any.
	Message string
	// Excerpt is the start of the body, sanitised for display.
	Excerpt string
	// RetryAfter is the parsed Retry-After header, if any.
	RetryAfter time.Duration
	// Attempts is how many requests were made, retries included.
	Attempts int
	// TokenExpiredAt is set on a 401 when the configured token is a JWT
	// whose exp claim had passed: the likely reason for the refusal.
	TokenExpiredAt time.Time
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("API answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" and asked to retry after %s", e.RetryAfter)
	}
	if e.Message != "" {
		return s + ": " + e.Message
	}
	if e.Excerpt != "" {
		return fmt.Sprintf("%s (%s): %s", s, contentTypeOrUnknown(e.ContentType), e.Excerpt)
	}
	return s
}

// IsHTML says whether the answer was a web page, as a proxy, firewall or
// content filter in the way sends, rather than an API's error body.
func (e *APIError) IsHTML() bool { return isHTML(e.ContentType) }

// Is makes errors.Is(err, ErrNotFound) and friends work for APIError.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	}
	return false
}

// RateLimitError is a read that gave up on a rate limit: the API answered
// its last attempt with 429, or the client's pace left it no turn within its
// retry budget.
type RateLimitError struct {
	// Waited is how long the read took before it gave up, its waits included.
	Waited time.Duration
	// Reads is how many reads the client has started so far, all sharing
	// its pace.
	Reads int
	// PushedBack says that the API has refused the client's requests with
	// 429, or asked it to wait; false when MaxRequestsPerSecond alone left
	// no turn.
	PushedBack bool
	// Err is the last answer, an *APIError, or says that no turn was left.
	Err error
}

func (e *RateLimitError) Error() string { return e.Err.Error() }

func (e *RateLimitError) Unwrap() error { return e.Err }

// ProxyError is a proxy's refusal to open a tunnel to the API: its answer
// to CONNECT was not 200.
type ProxyError struct {
	// Proxy is the proxy's URL, its password redacted.
	Proxy string
	// Credentials says whether that URL holds a user name, which the
	// transport sends as Basic credentials.
	Credentials bool
	StatusCode  int
	// Status is the proxy's status line, e.g. "407 Proxy Authentication Required".
	Status string
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("proxy %s refused to open a connection to the API: it answered %s", e.Proxy, e.Status)
}

// InvalidResponseError is a 2xx answer whose body cannot be used.
type InvalidResponseError struct {
	StatusCode  int
	ContentType string
	// Reason says what was wrong, e.g. "body is not JSON".
	Reason  string
	Excerpt string
	Err     error
}

func (e *InvalidResponseError) Error() string {
	s := fmt.Sprintf("unusable %d response (%s): %s", e.StatusCode, contentTypeOrUnknown(e.ContentType), e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Excerpt != "" {
		s += "; body starts with: " + e.Excerpt
	}
	return s
}

func (e *InvalidResponseError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidResponse) true.
func (e *InvalidResponseError) Is(target error) bool { return target == ErrInvalidResponse }

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

func contentTypeOrUnknown(ct string) string {
	if ct == "" {
		return "no content type"
	}
	return ct
}

const excerptMax = 200

// sanitize turns raw body bytes into a short single-line excerpt: the secret
// redacted, HTML tags dropped (when html is set), control characters and runs
// of whitespace collapsed, and cut at excerptMax runes.
func sanitize(body []byte, html bool, secret string) string {
	s := string(body)
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "[redacted]")
		// body is often cut short; a secret straddling the cut leaves its
		// start at the end. Redact that too, unless it is too short to
		// matter and too likely to be chance.
		for i := len(secret) - 1; i >= 4; i-- {
			if strings.HasSuffix(s, secret[:i]) {
				s = s[:len(s)-i] + "[redacted]"
				break
			}
		}
	}
	var b strings.Builder
	inTag, space, n := false, false, 0
	for _, r := range s {
		switch {
		case r == '<' && html:
			inTag = true
			continue
		case r == '>' && inTag:
			inTag, space = false, true
			continue
		case inTag:
			continue
		case r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r):
			space = true
			continue
		}
		sep := space && b.Len() > 0
		if n+1 > excerptMax || (sep && n+2 > excerptMax) {
			b.WriteString("…")
			break
		}
		if sep {
			b.WriteByte(' ')
			n++
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return b.String()
}
