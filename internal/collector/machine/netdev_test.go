package machine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ctop-like/ctop-like/internal/model"
)

func TestParseNetDev(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(procFixture, "net/dev"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseNetDev(data)
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
		got, err := ParseNetDev([]byte(tt.in))
		if (err != nil) != tt.wantErr || len(got) != tt.n {
			t.Errorf("%s: got %d interfaces, err %v; want %d, error %v", tt.name, len(got), err, tt.n, tt.wantErr)
		}
	}
}
