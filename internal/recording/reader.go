package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// frameLoc is an indexed frame: its head and where its payload starts.
type frameLoc struct {
	frameHead
	off int64
}

// region is a damaged stretch of the file, [start, end).
type region struct{ start, end int64 }

// Reader gives random access to the records of a recording. It is safe for
// concurrent use.
type Reader struct {
	mu     sync.Mutex
	ra     io.ReaderAt
	closer io.Closer
	name   string
	h      Header
	loc    *time.Location

	recs     []frameLoc          // snapshot records, in file order
	clusters map[uint32]frameLoc // cluster frames by seq
	warning  string

	key     *keyDecoded // state of record keyIdx, the last decoded
	keyIdx  int
	clCache map[uint32]*model.Cluster // decoded clusters, a few
	clOrder []uint32
}

// Open reads a recording's header and indexes every intact record; records
// are decoded when asked for. A damaged or truncated part is skipped and
// described in Warning; only a file whose header cannot be read is an error.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("replay: %w", err)
	}
	r, err := newReader(f, st.Size(), filepath.Base(path))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("replay %s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

// newReader indexes a recording held by ra (Open's file, or bytes in tests
// and fuzzing).
func newReader(ra io.ReaderAt, size int64, name string) (*Reader, error) {
	r := &Reader{ra: ra, name: name, clusters: map[uint32]frameLoc{},
		clCache: map[uint32]*model.Cluster{}}
	hb := make([]byte, min(size, fileHeadLen+maxHeaderLen+4))
	if _, err := ra.ReadAt(hb, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	h, hlen, err := decodeHeader(hb)
	if err != nil {
		return nil, err
	}
	r.h = h
	r.loc = h.Start.Location()
	r.scan(int64(hlen), size)
	return r, nil
}

// scan indexes frames from pos to size, resyncing on the frame magic after
// damage, and composes the one warning.
func (r *Reader) scan(pos, size int64) {
	frames, bad, ended := r.readFrames(pos, size)
	lostKey, lostCluster := r.index(frames)
	r.warning = r.describeDamage(size, bad, ended, lostKey, lostCluster)
}

// readFrames reads every intact frame's head from pos to size; a frame
// that is cut short or fails its CRC makes a damaged region up to the next
// frame magic. ended says the last frame is the end mark.
func (r *Reader) readFrames(pos, size int64) (frames []frameLoc, bad []region, ended bool) {
	head := make([]byte, frameHeadLen)
	var payload []byte
	for pos < size {
		if h, ok := r.frameAt(pos, size, head, &payload); ok {
			frames = append(frames, frameLoc{h, pos + frameHeadLen})
			ended = h.kind == kindEnd
			pos += frameHeadLen + int64(h.n)
			continue
		}
		next := r.findMagic(pos+1, size)
		if n := len(bad); n > 0 && bad[n-1].end == pos {
			bad[n-1].end = next
		} else {
			bad = append(bad, region{pos, next})
		}
		pos = next
	}
	return frames, bad, ended
}

// frameAt reads the frame at pos, into head and *payload (grown as
// needed), and reports whether it is whole and its CRC matches.
func (r *Reader) frameAt(pos, size int64, head []byte, payload *[]byte) (frameHead, bool) {
	if size-pos < frameHeadLen {
		return frameHead{}, false
	}
	if _, err := r.ra.ReadAt(head, pos); err != nil {
		return frameHead{}, false
	}
	h, crc, ok := parseFrameHead(head)
	if !ok || pos+frameHeadLen+int64(h.n) > size {
		return frameHead{}, false
	}
	if cap(*payload) < int(h.n) {
		*payload = make([]byte, h.n)
	}
	p := (*payload)[:h.n]
	_, err := r.ra.ReadAt(p, pos+frameHeadLen)
	if (err == nil || errors.Is(err, io.EOF) && h.n == 0) && frameCRC(head, p) == crc {
		return h, true
	}
	return frameHead{}, false
}

// index files the frames: cluster frames by seq, and the snapshot records
// that can be decoded (a delta needs the record before it, back to a
// keyframe). It counts the records lost that way and those whose cluster
// frame is gone.
func (r *Reader) index(frames []frameLoc) (lostKey, lostCluster int) {
	decodable := map[uint32]bool{}
	for _, f := range frames {
		switch f.kind {
		case kindCluster:
			r.clusters[f.seq] = f
		case kindKey, kindDelta:
			if f.kind == kindDelta && !decodable[f.base] {
				lostKey++
				continue
			}
			decodable[f.seq] = true
			if _, ok := r.clusters[f.cluster]; f.cluster != 0 && !ok {
				lostCluster++
			}
			r.recs = append(r.recs, f)
		}
	}
	return lostKey, lostCluster
}

// describeDamage is the one warning about what scan skipped, "" when the
// file is whole: damage in the middle, records lost with it, records
// without their cluster, a cut end or a missing end mark.
func (r *Reader) describeDamage(size int64, bad []region, ended bool, lostKey, lostCluster int) string {
	var parts []string
	var middle []region
	var tail *region
	for i := range bad {
		if bad[i].end == size && i == len(bad)-1 {
			tail = &bad[i]
		} else {
			middle = append(middle, bad[i])
		}
	}
	if len(middle) > 0 {
		var n int64
		for _, b := range middle {
			n += b.end - b.start
		}
		parts = append(parts, fmt.Sprintf("skipped %d damaged byte(s) in %d place(s) from offset %d", n, len(middle), middle[0].start))
	}
	if lostKey > 0 {
		parts = append(parts, fmt.Sprintf("dropped %d record(s) after the damage up to the next keyframe", lostKey))
	}
	if lostCluster > 0 {
		parts = append(parts, fmt.Sprintf("%d record(s) replay without their cluster data", lostCluster))
	}
	if tail != nil {
		parts = append(parts, fmt.Sprintf("the end is cut short (%d byte(s) from offset %d skipped)", tail.end-tail.start, tail.start))
	} else if !ended {
		parts = append(parts, "no end mark (the recorder was killed, or is still writing)")
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: read %d record(s); %s", r.name, len(r.recs), strings.Join(parts, "; "))
}

// findMagic returns the offset of the next frame magic at or after pos, or
// size when there is none.
func (r *Reader) findMagic(pos, size int64) int64 {
	const chunk = 64 << 10
	buf := make([]byte, chunk+len(frameMagic)-1)
	for pos < size {
		n, err := r.ra.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
		if n == 0 && err != nil {
			return size
		}
		if i := bytes.Index(buf[:n], []byte(frameMagic)); i >= 0 {
			return pos + int64(i)
		}
		if int64(n) < int64(len(buf)) {
			return size
		}
		pos += chunk
	}
	return size
}

// Header returns the recording's header.
func (r *Reader) Header() Header { return r.h }

// Warning describes what was damaged and skipped, with how many records
// were read; "" for a recording that is whole and ended cleanly.
func (r *Reader) Warning() string { return r.warning }

// Len is the number of snapshots that can be replayed.
func (r *Reader) Len() int { return len(r.recs) }

// Time is record i's snapshot time, from the index (no decoding), in the
// recorded node's zone.
func (r *Reader) Time(i int) time.Time {
	if i < 0 || i >= len(r.recs) {
		return time.Time{}
	}
	return time.Unix(0, r.recs[i].time).In(r.loc)
}

// Index returns the record at or before t: 0 when t is before the first
// record, -1 when there are none. Times are in recording order; a clock
// that stepped back while recording makes the answer approximate.
func (r *Reader) Index(t time.Time) int {
	if len(r.recs) == 0 {
		return -1
	}
	ns := t.UnixNano()
	i := sort.Search(len(r.recs), func(i int) bool { return r.recs[i].time > ns }) - 1
	if i < 0 {
		i = 0
	}
	return i
}

// Close closes the file.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// At decodes record i into a snapshot, exactly as it was when recorded
// except what a recording never holds (environment values, credentials).
// Each call returns a new snapshot; their slices may be shared and must not
// be modified.
func (r *Reader) At(i int) (*model.Snapshot, error) {
	if i < 0 || i >= len(r.recs) {
		return nil, fmt.Errorf("replay %s: record %d out of range (0..%d)", r.name, i, len(r.recs)-1)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.at(i)
	if err != nil {
		return nil, fmt.Errorf("replay %s: record %d (%s): %w", r.name, i, r.Time(i).Format(time.TimeOnly), err)
	}
	return s, nil
}

func (r *Reader) at(i int) (*model.Snapshot, error) {
	j := i
	for j > 0 && r.recs[j].kind != kindKey {
		j--
	}
	if r.recs[j].kind != kindKey {
		return nil, errors.New("no keyframe before it")
	}
	k := r.key
	if k == nil || r.keyIdx < j || r.keyIdx > i {
		k = nil
	} else {
		j = r.keyIdx + 1
	}
	var rec *record
	for ; j <= i; j++ {
		f := r.recs[j]
		var err error
		if rec, err = r.record(f); err != nil {
			return nil, err
		}
		if f.kind == kindKey {
			if k, err = decodeKey(f.seq, rec); err != nil {
				return nil, err
			}
		} else {
			if k == nil || rec.Base != f.base || k.seq != f.base {
				return nil, fmt.Errorf("record %d does not follow the one it was written against", j)
			}
			if k, err = k.apply(f.seq, rec, true); err != nil {
				return nil, fmt.Errorf("record %d: %w", j, err)
			}
		}
		r.key, r.keyIdx = k, j
	}
	if rec == nil { // the state of i was cached; its cluster reference is in its record
		var err error
		if rec, err = r.record(r.recs[i]); err != nil {
			return nil, err
		}
	}
	s, err := k.snapshot()
	if err != nil {
		return nil, err
	}
	if ref := rec.Cluster; ref != nil {
		if c := r.cluster(ref.Seq); c != nil {
			cc := *c
			cc.Time, cc.Stale, cc.Errors = ref.Time, ref.Stale, ref.Errors
			// Snapshots share the decoded cluster: no spare capacity, so a
			// reader's append copies instead of writing into the others'.
			cc.Frameworks, cc.Tasks = slices.Clip(cc.Frameworks), slices.Clip(cc.Tasks)
			cc.Groups, cc.Apps = slices.Clip(cc.Groups), slices.Clip(cc.Apps)
			s.Cluster = &cc
		}
	}
	return s, nil
}

// record reads, checks and inflates one frame's payload.
func (r *Reader) record(f frameLoc) (*record, error) {
	data, err := r.payload(f)
	if err != nil {
		return nil, err
	}
	rec := &record{}
	if err := json.Unmarshal(data, rec); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return rec, nil
}

func (r *Reader) payload(f frameLoc) ([]byte, error) {
	b := make([]byte, frameHeadLen+int(f.n))
	if _, err := r.ra.ReadAt(b, f.off-frameHeadLen); err != nil && !(errors.Is(err, io.EOF) && f.n == 0) {
		return nil, fmt.Errorf("read: %w", err)
	}
	if _, crc, ok := parseFrameHead(b); !ok || frameCRC(b, b[frameHeadLen:]) != crc {
		return nil, errors.New("checksum mismatch (the file changed since it was opened)")
	}
	data, err := decompress(b[frameHeadLen:])
	if err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	return data, nil
}

// cluster decodes a cluster frame, keeping the last few: replay asks for the
// same one again and again.
func (r *Reader) cluster(seq uint32) *model.Cluster {
	if c, ok := r.clCache[seq]; ok {
		return c
	}
	f, ok := r.clusters[seq]
	if !ok {
		return nil
	}
	data, err := r.payload(f)
	if err != nil {
		return nil
	}
	c := &model.Cluster{}
	if err := json.Unmarshal(data, c); err != nil {
		return nil
	}
	if len(r.clOrder) >= 4 {
		delete(r.clCache, r.clOrder[0])
		r.clOrder = r.clOrder[1:]
	}
	r.clCache[seq] = c
	r.clOrder = append(r.clOrder, seq)
	return c
}
