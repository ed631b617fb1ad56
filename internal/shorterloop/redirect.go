package shorterloop

import (
	"errors"
	"fmt"
	"net/http"
)

// RedirectError is returned when the API redirects to another origin. The
// request is not followed, so the bearer token never leaves the configured host.
type RedirectError struct {
	From, To string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("API redirected from %s to %s, another host; not followed, so that the API token is not sent there", e.From, e.To)
}

// sameOriginRedirects is the client's http.Client.CheckRedirect.
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
