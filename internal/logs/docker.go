package logs

import (
	"context"
	"fmt"
	"io"
	"strconv"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
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
}

// Stream implements Source. Following ends, with an *EndedError saying
// how, when the container stops or is removed.
func (e Engine) Stream(ctx context.Context, tail int, follow bool, out chan<- Line) error {
	info, err := e.API.ContainerInspect(ctx, e.ID)
	if err != nil {
		return fmt.Errorf("%s container %s: %w", e.Runtime, e.ID, err)
	}
	if info.HostConfig != nil && info.HostConfig.LogConfig.Type == "none" {
		return fmt.Errorf("%s container %s: its log driver is \"none\": %w", e.Runtime, e.ID, ErrNoLogs)
	}
	opts := container.LogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true, Follow: follow, Tail: "all"}
	if tail >= 0 {
		opts.Tail = strconv.Itoa(tail)
	}
	rc, err := e.API.ContainerLogs(ctx, e.ID, opts)
	if err != nil {
		return fmt.Errorf("%s container %s logs: %w", e.Runtime, e.ID, err)
	}
	defer rc.Close()
	emit := sender(ctx, out)
	stdout := &splitter{stream: Stdout, stamped: true, emit: emit}
	stderr := &splitter{stream: Stderr, stamped: true, emit: emit}
	if info.Config != nil && info.Config.Tty {
		// A TTY merges both streams and the engine sends them raw.
		_, err = io.Copy(stdout, rc)
	} else {
		_, err = stdcopy.StdCopy(stdout, stderr, rc)
	}
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s container %s logs: %w", e.Runtime, e.ID, err)
	}
	if err := stdout.flush(); err != nil {
		return quiet(ctx, err)
	}
	if err := stderr.flush(); err != nil {
		return quiet(ctx, err)
	}
	if !follow {
		return nil
	}
	return &EndedError{Reason: e.why(ctx)}
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
