package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// Skipper is implemented by answer types whose big unused members (a Mesos
// master's completed tasks are most of its state) are cut out of the byte
// stream before encoding/json sees it: scanning them costs more than
// decoding everything else, and a dropped member costs no memory.
type Skipper interface {
	SkipKeys() map[string]bool
}

// Capturer is a Skipper that also takes some members out of the stream and
// reads them itself with a Stream: a Mesos master's completed tasks are
// thousands of small objects of which a few fields matter, and handing
// them to encoding/json would triple the cost of the whole decode (13 → 45
// ms of CPU on a 2.4 MB state). What a capture reads counts against the
// decode's cost limit as if encoding/json had decoded it.
type Capturer interface {
	Skipper
	// Capture returns the reader of the value of a member named key (at
	// any depth), or nil to let the member through. The reader must
	// consume exactly that one value.
	Capture(key string) func(*Stream) error
}

// skipReader streams JSON from src with every object member whose key is in
// skip removed, at any depth, and every member a Capturer takes handed to
// it. Whitespace outside strings is dropped. It does not validate: invalid
// input passes through for the decoder to reject.
type skipReader struct {
	src  *bufio.Reader
	skip map[string]bool
	// capture and cost: the Capturer (nil: nothing is captured) and the
	// decode's cost budget its reads are charged to (nil: unbounded).
	capture Capturer
	cost    *costReader
	out     bytes.Buffer
	err     error
	// stack of open containers: for objects, whether a member was written
	// and whether the next string is a key.
	stack []frame
	// inString: a kept string is being copied; it is copied in pieces so
	// that a huge one is never held whole. odd: what was copied of it so
	// far ends in an odd run of backslashes.
	inString, odd bool
}

// maxSkipKey is the longest key worth comparing with the skip list; a
// longer one is copied through like any string.
const maxSkipKey = 256

// chunk bounds how much one Read buffers before handing it on.
const chunk = 64 << 10

type frame struct {
	object, wrote, wantKey bool
}

func newSkipReader(r io.Reader, skip map[string]bool) *skipReader {
	return &skipReader{src: bufio.NewReaderSize(r, chunk), skip: skip}
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

// step consumes one token (or one skipped or captured member) from src.
func (s *skipReader) step() error {
	if s.inString {
		return s.copyString()
	}
	b, err := s.nonSpace()
	if err != nil {
		return err
	}
	switch b {
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
		s.inString = true
		return s.copyString()
	default:
		s.out.WriteByte(b)
	}
	return nil
}

// member handles an object member whose key's opening quote was read.
func (s *skipReader) member(f *frame) error {
	var kb bytes.Buffer
	done, err := s.copyTo(&kb, maxSkipKey)
	if err != nil {
		return err
	}
	raw := kb.Bytes() // key and closing quote, when done
	f.wantKey = false
	if done {
		key := raw[:len(raw)-1]
		if s.skip[string(key)] {
			if err := s.expectColon(); err != nil {
				return err
			}
			return s.skipValue()
		}
		if s.capture != nil {
			if read := s.capture.Capture(string(key)); read != nil {
				if err := s.expectColon(); err != nil {
					return err
				}
				return read(&Stream{s: s})
			}
		}
	}
	if f.wrote {
		s.out.WriteByte(',')
	}
	f.wrote = true
	s.out.WriteByte('"')
	s.out.Write(raw)
	s.inString = !done // a long key's rest is copied as a string
	return nil
}

// copyString copies the rest of a kept string to the output, closing quote
// included, a chunk at a time.
func (s *skipReader) copyString() error {
	done, err := s.copyTo(&s.out, chunk)
	if done {
		s.inString = false
	}
	return err
}

// copyTo copies a string's bytes to w until its closing quote (included)
// or about limit bytes, and says whether the quote came.
func (s *skipReader) copyTo(w *bytes.Buffer, limit int) (bool, error) {
	return s.eachRun(&s.odd, limit, func(run []byte, _ bool) error {
		w.Write(run)
		return nil
	})
}

// eachRun consumes a string's bytes after its opening quote up to its
// closing quote (included), or about limit bytes when limit > 0, and says
// whether the quote came. It hands use (when not nil) whole runs of the
// read buffer, not a byte at a time, each before it is consumed; closed
// says that the run ends with the closing quote. odd carries the parity of
// a run of backslashes from one call to the next.
func (s *skipReader) eachRun(odd *bool, limit int, use func(run []byte, closed bool) error) (bool, error) {
	for n := 0; limit <= 0 || n < limit; {
		buf, err := s.buffered()
		if err != nil {
			return false, err
		}
		if limit > 0 && len(buf) > limit-n {
			buf = buf[:limit-n]
		}
		end := stringEnd(buf, odd)
		if end >= 0 {
			buf = buf[:end]
		}
		if use != nil {
			if err := use(buf, end >= 0); err != nil {
				return false, err
			}
		}
		s.src.Discard(len(buf))
		n += len(buf)
		if end >= 0 {
			return true, nil
		}
	}
	return false, nil
}

// buffered returns what src holds unread, reading more when it holds
// nothing; it consumes nothing.
func (s *skipReader) buffered() ([]byte, error) {
	if s.src.Buffered() == 0 {
		if _, err := s.src.Peek(1); err != nil {
			return nil, err
		}
	}
	return s.src.Peek(s.src.Buffered())
}

// stringEnd returns the length of b's prefix that ends a string's inside
// (its closing quote included), or -1 when b holds no unescaped quote.
// odd says whether what came before b ends in an odd run of backslashes;
// it is updated for what follows.
func stringEnd(b []byte, odd *bool) int {
	from := 0
	for {
		i := bytes.IndexByte(b[from:], '"')
		if i < 0 {
			*odd = oddRun(b, len(b), *odd)
			return -1
		}
		q := from + i
		if !oddRun(b, q, *odd) {
			*odd = false
			return q + 1
		}
		from = q + 1 // an escaped quote: the run before b no longer counts
	}
}

// oddRun says whether the backslashes just before b[end] are an odd run;
// carry is the parity of a run that reaches back before b.
func oddRun(b []byte, end int, carry bool) bool {
	n := 0
	for n < end && b[end-1-n] == '\\' {
		n++
	}
	odd := n%2 == 1
	if n == end && carry {
		odd = !odd
	}
	return odd
}

func (s *skipReader) expectColon() error {
	b, err := s.nonSpace()
	if err != nil {
		return err
	}
	if b != ':' {
		// Not JSON: let the decoder see it.
		s.out.WriteByte(b)
	}
	return nil
}

// nonSpace reads the next byte that is not JSON white space.
func (s *skipReader) nonSpace() (byte, error) {
	for {
		b, err := s.src.ReadByte()
		if err != nil || b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			return b, err
		}
	}
}

// skipValue discards one JSON value.
func (s *skipReader) skipValue() error {
	depth := 0
	for {
		b, err := s.nonSpace()
		if err != nil {
			return err
		}
		switch b {
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

// copyValue is skipValue that appends the value's bytes (white space
// outside strings left out) to out while they fit in limit bytes; past
// it the rest is skipped, and over says so.
func (s *skipReader) copyValue(out []byte, limit int) ([]byte, bool, error) {
	depth, over := 0, false
	add := func(p []byte) {
		if over {
			return
		}
		if len(out)+len(p) > limit {
			over = true
			return
		}
		out = append(out, p...)
	}
	var one [1]byte
	for {
		b, err := s.nonSpace()
		if err != nil {
			return out, over, err
		}
		switch b {
		case '}', ']', ',':
			if depth == 0 { // a scalar's end: its container's next byte
				return out, over, s.src.UnreadByte()
			}
			if b != ',' {
				depth--
			}
		case '{', '[':
			depth++
		}
		one[0] = b
		add(one[:])
		if b == '"' {
			odd := false
			if _, err := s.eachRun(&odd, 0, func(run []byte, _ bool) error { add(run); return nil }); err != nil {
				return out, over, err
			}
		}
		if depth == 0 && (b == '"' || b == '}' || b == ']') {
			return out, over, nil
		}
	}
}

// skipString discards a string's rest (after the opening quote), closing
// quote included, a buffer at a time: most of a Mesos state is skipped.
func (s *skipReader) skipString() error {
	odd := false
	_, err := s.eachRun(&odd, 0, nil)
	return err
}

// charge counts n against the decode's cost budget and fails past it.
func (s *skipReader) charge(n int64) error {
	if s.cost == nil {
		return nil
	}
	s.cost.left -= n
	if s.cost.left < 0 {
		s.cost.over = true
		return errOverLimit
	}
	return nil
}

// Stream is the JSON a Capturer's reader takes a captured value from, a
// token at a time. Its readers accept what JSON allows and return an error
// on anything else, which ends the answer: the decode then fails (as
// truncated JSON, or over its cost limit). Every object, element and
// member it reads, and every byte of a string or number it returns, counts
// against the decode's cost limit, so that a hostile answer cannot make a
// capture hold more than encoding/json would have been allowed to.
type Stream struct {
	s   *skipReader
	buf []byte // scratch of String and Number
	// maxString, when not 0, is where strings are cut (their rest is
	// skipped): a whole streamed answer has no cost limit to stop them.
	maxString int
}

// ErrCapture is the error of a Stream reader that met something that is
// not JSON where a value was due.
var ErrCapture = errors.New("unexpected JSON in a captured member")

// Peek returns the next byte that is not white space, without consuming
// it: '"', '{', '[', 'n' (null)… tells the type of the next value.
func (st *Stream) Peek() (byte, error) {
	b, err := st.s.nonSpace()
	if err != nil {
		return 0, err
	}
	return b, st.s.src.UnreadByte()
}

// Skip discards the next value, whatever its type; it costs nothing.
func (st *Stream) Skip() error { return st.s.skipValue() }

// Raw appends the next value's JSON to buf (white space outside strings
// left out), for a reader that hands one value of a huge answer to
// encoding/json: at most limit bytes are kept, the rest is skipped, and
// cut says so. Its bytes count against the cost limit.
func (st *Stream) Raw(buf []byte, limit int) (out []byte, cut bool, err error) {
	start := len(buf)
	out, cut, err = st.s.copyValue(buf, start+limit)
	if cerr := st.s.charge(int64(len(out) - start)); err == nil {
		err = cerr
	}
	return out, cut, err
}

// EachElement calls elem for every element of an array; elem must consume
// the element. Null or a value of another type is skipped as an empty
// array.
func (st *Stream) EachElement(elem func() error) error {
	if ok, err := st.open('['); !ok || err != nil {
		return err
	}
	for first := true; ; first = false {
		if more, err := st.next(']', first); !more || err != nil {
			return err
		}
		if err := elem(); err != nil {
			return err
		}
	}
}

// EachMember calls member with the key of every member of an object (its
// raw inside, escapes as they are, valid only during the call); member
// must consume the value (Skip to ignore it). Null or a value of another
// type is skipped as an empty object.
func (st *Stream) EachMember(member func(key []byte) error) error {
	if ok, err := st.open('{'); !ok || err != nil {
		return err
	}
	s := st.s
	if err := s.charge(objectCost); err != nil {
		return err
	}
	var key []byte
	for first := true; ; first = false {
		more, err := st.next('}', first)
		if !more || err != nil {
			return err
		}
		if key, err = st.raw(key[:0], maxSkipKey); err != nil {
			return err
		}
		b, err := st.Peek()
		if err != nil {
			return err
		} else if b != ':' {
			return ErrCapture
		}
		s.src.ReadByte()
		if err := member(key); err != nil {
			return err
		}
	}
}

// open consumes the opening byte of an array or an object; a value of
// another type is skipped, and open says false.
func (st *Stream) open(opening byte) (bool, error) {
	b, err := st.Peek()
	if err != nil {
		return false, err
	}
	if b != opening {
		return false, st.s.skipValue()
	}
	st.s.src.ReadByte()
	return true, nil
}

// next moves to the next item of an open array or object: it consumes the
// comma before any item but the first and counts the item against the
// cost limit. It says false once it has consumed the closing byte instead.
func (st *Stream) next(closing byte, first bool) (bool, error) {
	s := st.s
	b, err := st.Peek()
	if err != nil {
		return false, err
	}
	if b == closing {
		s.src.ReadByte()
		return false, nil
	}
	if !first {
		if b != ',' {
			return false, ErrCapture
		}
		s.src.ReadByte()
	}
	return true, s.charge(itemCost)
}

// RawString reads a string value's inside, escapes as they are, into buf
// (reset) and returns it; a value of another type is ErrCapture. Its bytes
// count against the cost limit.
func (st *Stream) RawString(buf []byte) ([]byte, error) {
	return st.raw(buf[:0], st.maxString)
}

// raw reads a string token's inside into buf. With limit > 0 it keeps at
// most limit bytes and skips the rest: a key that long matches no name a
// capture looks for, and is neither held nor charged.
func (st *Stream) raw(buf []byte, limit int) ([]byte, error) {
	s := st.s
	b, err := st.Peek()
	if err != nil {
		return buf, err
	}
	if b != '"' {
		return buf, ErrCapture
	}
	s.src.ReadByte()
	odd := false
	start := len(buf)
	_, err = s.eachRun(&odd, 0, func(run []byte, closed bool) error {
		if closed {
			run = run[:len(run)-1] // not the closing quote
		}
		if limit > 0 && len(buf)-start+len(run) > limit {
			run = run[:max(0, limit-(len(buf)-start))]
		}
		if err := s.charge(int64(len(run))); err != nil {
			return err
		}
		buf = append(buf, run...)
		return nil
	})
	return buf, err
}

// String reads a string value; null and values of other types give ""
// (and are skipped).
func (st *Stream) String() (string, error) {
	b, err := st.Peek()
	if err != nil {
		return "", err
	}
	if b != '"' {
		return "", st.s.skipValue()
	}
	raw, err := st.RawString(st.buf)
	st.buf = raw
	if err != nil {
		return "", err
	}
	return Unquote(raw)
}

// Unquote turns a string's raw inside (escapes as they are, as RawString
// returns it) into its value.
func Unquote(raw []byte) (string, error) {
	// Without escapes and valid as UTF-8 it is its own text; invalid
	// bytes become U+FFFD each, as encoding/json makes them.
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw), nil
	}
	var out string
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	if err := json.Unmarshal(q, &out); err != nil {
		return "", ErrCapture
	}
	return out, nil
}

// maxNumber is the longest number Number reads; JSON's widest float64
// needs about 25 bytes.
const maxNumber = 64

// Number reads a number; null and values of other types give 0 (and are
// skipped), and so does a number out of float64's range or longer than
// maxNumber bytes.
func (st *Stream) Number() (float64, error) {
	s := st.s
	b, err := st.Peek()
	if err != nil {
		return 0, err
	}
	if b != '-' && (b < '0' || b > '9') {
		return 0, s.skipValue()
	}
	num := st.buf[:0]
	long := false
	for {
		c, err := s.src.ReadByte()
		if err != nil {
			return 0, err
		}
		if !(c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c >= '0' && c <= '9') {
			s.src.UnreadByte()
			break
		}
		if len(num) == maxNumber {
			long = true
			continue
		}
		num = append(num, c)
	}
	st.buf = num
	if err := s.charge(int64(len(num))); err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil || long {
		return 0, nil // no usable value, as if absent
	}
	return f, nil
}
