package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// AgentFile is a file of a task's sandbox read through a Mesos agent's
// `/files/read` endpoint (with --cluster, where the file is on another
// node). It is read in pages of at most 64 KiB — the most the agent sends
// at once (16 pages) — from the end for the tail, then from the last offset
// while following; never the whole file.
type AgentFile struct {
	// API sends the requests: TLS, time limit, bounded answers, and the
	// agent's credentials to the agent alone (never on through a redirect).
	API *httpapi.Client
	// Agent is the agent (http://10.0.0.5:5051) with its credentials.
	Agent *httpapi.Endpoint
	// Path is the file's path as the agent serves it: the executor's
	// sandbox directory (the agent state's executors[].directory) + "/stdout".
	Path string
	// Std says which it is: Stdout or Stderr.
	Std string
	// Poll is how often a followed file is asked for more; 1 s when zero.
	Poll time.Duration
}

// readAnswer is the body of /files/read: the bytes read and the offset
// they start at (the file's size when the asked offset is at or past it,
// or -1).
type readAnswer struct {
	Data   json.RawMessage `json:"data"`
	Offset int64           `json:"offset"`
}

// read asks for length bytes at offset (-1 asks for the size only).
func (a AgentFile) read(ctx context.Context, offset int64, length int) ([]byte, int64, error) {
	q := url.Values{}
	q.Set("path", a.Path)
	q.Set("offset", strconv.FormatInt(offset, 10))
	q.Set("length", strconv.Itoa(length))
	var ans readAnswer
	if _, err := a.API.GetJSON(ctx, a.Agent, "/files/read?"+q.Encode(), &ans); err != nil {
		return nil, 0, fmt.Errorf("agent /files/read: %w", err)
	}
	data, err := jsonBytes(ans.Data)
	if err != nil {
		return nil, 0, fmt.Errorf("agent /files/read: %w", err)
	}
	return data, ans.Offset, nil
}

// Stream implements Source. Lines already in the file have no time; a file
// that shrinks is taken as truncated and read again from its start.
func (a AgentFile) Stream(ctx context.Context, tail int, follow bool, out chan<- Line) error {
	_, size, err := a.read(ctx, -1, 0)
	if err != nil {
		return quiet(ctx, fmt.Errorf("log %s %s: %w", a.Std, a.Path, err))
	}
	read := func(ctx context.Context, p []byte, off int64) (int, error) {
		data, at, err := a.read(ctx, off, len(p))
		if err != nil {
			return 0, err
		}
		if at != off { // at or past the end: the agent answers its size
			return 0, nil
		}
		return copy(p, data), nil
	}
	poll := a.Poll
	if poll <= 0 {
		poll = time.Second
	}
	t := newTailer(ctx, a.Std+" "+a.Path, a.Std, read, out)
	return t.stream(ctx, size, tail, follow, poll, func() error {
		_, size, err := a.read(ctx, -1, 0)
		if err != nil {
			// A slow or gone agent: try again at the next poll.
			return nil
		}
		if size < t.off {
			if err := t.restart(t.read); err != nil {
				return err
			}
		}
		t.pump(ctx) // a failed page is asked for again at the next poll
		return nil
	})
}

// jsonBytes decodes a JSON string into the bytes it holds, keeping bytes
// that are not UTF-8 as they are: the agent writes the file's bytes raw
// (only quotes, backslashes, slashes and control characters escaped), and
// offsets count those bytes, so replacing them here would shift every
// offset after them.
func jsonBytes(raw json.RawMessage) ([]byte, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, errors.New("data is not a string")
	}
	s := raw[1 : len(raw)-1]
	if bytes.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			return nil, errors.New("bad escape")
		}
		switch s[i] {
		case '"', '\\', '/':
			out = append(out, s[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, err := hexRune(s[i+1:])
			if err != nil {
				return nil, err
			}
			i += n
			if utf16.IsSurrogate(r) {
				if len(s) > i+2 && s[i+1] == '\\' && s[i+2] == 'u' {
					r2, n2, err := hexRune(s[i+3:])
					if err == nil {
						r = utf16.DecodeRune(r, r2)
						i += 2 + n2
					}
				}
			}
			if r < 0x80 {
				out = append(out, byte(r)) // stout writes control bytes as \u00XX
			} else {
				out = utf8.AppendRune(out, r)
			}
		default:
			return nil, errors.New("bad escape")
		}
	}
	return out, nil
}

func hexRune(s []byte) (rune, int, error) {
	if len(s) < 4 {
		return 0, 0, errors.New("bad \\u escape")
	}
	v, err := strconv.ParseUint(string(s[:4]), 16, 16)
	if err != nil {
		return 0, 0, errors.New("bad \\u escape")
	}
	return rune(v), 4, nil
}
