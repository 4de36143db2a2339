package access

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// nullImportStore keeps nothing; enough for Process to run. Methods
// Process does not call are left to the nil embedded interface.
type nullImportStore struct{ ImportStore }

func (nullImportStore) Countries(context.Context) ([]Country, error) { return nil, nil }
func (nullImportStore) Drugs(context.Context) ([]Drug, error)        { return nil, nil }
func (nullImportStore) FactorTable(context.Context, string, int) (FactorTable, error) {
	return FactorTable{}, nil
}
func (nullImportStore) TransitionUpload(context.Context, Upload, ...UploadStatus) error { return nil }
func (nullImportStore) AppendAudit(context.Context, AuditEntry) error                   { return nil }
func (nullImportStore) WithImport(ctx context.Context, id int64, fn func(ImportWriter) error) error {
	err := fn(nullWriter{})
	if err == errRollback {
		return nil
	}
	return err
}

type nullWriter struct{ ImportWriter }

func (nullWriter) Stage(context.Context, Batch) error { return nil }
func (nullWriter) Diff(context.Context, Upload) (Diff, int, error) {
	return Diff{}, 0, nil
}
func (nullWriter) PublishWhenValid(context.Context, Upload) error { return nil }
func (nullWriter) ConsumptionOverEstimate(context.Context) ([]Problem, error) {
	return nil, nil
}

// gateParser counts the parses running at once and holds each until the
// gate opens.
type gateParser struct {
	running, peak atomic.Int32
	gate          chan struct{}
}

func (p *gateParser) Parse(ctx context.Context, in ParseInput, emit func(Batch) error) (ParseResult, error) {
	n := p.running.Add(1)
	defer p.running.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	<-p.gate
	return ParseResult{Kind: KindConsumption}, nil
}

// Ten uploads processed at once by a service with three workers: never
// more than three parse at the same time, and all ten finish.
func TestProcessRunsAtMostWorkersParses(t *testing.T) {
	p := &gateParser{gate: make(chan struct{})}
	s := &ImportService{Store: nullImportStore{}, Parser: p, Workers: 3}
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Process(context.Background(), Operator, Upload{ID: int64(i + 1)}, []byte("x"), ImportOptions{DryRun: true}); err != nil {
				t.Error(err)
			}
		}()
	}
	for p.running.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // give a fourth parse the chance to start, were it allowed
	close(p.gate)
	wg.Wait()
	if got := p.peak.Load(); got != 3 {
		t.Fatalf("peak concurrent parses = %d, want 3", got)
	}
}

// An upload that cannot get a worker before its deadline is Unavailable,
// not stuck.
func TestProcessWaitsForAWorkerUntilItsDeadline(t *testing.T) {
	p := &gateParser{gate: make(chan struct{})}
	s := &ImportService{Store: nullImportStore{}, Parser: p, Workers: 1}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Process(context.Background(), Operator, Upload{ID: 1}, []byte("x"), ImportOptions{DryRun: true})
	}()
	for p.running.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := s.Process(ctx, Operator, Upload{ID: 2}, []byte("x"), ImportOptions{DryRun: true})
	if ErrorCode(err) != Unavailable {
		t.Fatalf("Process with every worker busy = %v", err)
	}
	close(p.gate)
	<-done
}

type recordingObserver struct {
	mu       sync.Mutex
	outcomes []string
}

func (r *recordingObserver) ImportProcessed(kind ImportKind, outcome string, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes = append(r.outcomes, string(kind)+" "+outcome)
}

// The observer hears of every processing, with the kind and how it ended.
func TestProcessTellsTheObserver(t *testing.T) {
	p := &gateParser{gate: make(chan struct{})}
	close(p.gate)
	obs := &recordingObserver{}
	s := &ImportService{Store: nullImportStore{}, Parser: p, Workers: 1, Observer: obs}
	if _, err := s.Process(context.Background(), Operator, Upload{ID: 1}, []byte("x"), ImportOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.slots <- struct{}{} // every parser busy
	if _, err := s.Process(ctx, Operator, Upload{ID: 2, Status: StatusReceived}, []byte("x"), ImportOptions{}); ErrorCode(err) != Unavailable {
		t.Fatalf("busy: %v", err)
	}
	if len(obs.outcomes) != 2 || obs.outcomes[0] != "consumption dry-run" || obs.outcomes[1] != " unavailable" {
		t.Fatalf("outcomes = %q", obs.outcomes)
	}
}
