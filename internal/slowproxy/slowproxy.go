// Package slowproxy puts a slow network between a test and a real engine:
// a unix socket that forwards each connection to the engine's, holding
// back what the engine answers on the connections chosen by a delay each
// chunk (the order kept), as an engine's stream on a loaded node comes
// late. The engine behind it is the real one.
package slowproxy

import (
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy is a unix socket at Path in front of the engine's.
type Proxy struct {
	Path   string
	target string
	delay  atomic.Int64
	// slow says, from what a client sent on a connection so far, whether
	// the engine's answers on it are held back; nil: every connection's.
	slow func(sent []byte) bool
	ln   net.Listener
	wg   sync.WaitGroup
	// down: connections are closed as soon as accepted (Cut, Mend).
	down atomic.Bool
	mu   sync.Mutex
	open []net.Conn
}

// Start serves a proxy to the unix socket target in the test's temporary
// folder, holding back by delay what the engine says on the connections
// slow chooses (nil: all); it closes when the test ends.
func Start(t testing.TB, target string, delay time.Duration, slow func(sent []byte) bool) *Proxy {
	t.Helper()
	p := &Proxy{Path: filepath.Join(t.TempDir(), "p.sock"), target: target, slow: slow}
	p.delay.Store(int64(delay))
	ln, err := net.Listen("unix", p.Path)
	if err != nil {
		t.Fatal(err)
	}
	p.ln = ln
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.wg.Wait()
	})
	return p
}

// Cut closes every connection open through the proxy and every new one
// at once, as an engine that went away (its socket still there), until
// Mend.
func (p *Proxy) Cut() {
	p.down.Store(true)
	p.mu.Lock()
	for _, c := range p.open {
		_ = c.Close()
	}
	p.open = nil
	p.mu.Unlock()
}

// Mend lets connections through again.
func (p *Proxy) Mend() { p.down.Store(false) }

// SetDelay changes the delay of what is read from the engine from now on.
func (p *Proxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

func (p *Proxy) serve() {
	defer p.wg.Done()
	var conns sync.WaitGroup
	defer func() {
		p.mu.Lock()
		for _, c := range p.open {
			_ = c.Close()
		}
		p.mu.Unlock()
		conns.Wait()
	}()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			_ = c.Close()
			continue
		}
		e, err := net.Dial("unix", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.open = append(p.open, c, e)
		p.mu.Unlock()
		var chosen atomic.Bool
		conns.Add(2)
		go func() { // client -> engine, as it comes
			defer conns.Done()
			var sent []byte
			buf := make([]byte, 32<<10)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if p.slow == nil {
						chosen.Store(true)
					} else if !chosen.Load() {
						sent = append(sent, buf[:n]...)
						if len(sent) > 64<<10 {
							sent = sent[len(sent)-(32<<10):]
						}
						chosen.Store(p.slow(sent))
					}
					if _, werr := e.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			_ = e.Close()
		}()
		go func() { // engine -> client, held back on a chosen connection
			defer conns.Done()
			type chunk struct {
				b  []byte
				at time.Time
			}
			q := make(chan chunk, 1024)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for ch := range q {
					if d := time.Until(ch.at); d > 0 {
						time.Sleep(d)
					}
					if _, err := c.Write(ch.b); err != nil {
						for range q {
						}
						return
					}
				}
			}()
			buf := make([]byte, 32<<10)
			for {
				n, err := e.Read(buf)
				if n > 0 {
					at := time.Now()
					if chosen.Load() || p.slow == nil {
						at = at.Add(time.Duration(p.delay.Load()))
					}
					q <- chunk{append([]byte(nil), buf[:n]...), at}
				}
				if err != nil {
					break
				}
			}
			close(q)
			<-done
			_ = c.Close()
		}()
	}
}
