// Package fakeapi is an in-memory Shorter Loop API for tests and the demo. It
// serves GET /api/v2/segments/with-users/{segmentId} as documented.
package fakeapi

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shorterloop/terraform-provider-shorterloop/internal/shorterloop"
)

// VendorExample is the vendor's example response body, byte for byte: the
// documentation asks for segment 18 and shows segment 19, "Young Innovators",
// with 39 users.
//
//go:embed testdata/segment-with-users-18.json
var VendorExample []byte

const segmentPath = "/api/v2/segments/with-users/"

// Server is the fake API. It is safe for concurrent use.
type Server struct {
	token, initiativeID string

	mu       sync.Mutex
	bodies   map[int64][]byte
	faults   map[int64]Fault
	hits     map[int64]int
	requests map[int64]int
	gzip     bool
	// perSecond > 0 accepts that many requests in each one-second window.
	perSecond, accepted int
	window              time.Time
}

// Fault is an answer that replaces the normal one.
type Fault struct {
	Status      int               // HTTP status to send, e.g. 502; 0 means 500
	ContentType string            // e.g. "text/html"; empty sends no Content-Type header
	Body        string            // raw body
	Header      map[string]string // extra headers, e.g. Retry-After
	// Times limits the fault to the first Times requests; 0 means always.
	Times int
	// Delay holds the answer back, or until the client gives up. Alone, it
	// delays the normal answer.
	Delay time.Duration
	// ResetAfter > 0 sends the normal answer but resets the connection after
	// that many bytes of its body; Status, ContentType and Body are ignored.
	ResetAfter int
	// RedirectTo answers 302 Found with this Location.
	RedirectTo string
	// Pad > 0 sends the normal answer with that many spaces after its first
	// byte: still valid JSON, but as large as the test needs.
	Pad int64
}

// New returns a fake API that accepts only the given bearer token and initiative key.
// It serves the vendor example body for segment 19 and, like the vendor's own
// documentation page, also for segment 18 (asked 18, answers with segment 19).
func New(token, initiativeID string) *Server {
	return &Server{
		token:        token,
		initiativeID: initiativeID,
		bodies:       map[int64][]byte{18: VendorExample, 19: VendorExample},
		faults:       map[int64]Fault{},
		hits:         map[int64]int{},
		requests:     map[int64]int{},
	}
}

// SetSegment serves seg (wrapped as {"success":true,"data":...}) for id.
func (s *Server) SetSegment(id int64, seg shorterloop.Segment) {
	body, err := json.Marshal(map[string]any{"success": true, "data": seg})
	if err != nil {
		panic(err) // a Segment always marshals
	}
	s.SetBody(id, body)
}

// SetBody serves this raw body with status 200 and Content-Type application/json for id.
func (s *Server) SetBody(id int64, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[id] = bytes.Clone(body)
}

// SetFault makes requests for id answer with the fault instead.
// SetFault(id, Fault{}) removes the fault.
func (s *Server) SetFault(id int64, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hits, id)
	if reflect.ValueOf(f).IsZero() {
		delete(s.faults, id)
		return
	}
	s.faults[id] = f
}

// SetGzip makes the server compress bodies for clients that accept gzip.
func (s *Server) SetGzip(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gzip = on
}

// SetRateLimit makes the server accept at most n requests in each fixed
// one-second window, across all segments, and answer the others 429 with
// Retry-After: 1. 0 removes the limit.
func (s *Server) SetRateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perSecond = n
}

// Requests returns how many requests for segment id reached the server (including rejected ones).
func (s *Server) Requests(id int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[id]
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, segmentPath)
	if !ok || rest == "" || strings.Contains(rest, "/") {
		writeError(w, http.StatusNotFound, "no route for "+r.URL.Path)
		return
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "segmentId must be an integer")
		return
	case id < 1:
		writeError(w, http.StatusNotFound, "no route for "+r.URL.Path)
		return
	}

	s.mu.Lock()
	s.requests[id]++
	body, known := s.bodies[id]
	fault, faulty := s.faults[id]
	if faulty {
		s.hits[id]++
		faulty = fault.Times == 0 || s.hits[id] <= fault.Times
	}
	gz := s.gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	limited := s.overLimit()
	s.mu.Unlock()

	switch {
	case limited:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "rate limit exceeded")
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "only GET is allowed")
	case r.Header.Get("Authorization") != "Bearer "+s.token:
		writeError(w, http.StatusUnauthorized, "missing or invalid bearer token")
	case r.Header.Get("initiativeId") == "":
		writeError(w, http.StatusBadRequest, "missing initiativeId header")
	case r.Header.Get("initiativeId") != s.initiativeID:
		writeError(w, http.StatusForbidden, "no access to this initiative")
	case faulty && fault.Delay > 0 && !sleep(r, fault.Delay):
		// The client went away.
	case faulty && fault.RedirectTo != "":
		http.Redirect(w, r, fault.RedirectTo, http.StatusFound)
	case faulty && fault.Pad > 0 && known:
		writePadded(w, body, fault.Pad)
	case faulty && fault.ResetAfter > 0 && known:
		resetMidBody(w, body, fault.ResetAfter)
	case faulty && (fault.Status != 0 || fault.Body != "" || fault.ContentType != "" || len(fault.Header) > 0):
		for k, v := range fault.Header {
			w.Header().Set(k, v)
		}
		if fault.ContentType == "" {
			w.Header()["Content-Type"] = nil // suppress content sniffing
		} else {
			w.Header().Set("Content-Type", fault.ContentType)
		}
		if fault.Status == 0 {
			fault.Status = http.StatusInternalServerError
		}
		w.WriteHeader(fault.Status)
		_, _ = w.Write([]byte(fault.Body))
	case !known:
		writeError(w, http.StatusNotFound, "segment "+rest+" not found")
	case gz:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(body)
		_ = zw.Close()
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

// overLimit counts a request in its window and says whether it is past the
// limit. Call it with s.mu held.
func (s *Server) overLimit() bool {
	if s.perSecond == 0 {
		return false
	}
	if w := time.Now().Truncate(time.Second); !w.Equal(s.window) {
		s.window, s.accepted = w, 0
	}
	if s.accepted == s.perSecond {
		return true
	}
	s.accepted++
	return false
}

func writePadded(w http.ResponseWriter, body []byte, pad int64) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.FormatInt(int64(len(body))+pad, 10))
	spaces := bytes.Repeat([]byte{' '}, 64<<10)
	if _, err := w.Write(body[:1]); err != nil {
		return
	}
	for pad > 0 {
		n, err := w.Write(spaces[:min(pad, int64(len(spaces)))])
		if err != nil {
			return
		}
		pad -= int64(n)
	}
	_, _ = w.Write(body[1:])
}

// sleep waits for d and reports whether the client is still there.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// resetMidBody promises the whole body, sends n bytes of it and resets the
// TCP connection.
func resetMidBody(w http.ResponseWriter, body []byte, n int) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:min(n, len(body))])
	_ = http.NewResponseController(w).Flush()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func writeError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(map[string]any{"success": false, "message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
