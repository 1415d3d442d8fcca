package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// TestReadEvents: Marathon's own stream (the docs' example) read event by
// event; CRLF and lone-CR lines, comments and multi-line data as the
// standard says; an event past MaxEvent is an error, not a growing buffer.
func TestReadEvents(t *testing.T) {
	raw, err := os.ReadFile("/work/shared/fixtures/marathon/marathon-docs_v2_events.sse.txt")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var last string
	if err := ReadEvents(strings.NewReader(string(raw)), func(ev string, data []byte) error {
		names = append(names, ev)
		last = string(data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "event_stream_attached,status_update_event,status_update_event" || !strings.Contains(last, `"taskStatus":"TASK_RUNNING"`) {
		t.Fatalf("events %v, last %q", names, last)
	}
	names = nil
	var datas []string
	in := ": hello\r\nevent: a\r\ndata: 1\r\ndata:2\r\n\r\ndata: x\r\rdata: y\n\n"
	if err := ReadEvents(strings.NewReader(in), func(ev string, data []byte) error {
		names, datas = append(names, ev), append(datas, string(data))
		return nil
	}); err != nil || strings.Join(names, ",") != "a,message,message" || strings.Join(datas, "|") != "1\n2|x|y" {
		t.Fatalf("err %v, names %q, data %q", err, names, datas)
	}
	big := "data: " + strings.Repeat("x", MaxEvent/2) + "\ndata: " + strings.Repeat("x", MaxEvent/2) + "\n\n"
	err = ReadEvents(strings.NewReader(big), func(string, []byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "an event larger than") {
		t.Fatalf("a huge event: %v", err)
	}
}

// TestGetEvents: the request asks for an event stream, the stream outlives
// the client's Timeout, and its end is an error (the caller reconnects).
func TestGetEvents(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "text/event-stream" {
			http.Error(w, "not acceptable", http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		// A stream quiet for four times the client's Timeout...
		select {
		case <-time.After(200 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "event: tick\ndata: {}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, err := New(Config{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Parse(srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err = c.GetEvents(ctx, e, "/v2/events", func(ev string, _ []byte) error {
		n++
		// ...is still read: it is cancelled by its reader, not a timer.
		return errors.New("enough")
	})
	cancel()
	if n != 1 || err == nil || !strings.Contains(err.Error(), "enough") {
		t.Fatalf("%d events, err %v", n, err)
	}
}
