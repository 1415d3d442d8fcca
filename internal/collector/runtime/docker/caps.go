package docker

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/logs"
	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/shell"
)

// What the Docker API offers besides reading, for Docker and Podman alike
// (runtime's capability interfaces).
var (
	_ runtime.Stopper   = (*Handler)(nil)
	_ runtime.Restarter = (*Handler)(nil)
	_ runtime.Pauser    = (*Handler)(nil)
	_ runtime.Killer    = (*Handler)(nil)
	_ runtime.Remover   = (*Handler)(nil)
	_ runtime.Sheller   = (*Handler)(nil)
	_ runtime.Logger    = (*Handler)(nil)
	_ runtime.Finder    = (*Handler)(nil)
	_ runtime.Titled    = (*Handler)(nil)
)

// Title implements runtime.Titled: "Docker" or "Podman".
func (d *Handler) Title() string {
	if d.Name() == model.RuntimePodman {
		return "Podman"
	}
	return "Docker"
}

// Remove implements runtime.Remover: `docker rm` of a stopped container
// (a running one is refused by the engine).
func (d *Handler) Remove(ctx context.Context, id string) error {
	return d.do("remove", id, func() error { return d.cli.ContainerRemove(ctx, id, container.RemoveOptions{}) })
}

// Shell implements runtime.Sheller through the engine's exec API.
func (d *Handler) Shell(ctx context.Context, id string, cmd []string, t shell.Terminal) (int, error) {
	if d.cli == nil {
		return -1, d.unreachable()
	}
	return shell.Exec(ctx, d.cli, id, cmd, t)
}

// Log implements runtime.Logger: the engine's `docker logs`.
func (d *Handler) Log(id string) (logs.Source, error) {
	if d.cli == nil {
		return nil, d.unreachable()
	}
	return logs.Engine{API: d.cli, ID: id, Runtime: d.Name()}, nil
}

// Find implements runtime.Finder: the engine's inspect, which takes a full
// id, a name or an id prefix.
func (d *Handler) Find(ctx context.Context, ref string) (id, name string, ok bool) {
	if d.cli == nil {
		return "", "", false
	}
	info, err := d.cli.ContainerInspect(ctx, ref)
	if err != nil || info.ContainerJSONBase == nil {
		return "", "", false
	}
	return info.ID, strings.TrimPrefix(info.Name, "/"), true
}

// unreachable is the error of an action on an engine never reached.
func (d *Handler) unreachable() error {
	if err := d.Err(); err != nil {
		return err
	}
	return fmt.Errorf("%s is not reachable from ctop-like (--%s-host)", d.Name(), d.Name())
}
