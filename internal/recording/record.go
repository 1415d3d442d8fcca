package recording

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// A record's payload is gzip-compressed JSON. A keyframe holds the whole
// snapshot; a delta holds, against its keyframe, the top-level fields that
// changed and, for containers and processes, runs of unchanged entities,
// entities with only their changed fields, and new entities in full. JSON
// keeps float64 rates exact (shortest round-trip form) and lets fields
// added to the model later be recorded without a format change.

// clusterRef ties a snapshot to the last stored cluster frame. The parts of
// a cluster that change on every poll (its time, staleness and errors) are
// carried here so the cluster frame itself is written only when the
// cluster's content changes.
type clusterRef struct {
	Seq    uint32    `json:"seq"`
	Time   time.Time `json:"time"`
	Stale  bool      `json:"stale,omitempty"`
	Errors []string  `json:"errors,omitempty"`
}

// entity is one container or process, encoded and redacted.
type entity struct {
	key    string
	raw    []byte
	fields map[string]json.RawMessage // raw split into fields, lazily
}

func (e *entity) split() (map[string]json.RawMessage, error) {
	if e.fields == nil {
		if err := json.Unmarshal(e.raw, &e.fields); err != nil {
			return nil, err
		}
	}
	return e.fields, nil
}

// encoded is a snapshot turned into what a record stores.
type encoded struct {
	top         map[string]json.RawMessage
	cont, proc  []entity
	clusterBody []byte // nil without a cluster
	ref         *clusterRef
	events      *model.Events // the run's timeline; nil without one
}

// keyState is the writer's memory of the last record it stored: the next
// delta is written against it.
type keyState struct {
	seq        uint32
	top        map[string]json.RawMessage
	cont, proc []entity
	cidx, pidx map[string]int
	// eventSeq is the newest event stored, dropped the timeline's count
	// of events let go then.
	eventSeq, dropped uint64
}

func newKeyState(seq uint32, e *encoded) *keyState {
	k := &keyState{seq: seq, top: e.top, cont: e.cont, proc: e.proc,
		cidx: make(map[string]int, len(e.cont)), pidx: make(map[string]int, len(e.proc))}
	if ev := e.events; ev != nil {
		if n := len(ev.List); n > 0 {
			k.eventSeq = ev.List[n-1].Seq
		}
		k.dropped = ev.Dropped
	}
	for i := range e.cont {
		k.cidx[e.cont[i].key] = i
	}
	for i := range e.proc {
		k.pidx[e.proc[i].key] = i
	}
	return k
}

func processKey(p *model.Process) string {
	return strconv.Itoa(p.PID) + "/" + strconv.FormatUint(p.StartTicks, 10)
}

// encodeSnapshot turns a snapshot into its redacted parts. The snapshot
// itself is not modified: it is shared with the screen.
func encodeSnapshot(s *model.Snapshot) (*encoded, error) {
	e := &encoded{events: s.Events}
	top := *s
	top.Containers, top.Processes, top.Cluster = nil, nil, nil
	top.Errors = redactStrings(s.Errors)
	b, err := json.Marshal(&top)
	if err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	if err := json.Unmarshal(redactJSON(b), &e.top); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	delete(e.top, "containers")
	delete(e.top, "processes")
	delete(e.top, "cluster")

	e.cont = make([]entity, len(s.Containers))
	for i := range s.Containers {
		c := s.Containers[i]
		cs := *c.ContainerSample // the row refers to the screen's sample
		c.ContainerSample = &cs
		if cs.RuntimeFields != model.NoRuntimeFields { // shared, zero
			cs.OwnRuntimeFields() // the screen's too
			c.Env = c.Env.NamesOnly()
			c.Labels = redactLabels(c.Labels)
		}
		b, err := json.Marshal(&c)
		if err != nil {
			return nil, fmt.Errorf("encode container %s: %w", c.ID, err)
		}
		e.cont[i] = entity{key: c.Key(), raw: redactJSON(b)}
	}
	e.proc = make([]entity, len(s.Processes))
	for i := range s.Processes {
		p := s.Processes[i]
		p.Command = redactText(p.Command)
		b, err := json.Marshal(&p)
		if err != nil {
			return nil, fmt.Errorf("encode process %d: %w", p.PID, err)
		}
		e.proc[i] = entity{key: processKey(&p), raw: redactJSON(b)}
	}

	if c := s.Cluster; c != nil {
		body := *c
		body.Time, body.Stale, body.Errors = time.Time{}, false, nil
		b, err := json.Marshal(&body)
		if err != nil {
			return nil, fmt.Errorf("encode cluster: %w", err)
		}
		e.clusterBody = redactJSON(b)
		e.ref = &clusterRef{Time: c.Time, Stale: c.Stale, Errors: redactStrings(c.Errors)}
	}
	return e, nil
}

// writeKey writes a keyframe record.
func writeKey(b *bytes.Buffer, e *encoded) error {
	b.WriteString(`{"top":`)
	writeFields(b, e.top, nil)
	for _, l := range []struct {
		name string
		ents []entity
	}{{"containers", e.cont}, {"processes", e.proc}} {
		b.WriteString(`,"` + l.name + `":[`)
		for i := range l.ents {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(l.ents[i].raw)
		}
		b.WriteByte(']')
	}
	if err := writeEvents(b, e.events, 0, true); err != nil {
		return err
	}
	return writeRef(b, e.ref)
}

// writeEvents writes the events of ev newer than seq, with the
// timeline's counts: a keyframe's (all) the whole timeline, a delta's
// those kept since the record before it, nothing when none are new and
// none were let go since.
func writeEvents(b *bytes.Buffer, ev *model.Events, seq uint64, all bool) error {
	if ev == nil {
		return nil
	}
	list := ev.List
	i := sort.Search(len(list), func(i int) bool { return list[i].Seq > seq })
	if !all && i == len(list) {
		return nil
	}
	js, err := json.Marshal(&model.Events{List: list[i:], Dropped: ev.Dropped, Keep: ev.Keep})
	if err != nil {
		return fmt.Errorf("encode events: %w", err)
	}
	b.WriteString(`,"events":`)
	b.Write(redactJSON(js))
	return nil
}

// writeDelta writes a record as changes against k, the record before it.
func writeDelta(b *bytes.Buffer, k *keyState, e *encoded) error {
	fmt.Fprintf(b, `{"base":%d,"top":`, k.seq)
	changed, del := diffFields(k.top, e.top)
	writeFields(b, changed, nil)
	if len(del) > 0 {
		b.WriteString(`,"del":`)
		writeJSON(b, del)
	}
	b.WriteString(`,"containers":`)
	if err := writeEntities(b, k.cont, k.cidx, e.cont); err != nil {
		return err
	}
	b.WriteString(`,"processes":`)
	if err := writeEntities(b, k.proc, k.pidx, e.proc); err != nil {
		return err
	}
	if ev := e.events; ev != nil && ev.Dropped != k.dropped {
		// Events were let go: the counts change even with nothing new.
		if err := writeEvents(b, ev, k.eventSeq, true); err != nil {
			return err
		}
		return writeRef(b, e.ref)
	}
	if err := writeEvents(b, e.events, k.eventSeq, false); err != nil {
		return err
	}
	return writeRef(b, e.ref)
}

func writeRef(b *bytes.Buffer, ref *clusterRef) error {
	if ref != nil {
		b.WriteString(`,"cluster":`)
		js, err := json.Marshal(ref)
		if err != nil {
			return fmt.Errorf("encode cluster reference: %w", err)
		}
		b.Write(redactJSON(js))
	}
	b.WriteByte('}')
	return nil
}

// writeEntities writes a delta's entity list: {"$same":[i,n]} for a run of
// keyframe entities unchanged and in order, {"$base":i,...} for keyframe
// entity i with the fields that changed ("$del" lists fields now absent),
// and the whole object for an entity the keyframe does not have.
func writeEntities(b *bytes.Buffer, base []entity, idx map[string]int, cur []entity) error {
	b.WriteByte('[')
	first := true
	sep := func() {
		if !first {
			b.WriteByte(',')
		}
		first = false
	}
	runStart, runLen := -1, 0
	flush := func() {
		if runLen > 0 {
			sep()
			fmt.Fprintf(b, `{"$same":[%d,%d]}`, runStart, runLen)
		}
		runStart, runLen = -1, 0
	}
	for i := range cur {
		c := &cur[i]
		j, ok := idx[c.key]
		if !ok {
			flush()
			sep()
			b.Write(c.raw)
			continue
		}
		if bytes.Equal(base[j].raw, c.raw) {
			if runLen > 0 && runStart+runLen == j {
				runLen++
				continue
			}
			flush()
			runStart, runLen = j, 1
			continue
		}
		flush()
		bf, err := base[j].split()
		if err != nil {
			return fmt.Errorf("keyframe entity %s: %w", c.key, err)
		}
		cf, err := c.split()
		if err != nil {
			return fmt.Errorf("entity %s: %w", c.key, err)
		}
		changed, del := diffFields(bf, cf)
		sep()
		fmt.Fprintf(b, `{"$base":%d`, j)
		if len(del) > 0 {
			b.WriteString(`,"$del":`)
			writeJSON(b, del)
		}
		writeFields(b, changed, b)
	}
	flush()
	b.WriteByte(']')
	return nil
}

// diffFields returns cur's fields that differ from base's and the names of
// base's fields cur no longer has.
func diffFields(base, cur map[string]json.RawMessage) (map[string]json.RawMessage, []string) {
	changed := map[string]json.RawMessage{}
	for k, v := range cur {
		if bv, ok := base[k]; !ok || !bytes.Equal(bv, v) {
			changed[k] = v
		}
	}
	var del []string
	for k := range base {
		if _, ok := cur[k]; !ok {
			del = append(del, k)
		}
	}
	sort.Strings(del)
	return changed, del
}

// writeFields writes fields as a JSON object in key order; with cont set,
// they continue an object already opened (a leading comma, no brace).
func writeFields(b *bytes.Buffer, f map[string]json.RawMessage, cont *bytes.Buffer) {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if cont == nil {
		b.WriteByte('{')
	}
	for i, k := range keys {
		if i > 0 || cont != nil {
			b.WriteByte(',')
		}
		writeJSON(b, k)
		b.WriteByte(':')
		b.Write(f[k])
	}
	b.WriteByte('}')
}

func writeJSON(b *bytes.Buffer, v any) {
	js, _ := json.Marshal(v) // strings and string slices always marshal
	b.Write(js)
}

// record is a decoded payload before it is turned into a snapshot.
type record struct {
	Base       uint32                     `json:"base"`
	Top        map[string]json.RawMessage `json:"top"`
	Del        []string                   `json:"del"`
	Containers []json.RawMessage          `json:"containers"`
	Processes  []json.RawMessage          `json:"processes"`
	Cluster    *clusterRef                `json:"cluster"`
	// Events: a keyframe's whole timeline, a delta's events kept since
	// the record before it; absent in recordings made before events
	// were recorded, and in a delta when nothing happened.
	Events *model.Events `json:"events"`
}

// keyDecoded is the decoded state of one record, kept by the reader to
// apply the next delta to.
type keyDecoded struct {
	seq        uint32
	top        map[string]json.RawMessage
	contRaw    []json.RawMessage
	procRaw    []json.RawMessage
	cont       []model.Container
	proc       []model.Process
	contFields []map[string]json.RawMessage
	procFields []map[string]json.RawMessage
	// events is the timeline as of this record, nil when the recording
	// holds none.
	events *model.Events
}

// decodeKey decodes a keyframe record.
func decodeKey(seq uint32, rec *record) (*keyDecoded, error) {
	k := &keyDecoded{seq: seq, top: rec.Top, contRaw: rec.Containers, procRaw: rec.Processes,
		cont: make([]model.Container, len(rec.Containers)), proc: make([]model.Process, len(rec.Processes)),
		contFields: make([]map[string]json.RawMessage, len(rec.Containers)),
		procFields: make([]map[string]json.RawMessage, len(rec.Processes))}
	if ev := rec.Events; ev != nil {
		k.events = &model.Events{List: slices.Clip(ev.List), Dropped: ev.Dropped, Keep: ev.Keep}
	}
	for i, raw := range rec.Containers {
		if err := json.Unmarshal(raw, &k.cont[i]); err != nil {
			return nil, fmt.Errorf("container %d: %w", i, err)
		}
	}
	for i, raw := range rec.Processes {
		if err := json.Unmarshal(raw, &k.proc[i]); err != nil {
			return nil, fmt.Errorf("process %d: %w", i, err)
		}
	}
	return k, nil
}

// apply builds the state of a record: k itself when rec is k's own
// keyframe (delta false), else rec applied to k, the state of the record
// before it.
func (k *keyDecoded) apply(seq uint32, rec *record, delta bool) (*keyDecoded, error) {
	if !delta {
		return k, nil
	}
	top := make(map[string]json.RawMessage, len(k.top)+len(rec.Top))
	for f, v := range k.top {
		top[f] = v
	}
	for _, f := range rec.Del {
		delete(top, f)
	}
	for f, v := range rec.Top {
		top[f] = v
	}
	n := &keyDecoded{seq: seq, top: top, events: addEvents(k.events, rec.Events)}
	var err error
	if n.cont, n.contRaw, err = applyEntities(rec.Containers, k.cont, k.contRaw, k.contFields); err != nil {
		return nil, fmt.Errorf("containers: %w", err)
	}
	if n.proc, n.procRaw, err = applyEntities(rec.Processes, k.proc, k.procRaw, k.procFields); err != nil {
		return nil, fmt.Errorf("processes: %w", err)
	}
	n.contFields = make([]map[string]json.RawMessage, len(n.cont))
	n.procFields = make([]map[string]json.RawMessage, len(n.proc))
	return n, nil
}

// addEvents is the timeline old (the record before) with a delta's
// events: those newer than old's newest appended, the oldest let go past
// the timeline's size, the delta's counts.
func addEvents(old, add *model.Events) *model.Events {
	if add == nil {
		return old
	}
	var list []model.Event
	var last uint64
	if old != nil {
		list = old.List
		if n := len(list); n > 0 {
			last = list[n-1].Seq
		}
	}
	i := sort.Search(len(add.List), func(i int) bool { return add.List[i].Seq > last })
	if i < len(add.List) {
		list = append(slices.Clip(list), add.List[i:]...)
	}
	if add.Keep > 0 && len(list) > add.Keep {
		list = list[len(list)-add.Keep:]
	}
	return &model.Events{List: slices.Clip(list), Dropped: add.Dropped, Keep: add.Keep}
}

// snapshot is the state as a snapshot; its slices are copies.
func (k *keyDecoded) snapshot() (*model.Snapshot, error) {
	s := &model.Snapshot{}
	if err := json.Unmarshal(joinFields(k.top), s); err != nil {
		return nil, fmt.Errorf("snapshot fields: %w", err)
	}
	s.Containers = append(make([]model.Container, 0, len(k.cont)), k.cont...)
	for i := range s.Containers {
		if c := &s.Containers[i]; c.ContainerSample != nil && c.RuntimeFields == nil {
			c.RuntimeFields = &model.RuntimeFields{} // a record that names none of them
		}
	}
	s.Processes = append(make([]model.Process, 0, len(k.proc)), k.proc...)
	s.Events = k.events // shared, never written to: its list has no spare capacity
	return s, nil
}

// applyEntities rebuilds a delta's entity list from the keyframe's.
func applyEntities[T any](entries []json.RawMessage, base []T, baseRaw []json.RawMessage, baseFields []map[string]json.RawMessage) ([]T, []json.RawMessage, error) {
	out := make([]T, 0, len(entries))
	outRaw := make([]json.RawMessage, 0, len(entries))
	for n, raw := range entries {
		var f map[string]json.RawMessage
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, nil, fmt.Errorf("entry %d: %w", n, err)
		}
		if same, ok := f["$same"]; ok {
			var r [2]int
			if err := json.Unmarshal(same, &r); err != nil {
				return nil, nil, fmt.Errorf("entry %d: %w", n, err)
			}
			if r[0] < 0 || r[1] < 0 || r[0] > len(base) || r[1] > len(base)-r[0] {
				return nil, nil, fmt.Errorf("entry %d: run %v outside the keyframe's %d", n, r, len(base))
			}
			out = append(out, base[r[0]:r[0]+r[1]]...)
			outRaw = append(outRaw, baseRaw[r[0]:r[0]+r[1]]...)
			continue
		}
		obj := raw
		if bi, ok := f["$base"]; ok {
			var i int
			if err := json.Unmarshal(bi, &i); err != nil || i < 0 || i >= len(base) {
				return nil, nil, fmt.Errorf("entry %d: base %s outside the keyframe's %d", n, bi, len(base))
			}
			if baseFields[i] == nil {
				if err := json.Unmarshal(baseRaw[i], &baseFields[i]); err != nil {
					return nil, nil, fmt.Errorf("keyframe entity %d: %w", i, err)
				}
			}
			merged := make(map[string]json.RawMessage, len(baseFields[i]))
			for k, v := range baseFields[i] {
				merged[k] = v
			}
			if d, ok := f["$del"]; ok {
				var del []string
				if err := json.Unmarshal(d, &del); err != nil {
					return nil, nil, fmt.Errorf("entry %d: %w", n, err)
				}
				for _, k := range del {
					delete(merged, k)
				}
			}
			for k, v := range f {
				if k != "$base" && k != "$del" {
					merged[k] = v
				}
			}
			obj = joinFields(merged)
		}
		var v T
		if err := json.Unmarshal(obj, &v); err != nil {
			return nil, nil, fmt.Errorf("entry %d: %w", n, err)
		}
		out = append(out, v)
		outRaw = append(outRaw, obj)
	}
	return out, outRaw, nil
}

// joinFields makes a JSON object of fields.
func joinFields(f map[string]json.RawMessage) []byte {
	var b bytes.Buffer
	writeFields(&b, f, nil)
	return b.Bytes()
}

// compressor gzips payloads, reusing its buffers.
type compressor struct {
	zw  *gzip.Writer
	buf bytes.Buffer
}

func (c *compressor) compress(p []byte) ([]byte, error) {
	c.buf.Reset()
	if c.zw == nil {
		var err error
		if c.zw, err = gzip.NewWriterLevel(&c.buf, gzip.BestCompression); err != nil {
			return nil, err
		}
	} else {
		c.zw.Reset(&c.buf)
	}
	if _, err := c.zw.Write(p); err != nil {
		return nil, err
	}
	if err := c.zw.Close(); err != nil {
		return nil, err
	}
	return append([]byte(nil), c.buf.Bytes()...), nil
}

// decompress inflates a payload, refusing one that grows beyond maxDecoded.
func decompress(p []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(p))
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	out, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxDecoded {
		return nil, fmt.Errorf("record inflates beyond %d bytes", maxDecoded)
	}
	return out, nil
}
