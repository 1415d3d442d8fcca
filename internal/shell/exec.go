package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// ExecAPI is the part of the Docker API an exec needs; the Docker client
// satisfies it, for Docker and for Podman's Docker-compatible service.
type ExecAPI interface {
	ContainerExecCreate(ctx context.Context, id string, opts container.ExecOptions) (container.ExecCreateResponse, error)
	ContainerExecAttach(ctx context.Context, execID string, opts container.ExecAttachOptions) (types.HijackedResponse, error)
	ContainerExecResize(ctx context.Context, execID string, opts container.ResizeOptions) error
	ContainerExecInspect(ctx context.Context, execID string) (container.ExecInspect, error)
}

// Exec runs cmd (normally /bin/sh) in the container with a TTY, as
// `docker exec -it` does: the terminal is put in raw mode, its size follows
// SIGWINCH, and when the command ends the terminal's modes are restored and
// its exit code returned. Input is read only while the command runs, so no
// key meant for the screen afterwards is lost.
func Exec(ctx context.Context, api ExecAPI, id string, cmd []string, tty Terminal) (int, error) {
	opts := container.ExecOptions{Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, Cmd: cmd}
	if v := os.Getenv("TERM"); v != "" {
		opts.Env = []string{"TERM=" + v}
	}
	w, h := tty.size()
	if w > 0 {
		opts.ConsoleSize = &[2]uint{uint(h), uint(w)}
	}
	created, err := api.ContainerExecCreate(ctx, id, opts)
	if err != nil {
		return -1, fmt.Errorf("exec in %s: %w", id, err)
	}
	hj, err := api.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{Tty: true, ConsoleSize: opts.ConsoleSize})
	if err != nil {
		return -1, fmt.Errorf("exec in %s: attach: %w", id, err)
	}
	defer hj.Close()

	restore := tty.saveModes()
	defer restore()
	if _, err := term.MakeRaw(int(tty.In.Fd())); err != nil && term.IsTerminal(int(tty.In.Fd())) {
		return -1, fmt.Errorf("exec in %s: raw terminal: %w", id, err)
	}

	// Older engines (API < 1.42) ignore ConsoleSize: size it now, and on
	// every SIGWINCH.
	resize := func() {
		if w, h := tty.size(); w > 0 {
			api.ContainerExecResize(ctx, created.ID, container.ResizeOptions{Height: uint(h), Width: uint(w)})
		}
	}
	resize()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	defer signal.Stop(winch)
	stopWinch := make(chan struct{})
	defer close(stopWinch)
	go func() {
		for {
			select {
			case <-winch:
				resize()
			case <-stopWinch:
				return
			}
		}
	}()

	output := make(chan error, 1)
	go func() {
		_, err := io.Copy(tty.Out, hj.Reader)
		output <- err
	}()
	stop := make(chan struct{})
	var in sync.WaitGroup
	in.Add(1)
	go func() {
		defer in.Done()
		copyInput(stop, tty.In, hj.Conn)
		hj.CloseWrite()
	}()
	select {
	case err = <-output:
	case <-ctx.Done():
		err = ctx.Err()
	}
	close(stop)
	in.Wait()
	if err != nil {
		return -1, fmt.Errorf("exec in %s: %w", id, err)
	}
	ins, err := api.ContainerExecInspect(context.WithoutCancel(ctx), created.ID)
	if err != nil {
		return -1, fmt.Errorf("exec in %s: %w", id, err)
	}
	return ins.ExitCode, nil
}

// copyInput copies what the operator types to w until stop is closed. It
// waits for input with poll and reads only what is there, so once it
// returns no read is left pending on the terminal to steal the next key.
func copyInput(stop <-chan struct{}, in *os.File, w io.Writer) {
	fd := int(in.Fd())
	buf := make([]byte, 4096)
	for {
		select {
		case <-stop:
			return
		default:
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 50)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return
		}
		if n == 0 {
			continue
		}
		if fds[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0 && fds[0].Revents&unix.POLLIN == 0 {
			return
		}
		m, err := unix.Read(fd, buf)
		if m > 0 {
			if _, werr := w.Write(buf[:m]); werr != nil {
				return
			}
		}
		if err != nil && !errors.Is(err, unix.EINTR) && !errors.Is(err, unix.EAGAIN) {
			return
		}
		if m == 0 && err == nil {
			return
		}
	}
}
