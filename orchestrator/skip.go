package orchestrator

import (
	"bufio"
	"bytes"
	"io"
)

// skipper is implemented by answer types whose big unused members (a Mesos
// master's completed tasks are most of its state) are cut out of the byte
// stream before encoding/json sees it: scanning them costs more than
// decoding everything else.
type skipper interface {
	skipKeys() map[string]bool
}

// mesosSkip are members of a Mesos state that this tool never reads.
var mesosSkip = map[string]bool{
	"completed_frameworks": true, "completed_tasks": true, "unregistered_frameworks": true,
	"orphan_tasks": true, "unreachable_tasks": true, "completed_executors": true,
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
	src  *bufio.Reader
	skip map[string]bool
	out  bytes.Buffer
	err  error
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
	for {
		b, err := s.src.ReadByte()
		if err != nil {
			return err
		}
		w.WriteByte(b)
		switch b {
		case '\\':
			c, err := s.src.ReadByte()
			if err != nil {
				return err
			}
			w.WriteByte(c)
		case '"':
			return nil
		}
	}
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
	for {
		b, err := s.src.ReadByte()
		if err != nil {
			return err
		}
		switch b {
		case '\\':
			if _, err := s.src.ReadByte(); err != nil {
				return err
			}
		case '"':
			return nil
		}
	}
}
