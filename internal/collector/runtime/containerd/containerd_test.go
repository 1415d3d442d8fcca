package containerd

import "testing"

// Issue 19 item 11: where a Kubernetes container's runtime writes its
// log: containerd's CRI plugin keeps it in its record of the container
// (the extension io.cri-containerd.container.metadata, JSON of
// pkg/cri/store/container's Metadata, built here from that type: no
// kubelet runs here). CRI-O's half of this test is in ../crio.
func TestCRILogPaths(t *testing.T) {
	ext := `{"Version":"v1","Metadata":{"ID":"4e1b","Name":"nginx","SandboxID":"9c0d",` +
		`"Config":{"metadata":{"name":"nginx","attempt":2},"log_path":"nginx/2.log"},` +
		`"ImageRef":"sha256:0123","LogPath":"/var/log/pods/shop_web-0_1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/nginx/2.log",` +
		`"StopSignal":"SIGQUIT","ProcessLabel":""}}`
	if got := criLogPath([]byte(ext)); got != "/var/log/pods/shop_web-0_1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/nginx/2.log" {
		t.Errorf("containerd's CRI record: log path %q", got)
	}
	if got := criLogPath(nil); got != "" {
		t.Errorf("no record: %q", got)
	}
}
