package shorterloop

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
)

// decodeEnvelopeStream decodes exactly one JSON value from r into out, one
// user at a time: it holds a read buffer and at most one user's JSON, never
// the whole body, which for a large segment is larger than the decoded users.
//
// It gives what json.Decoder.Decode would: keys match case-insensitively,
// unknown keys are skipped, a value of the wrong kind is skipped and reported
// at the end as a *json.UnmarshalTypeError naming its field from the root
// (unless the body turns out not to be valid JSON). A body that ends early
// gives io.ErrUnexpectedEOF (io.EOF when it is empty); errors from r are
// returned as they are.
func decodeEnvelopeStream(r io.Reader, out *segmentEnvelope) error {
	d := &streamDecoder{dec: json.NewDecoder(&squeezeSpace{r: r}), r: r}
	tok, err := d.firstToken()
	if err != nil {
		return err // io.EOF for an empty body, as json.Decoder.Decode gives
	}
	err = d.object(tok, reflect.TypeFor[segmentEnvelope](), []field{
		{"success", func() error { return d.value(&out.Success) }},
		{"data", func() error { return d.segment(&out.Data) }},
		{"message", func() error { return d.value(&out.Message) }},
		{"error", func() error { return d.value(&out.Error) }},
	})
	if err != nil {
		return err
	}
	if d.typeErr != nil {
		return d.typeErr
	}
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errTrailingData
		}
		return err
	}
	return nil
}

type streamDecoder struct {
	dec     *json.Decoder
	r       io.Reader // what dec reads, before squeezeSpace
	path    []string  // keys from the root to the value being decoded
	typeErr *json.UnmarshalTypeError
	raw     json.RawMessage // the user being decoded
	fast    userDecoder
	// fastDone is set once fastUsers has run: it is for the first users array.
	fastDone bool
}

// segment decodes the data object; like encoding/json, it reuses a segment
// already there and sets *out to nil for a JSON null.
func (d *streamDecoder) segment(out **Segment) error {
	tok, err := d.token()
	if err != nil || tok == nil {
		*out = nil
		return err
	}
	seg := *out
	if seg == nil {
		seg = new(Segment)
	}
	isObject := tok == json.Delim('{')
	err = d.object(tok, reflect.TypeFor[Segment](), []field{
		{"id", func() error { return d.value(&seg.ID) }},
		{"value", func() error { return d.value(&seg.Value) }},
		{"createdAt", func() error { return d.value(&seg.CreatedAt) }},
		{"users", func() error { return d.users(&seg.Users) }},
		{"userCount", func() error { return d.value(&seg.UserCount) }},
	})
	if isObject {
		*out = seg
	}
	return err
}

// users decodes the users array element by element. Like encoding/json,
// it decodes into the users already there (from a repeated key).
func (d *streamDecoder) users(out *[]User) error {
	tok, err := d.token()
	switch {
	case err != nil:
		return err
	case tok == nil:
		*out = nil
		return nil
	case tok != json.Delim('['):
		return d.mismatch(tok, reflect.TypeFor[[]User]())
	}
	users := (*out)[:0]
	if cap(users) == 0 && !d.fastDone {
		d.fastDone = true
		var ended bool
		if users, ended, err = d.fastUsers(); err != nil || ended {
			if len(users) == 0 {
				users = []User{}
			}
			*out = users
			return err
		}
	}
	for d.dec.More() {
		if len(users) < cap(users) {
			users = users[:len(users)+1]
		} else {
			users = append(users, User{})
		}
		if err := d.user(&users[len(users)-1]); err != nil {
			return err
		}
	}
	if len(users) == 0 {
		users = []User{}
	}
	*out = users
	_, err = d.token() // ]
	return err
}

// user decodes the next user into u: with the fast decoder when it can,
// else with encoding/json.
func (d *streamDecoder) user(u *User) error {
	d.raw = d.raw[:0]
	if err := d.dec.Decode(&d.raw); err != nil {
		return unexpectedEOF(err)
	}
	if u.ID == 0 && u.Email == "" && u.Subscriptions == nil && u.SegmentOptions == nil {
		var fast User
		if d.fast.decode(d.raw, &fast) {
			*u = fast
			return nil
		}
	}
	err := json.Unmarshal(d.raw, u)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		d.keep(typeErr)
		return nil
	}
	return err
}

// field is a known key of an object and how to decode its value.
type field struct {
	name   string
	decode func() error
}

// object decodes the object that starts with tok: the values of known keys
// (matched case-insensitively) with their decode, others skipped. A null is
// left alone.
func (d *streamDecoder) object(tok json.Token, typ reflect.Type, fields []field) error {
	switch {
	case tok == nil:
		return nil
	case tok != json.Delim('{'):
		return d.mismatch(tok, typ)
	}
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string) // json.Decoder rejects keys that are not strings
		i := slices.IndexFunc(fields, func(f field) bool { return strings.EqualFold(f.name, key) })
		if i < 0 {
			if err := d.value(&json.RawMessage{}); err != nil {
				return err
			}
			continue
		}
		d.path = append(d.path, fields[i].name)
		err = fields[i].decode()
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
	}
	_, err := d.token() // }
	return err
}

// value decodes the next value into v. A type error is kept for the end.
func (d *streamDecoder) value(v any) error {
	err := d.dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		d.keep(typeErr)
		return nil
	}
	return unexpectedEOF(err)
}

// mismatch keeps a type error for the value that starts with tok, and skips it.
func (d *streamDecoder) mismatch(tok json.Token, typ reflect.Type) error {
	kind := "value"
	switch tok := tok.(type) {
	case json.Delim:
		kind = "object"
		if tok == '[' {
			kind = "array"
		}
	case string:
		kind = "string"
	case float64:
		kind = "number"
	case bool:
		kind = "bool"
	}
	d.keep(&json.UnmarshalTypeError{Value: kind, Type: typ, Offset: d.dec.InputOffset()})
	for depth := 0; ; {
		if delim, ok := tok.(json.Delim); ok {
			if delim == '[' || delim == '{' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
		var err error
		if tok, err = d.token(); err != nil {
			return err
		}
	}
}

// keep keeps the first type error, with its field named from the root.
func (d *streamDecoder) keep(err *json.UnmarshalTypeError) {
	if d.typeErr != nil {
		return
	}
	err.Field = strings.Join(append(d.path[:len(d.path):len(d.path)], err.Field), ".")
	err.Field = strings.Trim(err.Field, ".")
	d.typeErr = err
}

// token is dec.Token inside a value, where the end of the body is unexpected.
func (d *streamDecoder) token() (json.Token, error) {
	tok, err := d.firstToken()
	return tok, unexpectedEOF(err)
}

// firstToken is dec.Token, but for a number too large for a float64, which
// it reads and keeps as a type error, standing for it with a 0.
func (d *streamDecoder) firstToken() (json.Token, error) {
	tok, err := d.dec.Token()
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		d.keep(typeErr)
		return 0.0, nil
	}
	return tok, err
}

func unexpectedEOF(err error) error {
	if err == io.EOF { //nolint:errorlint // the bare io.EOF json.Decoder returns at the end of the body; a reader's wrapped one stays as it is
		return io.ErrUnexpectedEOF
	}
	return err
}

// fastUsers decodes the users array, after its [, straight from the body
// with userDecoder, bypassing json.Decoder, which would scan every user
// twice more. At the end of the array, or at the first user or separator
// that userDecoder does not take (unusual or invalid), it hands what is left
// of the body to a new json.Decoder, first given the JSON that brings it to
// the same place: inside the users array of data, or just after it. The
// caller goes on with that decoder, so errors are encoding/json's. ended
// reports that the array's ] has been read.
func (d *streamDecoder) fastUsers() (users []User, ended bool, err error) {
	w := &bodyWindow{r: io.MultiReader(d.dec.Buffered(), d.r), buf: make([]byte, 0, 64<<10)}
	for {
		// w.pos is just after the [ or the last user taken.
		if !w.skipSpace() {
			return users, false, d.resume(w, false, len(users) > 0, false)
		}
		if w.rest()[0] == ']' {
			w.pos++
			return users, true, d.resume(w, true, false, false)
		}
		comma := false
		if len(users) > 0 {
			if w.rest()[0] != ',' {
				return users, false, d.resume(w, false, true, false)
			}
			w.pos++
			comma = true
			if !w.skipSpace() {
				return users, false, d.resume(w, false, true, true)
			}
		}
		// Decode from what has been read; only when that is not enough,
		// read to the user's end, then decode it again.
		var u User
		n, ok := 0, false
		if w.rest()[0] == '{' {
			if n, ok = d.fast.decodePrefix(w.rest(), &u); !ok {
				if n = w.objectLen(); n > 0 {
					u = User{}
					ok = d.fast.decode(w.rest()[:n], &u)
				}
			}
		}
		if !ok {
			return users, false, d.resume(w, false, len(users) > 0, comma)
		}
		users = append(users, u)
		w.pos += n
	}
}

// resume makes d.dec a json.Decoder reading what is left of w and the body
// after `{"data":{"users":[` and its tokens: with afterArray, `]` too; with
// placeholder, a user `{}` to be skipped, standing for the one before, and
// with comma the comma read after it.
func (d *streamDecoder) resume(w *bodyWindow, afterArray, placeholder, comma bool) error {
	prefix, steps := `{"data":{"users":[`, 5 // tokens: { "data" { "users" [
	if afterArray {
		prefix, steps = prefix+"]", steps+1
	}
	if placeholder {
		prefix += "{}"
	}
	if comma {
		prefix += ","
	}
	d.r = io.MultiReader(strings.NewReader(prefix), bytes.NewReader(w.rest()), w.tail())
	d.dec = json.NewDecoder(&squeezeSpace{r: d.r})
	for range steps {
		if _, err := d.dec.Token(); err != nil {
			return err
		}
	}
	if placeholder {
		return d.dec.Decode(&json.RawMessage{})
	}
	return nil
}

// bodyWindow is the part of the body read but not yet decoded: buf[pos:].
type bodyWindow struct {
	r   io.Reader
	buf []byte
	pos int
	err error // from r, once it has failed or ended
}

func (w *bodyWindow) rest() []byte { return w.buf[w.pos:] }

// tail is what is left of the body after w.
func (w *bodyWindow) tail() io.Reader {
	if w.err != nil {
		return errReader{w.err}
	}
	return w.r
}

// ensure reads until n bytes follow pos; false if the body ends first.
func (w *bodyWindow) ensure(n int) bool {
	for len(w.buf)-w.pos < n {
		if w.err != nil {
			return false
		}
		if w.pos > 0 {
			w.buf = w.buf[:copy(w.buf, w.buf[w.pos:])]
			w.pos = 0
		}
		if len(w.buf) == cap(w.buf) {
			w.buf = append(w.buf, make([]byte, len(w.buf))...)[:len(w.buf)]
		}
		m, err := w.r.Read(w.buf[len(w.buf):cap(w.buf)])
		w.buf = w.buf[:len(w.buf)+m]
		w.err = err
	}
	return true
}

// skipSpace moves pos past white space, which it does not keep, and
// reports whether a byte follows.
func (w *bodyWindow) skipSpace() bool {
	for w.ensure(1) {
		b := w.rest()
		i := 0
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		w.pos += i
		if i < len(b) {
			return true
		}
	}
	return false
}

// objectLen returns the length of the object at pos, which starts with {,
// counting brackets outside strings; -1 if the body ends first.
func (w *bodyWindow) objectLen() int {
	depth, inString := 0, false
	for i := 0; w.ensure(i + 1); {
		b := w.rest()
		for ; i < len(b); i++ {
			if inString {
				switch b[i] {
				case '\\':
					i++
				case '"':
					inString = false
				}
				continue
			}
			switch b[i] {
			case '"':
				inString = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	return -1
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// squeezeSpace drops white space outside strings after the first of a run,
// which changes no JSON value. json.Decoder.Token keeps every byte of a run
// of white space in its buffer and scans it again on each read: a body
// padded with megabytes of spaces would take quadratic time. fastUsers,
// which handles the bulk of the body, reads around it and drops white space
// itself.
type squeezeSpace struct {
	r                        io.Reader
	inString, escaped, space bool
}

func (s *squeezeSpace) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		w := 0
		for _, c := range p[:n] {
			switch {
			case s.inString:
				switch {
				case s.escaped:
					s.escaped = false
				case c == '\\':
					s.escaped = true
				case c == '"':
					s.inString = false
				}
			case isSpace(c):
				if s.space {
					continue
				}
				s.space = true
			default:
				s.space = false
				s.inString = c == '"'
			}
			p[w] = c
			w++
		}
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}
