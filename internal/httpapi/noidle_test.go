package httpapi

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// timeWaits counts the sockets in TIME_WAIT on this machine with port at
// one end (/proc/net/tcp: state 06).
func timeWaits(t *testing.T, port int) int {
	t.Helper()
	n := 0
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		p := fmt.Sprintf(":%04X ", port)
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) > 3 && fields[3] == "06" && (strings.Contains(fields[1]+" ", p) || strings.Contains(fields[2]+" ", p)) {
				n++
			}
		}
	}
	return n
}

// A client that keeps no idle connection (--cluster's past 136 agents:
// one connection per agent and round, 2,250 a second at 5,000 agents)
// leaves no TIME_WAIT behind its answers: closed with a FIN, each left a
// socket and a conntrack entry for 60-120 s, which filled this machine's
// conntrack table and had the kernel drop every new connection. Each
// answer is still read whole.
func TestNoIdleLeavesNoTimeWait(t *testing.T) {
	body := `{"a":"` + strings.Repeat("x", 64<<10) + `"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	before := timeWaits(t, port)
	c := newClient(t, Config{NoIdle: true})
	e, err := Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	const requests = 40
	for i := 0; i < requests; i++ {
		var v struct{ A string }
		if _, err := c.GetJSON(context.Background(), e, "/", &v); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if len(v.A) != 64<<10 {
			t.Fatalf("request %d: %d bytes of the answer's member, want %d", i, len(v.A), 64<<10)
		}
	}
	if n := timeWaits(t, port) - before; n > 0 {
		t.Errorf("%d sockets in TIME_WAIT after %d requests without idle connections, want none", n, requests)
	}
}
