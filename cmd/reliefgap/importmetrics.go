package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// importMetrics counts processed uploads by kind and outcome and times
// them; it is the access.ImportObserver serve gives the import service.
type importMetrics struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func (m *importMetrics) ImportProcessed(kind access.ImportKind, outcome string, elapsed time.Duration) {
	k := string(kind)
	if k == "" {
		k = "unknown"
	}
	m.total.WithLabelValues(k, outcome).Inc()
	m.duration.WithLabelValues(k, outcome).Observe(elapsed.Seconds())
}

// registerImportMetrics adds the import counters, durations and the job
// queue depth to reg, and returns the observer to give the import service.
func registerImportMetrics(reg prometheus.Registerer, s *store.Store) *importMetrics {
	m := newImportMetrics()
	reg.MustRegister(m.total, m.duration, jobQueueCollector{s: s})
	return m
}

func newImportMetrics() *importMetrics {
	return &importMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "reliefgap_imports_total",
			Help: "Uploads processed, by kind and outcome (the upload's status afterwards, interrupted or unavailable)."}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "reliefgap_import_duration_seconds",
			Help:    "Time to process an upload (waiting for a parser, parsing, staging), by kind and outcome.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}}, []string{"kind", "outcome"}),
	}
}

// jobQueueCollector reads the jobs table when scraped: the queue is shared
// by every process on the database, so an in-process count would be wrong.
type jobQueueCollector struct{ s *store.Store }

var jobsDesc = prometheus.NewDesc("reliefgap_jobs", "Jobs in the durable queue by kind and status (queued is the queue depth).", []string{"kind", "status"}, nil)

func (jobQueueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c jobQueueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.s.JobCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for _, st := range []access.JobStatus{access.JobQueued, access.JobRunning} {
		if _, ok := counts[[2]string{access.JobImport, string(st)}]; !ok {
			counts[[2]string{access.JobImport, string(st)}] = 0 // always present, so alerts see 0
		}
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
}
