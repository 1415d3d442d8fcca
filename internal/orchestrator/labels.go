package orchestrator

import (
	"encoding/binary"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// Labels are read within model's bounds (64 a task, keys cut at 128
// bytes, values at 256), their strings interned, and a list that repeats
// (Marathon gives every task of an app its app's labels) is kept once: at
// 100,000 tasks a list of their own would cost each at least 56 bytes.

// labelReader reads the labels of one answer's tasks.
type labelReader struct {
	set   model.LabelSet
	lists map[string]*model.Labels // by listKey; nil once the answer is read
	// raw are a task's labels as read (interned strings), and rawLists
	// the lists kept by what was read: a repeated list is found before
	// it is sorted, redacted and cut again (2 lock-guarded lookups and an
	// allocation a label, for 100,000 tasks).
	raw      []model.Label
	rawLists map[string]*model.Labels
	// spilled says the task had more than maxRaw labels: they went to
	// set as they came (bounded there), and its list is not looked up.
	spilled bool
	key     []byte
	bytes   int64 // what the lists kept cost, shared ones once
}

// readLabels reads a task's labels: Mesos writes them as an array of
// {"key","value"} (value optional); the v1 API and discovery info wrap
// that array in {"labels": [...]}, which is read too. Past maxLabelBytes
// the task keeps none and LabelsDropped counts it.
func (st *mesosState) readLabels(s *httpapi.Stream) (*model.Labels, error) {
	lr := &st.labels
	lr.raw, lr.spilled = lr.raw[:0], false
	err := lr.readMesos(s, &st.in, 0)
	if lr.spilled {
		for _, x := range lr.raw {
			lr.set.Add(x.Key, x.Value)
		}
		lr.raw = lr.raw[:0]
	}
	if len(lr.raw) == 0 && !lr.spilled {
		return nil, err
	}
	rawKey := ""
	if !lr.spilled {
		rk := lr.key[:0]
		for _, x := range lr.raw {
			rk = appendListKey(rk, x)
		}
		lr.key = rk
		if p, ok := lr.rawLists[string(rk)]; ok {
			return p, err
		}
		rawKey = string(rk)
	}
	for _, x := range lr.raw {
		lr.set.Add(x.Key, x.Value)
	}
	l := lr.set.Take()
	if l == nil {
		return nil, err
	}
	p, cost := lr.share(l)
	if lr.bytes+cost > maxLabelBytes {
		st.LabelsDropped++
		return nil, err
	}
	lr.bytes += cost
	if lr.rawLists != nil && rawKey != "" && len(lr.rawLists) < maxLabelLists && len(rawKey) <= 16<<10 {
		lr.rawLists[rawKey] = p
	}
	return p, err
}

// readMesos reads Mesos' labels array (or its wrapper, depth 1) into the set.
func (lr *labelReader) readMesos(s *httpapi.Stream, in *interner, depth int) error {
	b, err := s.Peek()
	if err != nil {
		return err
	}
	if b == '{' {
		return s.EachMember(func(k []byte) error {
			if string(k) != "labels" || depth > 0 {
				return s.Skip()
			}
			return lr.readMesos(s, in, depth+1)
		})
	}
	return s.EachElement(func() error {
		var key, value string
		hasKey := false
		err := s.EachMember(func(k []byte) error {
			var err error
			switch string(k) {
			case "key":
				key, err = in.str(s)
				hasKey = true
			case "value":
				value, err = in.str(s)
			default:
				err = s.Skip()
			}
			return err
		})
		switch {
		case !hasKey || err != nil:
		case lr.spilled:
			lr.set.Add(key, value)
		case len(lr.raw) == maxRaw:
			lr.spilled = true
			lr.set.Add(key, value)
		default:
			lr.raw = append(lr.raw, model.Label{Key: key, Value: value})
		}
		return err
	})
}

// appendListKey appends one label to a list's key: each string after
// its length, so that no key or value (a NUL in it, say) makes two lists
// one key.
func appendListKey(b []byte, x model.Label) []byte {
	b = binary.AppendUvarint(b, uint64(len(x.Key)))
	b = append(b, x.Key...)
	b = binary.AppendUvarint(b, uint64(len(x.Value)))
	return append(b, x.Value...)
}

// maxRaw bounds the labels of one task held as read.
const maxRaw = 2 * model.MaxLabels

// share returns the list kept for labels equal to l (l itself the first
// time), and what keeping l costs: nothing when it is shared.
func (lr *labelReader) share(l model.Labels) (*model.Labels, int64) {
	cost := int64(24 + 32*len(l))
	for _, x := range l {
		cost += int64(len(x.Key) + len(x.Value))
	}
	if lr.lists == nil {
		return &l, cost
	}
	k := lr.key[:0]
	for _, x := range l {
		k = appendListKey(k, x)
	}
	lr.key = k
	if shared, ok := lr.lists[string(k)]; ok {
		return shared, 0
	}
	if len(lr.lists) < maxLabelLists && len(k) <= 16<<10 {
		lr.lists[string(k)] = &l
	}
	return &l, cost
}

// streamKeyBytes is how much of a member's key httpapi.Stream gives (the
// rest is dropped).
const streamKeyBytes = 256

// readMarathonLabels reads an app's labels: an object of strings
// (Marathon's own checks make them strings; another value is read as
// "").
func readMarathonLabels(s *httpapi.Stream) (model.Labels, error) {
	var set model.LabelSet
	err := s.EachMember(func(k []byte) error {
		key, err := httpapi.Unquote(k)
		if err != nil {
			key = string(k) // an escape cut with the key: as it came
		}
		if len(k) >= streamKeyBytes && len(key) <= model.MaxLabelKey {
			key += model.LabelCut // the stream cut it, not Add
		}
		v, err := s.String()
		if err == nil {
			set.Add(key, v)
		}
		return err
	})
	return set.Take(), err
}
