package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// measured is the part of benchtool measure's result the table reads.
type measured struct {
	Label   string `json:"label"`
	OwnCPU  stats  `json:"own_cpu_ns"`
	PeakRSS int64  `json:"peak_rss_bytes"`
	Windows int    `json:"windows"`
}

// runs reads every file dir/prefix-<n>.json into v (a slice pointer's
// element each), in run order.
func runs[T any](dir, prefix string) []T {
	var out []T
	for i := 1; ; i++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s-%d.json", prefix, i)))
		if err != nil {
			return out
		}
		var v T
		if json.Unmarshal(b, &v) == nil {
			out = append(out, v)
		}
	}
}

func median(v []float64) float64 { return summarise(v).Median }

func span(v []float64, f func(float64) string) string {
	if len(v) == 0 {
		return "n/a"
	}
	s := summarise(v)
	return fmt.Sprintf("%s (%s–%s, n=%d)", f(s.Median), f(s.Min), f(s.Max), s.N)
}

func ms(ns float64) string { return fmt.Sprintf("%.1f ms", ns/1e6) }
func mib(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }
func pct(p float64) string { return fmt.Sprintf("%.1f %%", p) }
func num(n float64) string { return strconv.FormatFloat(n, 'f', 0, 64) }
func yes(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// cpus and rsss are each run's CPU per refresh (the mean of its
// refreshes: work every few refreshes, as a poll, counts) and peak RSS.
func cpus(m []measured) []float64 {
	var v []float64
	for _, x := range m {
		v = append(v, x.OwnCPU.Mean)
	}
	return v
}

func rsss(m []measured) []float64 {
	var v []float64
	for _, x := range m {
		v = append(v, float64(x.PeakRSS))
	}
	return v
}

func checks(dir, prefix string) ([]float64, bool) {
	var v []float64
	all := true
	for _, c := range runs[checkResult](dir, prefix) {
		v = append(v, c.Value)
		all = all && c.Met
	}
	return v, all && len(v) > 0
}

// tableCmd prints the goals of issue 20 from bench/cluster's results.
func tableCmd(args []string) error {
	fs := flag.NewFlagSet("table", flag.ExitOnError)
	dir := fs.String("dir", "", "results")
	fs.Parse(args)
	d := *dir
	fmt.Println("| goal | measured: median of the runs (min–max, runs); CPU is each run's mean per refresh | against | ratio | target | |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")

	small, big := runs[measured](d, "node-3"), runs[measured](d, "node-big")
	placed, placedOK := checks(d, "node-big-placed")
	fmt.Printf("| 1. node view, 100,000-task master: refresh by which the local containers are placed | %s | | | ≤ 2 | %s |\n", span(placed, num), yes(placedOK))
	rss := rsss(big)
	fmt.Printf("|    peak RSS | %s | | | ≤ 100 MB | %s |\n", span(rss, mib), yes(len(rss) > 0 && slices.Max(rss) <= 100e6))
	r := median(cpus(big)) / median(cpus(small))
	fmt.Printf("|    CPU per refresh | %s | the same node on a 3-agent cluster: %s | %.2f× | ≤ 1.5× | %s |\n",
		span(cpus(big), ms), span(cpus(small), ms), r, yes(r <= 1.5))

	type polled struct {
		CPUNs stats `json:"cpu_ns"`
	}
	var ps, pb []float64
	for _, x := range runs[polled](d, "poll-3") {
		ps = append(ps, x.CPUNs.Median)
	}
	for _, x := range runs[polled](d, "poll-big") {
		pb = append(pb, x.CPUNs.Median)
	}
	if len(ps) > 0 && len(pb) > 0 {
		r = median(pb) / median(ps)
		fmt.Printf("|    the orchestrator alone: CPU per poll (one every 10 s, every 5th refresh at -d 2s) | %s | on a 3-agent cluster: %s | %.2f× | ≤ 1.5× | %s |\n",
			span(pb, ms), span(ps, ms), r, yes(r <= 1.5))
	}

	tasks := runs[measured](d, "tasks-big")
	listed, listedOK := checks(d, "tasks-big-count")
	fmt.Printf("| 2. -v mesos-tasks: running tasks listed (the last refresh) | %s | | | all 100,000 | %s |\n", span(listed, num), yes(listedOK))
	if first, _ := checks(d, "tasks-big-first"); len(first) > 0 {
		fmt.Printf("|    the first printed refresh that lists them all | %s | | | | |\n", span(first, num))
	}
	rss = rsss(tasks)
	fmt.Printf("|    peak RSS | %s | | | ≤ 200 MB | %s |\n", span(rss, mib), yes(len(rss) > 0 && slices.Max(rss) <= 200e6))

	cl := runs[measured](d, "cluster")
	floor := runs[floorResult](d, "floor")
	fresh, freshOK := checks(d, "cluster-fresh")
	fmt.Printf("| 3. --cluster 5,000 × 20, 10 %% hanging, -d 2s: healthy agents fresh in the worst refresh from the 4th | %s | | | ≥ 95 %% | %s |\n", span(fresh, pct), yes(freshOK))
	rss = rsss(cl)
	fmt.Printf("|    peak RSS | %s | | | ≤ 200 MB | %s |\n", span(rss, mib), yes(len(rss) > 0 && slices.Max(rss) <= 200e6))
	var fl []float64
	for _, f := range floor {
		fl = append(fl, f.CPUNs.Mean)
	}
	r = median(cpus(cl)) / median(fl)
	fmt.Printf("|    CPU per refresh | %s | floor (net/http + encoding/json, %s): %s | %.2f× | ≤ 1.0× | %s |\n",
		span(cpus(cl), ms), floorWhat(floor), span(fl, ms), r, yes(r <= 1.0))
	if old := runs[measured](d, "cluster-old"); len(old) > 0 {
		commit, _ := os.ReadFile(filepath.Join(d, "old-commit.txt"))
		ofresh, _ := checks(d, "cluster-old-fresh")
		fmt.Printf("|    the same at %s (BENCH_OLD, in alternation): fresh; peak RSS; CPU per refresh | %s; %s; %s | this tree against it | RSS %.2f×, CPU %.2f× | | |\n",
			strings.TrimSpace(string(commit)), span(ofresh, pct), span(rsss(old), mib), span(cpus(old), ms),
			median(rsss(cl))/median(rsss(old)), median(cpus(cl))/median(cpus(old)))
	}
	if ct := runs[measured](d, "cluster-containers"); len(ct) > 0 {
		fmt.Printf("|    the same with the containers view (100,000 rows built and filtered, none printed) | CPU %s, peak RSS %s | | | | |\n", span(cpus(ct), ms), span(rsss(ct), mib))
	}

	cad := runs[measured](d, "cadvisor")
	shown, shownOK := checks(d, "cadvisor-count")
	fmt.Printf("| 4. --cadvisor, 5,000 cgroups: containers shown | %s | | | all | %s |\n", span(shown, num), yes(shownOK))
	rss = rsss(cad)
	fmt.Printf("|    peak RSS | %s | | | ≤ 100 MB | %s |\n", span(rss, mib), yes(len(rss) > 0 && slices.Max(rss) <= 100e6))

	if k := keyToFrame(filepath.Join(d, "key50k.txt")); len(k) > 0 {
		fmt.Printf("| 5. screen of 50,000 rows: key to frame (bench BenchmarkKeyToFrame50k) | %s | | | ≤ 100 ms | %s |\n", span(k, ms), yes(median(k) <= 100e6))
	}
	return nil
}

func floorWhat(f []floorResult) string {
	if len(f) == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d agents, %d MB a pass", f[0].Agents, f[0].Bytes>>20)
}

// keyToFrame reads the ns/op of go test -bench output.
func keyToFrame(path string) []float64 {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var v []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) >= 4 && strings.HasPrefix(fl[0], "BenchmarkKeyToFrame50k") && fl[3] == "ns/op" {
			if x, err := strconv.ParseFloat(fl[2], 64); err == nil {
				v = append(v, x)
			}
		}
	}
	return v
}
