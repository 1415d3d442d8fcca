package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// dockerStats is the part of the Docker stats document that ctop reads
// (CPU, memory, network, block I/O, pids); it decodes every message the
// way ctop's Docker client does, with encoding/json.
type dockerStats struct {
	Read     time.Time `json:"read"`
	CPUStats struct {
		CPUUsage struct {
			TotalUsage        uint64   `json:"total_usage"`
			PercpuUsage       []uint64 `json:"percpu_usage"`
			UsageInKernelmode uint64   `json:"usage_in_kernelmode"`
			UsageInUsermode   uint64   `json:"usage_in_usermode"`
		} `json:"cpu_usage"`
		SystemUsage uint64 `json:"system_cpu_usage"`
		OnlineCPUs  uint32 `json:"online_cpus"`
	} `json:"cpu_stats"`
	MemoryStats struct {
		Usage uint64            `json:"usage"`
		Limit uint64            `json:"limit"`
		Stats map[string]uint64 `json:"stats"`
	} `json:"memory_stats"`
	Networks map[string]struct {
		RxBytes uint64 `json:"rx_bytes"`
		TxBytes uint64 `json:"tx_bytes"`
	} `json:"networks"`
	BlkioStats struct {
		IOServiceBytesRecursive []struct {
			Major, Minor uint64
			Op           string
			Value        uint64
		} `json:"io_service_bytes_recursive"`
	} `json:"blkio_stats"`
	PidsStats struct {
		Current uint64 `json:"current"`
	} `json:"pids_stats"`
}

// ctopsimCmd does what ctop does with Docker: one streaming stats request
// per running container, each message decoded, for a number of seconds
// (a ctop refresh is one second: one message per container).
func ctopsimCmd(args []string) error {
	fs := flag.NewFlagSet("ctopsim", flag.ExitOnError)
	seconds := fs.Int("seconds", 10, "how long to stream")
	sock := fs.String("socket", "/var/run/docker.sock", "Docker socket")
	fs.Parse(args)

	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", *sock)
		},
		MaxIdleConnsPerHost: 1000,
	}}
	resp, err := hc.Get("http://docker/containers/json")
	if err != nil {
		return err
	}
	var list []struct{ ID string }
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*seconds)*time.Second)
	defer cancel()
	var msgs atomic.Int64
	var wg sync.WaitGroup
	for _, c := range list {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", "http://docker/containers/"+id+"/stats?stream=1", nil)
			resp, err := hc.Do(req)
			if err != nil {
				return
			}
			defer resp.Body.Close()
			dec := json.NewDecoder(resp.Body)
			for {
				var s dockerStats
				if err := dec.Decode(&s); err != nil {
					return
				}
				msgs.Add(1)
			}
		}(c.ID)
	}
	wg.Wait()
	fmt.Fprintf(os.Stderr, "ctopsim: %d containers, %d stats messages in %d s\n", len(list), msgs.Load(), *seconds)
	return nil
}
