package collector

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime/crio"
)

// badSocket serves a unix socket that misbehaves as answer says: "hang"
// accepts and never answers, "garbage" answers bytes that are neither HTTP
// nor gRPC, "refuse" closes every connection at once.
func badSocket(t *testing.T, answer string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), answer+".sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			switch answer {
			case "garbage":
				_, _ = c.Write([]byte("\x00\xffnot a protocol\r\n\r\n{{{"))
				c.Close()
			case "refuse":
				c.Close()
			default:
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return sock
}

// A runtime socket that hangs, answers garbage or refuses never delays a
// refresh; the runtime is named in the sample's errors once it is known
// to fail, and its cgroups are still listed (by the finder) meanwhile.
func TestRuntimeBadSockets(t *testing.T) {
	for _, answer := range []string{"hang", "garbage", "refuse"} {
		t.Run(answer, func(t *testing.T) {
			podman := badSocket(t, answer)
			containerd := badSocket(t, answer)
			crioSock := badSocket(t, answer)
			l, err := NewLocal(context.Background(), Config{
				CgroupRoot: "cgroups/testdata/shapes/v2", DockerHost: "none",
				PodmanHost: "unix://" + podman, ContainerdAddress: containerd, CRIOAddress: crioSock,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			// The same node without the runtimes, refreshed just before
			// each refresh (the first cold as well): what a refresh costs
			// on this machine now.
			control, err := NewLocal(context.Background(), Config{
				CgroupRoot: "cgroups/testdata/shapes/v2", DockerHost: "none",
				PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none",
			})
			if err != nil {
				t.Fatal(err)
			}
			defer control.Close()
			for i := 0; i < 3; i++ {
				start := time.Now()
				collectOnce(t, control)
				c := time.Since(start)
				start = time.Now()
				s := collectOnce(t, l)
				// The API calls' own timeouts are 2-10 s: a refresh that
				// waited on one would take that much longer than one
				// without the runtimes (a fixed bound failed under load).
				if d := time.Since(start); d > c+crio.CallTimeout*3/4 {
					t.Errorf("refresh %d took %v, %v without the runtimes", i, d, c)
				}
				if n := len(s.Containers); n == 0 {
					t.Errorf("refresh %d lists no containers", i)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if answer == "hang" {
				return // a hung engine is named after its call's timeout
			}
			eventually(t, 5*time.Second, "podman and containerd named in the errors", func() bool {
				errs := strings.Join(collectOnce(t, l).Errors, "\n")
				return strings.Contains(errs, "podman") && strings.Contains(errs, "containerd") && strings.Contains(errs, "cri-o")
			})
		})
	}
}
