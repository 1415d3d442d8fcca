package collector

import (
	"context"
	"fmt"
	"math/rand"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/model"
)

// Issue 24: a Docker container's writable layer shows as disk_bytes,
// measured in the background, and equal to what du counts in the
// layer's folder (docker inspect's GraphDriver.Data.UpperDir) over the
// same window.
func TestDiskBytesOfAWritableLayer(t *testing.T) {
	dockertest.Require(t)
	name := fmt.Sprintf("ctop-like-disk-%d", rand.Int63())
	id := dockertest.Run(t, []string{"--name", name}, "sh", "-c", "dd if=/dev/zero of=/fill bs=1M count=5 2>/dev/null && touch /done && exec sleep 600")
	upper := dockertest.Docker(t, "inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", id)
	if upper == "" || upper == "<no value>" {
		t.Skip("the engine's storage driver has no upper dir")
	}
	for i := 0; ; i++ {
		if exec.Command("docker", "exec", id, "test", "-e", "/done").Run() == nil {
			break
		}
		if i > 300 {
			t.Fatal("the container did not write its file")
		}
		time.Sleep(50 * time.Millisecond)
	}
	du := func() uint64 {
		out, err := exec.Command("du", "-s", "-x", "-B1", upper).Output()
		if err != nil {
			t.Fatalf("du: %v", err)
		}
		n, _ := strconv.ParseUint(strings.Fields(string(out))[0], 10, 64)
		return n
	}
	l, err := NewLocal(context.Background(), Config{PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var c *model.ContainerSample
	var d1, d2 uint64
	for i := 0; ; i++ {
		d1 = du()
		c = findContainer(collectOnce(t, l), id)
		d2 = du()
		if c != nil && c.Has(model.KnownDisk) {
			break
		}
		if i > 200 {
			t.Fatalf("no disk_bytes after %d refreshes: %+v", i, c)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d1 != d2 {
		t.Fatalf("the layer changed during the read: du %d then %d", d1, d2)
	}
	t.Logf("disk_bytes %d, du -sxB1 %s: %d", c.Figures.DiskBytes, upper, d1)
	if c.Figures.DiskBytes != d1 || d1 < 5<<20 {
		t.Errorf("disk_bytes %d, du counts %d in %s (at least the 5 MiB written)", c.Figures.DiskBytes, d1, upper)
	}
}
