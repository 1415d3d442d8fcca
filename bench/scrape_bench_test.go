package bench

import (
	"bufio"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ctop-like/ctop-like/internal/batch"
	"github.com/ctop-like/ctop-like/internal/benchload"
	"github.com/ctop-like/ctop-like/internal/cgrouptest"
	"github.com/ctop-like/ctop-like/internal/metrics"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// mesosNode makes n /mesos/<id> cgroups in cpu, cpuacct, memory, pids
// and blkio (cgroup v1), a sleeper in each, all removed when the
// benchmark ends: bench/run's node, without its 6 processes a container.
func mesosNode(b *testing.B, n int) {
	b.Helper()
	if os.Geteuid() != 0 {
		b.Skip("needs root to make cgroups")
	}
	var mounts []string
	for _, c := range []string{"cpu", "cpuacct", "memory", "pids", "blkio"} {
		dir := filepath.Join("/sys/fs/cgroup", c)
		if _, err := os.Stat(filepath.Join(dir, "cgroup.procs")); err != nil {
			b.Skip("no cgroup v1 hierarchy", c)
		}
		mounts = append(mounts, dir)
	}
	cmd := exec.Command("sh", "-c", `i=0; while [ $i -lt "$1" ]; do sleep 600 & echo $!; i=$((i+1)); done; echo ready; wait`, "sh", strconv.Itoa(n))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "ready" {
		rel := cgrouptest.Mesos(b, "scrape", mounts...)
		for _, m := range mounts {
			if err := os.WriteFile(filepath.Join(m, rel, "cgroup.procs"), []byte(strings.TrimSpace(sc.Text())), 0); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkScrapeBesideRefresh is issue 24's goal side by side on one
// node of CTOP_BENCH_MESOS (500) Mesos containers: a refresh (collect,
// rates, the containers view's JSON line) and a GET /metrics of its
// snapshot as Prometheus asks it (gzip) and uncompressed, in CPU time.
// The goal: a scrape costs at most 20 % of a refresh.
func BenchmarkScrapeBesideRefresh(b *testing.B) {
	n := 500
	if s := os.Getenv("CTOP_BENCH_MESOS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	mesosNode(b, n)
	l := newLocal(b)
	ctx := context.Background()
	prev, err := l.Collect(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var snap *model.Snapshot
	b.Run("refresh", func(b *testing.B) {
		p := &batch.Printer{Out: io.Discard, Format: "json", Query: views.Query{View: "containers"}}
		defer benchload.ReportCPU(b)()
		for b.Loop() {
			cur, err := l.Collect(ctx)
			if err != nil {
				b.Fatal(err)
			}
			snap = model.Rates(prev, cur)
			if err := p.Print(snap); err != nil {
				b.Fatal(err)
			}
			prev = cur
		}
		b.ReportMetric(float64(len(snap.Containers)), "containers")
	})
	h, err := metrics.Handler(func() *model.Snapshot { return snap })
	if err != nil {
		b.Fatal(err)
	}
	for _, enc := range []string{"gzip", ""} {
		name := "scrape-" + enc
		if enc == "" {
			name = "scrape-plain"
		}
		b.Run(name, func(b *testing.B) {
			defer benchload.ReportCPU(b)()
			for b.Loop() {
				w := httptest.NewRecorder()
				r := httptest.NewRequest("GET", "/metrics", nil)
				if enc != "" {
					r.Header.Set("Accept-Encoding", enc)
				}
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
