package logs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CRI is the log of a Kubernetes container as its runtime writes it for
// the kubelet (containerd's CRI plugin, CRI-O): one line per
//
//	2016-10-06T00:17:09.669794202Z stdout F text
//
// the time the runtime received the line, the stream, a tag — F for a
// full line, P for a part of a longer one, joined to the parts that follow
// up to the next F — and the text. Lines not in this format are kept as
// they are, on stdout, without a time.
//
// The file is read as File reads a log known by its path (see open.go):
// its directory is the runtime's, a link or anything but a regular file
// at its name is never followed, and rotation (the kubelet renames it and
// the runtime reopens it) and truncation are followed. --tail counts the
// file's lines, parts included.
type CRI struct {
	// Path is the log file (CRI-O's log_path, or the kubelet's
	// /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log).
	Path string
	// Alive, when set, is asked at every poll while following, as File's.
	Alive func() error
	// Poll is how often a followed file is checked; 250 ms when zero.
	Poll time.Duration
}

// Stream implements Source.
func (c CRI) Stream(ctx context.Context, tail int, follow bool, out chan<- Line) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	raw := make(chan Line, 64)
	done := make(chan error, 1)
	go func() {
		done <- File{Path: c.Path, Std: Stdout, Alive: c.Alive, Poll: c.Poll}.Stream(ctx, tail, follow, raw)
		close(raw)
	}()
	send := sender(ctx, out)
	var j criJoin
	var sendErr error
	for l := range raw {
		for _, full := range j.add(l) {
			if sendErr == nil { // else draining: the reader stops with ctx
				if sendErr = send(full); sendErr != nil {
					cancel()
				}
			}
		}
	}
	err := <-done
	if sendErr != nil {
		return nil // ctx ended
	}
	if part, ok := j.rest(); ok && ctx.Err() == nil {
		// The file ends within a line the runtime has not finished.
		if serr := send(part); serr != nil {
			return nil
		}
	}
	return err
}

// criJoin turns a CRI log's lines into the lines they carry: parts (P)
// are held until their full line's end (F), at most MaxLine bytes of it.
type criJoin struct {
	buf     []byte
	first   Line // the held line's time and stream
	cut     bool
	pending bool
}

// add takes one line of the file and returns the lines it completes:
// none while a line's parts come, the line at its end.
func (j *criJoin) add(l Line) []Line {
	t, stream, partial, text, ok := parseCRI(l.Text)
	if !ok {
		// Not the CRI's format: as written, after any held part.
		if held, ok := j.rest(); ok {
			return []Line{held, l}
		}
		return []Line{l}
	}
	if !j.pending {
		j.first = Line{Time: t, Stream: stream}
		j.buf, j.cut, j.pending = j.buf[:0], false, true
	}
	if !j.cut {
		// A part the file's reader cut (longer than MaxLine with its
		// prefix) lost its end: the line keeps what came before.
		if room := MaxLine - len(j.buf); len(text) > room {
			j.buf, j.cut = append(j.buf, text[:room]...), true
		} else {
			j.buf = append(j.buf, text...)
		}
		j.cut = j.cut || l.Cut
	}
	if partial {
		return nil
	}
	full, _ := j.rest()
	return []Line{full}
}

// rest returns a held part whose full line never came, and forgets it.
func (j *criJoin) rest() (Line, bool) {
	if !j.pending {
		return Line{}, false
	}
	l := j.first
	l.Text, l.Cut = strings.ToValidUTF8(string(j.buf), "\uFFFD"), j.cut
	j.pending = false
	return l, true
}

// parseCRI reads one line of a CRI log: "<RFC 3339 time> <stdout|stderr>
// <tag> <text>", the tag F or P, maybe followed by ":"-separated others.
func parseCRI(line string) (t time.Time, stream string, partial bool, text string, ok bool) {
	ts, rest, ok1 := strings.Cut(line, " ")
	stream, rest, ok2 := strings.Cut(rest, " ")
	tag, text, _ := strings.Cut(rest, " ")
	if !ok1 || !ok2 || stream != Stdout && stream != Stderr {
		return time.Time{}, "", false, "", false
	}
	kind, _, _ := strings.Cut(tag, ":")
	if kind != "F" && kind != "P" {
		return time.Time{}, "", false, "", false
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, "", false, "", false
	}
	return t, stream, kind == "P", text, true
}

// PodsDir is where the kubelet has the runtimes write its containers' logs.
const PodsDir = "/var/log/pods"

// CRI labels that name a Kubernetes container (the kubelet sets them on
// every container it asks a runtime for).
const (
	labelPodNamespace = "io.kubernetes.pod.namespace"
	labelPodName      = "io.kubernetes.pod.name"
	labelPodUID       = "io.kubernetes.pod.uid"
	labelContainer    = "io.kubernetes.container.name"
)

// KubeletLog is the log file of a Kubernetes container under root
// (PodsDir) from its CRI labels, as the kubelet lays them out:
// <namespace>_<pod>_<uid>/<container>/<n>.log, n its restart count (the
// highest there is the current run's). ok is false for a container
// without these labels (not the kubelet's); an error says why a
// Kubernetes container's log is not there.
func KubeletLog(root string, labels map[string]string) (path string, ok bool, err error) {
	ns, pod, uid, name := labels[labelPodNamespace], labels[labelPodName], labels[labelPodUID], labels[labelContainer]
	if name == "" {
		return "", false, nil
	}
	for _, el := range []string{ns, pod, uid, name} {
		if el == "" || el == "." || el == ".." || strings.ContainsAny(el, "/\x00") {
			return "", true, fmt.Errorf("the container's Kubernetes labels do not name its log (pod %q, namespace %q, uid %q, container %q)", pod, ns, uid, name)
		}
	}
	dir := filepath.Join(root, ns+"_"+pod+"_"+uid, name)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", true, fmt.Errorf("the kubelet's log folder: %w", err)
	}
	best := -1
	for _, e := range ents {
		n, err := strconv.Atoi(strings.TrimSuffix(e.Name(), ".log"))
		if err == nil && n >= 0 && e.Name() == strconv.Itoa(n)+".log" && n > best {
			best = n
		}
	}
	if best < 0 {
		return "", true, fmt.Errorf("%s holds no <n>.log", dir)
	}
	return filepath.Join(dir, strconv.Itoa(best)+".log"), true, nil
}

// CgroupAlive is an Alive for the log of a container whose processes are
// those of the cgroup directory dir: an error once it is empty or gone
// ("" for a container that runs nothing now).
func CgroupAlive(dir string) func() error {
	return func() error {
		if dir == "" {
			return errors.New("the container is not running")
		}
		pids, err := readPids(dir)
		if err != nil {
			return fmt.Errorf("the container's cgroup %s was removed", dir)
		}
		if len(pids) == 0 {
			return errors.New("every process of the container exited")
		}
		return nil
	}
}
