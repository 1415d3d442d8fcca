package collector

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector/runtime/containerd"
	"github.com/ctop-like/ctop-like/internal/model"
)

// ctrShared runs ctr in a namespace others may use too (k8s.io): it
// imports the busybox image there, and when the test ends removes the
// containers the test names in ids, then the image and the namespace only
// if nothing else is left in it.
func ctrShared(t *testing.T, addr, ns string, ids *[]string) func(args ...string) string {
	t.Helper()
	requireTool(t, "ctr", "--version")
	requireDocker(t)
	ctr := func(args ...string) string {
		t.Helper()
		return runCLI(t, "ctr", append([]string{"--address", addr, "--namespace", ns}, args...)...)
	}
	tar := filepath.Join(t.TempDir(), "busybox.tar")
	runCLI(t, "docker", "save", "-o", tar, dockerTestImage)
	ctr("image", "import", tar)
	t.Cleanup(func() {
		base := []string{"--address", addr, "--namespace", ns}
		run := func(args ...string) error { return exec.Command("ctr", append(base, args...)...).Run() }
		for _, id := range *ids {
			_ = run("task", "kill", "-s", "SIGKILL", id)
			for i := 0; i < 50 && run("task", "delete", id) != nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
			_ = run("containers", "delete", id)
		}
		if out, _ := exec.Command("ctr", append(base, "containers", "list", "-q")...).Output(); strings.TrimSpace(string(out)) == "" {
			_ = run("image", "rm", "docker.io/"+dockerTestImage)
			for i := 0; i < 20 && exec.Command("ctr", "--address", addr, "namespaces", "remove", ns).Run() != nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
			removeNamespaceCgroups(ns)
		}
	})
	return ctr
}

// Issue 19 item 6: one container id in a team's containerd namespace and
// in k8s.io is two containers: each listed with its namespace and its own
// CPU rate (the k8s.io one's was null), each process attributed to its
// own, and killing one leaves the other running and listed.
func TestContainerdSameIDInTwoNamespaces(t *testing.T) {
	addr := containerdTestAddress(t)
	team, teamNS := ctrNamespace(t, addr)
	id := fmt.Sprintf("same-%d-%d", os.Getpid(), rand.Intn(1e6))
	var shared []string
	k8s := ctrShared(t, addr, "k8s.io", &shared)
	image := "docker.io/" + dockerTestImage
	team("run", "-d", image, id, "sh", "-c", "while :; do :; done")
	shared = append(shared, id)
	k8s("run", "-d", image, id, "sh", "-c", "while :; do usleep 20000; done")

	l, err := NewLocal(context.Background(), Config{DockerHost: "none", PodmanHost: "none", CRIOAddress: "none", ContainerdAddress: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	both := func(s *model.Sample) map[string]*model.ContainerSample {
		out := map[string]*model.ContainerSample{}
		for i := range s.Containers {
			if c := &s.Containers[i]; c.ID == id {
				out[c.ContainerdNamespace] = c
			}
		}
		return out
	}
	var prev *model.Sample
	eventually(t, 10*time.Second, "the id listed in both namespaces", func() bool {
		prev = collectOnce(t, l)
		return len(both(prev)) == 2 && both(prev)[teamNS] != nil && both(prev)["k8s.io"] != nil
	})
	time.Sleep(time.Second)
	cur := collectOnce(t, l)
	snap := model.Rates(prev, cur)
	before := map[string]uint64{} // by cgroup: the kernel's counter as the first pass read it
	for _, c := range prev.Containers {
		before[c.Cgroup] = c.CPU.UsageNs
	}
	dt := cur.Time.Sub(prev.Time).Seconds()
	seen := 0
	for _, c := range snap.Containers {
		if c.ID != id {
			continue
		}
		seen++
		ns := c.ContainerdNamespace
		if c.Cgroup != "/"+ns+"/"+id || c.Runtime != model.RuntimeContainerd || c.Key() != ns+"/"+id || c.State != "running" {
			t.Errorf("%s: cgroup %q runtime %q key %q state %q", ns, c.Cgroup, c.Runtime, c.Key(), c.State)
		}
		// Its rate is its own cgroup's counter over the interval.
		want := float64(c.CPU.UsageNs-before[c.Cgroup]) / (dt * 1e9) * 100
		if !c.HasRates || c.CPUPct < want-0.01 || c.CPUPct > want+0.01 {
			t.Errorf("%s: cpu %.2f%% (has rates %v), its cgroup's counter says %.2f%%", ns, c.CPUPct, c.HasRates, want)
		}
	}
	if seen != 2 {
		t.Fatalf("%d rows for id %s, want 2", seen, id)
	}
	procs := map[string]int{}
	for _, p := range cur.Processes {
		if strings.HasSuffix(p.Cgroup, "/"+id) {
			if p.ContainerID != id || p.ContainerKey != strings.TrimPrefix(p.Cgroup, "/") {
				t.Errorf("process %d in %s: container %q key %q", p.PID, p.Cgroup, p.ContainerID, p.ContainerKey)
			}
			procs[p.ContainerKey]++
		}
	}
	if procs[teamNS+"/"+id] == 0 || procs["k8s.io/"+id] == 0 {
		t.Errorf("processes by container key: %v", procs)
	}

	team("task", "kill", "-s", "SIGKILL", id)
	eventually(t, 10*time.Second, "the killed team container leaves the list", func() bool {
		return both(collectOnce(t, l))[teamNS] == nil
	})
	for i := 0; i < 3; i++ {
		if c := both(collectOnce(t, l))["k8s.io"]; c == nil || c.State != "running" {
			t.Fatalf("the k8s.io container after the team's was killed: %+v", c)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Issue 19 item 7: with no --containerd-address, containerd is found at
// the node's own socket or, where that is absent, at dockerd's own: its
// `ctr run` containers are named as containerd's, not left to -a as raw
// cgroups. (The default sockets are stand-ins here: a missing node's
// socket, then a proxy to the containerd the test runs in.)
func TestContainerdFoundWithoutAFlag(t *testing.T) {
	addr := containerdTestAddress(t)
	ctr, ns := ctrNamespace(t, addr)
	id := fmt.Sprintf("found-%d", os.Getpid())
	ctr("run", "-d", "docker.io/"+dockerTestImage, id, "sleep", "3600")
	dir := t.TempDir()
	dockerd := filepath.Join(dir, "docker-containerd.sock")
	unixProxy(t, dockerd, addr)
	old := containerd.DefaultAddresses
	containerd.DefaultAddresses = []string{filepath.Join(dir, "containerd.sock"), dockerd}
	t.Cleanup(func() { containerd.DefaultAddresses = old })

	l, err := NewLocal(context.Background(), Config{DockerHost: "none", PodmanHost: "none", CRIOAddress: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	l.WaitReady(ctx)
	cancel()
	var s *model.Sample
	eventually(t, 10*time.Second, "the ctr container named through dockerd's containerd", func() bool {
		s = collectOnce(t, l)
		c := findContainer(s, id)
		return c != nil && c.Runtime == model.RuntimeContainerd
	})
	if c := findContainer(s, id); c.ContainerdNamespace != ns || c.PID == 0 {
		t.Errorf("namespace %q pid %d, want %s and its pid", c.ContainerdNamespace, c.PID, ns)
	}
	if len(s.Errors) > 0 {
		t.Errorf("errors: %v (the node's own socket is absent: no error)", s.Errors)
	}
}
