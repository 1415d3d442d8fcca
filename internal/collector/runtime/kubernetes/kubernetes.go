// Package kubernetes reads what the CRI says of a Kubernetes pod's
// containers, whichever runtime runs them (cri-dockerd, containerd's
// k8s.io namespace, CRI-O): their pod, namespace and name from the labels
// the kubelet puts on them, and the pod's pause container.
package kubernetes

import (
	"strings"

	"github.com/ctop-like/ctop-like/internal/model"
)

// The labels the CRI puts on a Kubernetes pod's containers (cri-dockerd,
// containerd's k8s.io namespace, CRI-O), and those that mark the pod's
// pause ("sandbox") container.
const (
	LabelPodName       = "io.kubernetes.pod.name"
	LabelPodNamespace  = "io.kubernetes.pod.namespace"
	LabelPodUID        = "io.kubernetes.pod.uid"
	LabelContainerName = "io.kubernetes.container.name"
	// containerd's CRI: "sandbox" or "container".
	containerdKind = "io.cri-containerd.kind"
	// cri-dockerd (and dockershim before it): "podsandbox" or "container".
	dockershimType = "io.kubernetes.docker.type"
)

// Apply fills a pod's container's pod, namespace and name from
// its CRI labels and marks the pod's pause container as its sandbox. A
// CRI-O container whose engine did not answer still gets its pod's uid
// from the cgroup path.
func Apply(c *model.ContainerSample, sandbox bool) {
	l := c.Labels
	c.Pod = l[LabelPodName]
	c.Namespace = l[LabelPodNamespace]
	c.Sandbox = sandbox || l[containerdKind] == "sandbox" || l[dockershimType] == "podsandbox"
	if n := l[LabelContainerName]; n != "" && n != "POD" {
		c.Name = n
	} else if c.Sandbox && c.Pod != "" {
		c.Name = c.Pod + " (sandbox)"
	}
	if c.Labels == nil {
		if uid := podUID(c.Cgroup); uid != "" {
			c.Labels = map[string]string{LabelPodUID: uid}
		}
	}
}

// podUID is the Kubernetes pod uid in a cgroup path: cgroupfs
// ".../pod<uid>/..." or systemd ".../kubepods-<qos>-pod<uid with _>.slice/...";
// "" when the path is not a pod's.
func podUID(p string) string {
	for el := range strings.SplitSeq(p, "/") {
		if uid, ok := strings.CutPrefix(el, "pod"); ok && len(uid) >= 32 && !strings.Contains(uid, ".") {
			return uid
		}
		if strings.HasPrefix(el, "kubepods-") && strings.HasSuffix(el, ".slice") {
			if i := strings.LastIndex(el, "-pod"); i >= 0 {
				uid := strings.TrimSuffix(el[i+4:], ".slice")
				if len(uid) >= 32 {
					return strings.ReplaceAll(uid, "_", "-")
				}
			}
		}
	}
	return ""
}
