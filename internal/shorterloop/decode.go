package shorterloop

import (
	"errors"
	"io"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// decodeOptions are the client's choices where JSON decoders differ.
var decodeOptions = json.JoinOptions(
	// Names in exact case: the API's bodies come from JSON.stringify, which writes them as documented.
	json.MatchCaseInsensitiveNames(false),
	// Duplicate names rejected: JSON.stringify never writes one.
	jsontext.AllowDuplicateNames(false),
	// Invalid UTF-8 replaced by U+FFFD, as encoding/json did: one bad name must not fail a whole segment.
	jsontext.AllowInvalidUTF8(true),
	// Unknown fields ignored: the API may add some.
	json.RejectUnknownMembers(false),
)

var errTrailingData = errors.New("data after the JSON value")

// decode reads exactly one JSON value from r into out, streaming: it never
// holds the whole body, which for a large segment is larger than the users.
func decode(r io.Reader, out *segmentEnvelope) error {
	dec := jsontext.NewDecoder(r, decodeOptions)
	if err := json.UnmarshalDecode(dec, out); err != nil {
		return err // io.EOF for an empty body
	}
	switch _, err := dec.ReadToken(); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return errTrailingData
	default:
		return err
	}
}

func decodeReason(err error) string {
	var semanticErr *json.SemanticError
	var syntaxErr *jsontext.SyntacticError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "body ended before the JSON was complete"
	case errors.As(err, &syntaxErr):
		return "body is not valid JSON"
	case errors.As(err, &semanticErr):
		return "JSON does not have the documented shape"
	case errors.Is(err, errTrailingData):
		return "body has more than one JSON value"
	}
	return "body could not be read"
}

// jsonError is a decoding error with a text fit to show.
type jsonError struct {
	err  error
	text string
}

func (e *jsonError) Error() string { return e.text }
func (e *jsonError) Unwrap() error { return e.err }

// redactJSONError removes the secret from err, whose text quotes names from
// the body at any length. The paths go first: the text shortens a long one,
// which could cut the secret in two.
func redactJSONError(err error, secret string) error {
	redact := func(p *jsontext.Pointer) {
		var q jsontext.Pointer
		for name := range p.Tokens() {
			q = q.AppendToken(strings.ReplaceAll(name, secret, "[redacted]"))
		}
		*p = q
	}
	var semantic *json.SemanticError
	if errors.As(err, &semantic) {
		redact(&semantic.JSONPointer)
	}
	var syntactic *jsontext.SyntacticError
	if errors.As(err, &syntactic) {
		redact(&syntactic.JSONPointer)
	}
	return &jsonError{err: err, text: sanitize([]byte(err.Error()), false, secret)}
}
