package main

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestImportMetricsCountByKindAndOutcome(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newImportMetrics()
	reg.MustRegister(m.total, m.duration)
	m.ImportProcessed("consumption", "published", 2*time.Second)
	m.ImportProcessed("consumption", "published", time.Second)
	m.ImportProcessed("", "rejected", time.Millisecond)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range mt.GetLabel() {
				key += " " + l.GetValue()
			}
			if c := mt.GetCounter(); c != nil {
				got[key] = c.GetValue()
			}
			if h := mt.GetHistogram(); h != nil {
				got[key] = h.GetSampleSum()
			}
		}
	}
	want := map[string]float64{
		"reliefgap_imports_total consumption published":           2,
		"reliefgap_imports_total unknown rejected":                1,
		"reliefgap_import_duration_seconds consumption published": 3, // 2 s + 1 s
		"reliefgap_import_duration_seconds unknown rejected":      0.001,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("series %v", got)
	}
}
