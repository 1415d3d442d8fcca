package cadvisor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds one answer: a node with many containers answers a few MB.
const maxBody = 128 << 20

// statusError is an answer that was not 2xx, with its first line.
type statusError struct {
	path string
	code int
	line string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s: %s", e.path, e.code, http.StatusText(e.code), e.line)
}

// fetch does one request and decodes its JSON answer into v. It is all of
// this package's HTTP plumbing, so that it can move to a shared client.
// cAdvisor's own client POSTs the v1 ContainerInfoRequest ({"num_stats":N})
// as the body; v2.0 takes its options in the query.
func (s *Source) fetch(ctx context.Context, method, path string, body []byte, v any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base.String()+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.hasAuth {
		req.SetBasicAuth(s.user, s.pass)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("timeout")
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		line, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return &statusError{path: path, code: resp.StatusCode, line: strings.TrimSpace(firstLine(string(line)))}
	}
	lr := &io.LimitedReader{R: resp.Body, N: maxBody + 1}
	if err := json.NewDecoder(lr).Decode(v); err != nil {
		if lr.N <= 0 {
			return fmt.Errorf("%s: answer larger than %d MB", path, maxBody>>20)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("timeout")
		}
		return fmt.Errorf("%s: not the expected JSON: %w", path, err)
	}
	return nil
}

// missingAPI reports whether err is a cAdvisor (or kubelet) saying it has
// no such API version or request type: an older cAdvisor answers 500
// `unsupported API version "v2.0"`, a proxy or kubelet 404.
func missingAPI(err error) bool {
	var se *statusError
	if !errors.As(err, &se) {
		return false
	}
	return se.code == http.StatusNotFound ||
		strings.Contains(se.line, "unsupported API version") || strings.Contains(se.line, "unknown request type")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
