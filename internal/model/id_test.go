package model

import (
	"testing"
	"time"
)

func TestShortID(t *testing.T) {
	for in, want := range map[string]string{
		"4b825dc642cb6eb9a060e54bf8d69288fbee4904b825dc642cb6eb9a060e54bf": "4b825dc642cb",
		"4b825dc642cb":                 "4b825dc642cb",
		"mesos-1":                      "mesos-1",
		"/system.slice/cron.service":   "/system.slice/cron.service", // a raw cgroup: its start says nothing
		"6f1c0a6e-7e49-4c1b-9d43-11aa": "6f1c0a6e-7e4",
	} {
		if got := ShortID(in); got != want {
			t.Errorf("ShortID(%q) = %q, want %q", in, got, want)
		}
	}
}

// One rule names containers by a typed id, and a lookup of one container
// follows it: a prefix of 12 characters or more names every id it starts;
// a shorter one names only an equal id; a lookup of an ambiguous prefix
// finds nothing.
func TestIDNamesAndContainerByID(t *testing.T) {
	a := "4b825dc642cb6eb9a060e54bf8d69288"
	b := "4b825dc642cbffff0000"
	s := &Snapshot{Containers: []Container{{ContainerSample: &ContainerSample{ID: a, RuntimeFields: &RuntimeFields{}}}, {ContainerSample: &ContainerSample{ID: b, RuntimeFields: &RuntimeFields{}}}, {ContainerSample: &ContainerSample{ID: "short", RuntimeFields: &RuntimeFields{}}}}}
	for _, tc := range []struct {
		query   string
		names   []string // the ids it names
		byID    string   // what ContainerByID finds, "" for nil
		comment string
	}{
		{a, []string{a}, a, "a whole id"},
		{"4b825dc642cb6", []string{a}, a, "a unique prefix"},
		{"4b825dc642cb", []string{a, b}, "", "a prefix two ids start with"},
		{"4b825dc642c", nil, "", "a prefix shorter than 12 characters"},
		{"short", []string{"short"}, "short", "a short id, whole"},
		{"sho", nil, "", "a short id's prefix"},
	} {
		var names []string
		for _, c := range s.Containers {
			if IDNames(tc.query, c.ID) {
				names = append(names, c.ID)
			}
		}
		if len(names) != len(tc.names) || len(names) > 0 && names[0] != tc.names[0] {
			t.Errorf("%s: %q names %q, want %q", tc.comment, tc.query, names, tc.names)
		}
		got := ""
		if c := s.ContainerByID(tc.query); c != nil {
			got = c.ID
		}
		if got != tc.byID {
			t.Errorf("%s: ContainerByID(%q) = %q, want %q", tc.comment, tc.query, got, tc.byID)
		}
	}
}

func TestParentGroup(t *testing.T) {
	for in, want := range map[string]string{"/a/b/app": "/a/b", "/app": "/", "/": "", "": "", "app": "/", "/a/b/": "/a", "a/b": "/a"} {
		if got := ParentGroup(in); got != want {
			t.Errorf("ParentGroup(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStaleFor(t *testing.T) {
	if got := StaleFor(34*time.Second + 900*time.Millisecond); got != "stale 34 s" {
		t.Errorf("StaleFor = %q", got)
	}
}

func TestNetCountersAdd(t *testing.T) {
	sum := NetCounters{Name: "all", SpeedMbps: -1}
	for _, n := range []NetCounters{
		{Name: "eth0", RxBytes: 1, TxBytes: 2, RxPackets: 3, TxPackets: 4, RxErrors: 5, TxErrors: 6, RxDrops: 7, TxDrops: 8, SpeedMbps: 1000, OperState: "up"},
		{Name: "eth1", RxBytes: 10, TxBytes: 20, RxPackets: 30, TxPackets: 40, RxErrors: 50, TxErrors: 60, RxDrops: 70, TxDrops: 80},
	} {
		sum.Add(&n)
	}
	want := NetCounters{Name: "all", RxBytes: 11, TxBytes: 22, RxPackets: 33, TxPackets: 44, RxErrors: 55, TxErrors: 66, RxDrops: 77, TxDrops: 88, SpeedMbps: -1}
	if sum != want {
		t.Errorf("sum = %+v, want %+v", sum, want)
	}
}
