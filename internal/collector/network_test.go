package collector

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ctop-like/ctop-like/internal/collector/machine"
	"github.com/ctop-like/ctop-like/internal/model"
)

// procFixture is the node's /proc fixture, which the proc reader's tests
// own.
const procFixture = "proc/testdata/proc"

// netDevOf is what Local.netOf reads for a process: its namespace's
// net/dev, summed over interfaces but lo.
func netDevOf(t *testing.T, root string, pid int) (*model.NetCounters, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "net", "dev"))
	if err != nil {
		return nil, err
	}
	ifs, err := machine.ParseNetDev(data)
	if err != nil {
		return nil, err
	}
	return machine.SumNetDev(ifs), nil
}

func TestNetDevOfPID(t *testing.T) {
	// 6426 is a Docker container's process: its own namespace, eth0 + lo.
	got, err := netDevOf(t, procFixture, 6426)
	if err != nil {
		t.Fatal(err)
	}
	want := model.NetCounters{Name: "all", RxBytes: 736, RxPackets: 8, SpeedMbps: -1}
	if *got != want {
		t.Errorf("net dev of 6426 = %+v, want %+v", *got, want)
	}
	// The host's file, summed without lo.
	got, err = netDevOf(t, procFixture, 1)
	if err != nil {
		t.Fatal(err)
	}
	want = model.NetCounters{Name: "all", RxBytes: 114425691, RxPackets: 3908, TxBytes: 275925 + 1076 + 736,
		TxPackets: 2776 + 10 + 8, TxDrops: 3, SpeedMbps: -1}
	if *got != want {
		t.Errorf("net dev of 1 = %+v, want %+v", *got, want)
	}
}

// sharesHostNetNS is Local.netOf's test: a process whose namespace link
// is the host's reads the node's traffic, so its container gets none.
func sharesHostNetNS(root string, pid int) (bool, error) {
	own, _ := os.Readlink(filepath.Join(root, strconv.Itoa(pid), "ns", "net"))
	if own == "" {
		return false, os.ErrNotExist
	}
	host, err := hostNetNS(root)
	return own == host, err
}

func TestSharesHostNetNS(t *testing.T) {
	// In the fixtures pid 1's link is unreadable (as on the machine they
	// come from), so the host namespace is kthreadd's.
	tests := []struct {
		pid     int
		want    bool
		wantErr bool
	}{
		{6426, false, false},
		{6271, true, false},
		{6335, false, true}, // no ns link
	}
	for _, tt := range tests {
		got, err := sharesHostNetNS(procFixture, tt.pid)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("sharesHostNetNS(%d) = %v, %v; want %v, error %v", tt.pid, got, err, tt.want, tt.wantErr)
		}
	}
	// A root with pid 1 readable and no pid 2.
	root := t.TempDir()
	for pid, ns := range map[string]string{"1": "net:[1]", "7": "net:[1]", "8": "net:[2]"} {
		if err := os.MkdirAll(filepath.Join(root, pid, "ns"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(ns, filepath.Join(root, pid, "ns", "net")); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := sharesHostNetNS(root, 7); !got || err != nil {
		t.Errorf("sharesHostNetNS(7) = %v, %v; want true", got, err)
	}
	if got, err := sharesHostNetNS(root, 8); got || err != nil {
		t.Errorf("sharesHostNetNS(8) = %v, %v; want false", got, err)
	}
}

func TestSharesHostNetNSSelf(t *testing.T) {
	got, err := sharesHostNetNS("/proc", os.Getpid())
	if err != nil {
		t.Skipf("cannot read namespaces here: %v", err)
	}
	if !got {
		t.Error("the test runs in the host's network namespace, sharesHostNetNS says no")
	}
}
