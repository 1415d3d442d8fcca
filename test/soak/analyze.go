//go:build ignore

// analyze reads a soak run's files and prints its figures; it exits 1 when
// a pass criterion fails. Usage: go run analyze.go DIR INTERVAL ORCH_INTERVAL
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type event struct {
	at   time.Time
	what string
}

func readEvents(path string) []event {
	var out []event
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		ms, what, ok := strings.Cut(sc.Text(), " ")
		n, err := strconv.ParseInt(ms, 10, 64)
		if ok && err == nil {
			out = append(out, event{time.UnixMilli(n), what})
		}
	}
	return out
}

func main() {
	dir := os.Args[1]
	interval, _ := time.ParseDuration(os.Args[2])
	orch, _ := time.ParseDuration(os.Args[3])
	fail := false
	check := func(ok bool, format string, a ...any) {
		mark := "ok  "
		if !ok {
			mark, fail = "FAIL", true
		}
		fmt.Printf("%s "+format+"\n", append([]any{mark}, a...)...)
	}

	type line struct {
		Time   time.Time        `json:"time"`
		Rows   []map[string]any `json:"rows"`
		Errors []string         `json:"errors"`
	}
	var lines []line
	f, err := os.Open(filepath.Join(dir, "out.json"))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	bad := 0
	for sc.Scan() {
		var l line
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			bad++
			continue
		}
		lines = append(lines, l)
	}
	check(bad == 0, "%d refreshes printed, %d unreadable lines", len(lines), bad)
	late, maxGap := 0, time.Duration(0)
	for i := 1; i < len(lines); i++ {
		g := lines[i].Time.Sub(lines[i-1].Time)
		maxGap = max(maxGap, g)
		if g > 2*interval {
			late++
		}
	}
	check(late == 0, "%d refreshes late by more than one interval (%v); longest gap %v", late, interval, maxGap.Round(time.Millisecond))
	stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
	check(!strings.Contains(string(stderr), "panic"), "no panic on stderr (%d bytes of stderr)", len(stderr))

	// Resources: "<unix ms> <rss kB> <threads>" every few seconds.
	res := readEvents(filepath.Join(dir, "resources"))
	if len(res) > 0 {
		start := res[0].at
		at := func(d time.Duration) (rss, thr int, ok bool) {
			for _, r := range res {
				if r.at.Sub(start) >= d {
					f := strings.Fields(r.what)
					rss, _ = strconv.Atoi(f[0])
					thr, _ = strconv.Atoi(f[1])
					return rss, thr, true
				}
			}
			return 0, 0, false
		}
		rss1, thr1, _ := at(time.Minute)
		maxRSS, maxThr := 0, 0
		for _, r := range res {
			if r.at.Sub(start) < time.Minute {
				continue
			}
			f := strings.Fields(r.what)
			a, _ := strconv.Atoi(f[0])
			b, _ := strconv.Atoi(f[1])
			maxRSS, maxThr = max(maxRSS, a), max(maxThr, b)
		}
		for _, m := range []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute} {
			if rss, thr, ok := at(m); ok {
				fmt.Printf("     at %v: RSS %d kB, %d threads\n", m, rss, thr)
			}
		}
		last := strings.Fields(res[len(res)-1].what)
		fmt.Printf("     at the end (%v): RSS %s kB, %s threads\n", res[len(res)-1].at.Sub(start).Round(time.Second), last[0], last[1])
		if rss1 > 0 {
			growth := float64(maxRSS-rss1) / float64(rss1) * 100
			check(growth < 10, "RSS growth after the first minute %.1f%% (max %d kB vs %d kB at 1 min)", growth, maxRSS, rss1)
			check(maxThr <= thr1+4, "threads after the first minute: max %d vs %d at 1 min", maxThr, thr1)
		} else {
			fmt.Println("     (shorter than a minute: no growth figure)")
		}
	}

	// Recovery: first refresh after each event without the matching error.
	firstClean := func(after time.Time, bad func(string) bool) (int, time.Duration, bool) {
		n := 0
		for _, l := range lines {
			if !l.Time.After(after) {
				continue
			}
			n++
			clean := true
			for _, e := range l.Errors {
				if bad(e) {
					clean = false
				}
			}
			if clean {
				return n, l.Time.Sub(after), true
			}
		}
		return n, 0, false
	}
	for _, e := range readEvents(filepath.Join(dir, "events")) {
		switch e.what {
		case "dockerd-up":
			n, d, ok := firstClean(e.at, func(s string) bool { return strings.Contains(strings.ToLower(s), "docker") })
			check(ok && n <= 2, "dockerd back: rows right again after %d refresh(es), %v", n, d.Round(time.Millisecond))
		case "healthy":
			n, d, ok := firstClean(e.at, func(s string) bool {
				s = strings.ToLower(s)
				return strings.Contains(s, "marathon") || strings.Contains(s, "mesos")
			})
			if ok || e.at.Before(lines[len(lines)-1].Time.Add(-orch)) {
				check(ok && d <= orch+interval, "Marathon/Mesos healthy: cluster fresh again after %v (%d refreshes; orchestrator interval %v)", d.Round(time.Millisecond), n, orch)
			}
		}
	}
	if fail {
		os.Exit(1)
	}
}
