package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"github.com/ctop-like/ctop-like/bench/benchstats"
	"io"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"
)

// execJSON is what the floor decodes of one executor: the members
// --cluster shows, into a typed struct, as a plain Go client would.
type execJSON struct {
	ExecutorID  string `json:"executor_id"`
	FrameworkID string `json:"framework_id"`
	Source      string `json:"source"`
	ContainerID string `json:"container_id"`
	Statistics  struct {
		Timestamp        float64 `json:"timestamp"`
		CPUsLimit        float64 `json:"cpus_limit"`
		CPUsUserSecs     float64 `json:"cpus_user_time_secs"`
		CPUsSystemSecs   float64 `json:"cpus_system_time_secs"`
		CPUsPeriods      uint64  `json:"cpus_nr_periods"`
		CPUsThrottled    uint64  `json:"cpus_nr_throttled"`
		CPUsThrottledSec float64 `json:"cpus_throttled_time_secs"`
		MemRSS           uint64  `json:"mem_rss_bytes"`
		MemTotal         uint64  `json:"mem_total_bytes"`
		MemCache         uint64  `json:"mem_cache_bytes"`
		MemFile          uint64  `json:"mem_file_bytes"`
		MemLimit         uint64  `json:"mem_limit_bytes"`
		NetRxBytes       uint64  `json:"net_rx_bytes"`
		NetTxBytes       uint64  `json:"net_tx_bytes"`
		NetRxPackets     uint64  `json:"net_rx_packets"`
		NetTxPackets     uint64  `json:"net_tx_packets"`
		NetRxErrors      uint64  `json:"net_rx_errors"`
		NetTxErrors      uint64  `json:"net_tx_errors"`
		NetRxDropped     uint64  `json:"net_rx_dropped"`
		NetTxDropped     uint64  `json:"net_tx_dropped"`
	} `json:"statistics"`
}

// floorResult is what floor writes.
type floorResult struct {
	Label    string `json:"label"`
	Agents   int    `json:"agents"`
	Passes   int    `json:"passes"`
	CPUNs    stats  `json:"cpu_ns"` // per pass
	WallNs   stats  `json:"wall_ns"`
	Bytes    int64  `json:"bytes"` // per pass
	Failures int    `json:"failures"`
}

// stats and summarise are the bench tools' one summary (bench/benchstats).
type stats = benchstats.Stats

var summarise = benchstats.Summarise

func cpuNow() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// floorCmd fetches every healthy agent's /monitor/statistics once per pass
// with net/http's default transport and decodes it with encoding/json:
// the least a client reading the same answers can do. Passes start -every
// apart, as ctop-like's refreshes do.
func floorCmd(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ExitOnError)
	in := fs.String("info", "", "serve's info file")
	out := fs.String("out", "", "result file (JSON)")
	passes := fs.Int("passes", 10, "passes over every healthy agent")
	parallel := fs.Int("parallel", 128, "requests in flight (as ctop-like's healthy budget)")
	every := fs.Duration("every", 2*time.Second, "a pass starts this often")
	skip := fs.Int("skip", 1, "passes to leave out of the figures (the first dials every agent)")
	fs.Parse(args)
	inf, err := readInfo(*in)
	if err != nil {
		return err
	}
	var urls []string
	for _, a := range inf.Agents {
		if a.Mode == "healthy" {
			urls = append(urls, a.URL+"/monitor/statistics")
		}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	r := floorResult{Label: "net/http + encoding/json", Agents: len(urls)}
	var cpus, walls []float64
	for p := 0; p < *passes+*skip; p++ {
		start := time.Now()
		c0 := cpuNow()
		var bytes int64
		var failures int
		var mu sync.Mutex
		jobs := make(chan string)
		var wg sync.WaitGroup
		for w := 0; w < *parallel; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for u := range jobs {
					n, err := fetch(client, u)
					mu.Lock()
					bytes += n
					if err != nil {
						failures++
					}
					mu.Unlock()
				}
			}()
		}
		for _, u := range urls {
			jobs <- u
		}
		close(jobs)
		wg.Wait()
		if p >= *skip {
			cpus = append(cpus, float64(cpuNow()-c0))
			walls = append(walls, float64(time.Since(start)))
			r.Bytes, r.Failures = bytes, r.Failures+failures
		}
		time.Sleep(time.Until(start.Add(*every)))
	}
	r.Passes, r.CPUNs, r.WallNs = len(cpus), summarise(cpus), summarise(walls)
	fmt.Fprintf(os.Stderr, "clustertool floor: %d agents, CPU per pass %.1f ms (median of %d), wall %.1f ms, %d MB a pass, %d failures\n",
		r.Agents, r.CPUNs.Median/1e6, r.Passes, r.WallNs.Median/1e6, r.Bytes>>20, r.Failures)
	b, _ := json.MarshalIndent(r, "", "  ")
	return os.WriteFile(*out, b, 0o644)
}

// counter counts what a body gives.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func fetch(c *http.Client, url string) (int64, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %s", url, resp.Status)
	}
	cr := &counter{r: resp.Body}
	var execs []execJSON
	err = json.NewDecoder(cr).Decode(&execs)
	_, _ = io.Copy(io.Discard, resp.Body)
	return cr.n, err
}
