//go:build ignore

// faultsrv is the soak test's Mesos master and Marathon on 127.0.0.1: it
// cycles through healthy, hanging, erroring (500) and down (connection
// refused), one phase every -phase, and logs each switch to stdout as
// "<unix ms> <mode>". It exits after -for.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

const mesosState = `{"frameworks":[{"id":"fw-marathon","name":"marathon","active":true,"webui_url":"http://127.0.0.1:1","tasks":[]}],"slaves":[],"leader":"master@127.0.0.1:5050","pid":"master@127.0.0.1:5050"}`
const groups = `{"id":"/","apps":[],"groups":[{"id":"/soak","apps":[{"id":"/soak/app","instances":1,"tasks":[]}],"groups":[]}]}`

func main() {
	mesosAddr := flag.String("mesos", "127.0.0.1:0", "Mesos listen address")
	marathonAddr := flag.String("marathon", "127.0.0.1:0", "Marathon listen address")
	phase := flag.Duration("phase", 15*time.Second, "time in each mode")
	total := flag.Duration("for", 3*time.Minute, "then exit")
	flag.Parse()
	modes := []string{"healthy", "hanging", "erroring", "down"}
	var mu sync.Mutex
	mode := "healthy"
	handler := func(body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			m := mode
			mu.Unlock()
			switch m {
			case "hanging":
				select {
				case <-r.Context().Done():
				case <-time.After(*phase):
				}
				return
			case "erroring":
				http.Error(w, "<html>boom</html>", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/v2/info" {
				fmt.Fprint(w, `{"frameworkId":"fw-marathon"}`)
				return
			}
			fmt.Fprint(w, body)
		})
	}
	type srv struct {
		addr string
		h    http.Handler
		s    *http.Server
	}
	servers := []*srv{{*mesosAddr, handler(mesosState), nil}, {*marathonAddr, handler(groups), nil}}
	listen := func() {
		for _, s := range servers {
			ln, err := net.Listen("tcp", s.addr)
			if err != nil {
				fmt.Fprintln(os.Stderr, "faultsrv:", err)
				os.Exit(1)
			}
			s.addr = ln.Addr().String() // keep the port across down phases
			s.s = &http.Server{Handler: s.h}
			go s.s.Serve(ln)
		}
	}
	listen()
	fmt.Printf("listen %s %s\n", servers[0].addr, servers[1].addr)
	end := time.After(*total)
	tick := time.NewTicker(*phase)
	defer tick.Stop()
	for i := 0; ; i++ {
		fmt.Printf("%d %s\n", time.Now().UnixMilli(), modes[i%len(modes)])
		select {
		case <-end:
			return
		case <-tick.C:
		}
		next := modes[(i+1)%len(modes)]
		if next == "down" {
			for _, s := range servers {
				s.s.Close()
			}
		} else if modes[i%len(modes)] == "down" {
			listen()
		}
		mu.Lock()
		mode = next
		mu.Unlock()
	}
}
