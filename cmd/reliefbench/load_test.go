package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLoadRefusesAnyHostButLoopback(t *testing.T) {
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:8080/api/v1/countries/USA/gaps": true,
		"http://[::1]:8080/x":                             true,
		"http://localhost:8080/x":                         false, // a name could resolve anywhere
		"http://10.0.0.1:8080/x":                          false,
		"http://example.com/x":                            false,
		"https://127.0.0.1:8080/x":                        false,
		"http://0.0.0.0:8080/x":                           false,
	} {
		err := loopbackOnly(raw)
		if (err == nil) != ok || (err != nil && !errors.Is(err, errUsage)) {
			t.Errorf("loopbackOnly(%q) = %v", raw, err)
		}
	}
}

// A short run against a loopback handler counts requests and errors.
func TestRunLoadCountsErrors(t *testing.T) {
	n := 0
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++ // one connection: no race
		if n%2 == 0 {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer h.Close()
	r := runLoad(context.Background(), h.URL, 1, 200*time.Millisecond)
	if r.requests == 0 || r.errors != r.requests/2 || len(r.latencies) != r.requests-r.errors {
		t.Fatalf("requests %d errors %d latencies %d", r.requests, r.errors, len(r.latencies))
	}
}
