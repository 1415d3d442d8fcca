package actuator

import (
	"context"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/collector"
	"github.com/ctop-like/ctop-like/internal/dockertest"
	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/views"
)

// writerTo is a MarathonWriter to the Marathon at the URL asked for,
// without credentials.
func writerTo(t *testing.T) func(string) (*httpapi.Client, *httpapi.Endpoint, error) {
	api, err := httpapi.New(httpapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return func(base string) (*httpapi.Client, *httpapi.Endpoint, error) {
		e, err := httpapi.Parse(base)
		return api, e, err
	}
}

// fixedCluster is a ClusterSource with one answer.
type fixedCluster struct{ c *model.Cluster }

func (c fixedCluster) Latest() *model.Cluster { return c.c }
func (c fixedCluster) Errors() []string       { return nil }

// A Marathon action on an id with a dot segment is refused with a
// sentence instead of a confirmation (the screen shows "kill: refused: …
// (nothing done)"), and Marathon hears nothing: before, "kill task .. of
// /victim" was confirmed and sent as DELETE /v2/apps/victim/tasks/..,
// which a normalising proxy reads as deleting /victim.
func TestMarathonActionsOnDotSegmentsAreRefusedBeforeTheConfirmation(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		t.Errorf("Marathon got %s %s", r.Method, r.URL.RawPath)
	}))
	defer srv.Close()
	x := &Actuator{MarathonWriter: writerTo(t), Cluster: fixedCluster{&model.Cluster{HasMarathon: true, Marathon: srv.URL, Apps: []model.App{
		{ID: "/victim", Instances: 3, TaskIDs: []string{"..", "victim.1"}},
		{ID: "/evil/../../v2/apps/victim", Instances: 1, TaskIDs: []string{"evil.1"}},
	}}}}
	for _, tc := range []struct {
		ref  views.MarathonRef
		verb string
		want string
	}{
		{views.MarathonRef{Task: "..", Instances: -1}, "kill", `task id has a ".." segment`},
		{views.MarathonRef{Task: "..", Instances: -1}, "kill-scale", `task id has a ".." segment`},
		{views.MarathonRef{App: "/evil/../../v2/apps/victim", Instances: 1}, "restart", `app id has a ".." segment`},
		{views.MarathonRef{App: "/evil/../../v2/apps/victim", Instances: 1}, "scale", `app id has a ".." segment`},
		{views.MarathonRef{Task: "evil.1", Instances: -1}, "kill", `app id has a ".." segment`},
	} {
		d, err := x.Marathon(tc.ref, tc.verb, 2)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			desc := ""
			if d != nil {
				desc = d.Describe()
			}
			t.Errorf("%s %+v: confirmation %q, error %v; want a refusal with %q", tc.verb, tc.ref, desc, err, tc.want)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests reached Marathon", n)
	}
}

// A shell asked for in a Docker container that stopped since the last
// refresh says so in one sentence, before any terminal is touched:
// before, Docker's 409 came through, cut on the message line before its
// reason, naming the 64-character id twice.
func TestShellInAStoppedContainerSaysSoPlainly(t *testing.T) {
	dockertest.Require(t)
	name := fmt.Sprintf("h22-stopped-%d", rand.Intn(1e6))
	id := dockertest.Run(t, []string{"--name", name}, "sh", "-c", "exit 7")
	dockertest.Docker(t, "wait", id)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	local, err := collector.NewLocal(ctx, collector.Config{PodmanHost: "none", ContainerdAddress: "none", CRIOAddress: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	local.WaitReady(ctx)
	x := &Actuator{Runtime: local.Runtime}
	err = x.Shell(ctx, views.ContainerRef{ID: id, Name: name, Runtime: model.RuntimeDocker})
	want := "container " + name + " is exited (exit code 7): a shell needs a running container; l shows its log"
	if err == nil || err.Error() != want {
		t.Errorf("shell in a stopped container: %v\nwant %s", err, want)
	}
}
