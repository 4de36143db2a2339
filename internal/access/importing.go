package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ImportWriter is an open, all-or-nothing import transaction.
type ImportWriter interface {
	// Stage stores records as not yet published, with their lineage.
	Stage(ctx context.Context, b Batch) error
	// Diff compares the staged records with the published ones.
	Diff(ctx context.Context, kind ImportKind, scope string) (d Diff, unchanged int, err error)
	// Publish makes the staged records the published values.
	Publish(ctx context.Context, kind ImportKind, scope string) error
	// ConsumptionOverEstimate warns of staged consumption above the published estimate.
	ConsumptionOverEstimate(ctx context.Context) ([]Problem, error)
}

// ImportStore is what the import service needs of the store.
type ImportStore interface {
	Countries(ctx context.Context) ([]Country, error)
	Drugs(ctx context.Context) ([]Drug, error)
	FactorTable(ctx context.Context, name string, version int) (FactorTable, error)
	PutBlob(ctx context.Context, sha string, data []byte) error
	CreateUpload(ctx context.Context, u *Upload) error
	UpdateUpload(ctx context.Context, u Upload) error
	Upload(ctx context.Context, id int64) (Upload, error)
	FindUpload(ctx context.Context, sha string, kind ImportKind, country string) (Upload, bool, error)
	WithImport(ctx context.Context, uploadID int64, fn func(w ImportWriter) error) error
	PublishUpload(ctx context.Context, u Upload) error
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
	Publish    bool
	RemoteAddr string
	Progress   func(done, total int64)
	// Locale says how the file writes numbers ("dot", "comma"); "" lets
	// the file decide.
	Locale string
}

// ImportResult is the outcome of an import.
type ImportResult struct {
	Upload Upload
	// Duplicate is set when the same bytes were already imported for the
	// same kind and scope: nothing changed, Upload is the first import.
	Duplicate bool
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
	const op = "import"
	switch who.Role {
	case RoleAdmin:
		return scope, nil
	case RoleMinistry:
		if scope == "" {
			scope = who.Country
		}
		if !who.CanWriteCountry(scope) {
			return "", Errorf(Forbidden, op, "a ministry key for %s may not upload data for %s", who.Country, scope)
		}
		if kind != "" && kind != KindConsumption && kind != KindEstimates && kind != KindAvailability {
			return "", Errorf(Forbidden, op, "only an administrator may load %s data", kind)
		}
		return scope, nil
	case "":
		return "", Errorf(Unauthorized, op, "uploading needs an API key")
	}
	return "", Errorf(Forbidden, op, "a %s key may not upload data", who.Role)
}

// Receive keeps the bytes and records the upload, before any parsing. The
// same bytes for the same kind and scope return the first upload with
// Duplicate set.
func (s *ImportService) Receive(ctx context.Context, who Principal, filename string, data []byte, opt ImportOptions) (res ImportResult, err error) {
	defer Wrap(&err, "ImportService.Receive(%q)", filename)
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
	lim := s.limits()
	if int64(len(data)) > lim.MaxBytes {
		return res, Errorf(TooLarge, "", "the file is %d bytes; the limit is %d bytes", len(data), lim.MaxBytes)
	}
	if len(data) == 0 {
		return res, Errorf(Invalid, "", "the file is empty")
	}
	if err := s.checkQuota(ctx, who, scope, int64(len(data))); err != nil {
		return res, err
	}
	sha := SHA256Hex(data)
	if err := s.Store.PutBlob(ctx, sha, data); err != nil {
		return res, err
	}
	if !opt.DryRun {
		if first, ok, err := s.Store.FindUpload(ctx, sha, opt.Kind, scope); err != nil {
			return res, err
		} else if ok {
			return ImportResult{Upload: first, Duplicate: true}, nil
		}
	}
	u := Upload{SHA256: sha, Filename: filename, Size: int64(len(data)), Kind: opt.Kind, Country: scope,
		Uploader: who.Name, UploaderKey: who.KeyID, Status: StatusReceived, ReceivedAt: s.now()}
	if err := s.Store.CreateUpload(ctx, &u); err != nil {
		return res, err
	}
	_ = s.Store.AppendAudit(ctx, AuditEntry{At: u.ReceivedAt, Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "upload", Target: fmt.Sprintf("upload:%d", u.ID), RemoteAddr: opt.RemoteAddr,
		Detail: fmt.Sprintf("%s %s (%d bytes, sha256 %s)", u.Kind, filename, u.Size, sha)})
	return ImportResult{Upload: u}, nil
}

// errRollback ends an import transaction without storing anything.
var errRollback = errors.New("rollback")

// Process validates and stages a received upload in one transaction: any
// error problem (or a dry run) rolls everything back; otherwise the upload
// becomes submitted, or published when opt.Publish is set.
func (s *ImportService) Process(ctx context.Context, who Principal, u Upload, data []byte, opt ImportOptions) (out Upload, err error) {
	defer Wrap(&err, "ImportService.Process(upload %d)", u.ID)
	release, err := s.acquire(ctx)
	if err != nil {
		return u, err
	}
	defer release()
	u.Status = StatusValidating
	if err := s.Store.UpdateUpload(ctx, u); err != nil {
		return u, err
	}
	countries, err := s.Store.Countries(ctx)
	if err != nil {
		return u, err
	}
	drugs, err := s.Store.Drugs(ctx)
	if err != nil {
		return u, err
	}
	salts, err := s.Store.FactorTable(ctx, TableSaltBase, 0)
	if err != nil {
		return u, err
	}
	in := ParseInput{Kind: u.Kind, Filename: u.Filename, Data: data, Country: u.Country,
		Resolver: NewFoldingResolver(s.nameFolder(), countries, drugs, salts), SaltBase: salts, Limits: s.limits(), Progress: opt.Progress,
		Locale: opt.Locale}

	var (
		pr       ParseResult
		records  int
		extra    []Problem
		diff     Diff
		same     int
		parseErr error
		seen     = map[ImportKind]bool{}
		tally    = NewMETally(s.meFactor(ctx))
	)
	txErr := s.Store.WithImport(ctx, u.ID, func(w ImportWriter) error {
		// The parser runs in its own goroutine and hands batches over a
		// small buffer, so that storing one batch overlaps reading the next.
		pctx, cancel := context.WithCancel(ctx)
		defer cancel()
		batches := make(chan Batch, 4)
		type parsed struct {
			res ParseResult
			err error
		}
		done := make(chan parsed, 1)
		go func() {
			defer close(batches)
			defer func() {
				if r := recover(); r != nil {
					done <- parsed{err: Errorf(Invalid, "", "the file could not be read (%v)", r)}
				}
			}()
			res, err := s.Parser.Parse(pctx, in, func(b Batch) error {
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
				if err := CheckBatch(b); err != nil {
					return err
				}
				if u.Country != "" {
					if iso3, ok := outOfScope(b, u.Country); ok {
						return Errorf(Forbidden, "", "this upload is for %s; it holds data for %s", u.Country, iso3)
					}
				}
				select {
				case batches <- b:
					return nil
				case <-pctx.Done():
					return pctx.Err()
				}
			})
			done <- parsed{res, err}
		}()
		var stageErr error
		for b := range batches {
			if stageErr != nil {
				continue // drain until the parser stops
			}
			if err := w.Stage(ctx, b); err != nil {
				stageErr = err
				cancel()
				continue
			}
			records += b.Len()
			tally.Add(b.Consumption)
		}
		p := <-done
		pr, parseErr = p.res, p.err
		if stageErr != nil {
			return stageErr
		}
		if parseErr != nil {
			return errRollback
		}
		if pr.Kind == "" {
			for k := range seen {
				pr.Kind = k
			}
		}
		if len(seen) > 1 {
			extra = append(extra, Problem{Severity: SeverityError, Code: "mixed_kinds", Message: "the file mixes several kinds of data; upload each kind separately"})
		}
		if HasErrors(pr.Problems) || HasErrors(extra) {
			return errRollback
		}
		if pr.Kind == KindConsumption {
			ws, err := w.ConsumptionOverEstimate(ctx)
			if err != nil {
				return err
			}
			extra = append(extra, ws...)
		}
		if pr.Kind != "" {
			var err error
			if diff, same, err = w.Diff(ctx, pr.Kind, u.Country); err != nil {
				return err
			}
		}
		if opt.DryRun {
			return errRollback
		}
		if opt.Publish && pr.Kind != "" {
			return w.Publish(ctx, pr.Kind, u.Country)
		}
		return nil
	})
	if parseErr != nil && (ErrorCode(parseErr) == Forbidden || ErrorCode(parseErr) == Unauthorized) {
		txErr = parseErr
	}
	if txErr != nil && !errors.Is(txErr, errRollback) {
		if c := ErrorCode(txErr); c == Forbidden || c == Unauthorized {
			u.Status, u.Reason = StatusRejected, ErrorMessage(txErr)
			u.Problems = append(u.Problems, Problem{Severity: SeverityError, Code: "forbidden", Message: u.Reason})
			u.Counts.Errors = 1
			if err := s.Store.UpdateUpload(ctx, u); err != nil {
				return u, err
			}
			return u, txErr
		}
		return u, txErr
	}
	if parseErr != nil {
		if c := ErrorCode(parseErr); c == Internal && !isParseFailure(parseErr) {
			return u, parseErr
		}
		extra = append(extra, Problem{Severity: SeverityError, Code: "unreadable", Message: ErrorMessage(parseErr)})
	}
	if pr.Kind == KindConsumption && parseErr == nil && !HasErrors(pr.Problems) && !HasErrors(extra) {
		// After the transaction: the store may have a single connection.
		extra = append(extra, s.mePerCapitaWarnings(ctx, tally)...)
	}
	if u.Kind == "" {
		u.Kind = pr.Kind
	}
	u.Layout = pr.Layout
	u.Matches = pr.Matches
	u.Problems = append(append([]Problem(nil), pr.Problems...), extra...)
	u.Counts = UploadCounts{Rows: pr.Rows, Records: records}
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
		u.Diff, u.Counts.Unchanged = diff, same
	default:
		u.Diff, u.Counts.Unchanged = diff, same
		u.Counts.Stored = diff.Added + diff.Changed
		u.Status = StatusSubmitted
		if opt.Publish {
			u.Status, u.DecidedAt = StatusPublished, &now
		}
	}
	if err := s.Store.UpdateUpload(ctx, u); err != nil {
		return u, err
	}
	if u.Status == StatusPublished {
		_ = s.Store.AppendAudit(ctx, AuditEntry{At: now, Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
			Action: "publish", Target: fmt.Sprintf("upload:%d", u.ID), RemoteAddr: opt.RemoteAddr,
			Detail: fmt.Sprintf("published on import: %d added, %d changed, %d removed", diff.Added, diff.Changed, diff.Removed)})
	}
	return u, nil
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
	u, err := s.Process(ctx, who, res.Upload, data, opt)
	return ImportResult{Upload: u}, err
}

// Publish makes a submitted upload's values public (administrators only).
func (s *ImportService) Publish(ctx context.Context, who Principal, id int64, remote string) (u Upload, err error) {
	defer Wrap(&err, "ImportService.Publish(%d)", id)
	if !who.IsAdmin() {
		return u, Errorf(Forbidden, "", "only an administrator may publish")
	}
	if u, err = s.Store.Upload(ctx, id); err != nil {
		return u, err
	}
	if u.Status != StatusSubmitted {
		return u, Errorf(Conflict, "", "upload %d is %s; only a submitted upload can be published", id, u.Status)
	}
	if err := s.Store.PublishUpload(ctx, u); err != nil {
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
	if !who.IsAdmin() {
		return u, Errorf(Forbidden, "", "only an administrator may reject")
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
	if err := s.Store.UpdateUpload(ctx, u); err != nil {
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

// publishedInputs is the part of the store that can say which population is
// known; a store without it gets no per-capita check.
type publishedInputs interface {
	Inputs(ctx context.Context, f InputFilter) (map[string]*CountryInputs, error)
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
func (s *ImportService) mePerCapitaWarnings(ctx context.Context, t *METally) []Problem {
	ps, ok := s.Store.(publishedInputs)
	if !ok {
		return nil
	}
	pops := map[string]map[int]float64{}
	for _, iso3 := range t.Countries() {
		in, err := ps.Inputs(ctx, InputFilter{ISO3: iso3})
		if err != nil {
			continue
		}
		if ci := in[iso3]; ci != nil {
			pops[iso3] = map[int]float64{}
			for _, p := range ci.Population {
				pops[iso3][p.Year] = p.Persons
			}
		}
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
