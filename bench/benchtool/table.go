package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tableCmd prints the five goals from the result files bench/run leaves in
// -dir: floor-N.json, ctl-N.json (N containers), docker-idle.json,
// ctl-docker.json, ctopsim.json, dockerstats.json and gobench.txt.
func tableCmd(args []string) error {
	fs := flag.NewFlagSet("table", flag.ExitOnError)
	dir := fs.String("dir", ".", "result folder")
	main := fs.Int("containers", 500, "the scale goals 1 and 3 are judged at")
	fs.Parse(args)

	var (
		floor             floorResult
		ctl, dCtl         measureResult
		dIdle             [5]measureResult
		dStats, dSim      measureResult
		haveStats, haveSm bool
	)
	load := func(name string, v any) bool {
		b, err := os.ReadFile(filepath.Join(*dir, name))
		if err != nil {
			return false
		}
		return json.Unmarshal(b, v) == nil
	}
	ms := func(ns float64) string { return fmt.Sprintf("%.2f ms", ns/1e6) }
	rng := func(s stats) string {
		return fmt.Sprintf("%s (%.2f–%.2f, n=%d)", ms(s.Median), s.Min/1e6, s.Max/1e6, s.N)
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}

	fmt.Println("| goal | measured (median (min–max, n)) | against | ratio | target | |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")

	// Goal 1.
	if load(fmt.Sprintf("floor-%d.json", *main), &floor) && load(fmt.Sprintf("ctl-%d.json", *main), &ctl) {
		ratio := ctl.OwnCPUNs.Median / floor.CPUNs.Median
		fmt.Printf("| 1. own CPU per refresh, %d Mesos containers, %d processes | %s | floor (open+read+close %d files): %s | %.2f× | ≤ 1.0× | %s |\n",
			floor.Containers, floor.Processes, rng(ctl.OwnCPUNs), floor.Files, rng(floor.CPUNs), ratio, verdict(ratio <= 1.0))
		fmt.Printf("|    (for reference) the same reads with pread on kept descriptors | %s | | | | |\n", rng(floor.PreadCPUNs))
	}
	for _, n := range []int{100, 500, 1000, 2000} {
		var f floorResult
		var m measureResult
		if n == *main || !load(fmt.Sprintf("floor-%d.json", n), &f) || !load(fmt.Sprintf("ctl-%d.json", n), &m) {
			continue
		}
		fmt.Printf("|    at %d containers, %d processes | %s | floor: %s | %.2f× | | |\n",
			f.Containers, f.Processes, rng(m.OwnCPUNs), rng(f.CPUNs), m.OwnCPUNs.Median/f.CPUNs.Median)
	}

	// Goal 2. The daemons' CPU is charged to a client net of what they
	// spend idle (measured just before and just after it, in the same run):
	// with 50 containers their background work is larger than ctop-like's
	// share, and it drifts.
	if load("ctl-docker.json", &dCtl) {
		for i := 1; i <= 4; i++ {
			load(fmt.Sprintf("docker-idle-%d.json", i), &dIdle[i])
		}
		haveStats = load("dockerstats.json", &dStats)
		haveSm = load("ctopsim.json", &dSim)
		perSec := func(m measureResult) float64 {
			if m.SecondsPerWindow == 0 {
				return 0
			}
			return m.DaemonMeanNs / m.SecondsPerWindow
		}
		// idleAround is the daemons' idle rate around the client measured
		// after idle measurement i.
		idleAround := func(i int) float64 { return (perSec(dIdle[i]) + perSec(dIdle[i+1])) / 2 }
		charged := func(m measureResult, i int) float64 {
			return max(0, m.DaemonMeanNs-idleAround(i)*m.SecondsPerWindow)
		}
		total := func(m measureResult, i int) float64 { return m.OwnCPUNs.Median + charged(m, i) }
		ctlTotal := total(dCtl, 1)
		fmt.Printf("| 2. ctop-like total CPU per refresh, 50 Docker containers: own %s + daemons %s (%s during the run − %s idle) | %s | | | | |\n",
			rng(dCtl.OwnCPUNs), ms(charged(dCtl, 1)), ms(dCtl.DaemonMeanNs), ms(idleAround(1)*dCtl.SecondsPerWindow), ms(ctlTotal))
		if haveStats {
			ratio := total(dStats, 2) / ctlTotal
			fmt.Printf("|    vs `docker stats --no-stream` per run: own %s + daemons %s (%s − %s idle), wall %s | | %s | %.0f× less | ≥ 20× | %s |\n",
				rng(dStats.OwnCPUNs), ms(charged(dStats, 2)), ms(dStats.DaemonMeanNs), ms(idleAround(2)*dStats.SecondsPerWindow), ms(dStats.WallNs.Median), ms(total(dStats, 2)), ratio, verdict(ratio >= 20))
		}
		if haveSm {
			ratio := total(dSim, 3) / ctlTotal
			fmt.Printf("|    vs ctop's way per 1 s refresh (bench ctopsim: a stats stream per container): own %s + daemons %s (%s − %s idle) | | %s | %.0f× less | ≥ 20× | %s |\n",
				rng(dSim.OwnCPUNs), ms(charged(dSim, 3)), ms(dSim.DaemonMeanNs), ms(idleAround(3)*dSim.SecondsPerWindow), ms(total(dSim, 3)), ratio, verdict(ratio >= 20))
		}
		fmt.Printf("|    daemons idle per second, before/between/after the clients | %.1f / %.1f / %.1f / %.1f ms | | | | |\n",
			perSec(dIdle[1])/1e6, perSec(dIdle[2])/1e6, perSec(dIdle[3])/1e6, perSec(dIdle[4])/1e6)
	}

	// Goal 3.
	var scales []string
	var atMain int64
	for _, n := range []int{100, 500, 1000, 2000} {
		var m measureResult
		var f floorResult
		if !load(fmt.Sprintf("ctl-%d.json", n), &m) || !load(fmt.Sprintf("floor-%d.json", n), &f) {
			continue
		}
		scales = append(scales, fmt.Sprintf("%d c + %d p: %.1f MB", f.Containers, f.Processes, float64(m.PeakRSS)/(1<<20)))
		if n == *main {
			atMain = m.PeakRSS
		}
	}
	if len(scales) > 0 {
		fmt.Printf("| 3. peak RSS (VmHWM) | %s | | | < 40 MB at %d | %s |\n", strings.Join(scales, "; "), *main, verdict(atMain > 0 && atMain < 40<<20))
	}

	// Goals 4 and 5.
	bench := goBench(filepath.Join(*dir, "gobench.txt"))
	if s, ok := bench["BenchmarkKeyToFrame"]; ok {
		fmt.Printf("| 4. key press to frame, 10,000 rows (ui BenchmarkKeyToFrame) | %s | | | < 16 ms | %s |\n", rng(s.ns), verdict(s.ns.Median < 16e6))
	}
	if s, ok := bench["BenchmarkRows10k"]; ok {
		fmt.Printf("|    sort + filter 10,000 rows (ui BenchmarkRows10k: views.Rows) | %s | | | < 5 ms | %s |\n", rng(s.ns), verdict(s.ns.Median < 5e6))
	}
	if s, ok := bench["BenchmarkDecodeMesosState"]; ok {
		fmt.Printf("| 5. decode the 2.4 MB Mesos 0.22 state | %s, %.1f MB allocated | | | < 30 ms, < 10 MB | %s |\n", rng(s.ns), s.bytes/(1<<20), verdict(s.ns.Median < 30e6 && s.bytes < 10<<20))
	}
	return nil
}

type benchLine struct {
	ns    stats
	bytes float64
}

// goBench reads `go test -bench -benchmem -count N` output: ns/op per run,
// summarised, and the last B/op.
func goBench(path string) map[string]benchLine {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	ns := map[string][]float64{}
	bytes := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) < 4 || !strings.HasPrefix(fl[0], "Benchmark") {
			continue
		}
		name := fl[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		for i := 2; i+1 < len(fl); i++ {
			v, err := strconv.ParseFloat(fl[i], 64)
			if err != nil {
				continue
			}
			switch fl[i+1] {
			case "ns/op":
				ns[name] = append(ns[name], v)
			case "B/op":
				bytes[name] = v
			}
		}
	}
	out := map[string]benchLine{}
	for k, v := range ns {
		out[k] = benchLine{ns: summarise(v), bytes: bytes[k]}
	}
	return out
}
