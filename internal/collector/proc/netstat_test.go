package proc

import (
	"errors"
	"os"
	"testing"
)

func TestParseTCPStates(t *testing.T) {
	snmp := "Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs\nTcp: 1 200 120000 -1 10 5 0 1 7 100\nUdp: InDatagrams\nUdp: 3\n"
	sockstat := "sockets: used 12\nTCP: inuse 9 orphan 0 tw 4 alloc 10 mem 1\nUDP: inuse 1 mem 0\n"
	if s, ok := ParseTCPStates([]byte(snmp), []byte(sockstat)); !ok || s.Established != 7 || s.TimeWait != 4 {
		t.Errorf("got %+v %v, want 7 established, 4 time-wait", s, ok)
	}
	for _, bad := range [][2]string{
		{"", sockstat},
		{snmp, ""},
		{"Tcp: CurrEstab\nTcp: -3\n", sockstat},
		{"Tcp: A CurrEstab\nTcp: 1\n", sockstat},
		{snmp, "TCP: inuse 9 orphan 0 tw\n"},
	} {
		if s, ok := ParseTCPStates([]byte(bad[0]), []byte(bad[1])); ok {
			t.Errorf("%q %q: %+v, want not ok", bad[0], bad[1], s)
		}
	}
}

// The stat of /proc/<pid>/fd (Linux 6.2+) and the listing of it agree.
func TestFDCounterWaysAgree(t *testing.T) {
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sized, listed := NewFDCounter("/proc"), NewFDCounter("/proc")
	listed.sized = -1
	a, err1 := sized.Count(os.Getpid())
	b, err2 := listed.Count(os.Getpid())
	if err1 != nil || err2 != nil || b == 0 {
		t.Fatal(err1, err2, b)
	}
	// The listing itself holds one descriptor while it reads.
	if a != b && a+1 != b {
		t.Errorf("stat says %d descriptors, the listing %d", a, b)
	}
	if _, err := sized.Count(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}

// A refresh counts the descriptors of every containerised process: the
// count follows what the process opens, a pid that is gone is an error
// errors.Is finds ENOENT in, and counting allocates nothing. This test
// failed on the old code: 3 allocations per count (the joined path, the
// pid's digits, unix.Stat's C string).
func TestFDCounterFollowsOpensWithoutAllocating(t *testing.T) {
	c := NewFDCounter("/proc")
	pid := os.Getpid()
	before, err := c.Count(pid)
	if err != nil || c.sized <= 0 {
		t.Skipf("no descriptor count in the size of /proc/<pid>/fd (Linux < 6.2): %v", err)
	}
	var files []*os.File
	for range 5 {
		f, err := os.Open("/dev/null")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	after, err := c.Count(pid)
	for _, f := range files {
		f.Close()
	}
	if err != nil || after != before+5 {
		t.Errorf("5 files opened: %d descriptors, then %d (%v)", before, after, err)
	}
	if _, err := c.Count(1 << 30); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a pid that does not exist: %v, want ENOENT", err)
	}
	if allocs := testing.AllocsPerRun(100, func() { c.Count(pid) }); allocs != 0 {
		t.Errorf("%.0f allocations per count, want 0", allocs)
	}
}
