package orchestrator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// skipper is implemented by answer types whose big unused members (a Mesos
// master's completed tasks are most of its state) are cut out of the byte
// stream before encoding/json sees it: scanning them costs more than
// decoding everything else.
type skipper interface {
	skipKeys() map[string]bool
}

// capturer is a skipper that also takes some members out of the stream and
// reads them itself: a Mesos master's completed tasks are thousands of
// small objects, and handing them to encoding/json would triple the cost
// of the whole decode (13 → 45 ms of CPU on the 2.4 MB 0.22 state).
type capturer interface {
	skipper
	// capture returns the reader of the member key's value, or nil to
	// let the member through.
	capture(key string) func(p *skipReader) error
}

// newFilter is the reader decodeJSON decodes v from: src with v's skipped
// members removed and its captured members read by v.
func newFilter(src io.Reader, sk skipper) *skipReader {
	s := newSkipReader(src, sk.skipKeys())
	if c, ok := sk.(capturer); ok {
		s.capturer = c
	}
	return s
}

// mesosSkip are members of a Mesos state that this tool never reads.
// Frameworks' completed_tasks and unreachable_tasks are read (the task
// history); what they hold beyond ids, states and statuses is cut here.
var mesosSkip = map[string]bool{
	"completed_frameworks": true, "unregistered_frameworks": true,
	"orphan_tasks": true, "completed_executors": true,
	"flags": true, "offers": true, "resources": true, "used_resources": true,
	"offered_resources": true, "labels": true, "discovery": true, "network_infos": true,
	"reserved_resources": true, "reserved_resources_full": true, "unreserved_resources": true,
	"unreserved_resources_full": true, "reserved_resources_allocated": true,
	"unreserved_resources_allocated": true, "attributes": true, "health_check": true,
}

func (*mesosState) skipKeys() map[string]bool { return mesosSkip }

// skipReader streams JSON from src with every object member whose key is in
// skip removed, at any depth. Whitespace outside strings is dropped. It does
// not validate: invalid input passes through for the decoder to reject.
type skipReader struct {
	src      *bufio.Reader
	skip     map[string]bool
	capturer capturer // nil: nothing captured
	tail     []byte   // skipString's scratch
	out      bytes.Buffer
	err      error
	// stack of open containers: for objects, whether a member was written
	// and whether the next string is a key.
	stack []frame
}

type frame struct {
	object, wrote, wantKey bool
}

func newSkipReader(r io.Reader, skip map[string]bool) *skipReader {
	return &skipReader{src: bufio.NewReaderSize(r, 64<<10), skip: skip}
}

func (s *skipReader) Read(p []byte) (int, error) {
	for s.out.Len() < len(p) && s.err == nil {
		s.err = s.step()
	}
	if s.out.Len() > 0 {
		return s.out.Read(p)
	}
	return 0, s.err
}

func (s *skipReader) top() *frame {
	if len(s.stack) == 0 {
		return nil
	}
	return &s.stack[len(s.stack)-1]
}

// step consumes one token (or one skipped member) from src.
func (s *skipReader) step() error {
	b, err := s.src.ReadByte()
	if err != nil {
		return err
	}
	switch b {
	case ' ', '\t', '\n', '\r':
		return nil
	case '{':
		s.out.WriteByte(b)
		s.stack = append(s.stack, frame{object: true, wantKey: true})
	case '[':
		s.out.WriteByte(b)
		s.stack = append(s.stack, frame{})
	case '}', ']':
		s.out.WriteByte(b)
		if len(s.stack) > 0 {
			s.stack = s.stack[:len(s.stack)-1]
		}
	case ',':
		if f := s.top(); f != nil && f.object {
			f.wantKey = true // the comma is written with the next kept key
			return nil
		}
		s.out.WriteByte(b)
	case '"':
		if f := s.top(); f != nil && f.object && f.wantKey {
			return s.member(f)
		}
		s.out.WriteByte(b)
		return s.copyString(&s.out)
	default:
		s.out.WriteByte(b)
	}
	return nil
}

// member handles an object member whose key's opening quote was read.
func (s *skipReader) member(f *frame) error {
	var kb bytes.Buffer
	if err := s.copyString(&kb); err != nil {
		return err
	}
	raw := kb.Bytes() // key and closing quote
	f.wantKey = false
	if len(raw) > 0 && s.skip[string(raw[:len(raw)-1])] {
		if err := s.expectColon(); err != nil {
			return err
		}
		return s.skipValue()
	}
	if s.capturer != nil && len(raw) > 0 {
		if read := s.capturer.capture(string(raw[:len(raw)-1])); read != nil {
			if err := s.expectColon(); err != nil {
				return err
			}
			return read(s)
		}
	}
	if f.wrote {
		s.out.WriteByte(',')
	}
	f.wrote = true
	s.out.WriteByte('"')
	s.out.Write(raw)
	return nil
}

// copyString copies a string's rest (after the opening quote) to w,
// closing quote included.
func (s *skipReader) copyString(w *bytes.Buffer) error {
	start := w.Len()
	for {
		// Whole runs up to the next quote, not a byte at a time.
		chunk, err := s.src.ReadSlice('"')
		w.Write(chunk)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return err
		}
		if !escaped(w.Bytes()[start:]) {
			return nil
		}
	}
}

// escaped says whether the quote that ends b (a string's inside so far,
// quote included) is escaped: an odd run of backslashes before it.
func escaped(b []byte) bool {
	n := 0
	for i := len(b) - 2; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func (s *skipReader) expectColon() error {
	for {
		b, err := s.src.ReadByte()
		if err != nil {
			return err
		}
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return nil
		default:
			// Not JSON: let the decoder see it.
			s.out.WriteByte(b)
			return nil
		}
	}
}

// skipValue discards one JSON value.
func (s *skipReader) skipValue() error {
	depth := 0
	for {
		b, err := s.src.ReadByte()
		if err != nil {
			return err
		}
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			if err := s.skipString(); err != nil {
				return err
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 { // a scalar's end was its container's end
				return s.src.UnreadByte()
			}
		case ',':
			if depth == 0 {
				return s.src.UnreadByte()
			}
		}
		if depth == 0 && (b == '"' || b == '}' || b == ']') {
			return nil
		}
	}
}

func (s *skipReader) skipString() error {
	// Only the backslashes just before a quote matter: keep the tail.
	tail := s.tail[:0]
	defer func() { s.tail = tail }()
	for {
		chunk, err := s.src.ReadSlice('"')
		if len(chunk) >= 64 {
			tail = append(tail[:0], chunk[len(chunk)-64:]...)
		} else {
			tail = append(tail, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return err
		}
		if !escaped(tail) {
			return nil
		}
	}
}

// The readers below parse captured values by hand. They accept what JSON
// allows and return an error on anything else, which ends the stream: the
// decoder then reports the answer as truncated.

var errCapture = errors.New("unexpected JSON in a captured member")

// peek returns the next byte that is not white space, without consuming it.
func (s *skipReader) peek() (byte, error) {
	for {
		b, err := s.src.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return b, s.src.UnreadByte()
	}
}

// eachElement calls elem for every element of an array (null is an empty
// one); elem must consume the element.
func (s *skipReader) eachElement(elem func() error) error {
	b, err := s.peek()
	if err != nil {
		return err
	}
	if b != '[' {
		return s.skipValue() // null or another type: nothing to read
	}
	s.src.ReadByte()
	for first := true; ; first = false {
		b, err := s.peek()
		if err != nil {
			return err
		}
		if b == ']' {
			s.src.ReadByte()
			return nil
		}
		if !first {
			if b != ',' {
				return errCapture
			}
			s.src.ReadByte()
		}
		if err := elem(); err != nil {
			return err
		}
	}
}

// eachMember calls member with every key of an object; member must consume
// the value (s.skipValue() to ignore it).
func (s *skipReader) eachMember(member func(key []byte) error) error {
	b, err := s.peek()
	if err != nil {
		return err
	}
	if b != '{' {
		return s.skipValue() // not an object: nothing to read
	}
	s.src.ReadByte()
	var key []byte
	for first := true; ; first = false {
		b, err := s.peek()
		if err != nil {
			return err
		}
		if b == '}' {
			s.src.ReadByte()
			return nil
		}
		if !first {
			if b != ',' {
				return errCapture
			}
			s.src.ReadByte()
		}
		if key, err = s.rawString(key[:0]); err != nil {
			return err
		}
		if b, err = s.peek(); err != nil {
			return err
		} else if b != ':' {
			return errCapture
		}
		s.src.ReadByte()
		if err := member(key); err != nil {
			return err
		}
	}
}

// rawString reads a string token into buf, quotes included, escapes as they are.
func (s *skipReader) rawString(buf []byte) ([]byte, error) {
	b, err := s.peek()
	if err != nil {
		return buf, err
	}
	if b != '"' {
		return buf, errCapture
	}
	s.src.ReadByte()
	start := len(buf)
	for {
		chunk, err := s.src.ReadSlice('"')
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return buf, err
		}
		if !escaped(buf[start:]) {
			return buf[start : len(buf)-1], nil
		}
	}
}

// stringValue reads a string value; null and other types give "" (the
// value is skipped).
func (s *skipReader) stringValue(buf *[]byte) (string, error) {
	b, err := s.peek()
	if err != nil {
		return "", err
	}
	if b != '"' {
		return "", s.skipValue()
	}
	raw, err := s.rawString((*buf)[:0])
	*buf = raw
	if err != nil {
		return "", err
	}
	return decodeRawString(raw)
}

// decodeRawString turns a string token's inside (escapes as they are) into
// its value.
func decodeRawString(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw), nil
	}
	var out string
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	if err := json.Unmarshal(q, &out); err != nil {
		return "", errCapture
	}
	return out, nil
}

// numberValue reads a number; other types give 0 (the value is skipped).
func (s *skipReader) numberValue(buf *[]byte) (float64, error) {
	b, err := s.peek()
	if err != nil {
		return 0, err
	}
	if b != '-' && (b < '0' || b > '9') {
		return 0, s.skipValue()
	}
	num := (*buf)[:0]
	for {
		c, err := s.src.ReadByte()
		if err != nil {
			return 0, err
		}
		if !(c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c >= '0' && c <= '9') {
			s.src.UnreadByte()
			break
		}
		num = append(num, c)
	}
	*buf = num
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return 0, nil // out of range: no usable time, as if absent
	}
	return f, nil
}
