package shorterloop

import (
	"bytes"
	"unicode/utf8"
)

// userDecoder decodes one user's JSON the way encoding/json would, several
// times faster, for the shape the API sends: keys in exact case and each
// once, values of the documented kinds, strings without escapes. For
// anything else, valid or not, it reports false, and the caller decodes the
// user with encoding/json, which gives its usual result or error. It also
// shares the strings that repeat from user to user (roles, statuses, segment
// names, timestamps).
type userDecoder struct {
	b      []byte
	i      int
	shared map[string]string
}

// maxShared bounds the strings kept for sharing; the short, repeated ones
// are usually met among the first users.
const maxShared = 4096

// decode decodes data, which must hold one JSON object and nothing else,
// into a zero *u. It reports false, with *u in any state, when data needs
// encoding/json.
func (d *userDecoder) decode(data []byte, u *User) bool {
	n, ok := d.decodePrefix(data, u)
	for ok && n < len(data) && isSpace(data[n]) {
		n++
	}
	return ok && n == len(data)
}

// decodePrefix decodes the object at the start of data, which may go on
// after it, into a zero *u, and returns its length. It reports false when
// the object needs encoding/json, or when data ends before it does.
func (d *userDecoder) decodePrefix(data []byte, u *User) (int, bool) {
	d.b, d.i = data, 0
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return d.int(&u.ID)
		case "email":
			return d.string(&u.Email, false)
		case "user_subscriptions":
			return array(d, &u.Subscriptions, d.subscription)
		case "segmentOptions":
			return array(d, &u.SegmentOptions, d.segmentOption)
		}
		return d.unknown(key, "id", "email", "user_subscriptions", "segmentOptions")
	})
	d.b = nil
	return d.i, ok
}

func (d *userDecoder) subscription(s *Subscription) bool {
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "firstName":
			if d.null() {
				s.FirstName = nil
				return true
			}
			s.FirstName = new(string)
			return d.string(s.FirstName, true)
		case "userRole":
			return d.string(&s.UserRole, true)
		case "status":
			return d.string(&s.Status, true)
		}
		return d.unknown(key, "firstName", "userRole", "status")
	})
}

func (d *userDecoder) segmentOption(o *SegmentOption) bool {
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "value":
			return d.string(&o.Value, true)
		case "user_segment":
			return d.null() || d.userSegment(&o.UserSegment)
		}
		return d.unknown(key, "value", "user_segment")
	})
}

func (d *userDecoder) userSegment(s *UserSegment) bool {
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "userId":
			return d.int(&s.UserID)
		case "segmentOptionId":
			return d.int(&s.SegmentOptionID)
		case "initiativeId":
			return d.int(&s.InitiativeID)
		case "teamId":
			return d.int(&s.TeamID)
		case "subscriptionId":
			return d.int(&s.SubscriptionID)
		case "createdAt":
			return d.stringLike(&s.CreatedAt, s.UpdatedAt)
		case "updatedAt": // often the same as createdAt
			return d.stringLike(&s.UpdatedAt, s.CreatedAt)
		}
		return d.unknown(key, "userId", "segmentOptionId", "initiativeId", "teamId", "subscriptionId", "createdAt", "updatedAt")
	})
}

// object decodes an object, calling field with each key and the decoder at
// its value. A key seen twice reports false: encoding/json merges the values.
func (d *userDecoder) object(field func(key []byte) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	var seen [16][]byte
	for n := 0; ; n++ {
		d.space()
		key, ok := d.plainString()
		if !ok || n == len(seen) || !d.next(':') {
			return false
		}
		for _, k := range seen[:n] {
			if bytes.Equal(k, key) {
				return false
			}
		}
		seen[n] = key
		d.space()
		if !field(key) {
			return false
		}
		if !d.next(',') {
			return d.next('}')
		}
	}
}

// array decodes an array into *out: nil for null, empty (not nil) for [].
func array[T any](d *userDecoder, out *[]T, elem func(*T) bool) bool {
	if d.null() {
		*out = nil
		return true
	}
	if !d.next('[') {
		return false
	}
	s := []T{}
	if !d.next(']') {
		for {
			s = append(s, *new(T))
			d.space()
			if !elem(&s[len(s)-1]) {
				return false
			}
			if !d.next(',') {
				if !d.next(']') {
					return false
				}
				break
			}
		}
	}
	*out = s
	return true
}

// unknown skips the value of a key that is not one of fields, and reports
// false for a key that matches one of them but for case, which encoding/json
// accepts.
func (d *userDecoder) unknown(key []byte, fields ...string) bool {
	for _, f := range fields {
		if bytes.EqualFold(key, []byte(f)) {
			return false
		}
	}
	return d.skip(0)
}

// string decodes a string; share shares it with equal strings decoded before.
// null leaves *s alone, as encoding/json does.
func (d *userDecoder) string(s *string, share bool) bool {
	if d.null() {
		return true
	}
	raw, ok := d.plainString()
	if !ok {
		return false
	}
	if !share || len(raw) > 64 {
		*s = string(raw)
		return true
	}
	if v, ok := d.shared[string(raw)]; ok {
		*s = v
		return true
	}
	*s = string(raw)
	if len(d.shared) < maxShared {
		if d.shared == nil {
			d.shared = map[string]string{}
		}
		d.shared[*s] = *s
	}
	return true
}

// stringLike decodes a shared string, or like when it is equal.
func (d *userDecoder) stringLike(s *string, like string) bool {
	if d.null() {
		return true
	}
	raw, ok := d.plainString()
	switch {
	case !ok:
		return false
	case like != "" && string(raw) == like:
		*s = like
	default:
		d.i -= len(raw) + 2
		return d.string(s, true)
	}
	return true
}

// plainString returns the content of a string without escapes or control
// characters, in valid UTF-8, which is the string itself; false for any other.
func (d *userDecoder) plainString() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	ascii := true
	for j := d.i + 1; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			s := d.b[d.i+1 : j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			d.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// int decodes an integer that fits int64; false for other numbers, which
// encoding/json reports as errors. null leaves *n alone.
func (d *userDecoder) int(n *int64) bool {
	if d.null() {
		return true
	}
	neg := d.i < len(d.b) && d.b[d.i] == '-'
	if neg {
		d.i++
	}
	start := d.i
	var v uint64
	for ; d.i < len(d.b) && isDigit(d.b[d.i]); d.i++ {
		if v > (1<<63)/10 {
			return false
		}
		v = v*10 + uint64(d.b[d.i]-'0')
	}
	switch {
	case d.i == start, d.b[start] == '0' && d.i-start > 1, !d.delimited():
		return false
	case neg && v <= 1<<63:
		*n = -int64(v)
	case !neg && v < 1<<63:
		*n = int64(v)
	default:
		return false
	}
	return true
}

// skip skips one valid JSON value; false if it is not valid, or too deep.
func (d *userDecoder) skip(depth int) bool {
	if d.i >= len(d.b) || depth > 64 {
		return false
	}
	switch d.b[d.i] {
	case '{':
		d.i++
		if d.next('}') {
			return true
		}
		for {
			d.space()
			if !d.skipString() || !d.next(':') {
				return false
			}
			d.space()
			if !d.skip(depth + 1) {
				return false
			}
			if !d.next(',') {
				return d.next('}')
			}
		}
	case '[':
		d.i++
		if d.next(']') {
			return true
		}
		for {
			d.space()
			if !d.skip(depth + 1) {
				return false
			}
			if !d.next(',') {
				return d.next(']')
			}
		}
	case '"':
		return d.skipString()
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.null()
	}
	return d.number()
}

// skipString skips a valid string.
func (d *userDecoder) skipString() bool {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	for d.i++; d.i < len(d.b); d.i++ {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			d.i++
			if d.i >= len(d.b) {
				return false
			}
			switch d.b[d.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if d.i+4 >= len(d.b) {
					return false
				}
				for _, h := range d.b[d.i+1 : d.i+5] {
					if !isDigit(h) && (h|0x20 < 'a' || h|0x20 > 'f') {
						return false
					}
				}
				d.i += 4
			default:
				return false
			}
		}
	}
	return false
}

// number skips a valid number.
func (d *userDecoder) number() bool {
	digits := func() int {
		start := d.i
		for d.i < len(d.b) && isDigit(d.b[d.i]) {
			d.i++
		}
		return d.i - start
	}
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	start := d.i
	if n := digits(); n == 0 || (n > 1 && d.b[start] == '0') {
		return false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return d.delimited()
}

func (d *userDecoder) literal(s string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(s)) {
		return false
	}
	d.i += len(s)
	return d.delimited()
}

// null consumes a null, if that is what comes next.
func (d *userDecoder) null() bool {
	if d.i+4 > len(d.b) || string(d.b[d.i:d.i+4]) != "null" {
		return false
	}
	d.i += 4
	if !d.delimited() {
		d.i -= 4
		return false
	}
	return true
}

// delimited reports whether a number or literal may end here.
func (d *userDecoder) delimited() bool {
	if d.i == len(d.b) {
		return true
	}
	switch d.b[d.i] {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// next skips white space and reports whether c follows, consuming it.
func (d *userDecoder) next(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *userDecoder) space() {
	for d.i < len(d.b) && isSpace(d.b[d.i]) {
		d.i++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
