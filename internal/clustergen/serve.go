package clustergen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Server serves a Cluster: its leading master at 127.Net.0.1:5050,
// Marathon at 127.Net.0.2:8080 and each agent at its own address on port
// 5051 (Linux routes all of 127/8 to lo), answering what the real servers
// answer for the paths and queries they know and 404 for the others.
type Server struct {
	c    *Cluster
	http *http.Server

	mu    sync.Mutex
	modes []Behaviour
	lns   []net.Listener // nil where an agent refuses
	held  []net.Conn     // connections hanging agents accepted
	hits  []atomic.Int64
	other []net.Listener
	// hanging counts the connections hanging agents hold that their
	// client has not closed; maxHanging the most at once since
	// ResetMaxHanging.
	hanging, maxHanging atomic.Int64
	closed              bool
	// masterHits and marathonHits count requests by path and by path
	// and query.
	masterHits, marathonHits sync.Map
}

// RaiseFileLimit lifts this process's open-file limit to its hard limit:
// thousands of agents need a descriptor each, and as many again for the
// client's connections when both run in one process.
func RaiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	return l.Cur, nil
}

// Serve starts every listener. It picks the second octet of the
// addresses at random among those where nothing listens yet, so that runs
// side by side do not collide.
func (c *Cluster) Serve() (*Server, error) {
	var lastErr error
	for try := 0; try < 20; try++ {
		s, err := c.serveOn(16 + rand.IntN(230))
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func (c *Cluster) serveOn(netOctet int) (*Server, error) {
	c.setNet(netOctet)
	s := &Server{c: c, modes: make([]Behaviour, len(c.Agents)), lns: make([]net.Listener, len(c.Agents)), hits: make([]atomic.Int64, len(c.Agents))}
	s.http = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 30 * time.Second}
	ml, err := net.Listen("tcp", c.MasterAddr())
	if err != nil {
		return nil, err
	}
	mar, err := net.Listen("tcp", c.MarathonAddr())
	if err != nil {
		ml.Close()
		return nil, err
	}
	s.other = []net.Listener{ml, mar}
	for i, a := range c.Agents {
		s.modes[i] = a.Mode
		if a.Mode == Refuse {
			continue
		}
		l, err := net.Listen("tcp", a.Addr())
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("agent %d at %s: %w", i, a.Addr(), err)
		}
		s.lns[i] = &modeListener{Listener: l, s: s, i: i}
	}
	for _, l := range s.other {
		go s.http.Serve(l) //nolint:errcheck // ends with Close
	}
	for _, l := range s.lns {
		if l != nil {
			go s.http.Serve(l) //nolint:errcheck
		}
	}
	return s, nil
}

// MasterURL and MarathonURL are where the master and Marathon answer.
func (s *Server) MasterURL() string   { return "http://" + s.c.MasterAddr() }
func (s *Server) MarathonURL() string { return "http://" + s.c.MarathonAddr() }

// AgentURL is agent i's base URL.
func (s *Server) AgentURL(i int) string { return "http://" + s.c.Agents[i].Addr() }

// Hits is how many requests agent i has answered or held.
func (s *Server) Hits(i int) int64 { return s.hits[i].Load() }

// MasterHits is how many requests the master had for path.
func (s *Server) MasterHits(path string) int64 {
	if v, ok := s.masterHits.Load(path); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// MarathonHits is how many requests Marathon had for path?query exactly
// (path alone counts those without a query).
func (s *Server) MarathonHits(uri string) int64 {
	if v, ok := s.marathonHits.Load(uri); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// MarathonURIs lists every path?query Marathon was asked.
func (s *Server) MarathonURIs() []string {
	var out []string
	s.marathonHits.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	return out
}

// SetMode changes how agent i answers from now on: a Refuse agent closes
// its listener (connections are refused), any other opens it again.
func (s *Server) SetMode(i int, m Behaviour) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.modes[i] = m
	switch {
	case m == Refuse && s.lns[i] != nil:
		s.lns[i].Close()
		s.lns[i] = nil
	case m != Refuse && s.lns[i] == nil:
		l, err := net.Listen("tcp", s.c.Agents[i].Addr())
		if err != nil {
			return err
		}
		s.lns[i] = &modeListener{Listener: l, s: s, i: i}
		go s.http.Serve(s.lns[i]) //nolint:errcheck
	}
	return nil
}

func (s *Server) mode(i int) Behaviour {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.modes[i]
}

// Close stops every listener and drops every connection.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for _, c := range s.held {
		c.Close()
	}
	s.held = nil
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	_ = s.http.Shutdown(ctx)
	s.http.Close()
	for _, l := range s.other {
		l.Close()
	}
	s.mu.Lock()
	for _, l := range s.lns {
		if l != nil {
			l.Close()
		}
	}
	s.mu.Unlock()
}

// hold counts c among the hanging connections until its client closes it
// (it reads the request and throws it away, answering nothing).
func (s *Server) hold(c net.Conn) {
	n := s.hanging.Add(1)
	for m := s.maxHanging.Load(); n > m && !s.maxHanging.CompareAndSwap(m, n); m = s.maxHanging.Load() {
	}
	go func() {
		buf := make([]byte, 512)
		for {
			if _, err := c.Read(buf); err != nil {
				s.hanging.Add(-1)
				return
			}
		}
	}()
}

// MaxHanging is the most connections hanging agents held at once since
// the last ResetMaxHanging: requests a client let wait on them.
func (s *Server) MaxHanging() int64 { return s.maxHanging.Load() }

// Hanging is how many connections hanging agents hold now.
func (s *Server) Hanging() int64 { return s.hanging.Load() }

// ResetMaxHanging starts MaxHanging again from the connections held now.
func (s *Server) ResetMaxHanging() { s.maxHanging.Store(s.hanging.Load()) }

// modeListener hands the HTTP server the connections of an agent that
// answers, and holds those of a hanging one, unread, until Close.
type modeListener struct {
	net.Listener
	s *Server
	i int
}

func (l *modeListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.s.mode(l.i) != Hang {
			return c, nil
		}
		l.s.hits[l.i].Add(1)
		l.s.mu.Lock()
		if l.s.closed {
			c.Close()
		} else {
			l.s.held = append(l.s.held, c)
			l.s.hold(c)
		}
		l.s.mu.Unlock()
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	host, port, _ := net.SplitHostPort(fmt.Sprint(local))
	switch port {
	case "5050":
		s.serveMaster(w, r)
	case "8080":
		s.serveMarathon(w, r)
	default:
		s.serveAgent(w, r, s.agentIndex(host))
	}
}

func (s *Server) agentIndex(ip string) int {
	p := strings.Split(ip, ".")
	if len(p) != 4 {
		return -1
	}
	x, _ := strconv.Atoi(p[2])
	y, _ := strconv.Atoi(p[3])
	i := (x-1)*250 + y - 1
	if i < 0 || i >= len(s.c.Agents) {
		return -1
	}
	return i
}

func writeJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// serveMaster answers as a Mesos 1.8 master: /master/<endpoint>, and
// /<endpoint> through libprocess's delegation to the master process.
func (s *Server) serveMaster(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/master")
	v, _ := s.masterHits.LoadOrStore(r.URL.Path, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	switch p {
	case "/state":
		writeJSON(w, s.c.MasterState())
	case "/state-summary":
		writeJSON(w, s.c.StateSummary())
	case "/slaves":
		writeJSON(w, s.c.Slaves())
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveMarathon(w http.ResponseWriter, r *http.Request) {
	v, _ := s.marathonHits.LoadOrStore(r.URL.RequestURI(), new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	q := r.URL.Query()
	switch p := r.URL.Path; {
	case p == "/v2/info":
		writeJSON(w, s.c.Info())
	case p == "/v2/groups" || p == "/v2/groups/":
		writeJSON(w, s.c.Groups(q))
	case p == "/v2/apps" || p == "/v2/apps/":
		writeJSON(w, s.c.AppsList(q))
	case strings.HasPrefix(p, "/v2/apps/"):
		if b := s.c.AppJSON(strings.TrimPrefix(p, "/v2/apps"), q); b != nil {
			writeJSON(w, b)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, []byte(`{"message":"App '`+strings.TrimPrefix(p, "/v2/apps")+`' does not exist"}`))
	case p == "/v2/queue":
		writeJSON(w, s.c.Queue())
	default:
		http.NotFound(w, r)
	}
}

// agentPaths are the state and statistics paths an agent of each version
// answers: "/slave(1)/state" and "/monitor/statistics" from Mesos 0.25,
// the ".json" forms until 1.0, and "/state" ("/state.json") through
// libprocess's delegation to the agent process.
func agentPaths(version string) (state, stats map[string]bool) {
	switch version {
	case "0.22.0":
		return map[string]bool{"/slave(1)/state.json": true, "/state.json": true},
			map[string]bool{"/monitor/statistics.json": true}
	case "0.27.0":
		return map[string]bool{"/slave(1)/state": true, "/state": true, "/slave(1)/state.json": true, "/state.json": true},
			map[string]bool{"/monitor/statistics": true, "/monitor/statistics.json": true}
	}
	return map[string]bool{"/slave(1)/state": true, "/state": true}, map[string]bool{"/monitor/statistics": true}
}

func (s *Server) serveAgent(w http.ResponseWriter, r *http.Request, i int) {
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	s.hits[i].Add(1)
	if s.mode(i) == Hang {
		// A connection kept from before it hung: the request waits as a
		// new connection's would, until the client gives up.
		n := s.hanging.Add(1)
		for m := s.maxHanging.Load(); n > m && !s.maxHanging.CompareAndSwap(m, n); m = s.maxHanging.Load() {
		}
		<-r.Context().Done()
		s.hanging.Add(-1)
		return
	}
	if s.mode(i) == Fail {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	a := s.c.Agents[i]
	state, stats := agentPaths(a.Version)
	switch {
	case state[r.URL.Path]:
		writeJSON(w, s.c.AgentState(a))
	case stats[r.URL.Path]:
		writeJSON(w, s.c.Statistics(a, time.Now()))
	default:
		http.NotFound(w, r)
	}
}
