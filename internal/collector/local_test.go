package collector

import (
	"context"
	"os"
	"testing"
)

// TestPortsSelfNotWalked's Local half: the Local of this node's /proc does
// not walk its own process's descriptors (which listen on nothing and
// number thousands), as the ports reader's Self allows.
func TestLocalPortsSelfNotWalked(t *testing.T) {
	l, err := NewLocal(context.Background(), Config{DockerHost: "none", PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.ports.Self != os.Getpid() {
		t.Errorf("Local walks its own descriptors (self %d)", l.ports.Self)
	}
}
