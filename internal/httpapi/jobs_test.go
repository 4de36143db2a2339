package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/httpapi"
)

type jobOut struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Ref    string `json:"ref"`
	Status string `json:"status"`
}

// TestJobsCancelAndRetry: administrators list jobs, cancel a queued one
// (its upload fails, retryable) and retry it (the upload is processed).
func TestJobsCancelAndRetry(t *testing.T) {
	// Each parse takes a second: long enough that the second job is still
	// queued when it is cancelled, however busy the machine.
	e := newEnvParser(t, csvParser{delay: time.Second}, func(c *httpapi.Config) { c.AsyncThreshold = 16 })
	first := e.mustUpload("admin", "a.csv", consumptionCSV("KEN,2020,morphine,1"), nil, http.StatusAccepted)
	second := e.mustUpload("admin", "b.csv", consumptionCSV("UGA,2020,morphine,2"), nil, http.StatusAccepted)
	if r := e.get("ministry KEN", "/api/v1/jobs"); r.Code != http.StatusForbidden {
		t.Fatalf("a ministry listing jobs: %d", r.Code)
	}
	var list struct{ Items []jobOut }
	e.get("admin", "/api/v1/jobs").json(t, &list)
	if len(list.Items) != 2 || list.Items[0].Ref != fmt.Sprintf("upload:%d", second.ID) || list.Items[0].Kind != "import" {
		t.Fatalf("jobs = %+v", list.Items)
	}
	job := list.Items[0].ID
	// SQLite runs one job at a time: the second waits queued while the
	// first runs, and can be cancelled.
	var j jobOut
	r := e.postJSON("admin", fmt.Sprintf("/api/v1/jobs/%d/cancel", job), nil)
	r.json(t, &j)
	if r.Code != http.StatusOK || j.Status != "cancelled" {
		t.Fatalf("cancel: %d %s", r.Code, r.Body)
	}
	// Its upload fails, retryable (at once when the job was still queued;
	// as soon as its handler stops if a busy machine let it start).
	var u uploadOut
	waitUpload(t, e, second.ID, "failed", &u)
	if r := e.postJSON("admin", fmt.Sprintf("/api/v1/jobs/%d/cancel", job), nil); r.Code != http.StatusConflict {
		t.Fatalf("cancelling twice: %d", r.Code)
	}
	r = e.postJSON("admin", fmt.Sprintf("/api/v1/jobs/%d/retry", job), nil)
	r.json(t, &j)
	if r.Code != http.StatusOK || j.Status != "queued" {
		t.Fatalf("retry: %d %s", r.Code, r.Body)
	}
	waitUpload(t, e, second.ID, "submitted", &u)
	waitUpload(t, e, first.ID, "submitted", &u)
	// The job is recorded done just after its upload is settled.
	deadline := time.Now().Add(5 * time.Second)
	for e.get("admin", fmt.Sprintf("/api/v1/jobs/%d", job)).json(t, &j); j.Status != "done"; e.get("admin", fmt.Sprintf("/api/v1/jobs/%d", job)).json(t, &j) {
		if time.Now().After(deadline) {
			t.Fatalf("retried job: %+v", j)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCancelRunningJob: cancelling a running job stops it at once; its
// transaction rolls back and its upload fails, retryable.
func TestCancelRunningJob(t *testing.T) {
	e := newEnvParser(t, csvParser{delay: time.Minute}, func(c *httpapi.Config) { c.AsyncThreshold = 16 })
	u := e.mustUpload("admin", "slow.csv", consumptionCSV("KEN,2020,morphine,1"), nil, http.StatusAccepted)
	var list struct{ Items []jobOut }
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.get("admin", "/api/v1/jobs?status=running").json(t, &list)
		if len(list.Items) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	var j jobOut
	r := e.postJSON("admin", fmt.Sprintf("/api/v1/jobs/%d/cancel", list.Items[0].ID), nil)
	r.json(t, &j)
	if r.Code != http.StatusOK || j.Status != "cancelled" || time.Since(start) > 5*time.Second {
		t.Fatalf("cancel: %d %s after %v", r.Code, r.Body, time.Since(start))
	}
	var got uploadOut
	waitUpload(t, e, u.ID, "failed", &got)
}
