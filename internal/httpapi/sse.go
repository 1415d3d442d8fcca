package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// MaxEvent bounds one server-sent event's data: Marathon's largest,
// api_post_event with a whole app definition, is a few KB; a
// deployment_info of a big group a few hundred.
const MaxEvent = 1 << 20

// GetEvents asks path on e for a server-sent event stream (Accept:
// text/event-stream, as Marathon's /v2/events wants) and hands each event
// to each, its name ("message" when the server names none) and its data
// (the data lines joined by newlines; valid until each returns), until
// the server ends the stream, ctx ends or each fails. Timeout bounds the
// wait for the answer's headers, not the stream; an event whose data is
// larger than MaxEvent ends it with an error. Errors are those of Do; a
// stream the server ends is an io.ErrUnexpectedEOF.
func (c *Client) GetEvents(ctx context.Context, e *Endpoint, path string, each func(event string, data []byte) error) (*url.URL, error) {
	return c.send(ctx, e, http.MethodGet, path, nil, "text/event-stream", func(resp *http.Response) error {
		if err := ReadEvents(resp.Body, each); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	})
}

// ReadEvents reads a text/event-stream (the WHATWG HTML standard's
// server-sent events: "event:" and "data:" fields, a blank line ends an
// event, lines starting with ":" are comments) until its end, handing
// each event to each. A line or event longer than MaxEvent is an error.
func ReadEvents(r io.Reader, each func(event string, data []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxEvent+64)
	sc.Split(scanLines)
	var name string
	var data []byte
	has := false
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			if has {
				ev := name
				if ev == "" {
					ev = "message"
				}
				if err := each(ev, data); err != nil {
					return err
				}
			}
			name, data, has = "", data[:0], false
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			name = string(value)
		case "data":
			if has {
				data = append(data, '\n')
			}
			if len(data)+len(value) > MaxEvent {
				return &PayloadError{msg: fmt.Sprintf("an event larger than %d bytes", MaxEvent), tooLarge: true}
			}
			data, has = append(data, value...), true
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return &PayloadError{msg: fmt.Sprintf("an event line longer than %d bytes", MaxEvent), tooLarge: true}
		}
		return err
	}
	return nil
}

// scanLines splits at \n, \r\n or a lone \r, as the standard says.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	for i, b := range data {
		switch b {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // a \n may follow
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
