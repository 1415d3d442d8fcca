package collector

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func TestParseNetDev(t *testing.T) {
	data, err := os.ReadFile("testdata/proc/net/dev")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseNetDev(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.NetCounters{
		{Name: "lo", RxBytes: 3193, RxPackets: 29, TxBytes: 3193, TxPackets: 29, SpeedMbps: -1},
		{Name: "ifb0", SpeedMbps: -1},
		{Name: "ifb1", SpeedMbps: -1},
		{Name: "eth0", RxBytes: 114425691, RxPackets: 3908, TxBytes: 275925, TxPackets: 2776, SpeedMbps: -1},
		{Name: "docker0", TxBytes: 1076, TxPackets: 10, TxDrops: 3, SpeedMbps: -1},
		{Name: "vethb9903ac", TxBytes: 736, TxPackets: 8, SpeedMbps: -1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d interfaces, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("interface %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestParseNetDevBad(t *testing.T) {
	const header = "Inter-|   Receive\n face |bytes\n"
	tests := []struct {
		name    string
		in      string
		wantErr bool
		n       int
	}{
		{"empty", "", true, 0},
		{"header only", header, false, 0},
		{"no colon", header + "eth0 1 2 3\n", true, 0},
		{"truncated line", header + "  eth0: 1 2 3 4 5\n", true, 0},
		{"not a number", header + "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n", true, 0},
		{"good then truncated", header + "  lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n  eth0: 1", true, 1},
	}
	for _, tt := range tests {
		got, err := parseNetDev([]byte(tt.in))
		if (err != nil) != tt.wantErr || len(got) != tt.n {
			t.Errorf("%s: got %d interfaces, err %v; want %d, error %v", tt.name, len(got), err, tt.n, tt.wantErr)
		}
	}
}

// netDevOf is what Local.netOf reads for a process: its namespace's
// net/dev, summed over interfaces but lo.
func netDevOf(t *testing.T, root string, pid int) (*model.NetCounters, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "net", "dev"))
	if err != nil {
		return nil, err
	}
	ifs, err := parseNetDev(data)
	if err != nil {
		return nil, err
	}
	return sumNetDev(ifs), nil
}

func TestNetDevOfPID(t *testing.T) {
	// 6426 is a Docker container's process: its own namespace, eth0 + lo.
	got, err := netDevOf(t, "testdata/proc", 6426)
	if err != nil {
		t.Fatal(err)
	}
	want := model.NetCounters{Name: "all", RxBytes: 736, RxPackets: 8, SpeedMbps: -1}
	if *got != want {
		t.Errorf("net dev of 6426 = %+v, want %+v", *got, want)
	}
	// The host's file, summed without lo.
	got, err = netDevOf(t, "testdata/proc", 1)
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
		got, err := sharesHostNetNS("testdata/proc", tt.pid)
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
