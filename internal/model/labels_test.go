package model

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLabelSetSortsAndKeepsTheLastValue(t *testing.T) {
	var b LabelSet
	b.Add("team", "shop")
	b.Add("DCOS_SPACE", "/shop/api")
	b.Add("offer_attributes", "")
	b.Add("team", "payments") // a Mesos labels array may repeat a key
	l := b.Take()
	if got, want := l.String(), "DCOS_SPACE=/shop/api, offer_attributes=, team=payments"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if v, ok := l.Get("team"); !ok || v != "payments" {
		t.Errorf("Get(team) = %q, %v", v, ok)
	}
	if v, ok := l.Get("offer_attributes"); !ok || v != "" {
		t.Errorf("an empty value is a value: Get = %q, %v", v, ok)
	}
	if v, ok := l.Get("dcos_space"); !ok || v != "/shop/api" {
		t.Errorf("Get in another case = %q, %v", v, ok)
	}
	if _, ok := l.Get("missing"); ok {
		t.Error("a missing label was found")
	}
	if b.Len() != 0 || b.Take() != nil {
		t.Error("Take does not empty the set")
	}
}

// TestTwoHundredLabels: a task with 200 labels keeps the 64 first by key
// and says how many more there were.
func TestTwoHundredLabels(t *testing.T) {
	var b LabelSet
	for i := 199; i >= 0; i-- { // in reverse: the bound keeps the first by key, not the first read
		b.Add(fmt.Sprintf("k%03d", i), fmt.Sprintf("v%d", i))
	}
	l := b.Take()
	if len(l) != MaxLabels+1 || l.More() != 200-MaxLabels {
		t.Fatalf("%d entries, More() = %d", len(l), l.More())
	}
	if l[0].Key != "k000" || l[MaxLabels-1].Key != fmt.Sprintf("k%03d", MaxLabels-1) {
		t.Errorf("kept %s..%s", l[0].Key, l[MaxLabels-1].Key)
	}
	if _, ok := l.Get("k150"); ok {
		t.Error("a label over the bound was kept")
	}
	if !strings.HasSuffix(l.String(), ", … 136 more") {
		t.Errorf("String() ends %q", l.String()[len(l.String())-30:])
	}
}

// TestHostileLabels: long keys and values are cut at a character's start
// and marked; secret values are hidden; control characters stay (JSON
// keeps text exact, termtext shows it).
func TestHostileLabels(t *testing.T) {
	var b LabelSet
	long := strings.Repeat("é", 400) // 800 bytes
	b.Add(long, long)
	b.Add("DB_PASSWORD", "hunter2")
	b.Add("repo", "https://ops:s3cret@repo.example.com/x")
	b.Add("esc", "\x1b[31mred\x1b]0;title\x07\u202e")
	b.Add(LabelsMore, "a key that is the mark")
	l := b.Take()
	for _, x := range l.kept() {
		if !utf8.ValidString(x.Key) || !utf8.ValidString(x.Value) {
			t.Errorf("%q=%q cut inside a character", x.Key, x.Value)
		}
		if len(x.Key) > MaxLabelKey+len(LabelCut) || len(x.Value) > MaxLabelValue+len(LabelCut) {
			t.Errorf("%d-byte key, %d-byte value", len(x.Key), len(x.Value))
		}
	}
	if v, _ := l.Get("DB_PASSWORD"); v != "xxx" {
		t.Errorf("secret label: %q", v)
	}
	if v, _ := l.Get("repo"); strings.Contains(v, "s3cret") {
		t.Errorf("URL password shown: %q", v)
	}
	if v, _ := l.Get("esc"); v != "\x1b[31mred\x1b]0;title\x07\u202e" {
		t.Errorf("a value is changed beyond its bounds: %q", v)
	}
	k := l.kept()
	if last := k[len(k)-1]; !strings.HasSuffix(last.Key, LabelCut) || !strings.HasSuffix(last.Value, LabelCut) {
		t.Errorf("cut key or value not marked: %q", last)
	}
	if l.More() != 1 {
		t.Errorf("a label keyed as the mark: More() = %d, want it counted as left out", l.More())
	}
}

func TestLabelsOfLeavesOutWhatSkipSays(t *testing.T) {
	l := LabelsOf(map[string]string{"io.kubernetes.pod.name": "web-0", "app": "web"}, func(k string) bool {
		return strings.HasPrefix(k, "io.kubernetes.")
	})
	if l.String() != "app=web" {
		t.Errorf("%q", l.String())
	}
	if LabelsOf(nil, nil) != nil {
		t.Error("no labels are nil")
	}
}

func TestMergeLabelsSharesWhatAddsNothing(t *testing.T) {
	var b LabelSet
	b.Add("DCOS_SPACE", "/shop")
	b.Add("team", "shop")
	task := b.Take()
	b.Add("team", "payments")
	app := b.Take()
	if m := MergeLabels(task, app); &m[0] != &task[0] {
		t.Error("the app adds no key: the task's labels are not shared")
	}
	if m := MergeLabels(nil, app); &m[0] != &app[0] {
		t.Error("no task labels: the app's are not shared")
	}
	b.Add("tier", "web")
	extra := b.Take()
	m := MergeLabels(task, extra)
	if m.String() != "DCOS_SPACE=/shop, team=shop, tier=web" {
		t.Errorf("merged %q", m.String())
	}
	if m2 := MergeLabels(app, task); m2.String() != "DCOS_SPACE=/shop, team=payments" {
		t.Errorf("the first's value wins: %q", m2.String())
	}
	var big LabelSet
	for i := range 100 {
		big.Add(fmt.Sprintf("a%03d", i), "x")
	}
	if m := MergeLabels(big.Take(), extra); len(m.kept()) != MaxLabels || m.More() != 100-MaxLabels+1 {
		t.Errorf("merged over the bound: %d kept, %d more", len(m.kept()), m.More())
	}
}
