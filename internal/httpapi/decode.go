package httpapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Costs of the decoder's input (see the package doc): an object becomes a
// struct or a map (a Mesos task decodes to about 120 bytes, an agent's
// executor statistics to about 230), an element or a member at least a
// slice slot or a map entry.
const (
	objectCost = 128
	itemCost   = 16
)

// Decode reads one JSON value from r into v as Client.Do does, with the
// default limits: for answers read some other way (tests, recordings).
func Decode(r io.Reader, v any) error {
	return decode(r, v, DefaultMaxBody, DefaultMaxCost)
}

// decode streams r into v: at most maxBody bytes are read, members that v's
// Skipper names are dropped, those its Capturer takes are read by it, and
// what reaches encoding/json or a capture costs at most maxCost. Decoder
// errors become messages a user can act on.
func decode(r io.Reader, v any, maxBody, maxCost int64) error {
	body := &capReader{r: r, n: maxBody, limit: maxBody}
	cost := &costReader{r: body, left: maxCost, limit: maxCost}
	if sk, ok := v.(Skipper); ok {
		s := newSkipReader(body, sk.SkipKeys())
		if c, ok := sk.(Capturer); ok {
			s.capture, s.cost = c, cost
		}
		cost.r = s
	}
	return decodeError(json.NewDecoder(cost).Decode(v), body, cost)
}

// MaxString is where Stream cuts a string read from a whole streamed
// answer: ids, names and messages are far shorter, and a hostile answer's
// 1 GB string costs a buffer of this size, not its length.
const MaxString = 64 << 10

var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 16<<10) }}

// DecodeStream hands the JSON value of r to read as GetStream does, with
// the default MaxBody: for answers read some other way (tests, files).
func DecodeStream(r io.Reader, read func(*Stream) error) error {
	return decodeStream(r, read, DefaultMaxBody)
}

// decodeStream reads at most maxBody bytes of r through a Stream; read
// must consume exactly one value, and nothing but white space may follow.
func decodeStream(r io.Reader, read func(*Stream) error, maxBody int64) error {
	body := &capReader{r: r, n: maxBody, limit: maxBody}
	// The read buffer is reused: --cluster reads thousands of answers a
	// refresh, and zeroing a new 64 KB one each was 7 % of its CPU; 16 KB
	// is as fast for a stream (a longer string is read in pieces) and
	// hundreds in flight cost a few MB.
	br := readers.Get().(*bufio.Reader)
	br.Reset(body)
	defer func() { br.Reset(nil); readers.Put(br) }()
	st := &Stream{s: &skipReader{src: br}, maxString: MaxString}
	err := read(st)
	if err == nil {
		if _, e := st.s.nonSpace(); e == nil {
			err = ErrCapture // more after the value
		} else if e != io.EOF {
			err = e
		}
	}
	switch {
	case errors.Is(err, ErrCapture):
		return Payloadf("invalid JSON")
	case errors.Is(err, io.EOF) && body.n < body.limit:
		err = io.ErrUnexpectedEOF // it ended inside the value
	}
	return decodeError(err, body, nil)
}

// decodeError turns a decoder's error into one a user can act on: which
// limit an answer went over, or what is wrong with it.
func decodeError(err error, body *capReader, cost *costReader) error {
	switch {
	case err == nil:
		return nil
	case body.over:
		return tooLarge(body.limit, "")
	case cost != nil && cost.over:
		return tooLarge(cost.limit, " to decode")
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return Payloadf("empty answer")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Payloadf("truncated JSON")
	case errors.As(err, &syn):
		return Payloadf("invalid JSON at byte %d: %s", syn.Offset, clean(err.Error()))
	case errors.As(err, &typ):
		return Payloadf("unexpected JSON: %s is a %s, want %s", clean(typ.Field), typ.Value, typ.Type)
	}
	return err
}

// tooLarge names the limit an answer went over.
func tooLarge(limit int64, what string) error {
	return &PayloadError{tooLarge: true, msg: fmt.Sprintf("answer too large: over the %s limit of one answer%s", mb(limit), what)}
}

func mb(n int64) string {
	return fmt.Sprintf("%d MB", (n+1024)>>20)
}

// errOverLimit stops a reader at its limit; decode reports which one.
var errOverLimit = errors.New("over the limit")

// capReader reads at most n bytes from r, then fails.
type capReader struct {
	r     io.Reader
	n     int64
	limit int64 // n at the start, for the error
	over  bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.over = true
		return 0, errOverLimit
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

// costReader passes JSON through while it costs no more than left: a byte
// costs 1, an object objectCost, an array element or object member
// itemCost ('[' and ',' outside strings).
type costReader struct {
	r        io.Reader
	left     int64
	limit    int64 // left at the start, for the error
	inString bool
	escaped  bool
	over     bool
}

func (c *costReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		c.over = true
		return 0, errOverLimit
	}
	k, err := c.r.Read(p)
	cost := int64(k)
	for _, b := range p[:k] {
		switch {
		case c.escaped:
			c.escaped = false
		case c.inString:
			switch b {
			case '\\':
				c.escaped = true
			case '"':
				c.inString = false
			}
		case b == '"':
			c.inString = true
		case b == '{':
			cost += objectCost
		case b == '[' || b == ',':
			cost += itemCost
		}
	}
	c.left -= cost
	if c.left < 0 {
		// Give nothing of this read to the decoder: it would keep it.
		c.over = true
		return 0, errOverLimit
	}
	return k, err
}
