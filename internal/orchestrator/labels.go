package orchestrator

import (
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
	key   []byte
	bytes int64 // what the lists kept cost, shared ones once
}

// readLabels reads a task's labels: Mesos writes them as an array of
// {"key","value"} (value optional); the v1 API and discovery info wrap
// that array in {"labels": [...]}, which is read too. Past maxLabelBytes
// the task keeps none and LabelsDropped counts it.
func (st *mesosState) readLabels(s *httpapi.Stream) (*model.Labels, error) {
	lr := &st.labels
	err := lr.readMesos(s, &st.in, 0)
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
		if hasKey && err == nil {
			lr.set.Add(key, value)
		}
		return err
	})
}

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
		k = append(append(append(append(k, x.Key...), 0), x.Value...), 0)
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
