package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// refresh is one line of ctop-like -o json.
type refresh struct {
	Time   time.Time        `json:"time"`
	Rows   []map[string]any `json:"rows"`
	Errors []string         `json:"errors"`
}

// eachRefresh reads every refresh ctop-like printed to path.
func eachRefresh(path string, use func(i int, r *refresh) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for i := 1; ; i++ {
		var r refresh
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("refresh %d: %w", i, err)
		}
		if err := use(i, &r); err != nil {
			return err
		}
	}
}

// checkResult is what check writes: one figure and whether the goal holds.
type checkResult struct {
	What   string    `json:"what"`
	Value  float64   `json:"value"`
	Values []float64 `json:"values,omitempty"`
	Met    bool      `json:"met"`
	Note   string    `json:"note,omitempty"`
}

func checkCmd(args []string) error {
	if len(args) == 0 {
		return errors.New("check fresh|placed|count")
	}
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	in := fs.String("info", "", "serve's or cadvisor's info file")
	outFile := fs.String("out", "", "ctop-like's JSON output")
	res := fs.String("result", "", "where to write the result (JSON)")
	from := fs.Int("from", 4, "fresh: the first refresh that counts")
	want := fs.Float64("want", 0, "count: the rows wanted")
	state := fs.String("state", "", "count: only rows whose state is this")
	first := fs.String("first", "", "count: also write which printed refresh first had them all")
	fs.Parse(args[1:])
	inf, err := readInfo(*in)
	if err != nil {
		return err
	}
	var r checkResult
	switch args[0] {
	case "fresh":
		// An agent is fresh in a refresh when it answered since the
		// refresh before: its age is within the time between the two.
		healthy := map[string]bool{}
		for _, a := range inf.Agents {
			if a.Mode == "healthy" {
				healthy[a.Host] = true
			}
		}
		var prev time.Time
		r = checkResult{What: fmt.Sprintf("healthy agents fresh in each refresh from the %dth (%%)", *from), Value: 100}
		err = eachRefresh(*outFile, func(i int, f *refresh) error {
			defer func() { prev = f.Time }()
			if i < *from {
				return nil
			}
			gap := f.Time.Sub(prev).Seconds()
			n := 0
			for _, row := range f.Rows {
				host, _ := row["host"].(string)
				age, ok := row["age_s"].(float64)
				if healthy[host] && ok && age <= gap {
					n++
				}
			}
			pct := 100 * float64(n) / float64(len(healthy))
			r.Values = append(r.Values, pct)
			r.Value = min(r.Value, pct)
			return nil
		})
		r.Met = len(r.Values) > 0 && r.Value >= 95
	case "placed":
		// The refresh by which every local container has its task,
		// framework and app.
		r = checkResult{What: "refresh by which every local container is placed", Value: -1}
		err = eachRefresh(*outFile, func(i int, f *refresh) error {
			if r.Value >= 0 {
				return nil
			}
			placed := 0
			for _, row := range f.Rows {
				id, _ := row["id"].(string)
				for _, l := range inf.Local {
					if id == l && row["framework"] != nil && row["task_id"] != nil && row["app"] != nil {
						placed++
					}
				}
			}
			if placed == len(inf.Local) {
				r.Value = float64(i + 1) // the first printed line is the 2nd refresh
			}
			return nil
		})
		r.Met = r.Value >= 0 && r.Value <= 2
		r.Note = fmt.Sprintf("%d local containers", len(inf.Local))
	case "count":
		r = checkResult{What: "rows listed"}
		err = eachRefresh(*outFile, func(i int, f *refresh) error {
			n := 0
			for _, row := range f.Rows {
				if *state == "" || row["state"] == *state {
					n++
				}
			}
			r.Values = append(r.Values, float64(n))
			r.Value = float64(n)
			return nil
		})
		if *want == 0 {
			*want = float64(inf.Tasks + inf.Containers)
		}
		r.Met = r.Value == *want
		r.Note = fmt.Sprintf("want %.0f", *want)
		if *first != "" {
			f := checkResult{What: "the first printed refresh with every row", Value: -1}
			for i, v := range r.Values {
				if v == *want && f.Value < 0 {
					f.Value, f.Met = float64(i+1), true
				}
			}
			b, _ := json.MarshalIndent(f, "", "  ")
			if err := os.WriteFile(*first, b, 0o644); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("check %s: no such check", args[0])
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "clustertool check %s: %s: %.2f (met %v) %v\n", args[0], r.What, r.Value, r.Met, r.Values)
	b, _ := json.MarshalIndent(r, "", "  ")
	return os.WriteFile(*res, b, 0o644)
}
