package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
)

// cadvisorCmd plays a cAdvisor v0.60.5 of many cgroups until SIGTERM:
// the recorded node's answers (internal/cadvisor/testdata) with its
// cap-busy container copied under -containers new ids and its /mesos
// parent (a cgroup that is no container) under -raw service names; the
// three recorded stats answers in turn, so that counters move.
func cadvisorCmd(args []string) error {
	fs := flag.NewFlagSet("cadvisor", flag.ExitOnError)
	out := fs.String("info", "", "where to write its address (JSON)")
	dir := fs.String("fixtures", "internal/cadvisor/testdata", "the recorded answers")
	containers := fs.Int("containers", 4000, "Docker containers")
	raw := fs.Int("raw", 1000, "cgroups that are no container (systemd services)")
	fs.Parse(args)
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(*dir, name)) }
	const busy = "/docker/c2a091c4df3bed4240aabfbceeeb0daf2b17ba9ba393bbf6f54b26d1a8d18a96"
	const busyID = "c2a091c4df3bed4240aabfbceeeb0daf2b17ba9ba393bbf6f54b26d1a8d18a96"
	grow := func(b []byte) ([]byte, error) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		if m[busy] == nil || m["/mesos"] == nil {
			return nil, fmt.Errorf("the recording lacks %s or /mesos", busy)
		}
		for i := 0; i < *containers; i++ {
			id := fmt.Sprintf("%064x", i+1)
			m["/docker/"+id] = bytes.ReplaceAll(m[busy], []byte(busyID), []byte(id))
		}
		for i := 0; i < *raw; i++ {
			m[fmt.Sprintf("/system.slice/svc%d.service", i)] = m["/mesos"]
		}
		return json.Marshal(m)
	}
	var stats [][]byte
	for i := 1; i <= 3; i++ {
		b, err := read(fmt.Sprintf("real-v0.60.5_v2.0_stats_recursive_count2_t%d.json", i))
		if err == nil {
			b, err = grow(b)
		}
		if err != nil {
			return err
		}
		stats = append(stats, b)
	}
	spec, err := read("real-v0.60.5_v2.0_spec_recursive.json")
	if err == nil {
		spec, err = grow(spec)
	}
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	for path, name := range map[string]string{
		"/api/v1.3/machine": "real-v0.60.5_machine.json", "/api/v2.0/storage": "real-v0.60.5_v2.0_storage.json",
		"/api/v2.0/ps/": "real-v0.60.5_v2.0_ps_root.json",
	} {
		if files[path], err = read(name); err != nil {
			return err
		}
	}
	var n atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		p := strings.TrimSuffix(r.URL.Path, "/")
		switch {
		case p == "/api/v2.0/stats" && r.URL.Query().Get("count") == "2":
			w.Write(stats[int(n.Add(1)-1)%len(stats)])
		case p == "/api/v2.0/spec":
			w.Write(spec)
		case files[r.URL.Path] != nil:
			w.Write(files[r.URL.Path])
		case files[p] != nil:
			w.Write(files[p])
		default:
			http.NotFound(w, r)
		}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(l, h) //nolint:errcheck
	if err := writeInfo(*out, info{CAdvisor: "http://" + l.Addr().String(), Containers: *containers + 7}); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "clustertool cadvisor: %s, %d cgroups, %d MB of stats\n", l.Addr(), *containers+*raw+10, len(stats[0])>>20)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	return nil
}
