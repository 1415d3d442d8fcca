package logs

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
)

// EngineAPI is the part of the Docker API a container log needs; the
// Docker client satisfies it, for Docker and for Podman's Docker-compatible
// service alike.
type EngineAPI interface {
	ContainerInspect(ctx context.Context, id string) (container.InspectResponse, error)
	ContainerLogs(ctx context.Context, id string, opts container.LogsOptions) (io.ReadCloser, error)
}

// Engine is the log of a Docker or Podman container read through the
// engine's API (`docker logs`): whatever driver the container logs to, as
// long as the engine can read it back (json-file, local, journald, Podman's
// k8s-file). A driver that keeps nothing (`none`) is ErrNoLogs.
type Engine struct {
	API EngineAPI
	// ID is the container's id or name.
	ID string
	// Runtime names the engine in messages: "docker" or "podman".
	Runtime string
	// Hold bounds the text held while the last lines are gathered:
	// MaxHeld when zero.
	Hold int
}

// Stream implements Source. The tail counts lines, not the engine's
// messages (see window.go). Following ends, with an *EndedError saying
// how, when the container stops or is removed.
func (e Engine) Stream(ctx context.Context, tail int, follow bool, out chan<- Line) error {
	info, err := e.API.ContainerInspect(ctx, e.ID)
	if err != nil {
		return fmt.Errorf("%s container %s: %w", e.Runtime, e.ID, err)
	}
	if info.HostConfig != nil && info.HostConfig.LogConfig.Type == "none" {
		return fmt.Errorf("%s container %s: its log driver is \"none\": %w", e.Runtime, e.ID, ErrNoLogs)
	}
	tty := info.Config != nil && info.Config.Tty
	emit := sender(ctx, out)
	if tail <= 0 {
		// Every line, or only new ones: nothing to count.
		opts := e.options(follow, "all")
		if tail == 0 {
			opts.Tail = "0"
		}
		rc, err := e.API.ContainerLogs(ctx, e.ID, opts)
		if err != nil {
			return fmt.Errorf("%s container %s logs: %w", e.Runtime, e.ID, err)
		}
		defer rc.Close()
		return e.follow(ctx, rc, tty, follow, emit)
	}
	var live *attachment
	if follow {
		// Lines written while the window is read come on this stream, and
		// the window's lines are left out of it (window.seam): nothing is
		// lost between the two, nothing shown twice.
		live = e.attach(ctx)
		defer live.close()
	}
	w, whole, err := e.window(ctx, tail, tty, follow)
	if err != nil {
		return quiet(ctx, err)
	}
	if err := w.send(whole, emit); err != nil {
		return quiet(ctx, err)
	}
	if !follow {
		return nil
	}
	rc, err := live.wait(ctx)
	if err != nil {
		return quiet(ctx, fmt.Errorf("%s container %s logs: %w", e.Runtime, e.ID, err))
	}
	return e.follow(ctx, rc, tty, true, w.seam(emit))
}

func (e Engine) options(follow bool, tail string) container.LogsOptions {
	return container.LogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true, Follow: follow, Tail: tail}
}

// follow copies a log stream to emit until it ends, then says why.
func (e Engine) follow(ctx context.Context, rc io.Reader, tty, follow bool, emit func(Line) error) error {
	err := copyLog(rc, tty, emit, nil)
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s container %s logs: %w", e.Runtime, e.ID, err)
	}
	if !follow {
		return nil
	}
	return &EndedError{Reason: e.why(ctx)}
}

// window reads the engine's last messages, more of them while they hold
// fewer than tail lines whose start was read, and says whether they are the
// whole log; follow: a followed stream will go on after it.
func (e Engine) window(ctx context.Context, tail int, tty, follow bool) (*window, bool, error) {
	hold := e.Hold
	if hold <= 0 {
		hold = MaxHeld
	}
	k, prev := tail+2, -1
	for {
		w := newWindow(tail, hold, tty, follow)
		rc, err := e.API.ContainerLogs(ctx, e.ID, e.options(false, strconv.Itoa(k)))
		if err != nil {
			return nil, false, fmt.Errorf("%s container %s logs: %w", e.Runtime, e.ID, err)
		}
		err = copyLog(rc, tty, w.add, w)
		rc.Close()
		if err != nil {
			w.release()
			return nil, false, fmt.Errorf("%s container %s logs: %w", e.Runtime, e.ID, err)
		}
		// On a TTY with a long line the messages cannot be counted: the
		// log is whole when asking for more brought nothing more.
		whole := w.whole(k) || (w.long && w.messages == prev)
		if whole || w.certain() >= tail || k >= tail+2+maxWindow {
			return w, whole, nil
		}
		prev = w.messages
		w.release()
		k = min(k*4, tail+2+maxWindow)
	}
}

// attachment is a followed log stream asked for in the background: Podman
// answers a follow only once there is a new line.
type attachment struct {
	done   chan struct{}
	cancel context.CancelFunc
	rc     io.ReadCloser
	err    error
}

// attachWait is how long attach waits for the engine to answer before the
// window is read: Docker answers at once, once it follows the log.
const attachWait = 500 * time.Millisecond

// attach starts following the log from its end.
func (e Engine) attach(ctx context.Context) *attachment {
	ctx, cancel := context.WithCancel(ctx)
	a := &attachment{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(a.done)
		a.rc, a.err = e.API.ContainerLogs(ctx, e.ID, e.options(true, "0"))
	}()
	t := time.NewTimer(attachWait)
	defer t.Stop()
	select {
	case <-a.done:
	case <-t.C:
	case <-ctx.Done():
	}
	return a
}

// wait returns the followed stream once the engine answered.
func (a *attachment) wait(ctx context.Context) (io.ReadCloser, error) {
	select {
	case <-a.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return a.rc, a.err
}

// close ends the followed stream.
func (a *attachment) close() {
	a.cancel()
	<-a.done
	if a.rc != nil {
		a.rc.Close()
	}
}

// why says why a followed log stream ended.
func (e Engine) why(ctx context.Context) string {
	info, err := e.API.ContainerInspect(ctx, e.ID)
	switch {
	case cerrdefs.IsNotFound(err):
		return "the container was removed"
	case err != nil:
		return fmt.Sprintf("the %s log stream ended (%v)", e.Runtime, err)
	case info.State == nil || info.State.Running:
		return fmt.Sprintf("%s closed the log stream", e.Runtime)
	case info.State.OOMKilled:
		return fmt.Sprintf("the container was killed for lack of memory (exit code %d)", info.State.ExitCode)
	}
	return fmt.Sprintf("the container exited with code %d", info.State.ExitCode)
}
