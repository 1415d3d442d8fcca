package httpapi

import (
	"bufio"
	"bytes"
	"io"
)

// Skipper is implemented by answer types whose big unused members (a Mesos
// master's completed tasks are most of its state) are cut out of the byte
// stream before encoding/json sees it: scanning them costs more than
// decoding everything else, and a dropped member costs no memory.
type Skipper interface {
	SkipKeys() map[string]bool
}

// skipReader streams JSON from src with every object member whose key is in
// skip removed, at any depth. Whitespace outside strings is dropped. It does
// not validate: invalid input passes through for the decoder to reject.
type skipReader struct {
	src  *bufio.Reader
	skip map[string]bool
	out  bytes.Buffer
	err  error
	// stack of open containers: for objects, whether a member was written
	// and whether the next string is a key.
	stack []frame
	// inString: a kept string is being copied; it is copied in pieces so
	// that a huge one is never held whole.
	inString bool
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
	if s.inString {
		return s.copyString()
	}
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
	done, err := s.readKey(&kb)
	if err != nil {
		return err
	}
	raw := kb.Bytes() // key and closing quote, when done
	f.wantKey = false
	if done && s.skip[string(raw[:len(raw)-1])] {
		if err := s.expectColon(); err != nil {
			return err
		}
		return s.skipValue()
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

// readKey copies a key's rest (after the opening quote) to w, closing quote
// included, and says whether it ended within maxSkipKey bytes.
func (s *skipReader) readKey(w *bytes.Buffer) (bool, error) {
	return s.copyTo(w, maxSkipKey)
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
	for n := 0; n < limit; n++ {
		b, err := s.src.ReadByte()
		if err != nil {
			return false, err
		}
		w.WriteByte(b)
		switch b {
		case '\\':
			c, err := s.src.ReadByte()
			if err != nil {
				return false, err
			}
			w.WriteByte(c)
		case '"':
			return true, nil
		}
	}
	return false, nil
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

// skipString discards a string's rest (after the opening quote), closing
// quote included, a buffer at a time: most of a Mesos state is skipped.
func (s *skipReader) skipString() error {
	odd := false // what was read so far ends in an odd run of backslashes
	for {
		chunk, err := s.src.ReadSlice('"')
		if err != nil && err != bufio.ErrBufferFull {
			return err
		}
		body := chunk
		if err == nil {
			body = chunk[:len(chunk)-1]
		}
		n := 0
		for n < len(body) && body[len(body)-1-n] == '\\' {
			n++
		}
		if n == len(body) {
			odd = odd != (n%2 == 1) // the run goes on from the last chunk
		} else {
			odd = n%2 == 1
		}
		if err == nil {
			if !odd {
				return nil
			}
			odd = false // an escaped quote ends the run
		}
	}
}
