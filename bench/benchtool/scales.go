package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// scalesCmd prints goal 1 at every scale bench/run measured, from the
// rounds it ran there: round r left floor-N-r.json, ctl-N-r.json (this
// build) and, with BENCH_OLD, ctl-old-N-r.json (the old build, run right
// after). Each round's ratio is this build's median CPU per refresh over
// the floor measured in the same round; the table gives the median of
// the rounds (min–max), and the cost per container (CPU per refresh over
// the containers), so that a cost growing faster than the node shows.
// The last two columns: this build's peak RSS in MB (10^6 bytes, the
// unit of issue 27's goals; the MiB column is 2^20) and, each round, its
// CPU over the old build's run beside it, which a load shared by both
// runs moves less than either figure.
func scalesCmd(args []string) error {
	fs := flag.NewFlagSet("scales", flag.ExitOnError)
	dir := fs.String("dir", ".", "result folder")
	fs.Parse(args)
	load := func(name string, v any) bool {
		b, err := os.ReadFile(filepath.Join(*dir, name))
		return err == nil && json.Unmarshal(b, v) == nil
	}
	type round struct {
		floor    floorResult
		new, old measureResult
		hasOld   bool
	}
	byScale := map[int][]round{}
	names, _ := filepath.Glob(filepath.Join(*dir, "floor-*-*.json"))
	for _, name := range names {
		var n, r int
		if _, err := fmt.Sscanf(filepath.Base(name), "floor-%d-%d.json", &n, &r); err != nil {
			continue
		}
		var rd round
		if !load(filepath.Base(name), &rd.floor) || !load(fmt.Sprintf("ctl-%d-%d.json", n, r), &rd.new) {
			continue
		}
		rd.hasOld = load(fmt.Sprintf("ctl-old-%d-%d.json", n, r), &rd.old)
		byScale[n] = append(byScale[n], rd)
	}
	var scales []int
	for n := range byScale {
		scales = append(scales, n)
	}
	sort.Ints(scales)
	med := func(v []float64) string {
		s := summarise(v)
		return fmt.Sprintf("%.2f (%.2f–%.2f)", s.Median, s.Min, s.Max)
	}
	fmt.Println("| containers | processes | rounds | floor: open+read+close, ms | floor: pread on kept descriptors, ms | own CPU per refresh, ms | ÷ floor | ÷ pread floor | µs per container | peak RSS, MiB | old build: own CPU, ms | old ÷ floor | old µs per container | old peak RSS, MiB | peak RSS, MB | own CPU ÷ old's |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, n := range scales {
		var floor, pread, own, ratio, pratio, per, rss, mb, oOwn, oRatio, oPer, oRSS, vsOld []float64
		conts, procs := 0, 0
		for _, rd := range byScale[n] {
			conts, procs = rd.floor.Containers, rd.floor.Processes
			c := float64(max(conts, 1))
			floor = append(floor, rd.floor.CPUNs.Median/1e6)
			pread = append(pread, rd.floor.PreadCPUNs.Median/1e6)
			own = append(own, rd.new.OwnCPUNs.Median/1e6)
			ratio = append(ratio, rd.new.OwnCPUNs.Median/rd.floor.CPUNs.Median)
			pratio = append(pratio, rd.new.OwnCPUNs.Median/rd.floor.PreadCPUNs.Median)
			per = append(per, rd.new.OwnCPUNs.Median/1e3/c)
			rss = append(rss, float64(rd.new.PeakRSS)/(1<<20))
			mb = append(mb, float64(rd.new.PeakRSS)/1e6)
			if rd.hasOld {
				oOwn = append(oOwn, rd.old.OwnCPUNs.Median/1e6)
				oRatio = append(oRatio, rd.old.OwnCPUNs.Median/rd.floor.CPUNs.Median)
				oPer = append(oPer, rd.old.OwnCPUNs.Median/1e3/c)
				oRSS = append(oRSS, float64(rd.old.PeakRSS)/(1<<20))
				vsOld = append(vsOld, rd.new.OwnCPUNs.Median/rd.old.OwnCPUNs.Median)
			}
		}
		old := fmt.Sprintf("| | | | | %s | |", med(mb))
		if len(oOwn) > 0 {
			old = fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", med(oOwn), med(oRatio), med(oPer), med(oRSS), med(mb), med(vsOld))
		}
		fmt.Printf("| %d | %d | %d | %s | %s | %s | %s | %s | %s | %s %s\n", conts, procs, len(floor),
			med(floor), med(pread), med(own), med(ratio), med(pratio), med(per), med(rss), old)
	}
	return nil
}
