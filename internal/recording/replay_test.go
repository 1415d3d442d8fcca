package recording

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

func TestNoSecretsInTheFile(t *testing.T) {
	snaps := snapshots(4, 3, 6, true, 2*time.Second)
	for _, s := range snaps {
		s.Containers[0].Env = model.EnvOf(map[string]string{"API_TOKEN": "s3cr3t-value", "MESOS_TASK_ID": "shop.1"})
		s.Processes[0].Command = "curl -H 'Authorization: Bearer tok-abc123' http://bob:hunter2@api/ --token=tok-def456"
		s.Errors = []string{"marathon: http://user:pa55word@marathon:8080: refused"}
	}
	path := writeRecording(t, Header{Host: "node-1", Settings: map[string]string{"mesos": "http://user:pa55word@master:5050"}}, snaps)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Every byte a reader could see: the header and every frame inflated.
	raw, _ := readFile(path)
	all := [][]byte{raw[:fileHeadLen+600]}
	for _, f := range r.recs {
		d, err := r.payload(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, d)
	}
	for _, f := range r.clusters {
		d, err := r.payload(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, d)
	}
	for _, secret := range []string{"s3cr3t-value", "pa55word", "hunter2", "tok-abc123", "tok-def456"} {
		for i, d := range all {
			if bytes.Contains(d, []byte(secret)) {
				t.Errorf("%q is in the file (part %d)", secret, i)
			}
		}
	}
	// What was recorded is still the screen's: the recorder redacts a
	// copy, never the snapshot (whose rows refer to its sample's).
	if v := snaps[0].Containers[0].Env.Value("MESOS_TASK_ID"); v != "shop.1" {
		t.Errorf("recording changed the recorded snapshot's env: %v", snaps[0].Containers[0].Env.Map())
	}
	s, err := r.At(1)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Containers[0].Env.Lookup("API_TOKEN"); !ok || v != "" || s.Containers[0].Env.Value("MESOS_TASK_ID") != "" {
		t.Errorf("env names are kept, values dropped: %v", s.Containers[0].Env.Map())
	}
	// redact's one rule: the password becomes xxx, the user stays.
	if s.Cluster == nil || s.Cluster.Leader != "http://user:xxx@master:5050" {
		t.Errorf("cluster leader %v", s.Cluster)
	}
	if !strings.Contains(s.Processes[0].Command, "http://bob:xxx@api/") {
		t.Errorf("command %q", s.Processes[0].Command)
	}
}

func tenSecondRecording(t *testing.T, n int) (*Reader, []time.Time) {
	snaps := snapshots(n, 2, 3, false, 10*time.Second)
	path := writeRecording(t, Header{Host: "node-1", Interval: 10 * time.Second}, snaps)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	var times []time.Time
	for _, s := range snaps {
		times = append(times, s.Time)
	}
	return r, times
}

func TestReplayControls(t *testing.T) {
	r, times := tenSecondRecording(t, 20)
	p := NewReplay(r)
	expect := func(what string, want int) {
		t.Helper()
		i, n, at := p.Position()
		if i != want || n != 20 || !at.Equal(times[want]) {
			t.Fatalf("%s: position %d/%d at %v, want %d at %v", what, i, n, at, want, times[want])
		}
		select {
		case s := <-p.Updates():
			if !s.Time.Equal(times[want]) {
				t.Fatalf("%s: Updates delivered %v, want %v", what, s.Time, times[want])
			}
		default:
			t.Fatalf("%s: nothing delivered", what)
		}
		if !p.Latest().Time.Equal(times[want]) {
			t.Fatalf("%s: Latest %v", what, p.Latest().Time)
		}
	}
	expect("start", 0)
	p.Step(1)
	expect("step +1", 1)
	p.Step(-5)
	expect("step back past the start", 0)
	p.Jump(time.Minute)
	expect("jump +1 min", 6)
	p.Jump(-time.Minute)
	expect("jump -1 min", 0)
	p.Seek(times[9].Add(5 * time.Second))
	expect("seek between records", 9)
	if got, want := p.Status(), "Replay: node.rec "+times[9].Format("15:04:05")+" (10/20)"; got != want {
		t.Errorf("Status %q, want %q", got, want)
	}
	ct, err := p.Clock(times[3].Format("15:04:05"))
	if err != nil || !ct.Equal(times[3]) {
		t.Errorf("Clock: %v %v", ct, err)
	}
	if _, err := p.Clock("25:00"); err == nil {
		t.Error("Clock accepted 25:00")
	}
	p.Seek(ct)
	expect("g HH:MM:SS", 3)
	p.Step(100)
	expect("step past the end", 19)
	p.Seek(times[0].Add(-time.Hour))
	expect("seek before the start", 0)
}

func TestReplayPlaysAndStopsAtTheEnd(t *testing.T) {
	r, times := tenSecondRecording(t, 8)
	p := NewReplay(r)
	if p.Interval() != 10*time.Second {
		t.Fatalf("interval %v, want the recorded 10s", p.Interval())
	}
	p.SetInterval(5 * time.Millisecond) // 2000× faster: 5 ms per record
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Run(ctx)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-p.Updates():
			if s.Time.Equal(times[7]) {
				time.Sleep(50 * time.Millisecond)
				if i, _, _ := p.Position(); i != 7 {
					t.Fatalf("moved past the end to %d", i)
				}
				p.Pause(true)
				p.Step(-3)
				time.Sleep(50 * time.Millisecond)
				if i, _, _ := p.Position(); i != 4 || !p.Paused() {
					t.Fatalf("paused replay moved on to %d", i)
				}
				return
			}
		case <-deadline:
			i, _, _ := p.Position()
			t.Fatalf("replay stuck at %d", i)
		}
	}
}
