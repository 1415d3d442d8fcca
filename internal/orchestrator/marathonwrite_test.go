package orchestrator

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// A write to Marathon carries the credentials its reads carry, and goes
// nowhere else: the -m URL's user:password (DCOS_ACS_TOKEN instead when
// set) to the Marathon it names, nothing to one found in Mesos's
// frameworks, and no writer for a Marathon the poller does not read.
func TestMarathonWriterCarriesTheReadsCredentials(t *testing.T) {
	var mu sync.Mutex
	var auth []string
	groups := fixture(t, "marathon/pairA_v2_groups_embed-tasks.json")
	mar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Write(groups)
			return
		}
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write([]byte(`{"version":"2016-12-20T09:43:37.536Z","deploymentId":"5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43"}`))
	}))
	defer mar.Close()
	last := func() string {
		mu.Lock()
		defer mu.Unlock()
		return auth[len(auth)-1]
	}
	write := func(p *Poller, base string) error {
		api, e, err := p.MarathonWriter(base)
		if err != nil {
			return err
		}
		_, err = api.Do(context.Background(), e, http.MethodPost, "/v2/apps/shop/api/restart", nil, nil)
		return err
	}
	withUser := strings.Replace(mar.URL, "://", "://ops:s3cret@", 1)

	p := newTestPoller(t, "http://127.0.0.1:1", withUser+"/")
	if err := write(p, mar.URL); err != nil {
		t.Fatal(err)
	}
	if got, want := last(), "Basic "+base64.StdEncoding.EncodeToString([]byte("ops:s3cret")); got != want {
		t.Errorf("-m user:password: Authorization %q, want %q", got, want)
	}

	p, err := NewPoller(Config{URLs: []string{"http://127.0.0.1:1", withUser}, Token: "eyJhbGciOi.dcos", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := write(p, mar.URL); err != nil {
		t.Fatal(err)
	}
	if got := last(); got != "token=eyJhbGciOi.dcos" {
		t.Errorf("DCOS_ACS_TOKEN: Authorization %q", got)
	}
	if err := write(p, "http://127.0.0.1:2"); err == nil {
		t.Error("a writer for a Marathon that -m does not name")
	}

	// Found as the marathon framework's webui_url: no credentials, even
	// with a user:password on the master's URL.
	body := strings.Replace(string(fixture(t, "mesos/pairA_master_state_mesos-1.2.0.json")), "https://10.0.6.207:8443", mar.URL, 1)
	ms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
	defer ms.Close()
	p = newTestPoller(t, strings.Replace(ms.URL, "://", "://ops:s3cret@", 1))
	if err := write(p, mar.URL); err == nil {
		t.Error("a writer for a Marathon not yet found")
	}
	p.Refresh(context.Background())
	if c := p.Latest(); c == nil || c.Marathon != mar.URL {
		t.Fatalf("Marathon not found: %v", p.Errors())
	}
	if err := write(p, mar.URL); err != nil {
		t.Fatal(err)
	}
	if got := last(); got != "" {
		t.Errorf("the found Marathon got Authorization %q", got)
	}
}
