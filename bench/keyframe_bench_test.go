package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/ui"
	"github.com/ctop-like/ctop-like/internal/views"
)

// clusterSnapshot is --cluster's snapshot of agents x executors: every
// executor a container row of the containers view.
func clusterSnapshot(agents, execs int) *model.Snapshot {
	s := &model.Snapshot{Time: time.Now(), Host: "cluster", Interval: 2 * time.Second,
		Machine: model.MachineInfo{Cores: agents * 8, Unknown: model.Unknown{Uptime: true, Load: true, CPU: true}},
		Memory:  model.Memory{Total: uint64(agents) << 34}}
	for a := 0; a < agents; a++ {
		for e := 0; e < execs; e++ {
			c := model.Container{ContainerSample: &model.ContainerSample{}, HasRates: true, CPUPct: float64((a*execs + e) * 7919 % 1000 / 10)}
			c.ID = fmt.Sprintf("%08x-0000-4000-8000-%012x", a, e)
			c.Name = fmt.Sprintf("group%d_app%d.%08x", e%50, e, a)
			c.Runtime, c.State = model.RuntimeMesos, "running"
			c.Agent, c.AgentID = fmt.Sprintf("10.0.%d.%d", a/250, a%250), fmt.Sprintf("S%d", a)
			c.Mem = model.CgroupMemory{Used: uint64(e+1) << 20, Limit: 1 << 30}
			c.Unmeasured = []string{"pids", "io"}
			s.Containers = append(s.Containers, c)
		}
	}
	return s
}

// feed is a monitor.Feed of one snapshot.
type feed struct {
	ch chan *model.Snapshot
	s  *model.Snapshot
}

func (f *feed) Updates() <-chan *model.Snapshot { return f.ch }
func (f *feed) Latest() *model.Snapshot         { return f.s }
func (f *feed) Interval() time.Duration         { return 2 * time.Second }
func (f *feed) SetInterval(time.Duration)       {}

// frameScreen is a simulation screen that says what each frame's table
// header reads, once the frame is shown.
type frameScreen struct {
	tcell.SimulationScreen
	headers chan string
}

func (f *frameScreen) Show() {
	f.SimulationScreen.Show()
	cells, w, h := f.GetContents()
	for y := 0; y < h; y++ {
		var b strings.Builder
		for x := 0; x < w; x++ {
			if r := cells[y*w+x].Runes; len(r) > 0 {
				b.WriteRune(r[0])
			}
		}
		if line := b.String(); strings.Contains(line, "CPU%") && strings.Contains(line, "NAME") {
			select {
			case f.headers <- line:
			default:
			}
			return
		}
	}
}

// BenchmarkKeyToFrame50k measures a key press (I: invert the sort) to the
// frame that shows it, on the screen of --cluster with 5,000 agents x 10
// executors: 50,000 container rows, sorted again off the UI goroutine and
// drawn (issue 20's goal: within 100 ms).
func BenchmarkKeyToFrame50k(b *testing.B) {
	sim := tcell.NewSimulationScreen("UTF-8")
	scr := &frameScreen{SimulationScreen: sim, headers: make(chan string, 64)}
	s := clusterSnapshot(5000, 10)
	a, err := ui.New(scr, ui.Options{Feed: &feed{ch: make(chan *model.Snapshot, 1), s: s}, View: "containers", ReadOnly: true, Color: "never"})
	if err != nil {
		b.Fatal(err)
	}
	sim.SetSize(160, 50)
	done := make(chan error, 1)
	go func() { done <- a.Run() }()
	defer func() { a.Stop(); <-done }()
	// The first frame with rows: its header is the one to change.
	var header string
	select {
	case header = <-scr.headers:
	case <-time.After(time.Minute):
		b.Fatal("no first frame")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sim.InjectKey(tcell.KeyRune, 'I', tcell.ModNone)
		for {
			h := <-scr.headers
			if h != header {
				header = h
				break
			}
		}
	}
	b.ReportMetric(float64(len(s.Containers)), "rows")
}

// BenchmarkRows50k is views.Rows of the containers view on that snapshot,
// a new one each time (what every refresh of that screen costs, off the
// UI goroutine).
func BenchmarkRows50k(b *testing.B) {
	s := clusterSnapshot(5000, 10)
	b.ReportAllocs()
	for b.Loop() {
		c := *s // a new snapshot: the rows are not the cached ones
		t, err := views.Rows(&c, views.Query{View: "containers"})
		if err != nil || len(t.Rows) != 50000 {
			b.Fatal(err)
		}
	}
}
