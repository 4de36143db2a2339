package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// ImportWriter is an open, all-or-nothing import transaction.
type ImportWriter interface {
	// PublishWhenValid is told, before anything is staged, that upload u
	// is to be published if it turns out valid (an invalid one is rolled
	// back): the writer may then store records already published, at the
	// publication's data version, as they arrive, and Publish completes
	// the publication.
	PublishWhenValid(ctx context.Context, u Upload) error
	// Stage stores records as not yet published, with their lineage.
	Stage(ctx context.Context, b Batch) error
	// SetSeries names the series of the staged population and deaths
	// records that name none.
	SetSeries(ctx context.Context, source string) error
	// Diff compares the staged records with the published ones of u's
	// kind: added, changed, unchanged, and removed (see Upload.Replace).
	Diff(ctx context.Context, u Upload) (d Diff, unchanged int, err error)
	// Publish makes the staged records the published values, withdrawing
	// what the diff lists as removed.
	Publish(ctx context.Context, u Upload) error
	// ConsumptionOverEstimate warns of staged consumption above the published estimate.
	ConsumptionOverEstimate(ctx context.Context) ([]Problem, error)
	// Finish stores the settled upload in the same transaction as its
	// rows, provided it is still in status from (else Conflict).
	Finish(ctx context.Context, u Upload, from UploadStatus) error
}

// ImportStore is what the import service needs of the store.
type ImportStore interface {
	Countries(ctx context.Context) ([]Country, error)
	Drugs(ctx context.Context) ([]Drug, error)
	FactorTable(ctx context.Context, name string, version int) (FactorTable, error)
	PutBlob(ctx context.Context, sha string, data []byte) error
	// PutBlobFrom keeps the size bytes read from r under sha, a part at a
	// time, without holding them all; bytes already stored are not read.
	PutBlobFrom(ctx context.Context, sha string, size int64, r io.Reader) error
	// BlobTo writes the bytes stored under sha to w, a part at a time.
	BlobTo(ctx context.Context, sha string, w io.Writer) error
	// CreateUpload records a new upload and sets its ID. With once set it
	// first looks, under a lock on (sha, kind, scope), for an upload of
	// the same bytes that is in flight or stored (FindUpload's rule) and
	// returns that one with duplicate set instead of creating another.
	// The job, if given, is recorded in the same transaction with Ref set
	// to the new upload, and its ID set.
	CreateUpload(ctx context.Context, u *Upload, once bool, job *Job) (first Upload, duplicate bool, err error)
	Blob(ctx context.Context, sha string) ([]byte, error)
	JobQueue
	// TransitionUpload saves u (its status, counts, problems, diff) only
	// if the stored upload is in one of the statuses from; otherwise it
	// changes nothing and returns a Conflict error. Every status change is
	// made this way, so that two decisions cannot both win.
	TransitionUpload(ctx context.Context, u Upload, from ...UploadStatus) error
	Upload(ctx context.Context, id int64) (Upload, error)
	WithImport(ctx context.Context, uploadID int64, fn func(w ImportWriter) error) error
	// PublishUpload publishes a submitted upload in one transaction: its
	// status (submitted → published, else Conflict) and its rows together.
	PublishUpload(ctx context.Context, u Upload, at time.Time) error
	AppendAudit(ctx context.Context, e AuditEntry) error
}

// ImportService receives uploads, keeps their bytes, validates and stages
// their records in one transaction, and runs the publication workflow.
type ImportService struct {
	Store  ImportStore
	Parser Parser
	Limits Limits
	Now    func() time.Time
	// Workers bounds how many uploads are parsed at once, whatever calls
	// Process (requests, background jobs, the CLI); DefaultImportWorkers
	// when 0. With the per-file bounds in Limits this bounds the memory
	// parsing can take (docs/RELIABILITY.md gives the measured peak).
	Workers int
	// Quota bounds the bytes ministry keys keep stored (zero fields: no quota).
	Quota StorageQuota
	// Observer, when set, is told of every processed upload (metrics).
	Observer ImportObserver
	// Annotate builds the annotated workbook of a file (its cells coloured
	// by problem); a rejected upload's is built once, when it is rejected,
	// and stored. Nil: no annotated workbooks.
	Annotate func(filename string, data []byte, problems []Problem) ([]byte, error)

	slotsOnce sync.Once
	slots     chan struct{}
}

// DefaultImportWorkers is the number of uploads parsed at once by default.
const DefaultImportWorkers = 2

// acquire takes a parse slot, waiting while all are taken, until ctx ends.
func (s *ImportService) acquire(ctx context.Context) (release func(), err error) {
	s.slotsOnce.Do(func() {
		n := s.Workers
		if n <= 0 {
			n = DefaultImportWorkers
		}
		s.slots = make(chan struct{}, n)
	})
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-ctx.Done():
		return nil, Errorf(Unavailable, "", "the upload waited for a free parser until its time ran out (%v)", ctx.Err())
	}
}

// ImportOptions qualify one import.
type ImportOptions struct {
	Kind    ImportKind // "" to detect from the headers
	Country string     // scope; a ministry's own country when empty
	DryRun  bool       // validate everything, store nothing but the bytes
	// Publish makes the values public at once (the local operator's
	// default); otherwise the upload waits as submitted for an administrator.
	Publish bool
	// Replace makes a multi-country table withdraw the published rows of
	// the countries and years it covers that it leaves out (an upload for
	// one country always does). Administrators only.
	Replace bool
	// Supplement numbers the supplementary estimates of the upload (1 when
	// 0): re-uploading supplementary n replaces it, n+1 adds another.
	Supplement int
	RemoteAddr string
	Progress   func(done, total int64)
	// Terms are the data's source, licence and citation; what is left
	// empty is defaulted from the publisher the importer recognises.
	Terms Terms
	// Locale says how the file writes numbers ("dot", "comma"); "" lets
	// the file decide.
	Locale string

	refs *parseRefs // read while the file was received (ImportFile)
}

// parseRefs is the reference data a parser resolves names with, read in
// the background: done is closed when the fields are set.
type parseRefs struct {
	done      chan struct{}
	countries []Country
	drugs     []Drug
	salts     FactorTable
	me        func(drug string) (float64, bool) // the current ppsg factors (meFactor)
	err       error
}

// loadRefs reads the reference data a parser resolves names with, and the
// morphine-equivalence factors the staged rows are tallied with, into r,
// and closes r.done.
func (s *ImportService) loadRefs(ctx context.Context, r *parseRefs) {
	defer close(r.done)
	if r.countries, r.err = s.Store.Countries(ctx); r.err != nil {
		return
	}
	if r.drugs, r.err = s.Store.Drugs(ctx); r.err != nil {
		return
	}
	if r.salts, r.err = s.Store.FactorTable(ctx, TableSaltBase, 0); r.err != nil {
		return
	}
	r.me = s.meFactor(ctx)
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	Upload Upload
	// Duplicate is set when the same bytes were already imported for the
	// same kind and scope: nothing changed, Upload is the first import.
	Duplicate bool
	// Job is the job that processes the upload (0 for a duplicate).
	Job int64
}

// HasErrors reports whether any problem is an error.
func HasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// SHA256Hex is the content address of an upload.
func SHA256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func (s *ImportService) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *ImportService) limits() Limits {
	l := s.Limits
	d := DefaultLimits
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = d.MaxColumns
	}
	if l.MaxCellLength <= 0 {
		l.MaxCellLength = d.MaxCellLength
	}
	return l
}

// authorize checks that who may upload kind for scope, and settles the scope.
func authorize(who Principal, kind ImportKind, scope string) (string, error) {
	if who.Role == RoleMinistry && scope == "" {
		scope = who.Country
	}
	if err := Authorize(who, ActUpload, scope); err != nil {
		return "", err
	}
	if who.Role == RoleMinistry && scope == "" {
		return "", Errorf(Forbidden, "import", "this ministry key names no country")
	}
	// Reference data (population, deaths, countries) is the
	// administrators' to load.
	if who.Role == RoleMinistry && kind != "" && kind != KindConsumption && kind != KindEstimates && kind != KindAvailability {
		return "", Errorf(Forbidden, "import", "only an administrator may load %s data", kind)
	}
	return scope, nil
}

// Receive keeps the bytes and records the upload, before any parsing. The
// same bytes for the same kind and scope return the first upload with
// Duplicate set.
func (s *ImportService) Receive(ctx context.Context, who Principal, filename string, data []byte, opt ImportOptions) (res ImportResult, err error) {
	defer Wrap(&err, "ImportService.Receive(%q)", filename)
	return s.receive(ctx, who, filename, int64(len(data)), func() (string, error) { return SHA256Hex(data), nil },
		func(sha string) error { return s.Store.PutBlob(ctx, sha, data) }, opt)
}

// ReceiveFile is Receive for a file on disk (an upload spooled by the HTTP
// adapter, or a file named on the command line): its bytes are hashed and
// stored a part at a time, never all in memory.
func (s *ImportService) ReceiveFile(ctx context.Context, who Principal, filename, path string, opt ImportOptions) (res ImportResult, err error) {
	defer Wrap(&err, "ImportService.ReceiveFile(%q)", filename)
	st, err := os.Stat(path)
	if err != nil {
		return res, Errorf(Invalid, "", "cannot read %s: %v", filename, err)
	}
	size := st.Size()
	hash := func() (string, error) {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	put := func(sha string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		// The bytes kept are hashed again as they are read: a file changed
		// since it was hashed is refused, not kept under the wrong name.
		return s.Store.PutBlobFrom(ctx, sha, size, &hashCheck{r: f, h: sha256.New(), want: sha})
	}
	return s.receive(ctx, who, filename, size, hash, put, opt)
}

// hashCheck reads r, and at its end fails unless what was read has the
// SHA-256 want.
type hashCheck struct {
	r    io.Reader
	h    hash.Hash
	want string
}

func (c *hashCheck) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(c.h.Sum(nil)) != c.want {
		return n, Errorf(Conflict, "", "the file changed while it was being received; send it again")
	}
	return n, err
}

// receive checks an upload of size bytes and records it: hash gives its
// SHA-256 and put keeps its bytes.
func (s *ImportService) receive(ctx context.Context, who Principal, filename string, size int64, hash func() (string, error), put func(sha string) error, opt ImportOptions) (res ImportResult, err error) {
	if opt.Kind != "" && !opt.Kind.Valid() {
		return res, Errorf(Invalid, "", "unknown kind %q: use one of consumption, estimates, population, deaths, countries, availability, ccs", opt.Kind)
	}
	scope, err := authorize(who, opt.Kind, opt.Country)
	if err != nil {
		return res, err
	}
	if err := CheckText("", "the file name", filename, MaxFilenameBytes); err != nil {
		return res, err
	}
	if err := CheckTerms(opt.Terms); err != nil {
		return res, err
	}
	lim := s.limits()
	if size > lim.MaxBytes {
		return res, Errorf(TooLarge, "", "the file is %d bytes; the limit is %d bytes", size, lim.MaxBytes)
	}
	if size == 0 {
		return res, Errorf(Invalid, "", "the file is empty")
	}
	if err := s.checkQuota(ctx, who, scope, size); err != nil {
		return res, err
	}
	sha, err := hash()
	if err != nil {
		return res, &Error{Code: Internal, Msg: "cannot read the upload", Err: err}
	}
	if err := put(sha); err != nil {
		return res, err
	}
	if opt.Replace && !who.IsAdmin() {
		return res, Errorf(Forbidden, "", "only an administrator may import with replace")
	}
	if opt.Supplement < 0 {
		return res, Errorf(Invalid, "", "a supplementary estimate number is 1 or more")
	}
	u := Upload{SHA256: sha, Filename: filename, Size: size, Kind: opt.Kind, Country: scope,
		Uploader: who.Name, UploaderKey: who.KeyID, Status: StatusReceived, ReceivedAt: s.now(),
		Replace: opt.Replace || scope != "", Supplement: max(opt.Supplement, 1),
		Terms: Terms{Source: strings.TrimSpace(opt.Terms.Source), Licence: strings.TrimSpace(opt.Terms.Licence), Citation: strings.TrimSpace(opt.Terms.Citation)}}
	// A dry run never counts as the first import of its bytes.
	job := newImportJob(who, opt)
	if first, dup, err := s.Store.CreateUpload(ctx, &u, !opt.DryRun, &job); err != nil {
		return res, err
	} else if dup {
		return ImportResult{Upload: first, Duplicate: true}, nil
	}
	_ = s.Store.AppendAudit(ctx, AuditEntry{At: u.ReceivedAt, Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "upload", Target: fmt.Sprintf("upload:%d", u.ID), RemoteAddr: opt.RemoteAddr,
		Detail: fmt.Sprintf("%s %s (%d bytes, sha256 %s)", u.Kind, filename, u.Size, sha)})
	return ImportResult{Upload: u, Job: job.ID}, nil
}

// importGCPercent is the garbage collector's target while imports run
// (Go's default is 100): an import allocates a lot that lives briefly, and
// collecting sooner keeps the process's peak memory close to what it
// holds, for no measurable time (docs/BENCHMARKS.md). A GOGC set in the
// environment is left alone.
const importGCPercent = 50

var gcTight struct {
	sync.Mutex
	n    int // imports running
	prev int
}

// tightGC lowers the garbage collector's target while an import runs and
// returns what puts it back when the last running import ends.
func tightGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	gcTight.Lock()
	defer gcTight.Unlock()
	if gcTight.n == 0 {
		gcTight.prev = debug.SetGCPercent(importGCPercent)
	}
	gcTight.n++
	return func() {
		gcTight.Lock()
		defer gcTight.Unlock()
		if gcTight.n--; gcTight.n == 0 {
			debug.SetGCPercent(gcTight.prev)
		}
	}
}

// errRollback ends an import transaction without storing anything.
var errRollback = errors.New("rollback")

// Process validates and stages a received upload in one transaction: any
// error problem (or a dry run) rolls everything back; otherwise the upload
// becomes submitted, or published when opt.Publish is set, in the same
// transaction as its rows. Process owns every transition of the upload:
//
//	received → validating → submitted | rejected | failed | dry-run
//	                        (published at once when opt.Publish is set)
//
// A system fault (a database error, a timeout, a panic) leaves the upload
// failed, retryable. A cancelled ctx (shutdown, a killed process) leaves it
// validating: nothing was stored, and the job that runs it is resumed.
func (s *ImportService) Process(ctx context.Context, who Principal, u Upload, data []byte, opt ImportOptions) (out Upload, err error) {
	return s.process(ctx, who, u, content{data: data}, opt)
}

// content is an upload's bytes: in memory, or in a file read as a stream.
type content struct {
	data []byte
	path string
}

func (s *ImportService) process(ctx context.Context, who Principal, u Upload, c content, opt ImportOptions) (out Upload, err error) {
	defer Wrap(&err, "ImportService.Process(upload %d)", u.ID)
	start := time.Now()
	defer func() { s.observe(out, err, time.Since(start)) }()
	release, err := s.acquire(ctx)
	if err != nil {
		return u, err
	}
	defer release()
	defer tightGC()()
	u.Status = StatusValidating
	if err := s.Store.TransitionUpload(ctx, u, StatusReceived, StatusValidating, StatusFailed); err != nil {
		return u, err
	}
	err = guard(func() error {
		var err error
		out, err = s.validate(ctx, who, u, c, opt)
		return err
	})
	if out.ID == 0 {
		out = u
	}
	if err == nil && out.Status == StatusRejected && c.path == "" {
		// Built now, within this parse slot, so that asking for it later
		// costs one read; a failure here only means it is built on demand.
		_, _ = s.buildAnnotated(ctx, out, c.data)
	}
	if err == nil || out.Status != StatusValidating {
		return out, err
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return out, err // interrupted, not failed: the job goes back to the queue
	}
	return s.fail(ctx, out, err), err
}

// fail records that the system could not process an upload (a database
// error, a timeout, a panic): its transaction has rolled back, nothing was
// stored, and it may be retried.
func (s *ImportService) fail(ctx context.Context, u Upload, cause error) Upload {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := s.now()
	f := u
	f.Status, f.DecidedAt = StatusFailed, &now
	f.Reason = "the upload could not be processed (" + failureCause(cause) + "); nothing was stored, it may be retried"
	if err := s.Store.TransitionUpload(ctx, f, StatusValidating); err != nil {
		return u
	}
	return f
}

func failureCause(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "it took too long"
	case errors.Is(err, errPanic):
		return "an unexpected failure"
	}
	return "a system error"
}

// errPanic marks a recovered panic.
var errPanic = errors.New("panic")

// guard runs fn, turning a panic into an Internal error. It is the one
// panic recovery of the import pipeline: the parser's goroutine and the
// processing of an upload both run under it.
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Code: Internal, Msg: "unexpected failure while processing the upload",
				Err: fmt.Errorf("%w: %v\n%s", errPanic, r, debug.Stack())}
		}
	}()
	return fn()
}

// staging is what one import transaction found.
type staging struct {
	pr       ParseResult
	records  int
	extra    []Problem
	diff     Diff
	same     int
	parseErr error
	tally    *METally // morphine equivalent by country-year, for the per-capita check
}

// validate parses and stages in one transaction and settles the upload.
func (s *ImportService) validate(ctx context.Context, who Principal, u Upload, c content, opt ImportOptions) (Upload, error) {
	data := c.data
	in, me, err := s.parseInput(ctx, u, data, opt)
	if err != nil {
		return u, err
	}
	if c.path != "" {
		in.Data, in.Path = nil, c.path
	} else if int64(len(data)) > spoolThreshold {
		path, err := spool(data)
		if err != nil {
			return u, err
		}
		defer os.Remove(path)
		in.Data, in.Path = nil, path
	}
	st := staging{tally: NewMETally(me)}
	txErr := s.Store.WithImport(ctx, u.ID, func(w ImportWriter) error {
		// An upload to be published is published unless it has errors
		// (see settle), and then the transaction is rolled back.
		if opt.Publish && !opt.DryRun {
			if err := w.PublishWhenValid(ctx, u); err != nil {
				return err
			}
		}
		if err := s.stage(ctx, who, u, in, w, &st); err != nil {
			return err
		}
		if HasErrors(st.pr.Problems) || HasErrors(st.extra) {
			return errRollback
		}
		// The terms the user left empty come from the publisher the
		// importer recognised.
		u.Terms = DefaultTerms(u.Terms, st.pr.Layout, u.Filename)
		if err := checkStaged(ctx, w, u, &st); err != nil {
			return err
		}
		if opt.DryRun {
			return errRollback
		}
		done := s.settle(u, &st, opt)
		if err := w.Finish(ctx, done, StatusValidating); err != nil {
			return err
		}
		if done.Status == StatusPublished && done.Kind != "" {
			if err := w.Publish(ctx, done); err != nil {
				return err
			}
		}
		u = done
		return nil
	})
	if st.parseErr != nil && (ErrorCode(st.parseErr) == Forbidden || ErrorCode(st.parseErr) == Unauthorized) {
		txErr = st.parseErr
	}
	if txErr != nil && !errors.Is(txErr, errRollback) {
		if c := ErrorCode(txErr); c == Forbidden || c == Unauthorized {
			now := s.now()
			u.Status, u.Reason, u.DecidedAt = StatusRejected, ErrorMessage(txErr), &now
			u.Problems = append(u.Problems, Problem{Severity: SeverityError, Code: "forbidden", Message: u.Reason})
			u.Counts.Errors = 1
			if err := s.Store.TransitionUpload(ctx, u, StatusValidating); err != nil {
				return u, err
			}
		}
		return u, txErr
	}
	if u.Status != StatusValidating {
		// Settled and stored inside the transaction.
		s.auditPublished(ctx, who, u, opt)
		return u, nil
	}
	if st.parseErr != nil {
		if !isParseFailure(st.parseErr) {
			return u, st.parseErr
		}
		st.extra = append(st.extra, Problem{Severity: SeverityError, Code: "unreadable", Message: ErrorMessage(st.parseErr)})
	}
	done := s.settle(u, &st, opt)
	if err := s.Store.TransitionUpload(ctx, done, StatusValidating); err != nil {
		return u, err
	}
	return done, nil
}

// checkStaged completes the staged records of upload u and checks them
// against what is published: the series of population and deaths is the
// upload's source; consumption is compared with the published estimates
// and population; the diff with the published records is kept in st.
func checkStaged(ctx context.Context, w ImportWriter, u Upload, st *staging) error {
	if st.pr.Kind == KindPopulation || st.pr.Kind == KindDeaths {
		if err := w.SetSeries(ctx, u.Terms.Source); err != nil {
			return err
		}
	}
	if st.pr.Kind == KindConsumption {
		ws, err := w.ConsumptionOverEstimate(ctx)
		if err != nil {
			return err
		}
		st.extra = append(st.extra, ws...)
		st.extra = append(st.extra, mePerCapitaWarnings(ctx, w, st.tally)...)
	}
	if st.pr.Kind != "" {
		du := u
		du.Kind = st.pr.Kind
		var err error
		if st.diff, st.same, err = w.Diff(ctx, du); err != nil {
			return err
		}
	}
	return nil
}

func (s *ImportService) auditPublished(ctx context.Context, who Principal, u Upload, opt ImportOptions) {
	if u.Status != StatusPublished {
		return
	}
	_ = s.Store.AppendAudit(ctx, AuditEntry{At: s.now(), Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "publish", Target: fmt.Sprintf("upload:%d", u.ID), RemoteAddr: opt.RemoteAddr,
		Detail: fmt.Sprintf("published on import: %d added, %d changed, %d removed", u.Diff.Added, u.Diff.Changed, u.Diff.Removed)})
}

// spoolThreshold is the size above which an upload is spooled to a
// temporary file and parsed from there, as a stream.
const spoolThreshold = 256 << 10

// spool writes data to a temporary file and returns its path.
func spool(data []byte) (string, error) {
	return spoolFrom(func(w io.Writer) error {
		if _, err := w.Write(data); err != nil {
			return &Error{Code: Internal, Msg: "cannot spool the upload", Err: err}
		}
		return nil
	})
}

// spoolFrom creates a temporary file, has write fill it and returns its
// path; on any error the file is gone, and write's error is returned as it
// is.
func spoolFrom(write func(w io.Writer) error) (string, error) {
	f, err := os.CreateTemp("", "reliefgap-upload-*")
	if err != nil {
		return "", &Error{Code: Internal, Msg: "cannot spool the upload", Err: err}
	}
	err = write(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = &Error{Code: Internal, Msg: "cannot spool the upload", Err: cerr}
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// parseInput gathers the reference data a parser resolves names with, and
// the morphine-equivalence factors the staged rows are tallied with.
func (s *ImportService) parseInput(ctx context.Context, u Upload, data []byte, opt ImportOptions) (ParseInput, func(string) (float64, bool), error) {
	refs := opt.refs
	if refs != nil {
		select {
		case <-refs.done:
		case <-ctx.Done():
			return ParseInput{}, nil, ctx.Err()
		}
	}
	if refs == nil || refs.err != nil {
		refs = &parseRefs{done: make(chan struct{})}
		s.loadRefs(ctx, refs)
	}
	if refs.err != nil {
		return ParseInput{}, nil, refs.err
	}
	return ParseInput{Kind: u.Kind, Filename: u.Filename, Data: data, Country: u.Country,
		Resolver: NewFoldingResolver(s.nameFolder(), refs.countries, refs.drugs, refs.salts), SaltBase: refs.salts, Limits: s.limits(), Progress: opt.Progress,
		Locale: opt.Locale}, refs.me, nil
}

// stage runs the parser in its own goroutine, which hands batches over a
// small buffer so that storing one batch overlaps reading the next, and
// stages every batch. A parser error is kept in st.parseErr.
func (s *ImportService) stage(ctx context.Context, who Principal, u Upload, in ParseInput, w ImportWriter, st *staging) error {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan Batch, 4)
	type parsed struct {
		res ParseResult
		err error
	}
	done := make(chan parsed, 1)
	seen := map[ImportKind]bool{}
	spent := make(chan Batch, cap(batches)+2) // room for every batch in flight
	in.Spent = spent
	go func() {
		defer close(batches)
		var res ParseResult
		err := guard(func() error {
			var err error
			res, err = s.Parser.Parse(pctx, in, func(b Batch) error {
				if err := checkBatch(who, u, b, seen); err != nil {
					return err
				}
				select {
				case batches <- b:
					return nil
				case <-pctx.Done():
					return pctx.Err()
				}
			})
			return err
		})
		done <- parsed{res, err}
	}()
	var stageErr error
	for b := range batches {
		if stageErr != nil {
			continue // drain until the parser stops
		}
		numberSupplements(b, u.Supplement)
		if err := w.Stage(ctx, b); err != nil {
			stageErr = err
			cancel()
			continue
		}
		st.records += b.Len()
		st.tally.Add(b.Consumption)
		select {
		case spent <- b: // stored and tallied: the parser may fill it again
		default:
		}
	}
	p := <-done
	st.pr, st.parseErr = p.res, p.err
	if stageErr != nil {
		return stageErr
	}
	if st.parseErr != nil {
		return errRollback
	}
	if st.pr.Kind == "" {
		for k := range seen {
			st.pr.Kind = k
		}
	}
	if len(seen) > 1 {
		st.extra = append(st.extra, Problem{Severity: SeverityError, Code: "mixed_kinds", Message: "the file mixes several kinds of data; upload each kind separately"})
	}
	return nil
}

// numberSupplements gives the batch's supplementary estimates the upload's
// supplement number, and annual ones 0.
func numberSupplements(b Batch, n int) {
	for i := range b.Estimates {
		e := &b.Estimates[i]
		switch {
		case e.Kind != EstimateSupplementary:
			e.Number = 0
		case e.Number == 0:
			e.Number = max(n, 1)
		}
	}
}

// checkBatch refuses records the uploader may not write.
func checkBatch(who Principal, u Upload, b Batch, seen map[ImportKind]bool) error {
	if err := CheckBatch(b); err != nil {
		return err
	}
	for k, n := range map[ImportKind]int{KindConsumption: len(b.Consumption), KindEstimates: len(b.Estimates),
		KindPopulation: len(b.Population), KindDeaths: len(b.Deaths), KindCountries: len(b.Countries),
		KindAvailability: len(b.Availability), KindCCS: len(b.CCS)} {
		if n > 0 {
			seen[k] = true
			if _, err := authorize(who, k, u.Country); err != nil {
				return err
			}
		}
	}
	if u.Country != "" {
		if iso3, ok := outOfScope(b, u.Country); ok {
			return Errorf(Forbidden, "", "this upload is for %s; it holds data for %s", u.Country, iso3)
		}
	}
	return nil
}

// settle fills in what the import found and the status it ends in.
func (s *ImportService) settle(u Upload, st *staging, opt ImportOptions) Upload {
	if u.Kind == "" {
		u.Kind = st.pr.Kind
	}
	u.Layout = st.pr.Layout
	u.Matches = st.pr.Matches
	u.Problems = append(append([]Problem(nil), st.pr.Problems...), st.extra...)
	u.Counts = UploadCounts{Rows: st.pr.Rows, Records: st.records}
	for _, p := range u.Problems {
		if p.Severity == SeverityError {
			u.Counts.Errors++
		} else {
			u.Counts.Warnings++
		}
	}
	now := s.now()
	switch {
	case u.Counts.Errors > 0:
		u.Status = StatusRejected
		u.Reason = "the file has errors; nothing was stored"
		u.DecidedAt = &now
	case opt.DryRun:
		u.Status = StatusDryRun
		u.Diff, u.Counts.Unchanged = st.diff, st.same
	default:
		u.Diff, u.Counts.Unchanged = st.diff, st.same
		u.Counts.Stored = st.diff.Added + st.diff.Changed
		u.Status = StatusSubmitted
		if opt.Publish {
			u.Status, u.DecidedAt = StatusPublished, &now
		}
	}
	return u
}

// isParseFailure reports whether err describes the file rather than the system.
func isParseFailure(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code != Internal
}

func outOfScope(b Batch, scope string) (string, bool) {
	for _, r := range b.Consumption {
		if r.ISO3 != scope {
			return r.ISO3, true
		}
	}
	for _, r := range b.Estimates {
		if r.ISO3 != scope {
			return r.ISO3, true
		}
	}
	for _, r := range b.Population {
		if r.ISO3 != scope {
			return r.ISO3, true
		}
	}
	for _, r := range b.Deaths {
		if r.ISO3 != scope {
			return r.ISO3, true
		}
	}
	for _, r := range b.Availability {
		if r.ISO3 != scope {
			return r.ISO3, true
		}
	}
	for _, r := range b.CCS {
		if r.ISO3 != scope {
			return r.ISO3, true
		}
	}
	return "", false
}

// Import receives and processes a file in one call.
func (s *ImportService) Import(ctx context.Context, who Principal, filename string, data []byte, opt ImportOptions) (ImportResult, error) {
	res, err := s.Receive(ctx, who, filename, data, opt)
	if err != nil || res.Duplicate {
		return res, err
	}
	u, _, err := s.RunNow(ctx, who, res, data, opt, 24*time.Hour)
	res.Upload = u
	return res, err
}

// ImportFile receives and processes a file on disk in one call, reading it
// as a stream: neither storing nor parsing it holds all of it in memory.
func (s *ImportService) ImportFile(ctx context.Context, who Principal, filename, path string, opt ImportOptions) (ImportResult, error) {
	// While the file is hashed and kept, the parser reads ahead and the
	// reference data it resolves names with is read.
	if p, ok := s.Parser.(Preparer); ok {
		defer p.Prepare(path, s.limits())()
	}
	opt.refs = &parseRefs{done: make(chan struct{})}
	go s.loadRefs(ctx, opt.refs)
	res, err := s.ReceiveFile(ctx, who, filename, path, opt)
	if err != nil || res.Duplicate {
		return res, err
	}
	u, _, err := s.runNow(ctx, who, res, content{path: path}, opt, 24*time.Hour)
	res.Upload = u
	return res, err
}

// Publish makes a submitted upload's values public (administrators only).
func (s *ImportService) Publish(ctx context.Context, who Principal, id int64, remote string) (u Upload, err error) {
	defer Wrap(&err, "ImportService.Publish(%d)", id)
	if err := Authorize(who, ActDecideUpload, ""); err != nil {
		return u, err
	}
	if u, err = s.Store.Upload(ctx, id); err != nil {
		return u, err
	}
	if u.Status != StatusSubmitted {
		return u, Errorf(Conflict, "", "upload %d is %s; only a submitted upload can be published", id, u.Status)
	}
	if err := s.Store.PublishUpload(ctx, u, s.now()); err != nil {
		return u, err
	}
	if u, err = s.Store.Upload(ctx, id); err != nil {
		return u, err
	}
	_ = s.Store.AppendAudit(ctx, AuditEntry{At: s.now(), Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "publish", Target: fmt.Sprintf("upload:%d", id), RemoteAddr: remote})
	return u, nil
}

// Reject refuses a submitted upload with a reason; its values are never published.
func (s *ImportService) Reject(ctx context.Context, who Principal, id int64, reason, remote string) (u Upload, err error) {
	defer Wrap(&err, "ImportService.Reject(%d)", id)
	if err := Authorize(who, ActDecideUpload, ""); err != nil {
		return u, err
	}
	if reason == "" {
		return u, Errorf(Invalid, "", "a rejection needs a reason")
	}
	if err := CheckText("", "the reason", reason, MaxReasonBytes); err != nil {
		return u, err
	}
	if u, err = s.Store.Upload(ctx, id); err != nil {
		return u, err
	}
	if u.Status != StatusSubmitted {
		return u, Errorf(Conflict, "", "upload %d is %s; only a submitted upload can be rejected", id, u.Status)
	}
	now := s.now()
	u.Status, u.Reason, u.DecidedAt = StatusRejected, reason, &now
	if err := s.Store.TransitionUpload(ctx, u, StatusSubmitted); err != nil {
		return u, err
	}
	_ = s.Store.AppendAudit(ctx, AuditEntry{At: now, Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "reject", Target: fmt.Sprintf("upload:%d", id), RemoteAddr: remote, Detail: reason})
	return u, nil
}

// nameFolder is the parser's way of folding names, when it has one, so
// that the resolver compares names as the parser reads them.
func (s *ImportService) nameFolder() NameFolder {
	if f, ok := s.Parser.(NameFolder); ok {
		return f
	}
	return nil
}

// Bounds on the text an upload carries.
const (
	MaxFilenameBytes = 255
	MaxReasonBytes   = 2000
)

// publishedPopulation is the part of an import transaction that can say
// which population is published; a writer without it gets no per-capita
// check.
type publishedPopulation interface {
	// PublishedPopulation is the published population of the countries
	// iso3s, by country and year.
	PublishedPopulation(ctx context.Context, iso3s []string) (map[string]map[int]float64, error)
}

// meFactor returns the morphine-equivalence factors of the current ppsg
// table; none when the table cannot be read.
func (s *ImportService) meFactor(ctx context.Context) func(string) (float64, bool) {
	me, err := s.Store.FactorTable(ctx, TablePPSG, 0)
	if err != nil {
		return func(string) (float64, bool) { return 0, false }
	}
	return me.Value
}

// mePerCapitaWarnings warns of country-years whose staged consumption
// would exceed MaxMEMgPerCapita mg ME per person, where the published
// population is known. It never fails an import: the check is advice.
func mePerCapitaWarnings(ctx context.Context, w ImportWriter, t *METally) []Problem {
	pw, ok := w.(publishedPopulation)
	if !ok {
		return nil
	}
	pops, err := pw.PublishedPopulation(ctx, t.Countries())
	if err != nil {
		return nil
	}
	return t.Warnings(func(iso3 string, year int) (float64, bool) {
		p, ok := pops[iso3][year]
		return p, ok
	})
}

// StorageQuota bounds the bytes of uploaded files kept stored (raw files
// of every status until retention removes them) for a ministry key and
// for a country. Zero means no bound.
type StorageQuota struct {
	PerKey     int64
	PerCountry int64
}

// storedBytes is the part of the store that measures stored files; a store
// without it gets no quota.
type storedBytes interface {
	StoredBytes(ctx context.Context, keyID int64, country string) (int64, error)
}

// checkQuota refuses an upload that would take a ministry key, or its
// country, past its storage quota. Administrators and the local operator
// have none.
func (s *ImportService) checkQuota(ctx context.Context, who Principal, country string, size int64) error {
	q := s.Quota
	sb, ok := s.Store.(storedBytes)
	if !ok || who.Role != RoleMinistry || (q.PerKey <= 0 && q.PerCountry <= 0) {
		return nil
	}
	if q.PerKey > 0 && who.KeyID != 0 {
		used, err := sb.StoredBytes(ctx, who.KeyID, "")
		if err != nil {
			return err
		}
		if used+size > q.PerKey {
			return Errorf(TooLarge, "", "this key's storage quota is %d bytes; %d are used and the file is %d bytes: remove dry runs or wait for retention, or ask an administrator", q.PerKey, used, size)
		}
	}
	if q.PerCountry > 0 && country != "" {
		used, err := sb.StoredBytes(ctx, -1, country)
		if err != nil {
			return err
		}
		if used+size > q.PerCountry {
			return Errorf(TooLarge, "", "the storage quota for %s is %d bytes; %d are used and the file is %d bytes: ask an administrator", country, q.PerCountry, used, size)
		}
	}
	return nil
}

// ImportObserver is told how each processing of an upload ended. The
// adapter that keeps metrics implements it; the domain knows no metrics
// library.
type ImportObserver interface {
	// ImportProcessed: kind may be "" when it was not detected; outcome is
	// the upload's status afterwards (rejected, submitted, published,
	// dry-run, failed), "interrupted" when it goes back to the queue, or
	// "unavailable" when no parser was free in time.
	ImportProcessed(kind ImportKind, outcome string, elapsed time.Duration)
}

func (s *ImportService) observe(u Upload, err error, elapsed time.Duration) {
	if s.Observer == nil {
		return
	}
	outcome := string(u.Status)
	switch {
	case ErrorCode(err) == Unavailable && (u.Status == StatusReceived || u.Status == ""):
		outcome = "unavailable"
	case u.Status == StatusValidating || u.Status == StatusReceived:
		outcome = "interrupted"
	}
	s.Observer.ImportProcessed(u.Kind, outcome, elapsed)
}

// MaxAnnotateBytes is the largest file whose annotated workbook is built:
// building one takes some 175 times the file's size in memory (a 20 MiB
// CSV took 3.46 GB), so 1 MiB keeps it within the parsing budget of
// docs/RELIABILITY.md. Larger files have their problems listed only.
const MaxAnnotateBytes = 1 << 20

// annotationStore keeps annotated workbooks; a store without it gets them
// built on every request (within MaxAnnotateBytes).
type annotationStore interface {
	PutAnnotated(ctx context.Context, uploadID int64, data []byte) error
	Annotated(ctx context.Context, uploadID int64) ([]byte, error)
}

// Annotated returns the annotated workbook of u: the stored one, or one
// built now (and stored) from data when the file is within
// MaxAnnotateBytes. The caller has checked that who may see u.
func (s *ImportService) Annotated(ctx context.Context, u Upload, data func() ([]byte, error)) (out []byte, err error) {
	defer Wrap(&err, "ImportService.Annotated(upload %d)", u.ID)
	if as, ok := s.Store.(annotationStore); ok {
		out, err := as.Annotated(ctx, u.ID)
		if err == nil {
			return out, nil
		}
		if ErrorCode(err) != NotFound {
			return nil, err
		}
	}
	if s.Annotate == nil {
		return nil, Errorf(NotFound, "", "annotated workbooks are not available")
	}
	if u.Size > MaxAnnotateBytes {
		return nil, Errorf(TooLarge, "", "the file is %d bytes; annotated workbooks are made for files up to %d bytes: the upload's problems list each row and column", u.Size, MaxAnnotateBytes)
	}
	b, err := data()
	if err != nil {
		return nil, err
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.buildAnnotated(ctx, u, b)
}

// buildAnnotated builds u's annotated workbook within MaxAnnotateBytes and
// stores it when the store can.
func (s *ImportService) buildAnnotated(ctx context.Context, u Upload, data []byte) ([]byte, error) {
	if s.Annotate == nil || int64(len(data)) > MaxAnnotateBytes {
		return nil, Errorf(NotFound, "", "no annotated workbook for this upload")
	}
	out, err := s.Annotate(u.Filename, data, u.Problems)
	if err != nil {
		return nil, err
	}
	if as, ok := s.Store.(annotationStore); ok {
		if err := as.PutAnnotated(context.WithoutCancel(ctx), u.ID, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// uploadScope is the country an upload's visibility is decided on: its own,
// or a mark no ministry matches for an upload of several countries.
func uploadScope(u Upload) string {
	if u.Country == "" {
		return "(several countries)"
	}
	return u.Country
}

// CanUpload says whether who may upload at all, before the file is read.
func (s *ImportService) CanUpload(who Principal) error {
	if err := Authorize(who, ActUpload, ""); err != nil {
		return err
	}
	if who.Role != RoleAdmin && who.Role != RoleMinistry {
		return Errorf(Forbidden, "", "a %s key may not upload data", who.Role)
	}
	return nil
}

// Upload returns upload id if who may read it; another country's upload
// reads as absent to a ministry.
func (s *ImportService) Upload(ctx context.Context, who Principal, id int64) (Upload, error) {
	if err := Authorize(who, ActReadUpload, ""); err != nil {
		return Upload{}, err
	}
	u, err := s.Store.Upload(ctx, id)
	if err == nil {
		err = Authorize(who, ActReadUpload, uploadScope(u))
	}
	if ErrorCode(err) == NotFound {
		return Upload{}, Errorf(NotFound, "", "no upload %d", id)
	}
	return u, err
}

// uploadLister lists uploads; a store without it lists none.
type uploadLister interface {
	Uploads(ctx context.Context, f UploadFilter) ([]Upload, error)
}

// Uploads lists the uploads f selects that who may read: a ministry its own
// country's only (asking for another is Forbidden).
func (s *ImportService) Uploads(ctx context.Context, who Principal, f UploadFilter) ([]Upload, error) {
	if err := Authorize(who, ActListUploads, f.Country); err != nil {
		return nil, err
	}
	f.Country = ScopeOf(who, f.Country)
	ul, ok := s.Store.(uploadLister)
	if !ok {
		return nil, Errorf(Internal, "", "this store cannot list uploads")
	}
	return ul.Uploads(ctx, f)
}
