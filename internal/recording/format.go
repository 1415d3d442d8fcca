// Package recording writes snapshots to a file while the tool runs and reads
// them back, so a node's past (what it did at 3 a.m.) can be replayed with
// the same views, screen and batch output as live data. FORMAT.md describes
// the file.
package recording

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
)

// Version is the file format version this package writes; Open refuses a
// newer one rather than misreading it.
const Version = 1

// DefaultKeyframeEvery is how often a complete record is written when the
// header does not say. Deltas chain from a keyframe, so this bounds what a
// damaged record costs (the rest of its run) and what a seek decodes; 60 is
// 10 minutes at -d 10s, 2 minutes at the default 2 s.
const DefaultKeyframeEvery = 60

const (
	fileMagic     = "CTOPLREC" // first 8 bytes of a recording
	frameMagic    = "CTLr"     // first 4 bytes of every frame; lets a reader resync
	fileHeadLen   = 8 + 2 + 4  // magic, version, header length
	frameHeadLen  = 4 + 1 + 4 + 4 + 4 + 8 + 4 + 4
	maxHeaderLen  = 1 << 20
	maxPayloadLen = 256 << 20
	maxDecoded    = 1 << 30 // refuse to inflate a record beyond this
)

// Frame kinds.
const (
	kindKey     byte = 'K' // a complete snapshot
	kindDelta   byte = 'D' // a snapshot as changes against a keyframe
	kindCluster byte = 'C' // a cluster state, referred to by snapshots
	kindEnd     byte = 'E' // written by Close: the recording ended cleanly
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Header describes a recording: where and how it was made. It is written
// once at the start of the file, uncompressed, so `head -c 400` shows it.
type Header struct {
	// Version is the format version; Create sets it, Open reports the file's.
	Version int `json:"version"`
	// Host is the node recorded.
	Host string `json:"host"`
	// Start is when recording began (its zone is the node's, used to show
	// replay times as the node's clock showed them).
	Start time.Time `json:"start"`
	// Interval is the collector's refresh interval (-d) while recording;
	// replay plays at this pace by default.
	Interval time.Duration `json:"interval"`
	// KeyframeEvery is how often a complete record was written; Create
	// fills in DefaultKeyframeEvery when 0.
	KeyframeEvery int `json:"keyframe_every"`
	// Tool names the program and version that wrote the file.
	Tool string `json:"tool,omitempty"`
	// Settings are the collector and orchestrator settings in force
	// (proc_root, cgroup_root, all, orchestrator_interval, mesos...); URL
	// credentials are removed before they are written.
	Settings map[string]string `json:"settings,omitempty"`
}

// encodeHeader returns the file header bytes.
func encodeHeader(h Header) ([]byte, error) {
	js, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	js = redactJSON(js)
	b := make([]byte, 0, fileHeadLen+len(js)+4)
	b = append(b, fileMagic...)
	b = binary.BigEndian.AppendUint16(b, Version)
	b = binary.BigEndian.AppendUint32(b, uint32(len(js)))
	b = append(b, js...)
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(js, castagnoli))
	return b, nil
}

var errNotRecording = errors.New("not a ctop-like recording")

// decodeHeader reads the file header from the start of the file; it returns
// the header and its length in bytes.
func decodeHeader(b []byte) (Header, int, error) {
	var h Header
	if len(b) < fileHeadLen {
		if len(b) < len(fileMagic) && string(b) != fileMagic[:len(b)] {
			return h, 0, errNotRecording
		}
		return h, 0, fmt.Errorf("header truncated (%d bytes)", len(b))
	}
	if string(b[:8]) != fileMagic {
		return h, 0, errNotRecording
	}
	v := binary.BigEndian.Uint16(b[8:])
	if v == 0 || v > Version {
		return h, 0, fmt.Errorf("format version %d, this build reads up to %d", v, Version)
	}
	n := binary.BigEndian.Uint32(b[10:])
	if n > maxHeaderLen {
		return h, 0, fmt.Errorf("header length %d is implausible", n)
	}
	end := fileHeadLen + int(n) + 4
	if len(b) < end {
		return h, 0, fmt.Errorf("header truncated (%d of %d bytes)", len(b), end)
	}
	js := b[fileHeadLen : fileHeadLen+int(n)]
	if crc32.Checksum(js, castagnoli) != binary.BigEndian.Uint32(b[end-4:]) {
		return h, 0, errors.New("header checksum mismatch")
	}
	if err := json.Unmarshal(js, &h); err != nil {
		return h, 0, fmt.Errorf("header: %w", err)
	}
	h.Version = int(v)
	return h, end, nil
}

// frameHead is the fixed part before each payload.
type frameHead struct {
	kind    byte
	seq     uint32
	base    uint32 // a delta's keyframe seq; 0 otherwise
	cluster uint32 // a snapshot's cluster frame seq; 0 for none
	time    int64  // unix nanoseconds of the snapshot (or cluster fetch)
	n       uint32
}

// appendFrame appends one frame: magic, kind, seq, base, cluster, time,
// length, CRC-32C of everything after the magic (head fields and payload),
// payload. Base and cluster are in the head so a reader can tell which
// records lost what they refer to without inflating any.
func appendFrame(b []byte, h frameHead, payload []byte) []byte {
	start := len(b)
	b = append(b, frameMagic...)
	b = append(b, h.kind)
	b = binary.BigEndian.AppendUint32(b, h.seq)
	b = binary.BigEndian.AppendUint32(b, h.base)
	b = binary.BigEndian.AppendUint32(b, h.cluster)
	b = binary.BigEndian.AppendUint64(b, uint64(h.time))
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	crc := crc32.Update(0, castagnoli, b[start+4:])
	crc = crc32.Update(crc, castagnoli, payload)
	b = binary.BigEndian.AppendUint32(b, crc)
	return append(b, payload...)
}

// parseFrameHead reads a frame head; ok is false when the magic or kind is
// wrong or the length is implausible.
func parseFrameHead(b []byte) (h frameHead, crc uint32, ok bool) {
	if len(b) < frameHeadLen || string(b[:4]) != frameMagic {
		return h, 0, false
	}
	h.kind = b[4]
	h.seq = binary.BigEndian.Uint32(b[5:])
	h.base = binary.BigEndian.Uint32(b[9:])
	h.cluster = binary.BigEndian.Uint32(b[13:])
	h.time = int64(binary.BigEndian.Uint64(b[17:]))
	h.n = binary.BigEndian.Uint32(b[25:])
	crc = binary.BigEndian.Uint32(b[29:])
	switch h.kind {
	case kindKey, kindDelta, kindCluster, kindEnd:
	default:
		return h, 0, false
	}
	return h, crc, h.n <= maxPayloadLen
}

// frameCRC is the checksum a frame with this head and payload must carry.
func frameCRC(head, payload []byte) uint32 {
	crc := crc32.Update(0, castagnoli, head[4:frameHeadLen-4])
	return crc32.Update(crc, castagnoli, payload)
}
