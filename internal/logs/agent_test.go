package logs

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
)

// agentFiles serves /files/read as a Mesos agent does (src/files/files.cpp):
// path required (400 without, 404 when unknown); offset missing or -1 means
// the file's size; length missing or -1 means to the end, capped at 16
// pages; an offset at or past the end answers {"data":"","offset":size};
// the body is {"data":…,"offset":…} with stout's string escaping (quote,
// backslash and slash escaped, control bytes as \u00XX, other bytes raw).
// It counts the bytes it sent so tests can check nothing reads whole files.
type agentFiles struct {
	files map[string]string // virtual path → real file
	mu    sync.Mutex
	sent  int64
	calls int
}

const pages16 = 16 * 4096

func (a *agentFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/files/read" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	path := q.Get("path")
	if path == "" {
		http.Error(w, "Expecting 'path=value' in query.", http.StatusBadRequest)
		return
	}
	offset, length := int64(-1), int64(-1)
	if v := q.Get("offset"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			http.Error(w, "Failed to parse offset", http.StatusBadRequest)
			return
		}
		offset = n
	}
	if v := q.Get("length"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			http.Error(w, "Failed to parse length", http.StatusBadRequest)
			return
		}
		length = n
	}
	real, ok := a.files[path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	f, err := os.Open(real)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, _ := f.Stat()
	size := st.Size()
	if offset == -1 {
		offset = size
	}
	if length == -1 {
		length = size - offset
	}
	length = min(length, pages16)
	if offset >= size {
		fmt.Fprintf(w, `{"data":"","offset":%d}`, size)
		return
	}
	buf := make([]byte, length)
	n, _ := f.ReadAt(buf, offset)
	a.mu.Lock()
	a.sent += int64(n)
	a.calls++
	a.mu.Unlock()
	fmt.Fprintf(w, `{"data":"%s","offset":%d}`, stoutEscape(buf[:n]), offset)
}

func stoutEscape(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		switch c {
		case '"':
			s.WriteString(`\"`)
		case '\\':
			s.WriteString(`\\`)
		case '/':
			s.WriteString(`\/`)
		case '\b':
			s.WriteString(`\b`)
		case '\f':
			s.WriteString(`\f`)
		case '\n':
			s.WriteString(`\n`)
		case '\r':
			s.WriteString(`\r`)
		case '\t':
			s.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&s, `\u%04x`, c)
			} else {
				s.WriteByte(c)
			}
		}
	}
	return s.String()
}

const sandboxPath = "/var/lib/mesos/slaves/S1/frameworks/F1/executors/redis.1/runs/latest"

// With --cluster, a task's stdout on another node is paged through the
// agent's /files/read: a 20 MB file's tail costs a page or two, never the
// file; bytes that are not UTF-8, slashes and control bytes keep their
// offsets; new lines are followed; a truncated file is read again from 0.
func TestAgentFileTailAndFollow(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "stdout")
	f, _ := os.Create(real)
	filler := strings.Repeat("0123456789/\"\\abcdef", 50) + "\n" // 951 bytes
	for f.Write([]byte(filler)); ; f.Write([]byte(filler)) {
		if st, _ := f.Stat(); st.Size() > 20<<20 {
			break
		}
	}
	fmt.Fprintf(f, "bin \xff\xfe\x01 end\n")
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(f, "line %d\n", i)
	}
	f.Close()
	agent := &agentFiles{files: map[string]string{sandboxPath + "/stdout": real}}
	srv := httptest.NewServer(agent)
	defer srv.Close()

	api, ep := agentAPI(t, srv.URL)
	src := AgentFile{API: api, Agent: ep, Path: sandboxPath + "/stdout", Std: Stdout, Poll: 20 * time.Millisecond}
	_, lines, _, _ := run(t, src, 5, true)
	got := collect(t, lines, 5, 10*time.Second)
	wantTail := []string{strings.TrimSuffix(filler, "\n"), "bin \uFFFD\x01 end", "line 1", "line 2", "line 3"}
	if !reflect.DeepEqual(texts(got), wantTail) {
		t.Fatalf("tail: %q", texts(got))
	}
	agent.mu.Lock()
	sent, calls := agent.sent, agent.calls
	agent.mu.Unlock()
	if sent > 2*pages16 {
		t.Errorf("the tail of a 20 MB file read %d bytes; want at most 2 pages", sent)
	}
	t.Logf("tail 5 of 20 MB through /files/read: %d bytes, %d calls", sent, calls)

	appendTo(t, real, "line 4\nline 5\n")
	if got := collect(t, lines, 2, 5*time.Second); !reflect.DeepEqual(texts(got), []string{"line 4", "line 5"}) {
		t.Fatalf("followed: %q", texts(got))
	}
	os.Truncate(real, 0)
	time.Sleep(100 * time.Millisecond)
	appendTo(t, real, "after truncate\n")
	if got := collect(t, lines, 1, 5*time.Second); got[0].Text != "after truncate" {
		t.Fatalf("after truncation: %q", texts(got))
	}
}

// The agent's credentials are not sent on to another host:port that a
// redirect names.
func TestAgentFileCredentialsStayWithTheAgent(t *testing.T) {
	real := filepath.Join(t.TempDir(), "stdout")
	os.WriteFile(real, []byte("hello\n"), 0o644)
	var leaked string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("Authorization")
		(&agentFiles{files: map[string]string{"/s/stdout": real}}).ServeHTTP(w, r)
	}))
	defer other.Close()
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer agent.Close()
	api, ep := agentAPI(t, agent.URL)
	src := AgentFile{API: api, Agent: ep.WithToken("secret"), Path: "/s/stdout", Std: Stdout}
	_, lines, done, _ := run(t, src, 5, false)
	got, err := drain(t, lines, done, 5*time.Second)
	if err != nil || len(got) != 1 || got[0].Text != "hello" {
		t.Fatalf("%q %v", texts(got), err)
	}
	if leaked != "" {
		t.Errorf("the agent's Authorization reached another host: %q", leaked)
	}
}

// A path the agent does not serve is an error that says so.
func TestAgentFileUnknownPath(t *testing.T) {
	srv := httptest.NewServer(&agentFiles{files: map[string]string{}})
	defer srv.Close()
	api, ep := agentAPI(t, srv.URL)
	src := AgentFile{API: api, Agent: ep, Path: "/nope/stdout", Std: Stdout}
	_, lines, done, _ := run(t, src, 5, false)
	if _, err := drain(t, lines, done, 5*time.Second); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("err %v, want a 404", err)
	}
}

// agentAPI is a client with the defaults and the endpoint of a test agent.
func agentAPI(t *testing.T, agent string) (*httpapi.Client, *httpapi.Endpoint) {
	t.Helper()
	api, err := httpapi.New(httpapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := httpapi.Parse(agent)
	if err != nil {
		t.Fatal(err)
	}
	return api, ep
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(s)
	f.Close()
}

// Whatever bytes a file holds, the agent's escaping decodes back to them:
// offsets stay right after binary output.
func FuzzJSONBytes(f *testing.F) {
	for _, s := range []string{"", "plain", "a/b\"c\\d\n\r\t\b\f", "\x00\x01\x1b[2J\x7f", "\xff\xfe caf\xc3\xa9 \xe2\x82", "\\u0041"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := jsonBytes([]byte(`"` + stoutEscape(b) + `"`))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%q → %q, %v", b, got, err)
		}
	})
}
