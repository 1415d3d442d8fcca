// Package podman opens Podman's handler: the Docker API handler
// (../docker) pointed at Podman's Docker-compatible service.
package podman

import (
	"context"
	"os"

	"github.com/docker/docker/client"

	"github.com/ctop-like/ctop-like/internal/collector/runtime"
	"github.com/ctop-like/ctop-like/internal/collector/runtime/docker"
	"github.com/ctop-like/ctop-like/internal/model"
)

// podmanDefaultHost is where a root Podman serves its Docker-compatible
// API (`podman system service`, or the podman.socket unit).
const podmanDefaultHost = "unix:///run/podman/podman.sock"

// Open is Podman's factory: the Docker handler pointed at Podman's
// Docker-compatible API (host: --podman-host, else CONTAINER_HOST, or the
// default socket); "none" disables it. Without the API service Podman's
// cgroups still show, named by their short id; the error is shown only for
// a host the user named.
func Open(ctx context.Context, host string) runtime.Handler {
	named := host != ""
	if host == "none" {
		return nil
	}
	if host == "" {
		host, named = os.Getenv("CONTAINER_HOST"), os.Getenv("CONTAINER_HOST") != ""
	}
	if host == "" {
		host = podmanDefaultHost
	}
	// No client.FromEnv: DOCKER_HOST and DOCKER_CERT_PATH are Docker's.
	return docker.NewEngine(ctx, model.RuntimePodman, host, !named, func(*client.Client) error { return nil })
}
