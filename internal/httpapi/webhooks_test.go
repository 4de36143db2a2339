package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/alerts"
	"github.com/reliefgap/reliefgap/internal/httpapi"
	"github.com/reliefgap/reliefgap/internal/store"
)

// receiver is a webhook endpoint on 127.0.0.1 that fails its first fail
// requests, then checks signatures and keeps the events.
type receiver struct {
	mu     sync.Mutex
	secret string
	fail   int
	calls  int
	events []alerts.Event
	bad    []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.calls++
	if rc.calls <= rc.fail {
		http.Error(w, "not now", http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(r.Body)
	sec, _ := strconv.ParseInt(r.Header.Get(alerts.HeaderTimestamp), 10, 64)
	if want := alerts.Sign(rc.secret, time.Unix(sec, 0), body); r.Header.Get(alerts.HeaderSignature) != want {
		rc.bad = append(rc.bad, r.Header.Get(alerts.HeaderSignature))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev alerts.Event
	json.Unmarshal(body, &ev)
	rc.events = append(rc.events, ev)
}

func TestWebhooks(t *testing.T) {
	rc := &receiver{fail: 1}
	srv := httptest.NewServer(rc) // listens on 127.0.0.1 only
	defer srv.Close()

	clk := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var hooks *alerts.Webhooks
	e := newEnv(t, func(cfg *httpapi.Config) {
		st := cfg.Store.(*store.Store)
		allow, _ := alerts.ParseAllow("127.0.0.1")
		hooks = &alerts.Webhooks{Store: st, Guard: alerts.Guard{Allow: allow}, Backoff: 2 * time.Second, Now: func() time.Time { return clk }}
		cfg.Webhooks = hooks
	})

	// Refused targets, whatever the allow-list of the test (127.0.0.1 only).
	for _, u := range []string{"http://10.0.0.8/hook", "http://169.254.169.254/latest", "http://[::1]:8080/", "http://192.168.1.1/",
		"ftp://example.org/", "http://user:pw@127.0.0.1/"} {
		if r := e.postJSON("admin", "/api/v1/webhooks", map[string]string{"url": u}); r.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", u, r.Code, r.Body.String())
		}
	}
	if r := e.postJSON("advocate", "/api/v1/webhooks", map[string]string{"url": srv.URL}); r.Code != http.StatusForbidden {
		t.Errorf("as advocate: %d", r.Code)
	}
	r := e.postJSON("admin", "/api/v1/webhooks", map[string]string{"url": srv.URL + "/hook", "scope": "country:KEN"})
	if r.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Code, r.Body.String())
	}
	var h struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	r.json(t, &h)
	rc.secret = h.Secret
	var list struct{ Items []map[string]any }
	e.get("admin", "/api/v1/webhooks").json(t, &list)
	if len(list.Items) != 1 || list.Items[0]["secret"] != nil {
		t.Errorf("list shows a secret or misses the webhook: %v", list.Items)
	}

	// Two publications are queued: Kenya's consumption, and a population
	// file for many countries (which a country-scoped webhook also hears).
	// The first delivery meets a 503 and its job is queued again after the
	// backoff (2 s of the job queue's own clock); the second is delivered
	// at once; both signed.
	e.publishKEN()
	ctx := context.Background()
	if err := hooks.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if rc.calls != 2 || len(rc.events) != 1 {
		t.Fatalf("first pass: %d calls, %d events", rc.calls, len(rc.events))
	}
	if err := hooks.Pass(ctx); err != nil { // not due yet
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); rc.calls < 3 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		if err := hooks.Pass(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if rc.calls != 3 || len(rc.events) != 2 || len(rc.bad) != 0 || rc.events[0].Kind != alerts.KindPublication {
		t.Fatalf("after the retry: %d calls, events %+v, bad signatures %v", rc.calls, rc.events, rc.bad)
	}
	var ds struct{ Items []map[string]any }
	e.get("admin", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", h.ID)).json(t, &ds)
	if len(ds.Items) != 2 || ds.Items[0]["status"] != "delivered" {
		t.Errorf("deliveries = %v", ds.Items)
	}
	// Nothing more to send: no call.
	if err := hooks.Pass(ctx); err != nil || rc.calls != 3 {
		t.Errorf("idle pass: %v, %d calls", err, rc.calls)
	}
}

func TestGuard(t *testing.T) {
	g := alerts.Guard{}
	for addr, want := range map[string]bool{
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.0.1": false,
		"169.254.169.254": false, "fe80::1": false, "100.64.0.1": false, "0.0.0.0": false, "::ffff:127.0.0.1": false,
		"93.184.216.34": true, "2606:2800:220:1::": true,
	} {
		if got := g.Permits(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Permits(%s) = %v, want %v", addr, got, want)
		}
	}
	allow, err := alerts.ParseAllow("127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	g.Allow = allow
	if !g.Permits(netip.MustParseAddr("127.0.0.1")) || !g.Permits(netip.MustParseAddr("10.9.9.9")) || g.Permits(netip.MustParseAddr("127.0.0.2")) {
		t.Error("the allow-list is not applied exactly")
	}
	if _, err := alerts.ParseAllow("not-an-ip"); err == nil {
		t.Error("a bad allow-list is accepted")
	}
}
