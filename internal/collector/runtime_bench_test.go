package collector

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/containerd"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/kubernetes"
	"github.com/ctop-like/ctop-like/internal/model"
)

// BenchmarkNaming500 is what the runtimes cost a refresh at 500
// containers: each container's handler lookup, applying its metadata, the
// Kubernetes labels, and the stopped and vanished containers' pass.
func BenchmarkNaming500(b *testing.B) {
	d := newKnownHandler(model.RuntimeDocker)
	conts := make([]model.ContainerSample, 500)
	for i := range conts {
		id := fmt.Sprintf("%064x", i)
		d.metas[id] = runtime.Meta{ID: id, Name: fmt.Sprintf("c%d", i), Image: "busybox", State: "running",
			Labels: map[string]string{kubernetes.LabelPodName: "p", kubernetes.LabelPodNamespace: "ns", kubernetes.LabelContainerName: "app"}}
		conts[i] = model.ContainerSample{ID: id, Runtime: model.RuntimeDocker, RuntimeFields: &model.RuntimeFields{}}
	}
	for i := 0; i < 50; i++ { // 50 exited ones, listed with -a
		id := fmt.Sprintf("e%063x", i)
		d.metas[id] = runtime.Meta{ID: id, Name: "gone", State: "exited"}
	}
	for _, all := range []bool{false, true} {
		want := 500
		if all {
			want = 550
		}
		b.Run(fmt.Sprintf("all=%v", all), func(b *testing.B) {
			l := &Local{cfg: Config{All: all}, runtimes: &runtimes{list: []runtime.Handler{d}}}
			work := make([]model.ContainerSample, len(conts), len(conts)+50)
			b.ReportAllocs()
			for b.Loop() {
				work = work[:len(conts)]
				copy(work, conts)
				seen := make(map[string]bool, len(work))
				for i := range work {
					seen[work[i].ID] = true
					l.name(&work[i])
				}
				if out := l.appendStopped(work, seen, time.Now()); len(out) != want {
					b.Fatalf("%d rows", len(out))
				}
			}
		})
	}
}

// BenchmarkCollectRuntimes is a whole refresh of this node with every
// runtime's handler against one with none: the difference is what the
// handlers cost per refresh (their API calls happen on change, off the
// refresh).
func BenchmarkCollectRuntimes(b *testing.B) {
	ctrd := "none"
	for _, a := range []string{containerd.DefaultAddress, "/run/docker/containerd/containerd.sock"} {
		if _, err := os.Stat(a); err == nil {
			ctrd = a
			break
		}
	}
	for _, bc := range []struct {
		name string
		cfg  Config
	}{
		{"none", Config{DockerHost: "none", PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none"}},
		{"all", Config{ContainerdAddress: ctrd}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l, err := NewLocal(context.Background(), bc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			l.WaitReady(context.Background())
			if _, err := l.Collect(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Collect(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
