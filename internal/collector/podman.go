package collector

import (
	"context"
	"os"

	"github.com/docker/docker/client"

	"github.com/ctop-like/ctop-like/internal/model"
)

// podmanDefaultHost is where a root Podman serves its Docker-compatible
// API (`podman system service`, or the podman.socket unit).
const podmanDefaultHost = "unix:///run/podman/podman.sock"

// openPodman is Podman's factory: the Docker handler pointed at Podman's
// Docker-compatible API (--podman-host, CONTAINER_HOST, or the default
// socket); "none" disables it. Without the API service Podman's cgroups
// still show, named by their short id; the error is shown only for a host
// the user named.
func openPodman(ctx context.Context, cfg Config) Runtime {
	host, named := cfg.PodmanHost, cfg.PodmanHost != ""
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
	return newEngine(ctx, model.RuntimePodman, host, !named, func(*client.Client) error { return nil })
}
