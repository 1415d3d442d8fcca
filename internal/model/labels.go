package model

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ctop-like/ctop-like/internal/redact"
)

// Labels of containers, Mesos tasks and Marathon apps are text from
// outside, as many and as long as whoever set them liked: a row holds at
// most MaxLabels of them (those first by key), each key cut at
// MaxLabelKey bytes and each value at MaxLabelValue, a cut one ending in
// LabelCut. A DC/OS package's DCOS_PACKAGE_METADATA is 2.7 KB of base64,
// copied onto each of its tasks; nobody reads past its first screenful.
const (
	MaxLabels     = 64
	MaxLabelKey   = 128
	MaxLabelValue = 256
	// LabelCut ends a key or a value cut at its bound.
	LabelCut = "…"
	// LabelsMore is the key of the entry that ends Labels cut at
	// MaxLabels; its value is how many more there were ("136").
	LabelsMore = "…"
)

// Label is one key=value label.
type Label struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Labels are a row's labels sorted by key (byte order), each key once,
// within the bounds above; a last entry keyed LabelsMore counts those
// left out. A value whose key names a secret (a token, a password) is
// redact.Mask, and a URL's password in a value is hidden, as in every
// other output.
type Labels []Label

// kept is the labels without the LabelsMore entry.
func (l Labels) kept() Labels {
	if n := len(l); n > 0 && l[n-1].Key == LabelsMore {
		return l[:n-1]
	}
	return l
}

// More is how many labels were left out over MaxLabels; 0 when none.
func (l Labels) More() int {
	if len(l) == len(l.kept()) {
		return 0
	}
	n, _ := strconv.Atoi(l[len(l)-1].Value)
	return n
}

// Get is the value of key: the label of that key, else the first whose
// key equals it in another case (DC/OS's keys are upper case; a person
// types label.dcos_space). ok is false when there is none.
func (l Labels) Get(key string) (value string, ok bool) {
	k := l.kept()
	if i, found := slices.BinarySearchFunc(k, key, byKey); found {
		return k[i].Value, true
	}
	for _, x := range k {
		if strings.EqualFold(x.Key, key) {
			return x.Value, true
		}
	}
	return "", false
}

// String is "key=value, key=value", with ", … 136 more" when cut.
func (l Labels) String() string {
	var b strings.Builder
	for i, x := range l.kept() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x.Key)
		b.WriteByte('=')
		b.WriteString(x.Value)
	}
	if n := l.More(); n > 0 {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(LabelsMore + " " + strconv.Itoa(n) + " more")
	}
	return b.String()
}

func byKey(x Label, key string) int { return cmp.Compare(x.Key, key) }

// LabelSet collects labels one at a time into Labels within the bounds:
// of more than MaxLabels it keeps those first by key; a key added twice
// keeps its last value, as a JSON object's member does. Reused, it
// allocates only what Take returns.
type LabelSet struct {
	l    Labels
	more int
}

// Add adds one label. A label keyed LabelsMore itself (the mark) is
// counted among those left out.
func (b *LabelSet) Add(key, value string) {
	key = cutLabel(key, MaxLabelKey)
	if key == LabelsMore {
		b.more++
		return
	}
	i, found := slices.BinarySearchFunc(b.l, key, byKey)
	switch {
	case found:
		b.l[i].Value = labelValue(key, value)
		return
	case len(b.l) < MaxLabels:
	case i == len(b.l):
		b.more++
		return
	default:
		b.l = b.l[:len(b.l)-1] // the last by key makes room
		b.more++
	}
	b.l = slices.Insert(b.l, i, Label{Key: key, Value: labelValue(key, value)})
}

// add adds a label already within the bounds and redacted (another
// Labels').
func (b *LabelSet) add(x Label) {
	i, found := slices.BinarySearchFunc(b.l, x.Key, byKey)
	switch {
	case found:
		b.l[i].Value = x.Value
		return
	case len(b.l) < MaxLabels:
	case i == len(b.l):
		b.more++
		return
	default:
		b.l = b.l[:len(b.l)-1]
		b.more++
	}
	b.l = slices.Insert(b.l, i, x)
}

// Len is how many labels are held.
func (b *LabelSet) Len() int { return len(b.l) }

// Take returns the labels collected (a copy of their exact size, nil for
// none) and empties the set.
func (b *LabelSet) Take() Labels {
	if len(b.l) == 0 && b.more == 0 {
		return nil
	}
	n := len(b.l)
	if b.more > 0 {
		n++
	}
	out := make(Labels, len(b.l), n)
	copy(out, b.l)
	if b.more > 0 {
		out = append(out, Label{Key: LabelsMore, Value: strconv.Itoa(b.more)})
	}
	clear(b.l)
	b.l, b.more = b.l[:0], 0
	return out
}

// LabelsOf is a map's labels (a runtime's), within the bounds; those
// whose key skip says (nil: none) are left out.
func LabelsOf(m map[string]string, skip func(key string) bool) Labels {
	var b LabelSet
	for k, v := range m {
		if skip == nil || !skip(k) {
			b.Add(k, v)
		}
	}
	return b.Take()
}

// MergeLabels is a's labels, then b's whose key a lacks, within the
// bounds. It returns a or b itself (no copy) when the other adds nothing:
// Marathon gives each task its app's labels, so a task's usually hold
// its app's.
func MergeLabels(a, b Labels) Labels {
	ka, kb := a.kept(), b.kept()
	switch {
	case len(kb) == 0 && b.More() == 0:
		return a
	case len(ka) == 0 && a.More() == 0:
		return b
	}
	adds := false
	for _, x := range kb {
		if _, found := slices.BinarySearchFunc(ka, x.Key, byKey); !found {
			adds = true
			break
		}
	}
	if !adds && b.More() == 0 {
		return a
	}
	var s LabelSet
	s.l = append(s.l, kb...)
	for _, x := range ka { // a's win: added last
		s.add(x)
	}
	s.more += a.More() + b.More()
	return s.Take()
}

// cutLabel cuts s to at most max bytes (at a character's start) and
// marks the cut.
func cutLabel(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + LabelCut
}

// labelValue is a value as Labels hold it: hidden when its key names a
// secret, a URL's password or a secret argument in it hidden, then cut.
func labelValue(key, value string) string {
	if memoSecretName(key) {
		return redact.Mask
	}
	if len(value) > 4*MaxLabelValue {
		// What the cut keeps is what is redacted: a secret past the cut
		// is gone with it.
		value = value[:4*MaxLabelValue]
	}
	return cutLabel(memoRedact(value), MaxLabelValue)
}

// The redaction of label keys and values is remembered: tasks by the
// hundred thousand repeat the same few hundred (their apps'), and the
// rule's expression costs microseconds a string. Each table is emptied
// when full.
var memo struct {
	sync.Mutex
	secret map[string]bool
	text   map[string]string
}

const memoSize = 1 << 14

func memoSecretName(key string) bool {
	memo.Lock()
	defer memo.Unlock()
	if v, ok := memo.secret[key]; ok {
		return v
	}
	if memo.secret == nil || len(memo.secret) >= memoSize {
		memo.secret = make(map[string]bool)
	}
	v := redact.IsSecretName(key)
	memo.secret[key] = v
	return v
}

func memoRedact(value string) string {
	memo.Lock()
	defer memo.Unlock()
	if v, ok := memo.text[value]; ok {
		return v
	}
	if memo.text == nil || len(memo.text) >= memoSize {
		memo.text = make(map[string]string)
	}
	v := redact.Text(value)
	if len(value) <= MaxLabelValue {
		memo.text[value] = v
	}
	return v
}

// MarshalJSON writes the labels as an object of strings in key order
// ({"team":"payments"}); labels cut at MaxLabels end with the LabelsMore
// member counting those left out ("…":"136"); none is null.
func (l Labels) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 16*len(l)+2)
	b = append(b, '{')
	for i, x := range l {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(x.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(x.Value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads what MarshalJSON writes (a recording's labels),
// within the bounds.
func (l *Labels) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m == nil {
		*l = nil
		return nil
	}
	var set LabelSet
	more := 0
	for k, v := range m {
		if k == LabelsMore {
			more, _ = strconv.Atoi(v)
			continue
		}
		set.Add(k, v)
	}
	set.more += more
	*l = set.Take()
	return nil
}
