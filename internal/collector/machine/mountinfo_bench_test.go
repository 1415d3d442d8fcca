package machine

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseMountinfo is the mount table of a Docker host with 500
// containers (their overlay root, /dev/shm and network namespace: about
// 1,500 lines), parsed as readFilesystems does every mountsTTL.
func BenchmarkParseMountinfo(b *testing.B) {
	host, err := os.ReadFile(filepath.Join(procFixture, "self/mountinfo"))
	if err != nil {
		b.Fatal(err)
	}
	var table bytes.Buffer
	table.Write(host)
	for i := range 500 {
		id := fmt.Sprintf("%064x", i)
		fmt.Fprintf(&table, "%d 42 0:%d / /var/lib/docker/overlay2/%s/merged rw,relatime shared:2 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/QRMYD4Y7R6QTJBV224DF66SZQW:/var/lib/docker/overlay2/l/V3XNZI3DQ5JVJOSBT4S5FJ2B4M,upperdir=/var/lib/docker/overlay2/%s/diff,workdir=/var/lib/docker/overlay2/%s/work\n", 100+3*i, 100+i, id, id, id)
		fmt.Fprintf(&table, "%d 42 0:%d / /var/lib/docker/containers/%s/mounts/shm rw,nosuid,nodev,noexec,relatime shared:3 - tmpfs shm rw,size=65536k\n", 101+3*i, 1000+i, id)
		fmt.Fprintf(&table, "%d 27 0:4 net:[%d] /run/docker/netns/%012x rw - nsfs nsfs rw\n", 102+3*i, 4026532184+i, i)
	}
	data := table.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		fs, err := parseMountinfo(data)
		if err != nil || len(fs) != 1 {
			b.Fatalf("%d filesystems, err %v", len(fs), err)
		}
	}
}
