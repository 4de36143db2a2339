package access

import (
	"context"
	"time"
)

// ImportKind is the kind of data a file holds.
type ImportKind string

const (
	KindConsumption ImportKind = "consumption"
	KindEstimates   ImportKind = "estimates"
	KindPopulation  ImportKind = "population"
	KindDeaths      ImportKind = "deaths"
	KindCountries   ImportKind = "countries"
)

// ImportKinds lists every kind in a stable order.
var ImportKinds = []ImportKind{KindConsumption, KindEstimates, KindPopulation, KindDeaths, KindCountries,
	KindAvailability, KindCCS}

// Valid reports whether k is a known kind.
func (k ImportKind) Valid() bool {
	for _, x := range ImportKinds {
		if x == k {
			return true
		}
	}
	return false
}

// UploadStatus moves received → validating → rejected (the file has
// problems) | failed (the system did; retryable) | submitted → published →
// superseded; or dry-run. These are the only upload statuses anywhere.
type UploadStatus string

const (
	StatusReceived   UploadStatus = "received"
	StatusValidating UploadStatus = "validating"
	StatusRejected   UploadStatus = "rejected"
	StatusSubmitted  UploadStatus = "submitted"
	// StatusFailed marks an upload the system could not process (a database
	// error, a timeout, a panic): not the file's fault, and retryable.
	StatusFailed     UploadStatus = "failed"
	StatusPublished  UploadStatus = "published"
	StatusSuperseded UploadStatus = "superseded"
	// StatusDryRun marks an upload that was validated but, as asked, not stored.
	StatusDryRun UploadStatus = "dry-run"
)

// Severity of an import problem: an error refuses the whole import, a
// warning is reported and the import goes on.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one row-level finding of an import, addressed as the user sees
// the file: sheet name, 1-based row number and column letter (for CSV the
// sheet is "", the row is the line number and the column is the letter the
// file would have in a spreadsheet).
type Problem struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Sheet    string   `json:"sheet,omitempty"`
	Row      int      `json:"row,omitempty"`
	Column   string   `json:"column,omitempty"`
	Value    string   `json:"value,omitempty"`
	Message  string   `json:"message"`
}

// Upload is one file as received, its validation result and its place in
// the publication workflow. The bytes are kept separately, addressed by
// SHA256.
type Upload struct {
	ID          int64
	SHA256      string
	Filename    string
	Size        int64
	Kind        ImportKind
	Layout      string // the layout the importer recognised, e.g. "incb-wide-years"
	Country     string // scope: the one country a ministry upload is for; "" for many
	Uploader    string // display name of who sent it
	UploaderKey int64  // API key id, 0 for the local operator
	Status      UploadStatus
	Reason      string // why it was rejected
	ReceivedAt  time.Time
	DecidedAt   *time.Time // published or rejected
	Counts      UploadCounts
	Problems    []Problem
	Diff        Diff
	Matches     []Match
	// SupersededBy is the upload that replaced this one's values.
	SupersededBy int64
	// Replace: publishing withdraws the published rows of the same kind,
	// countries and years that the upload leaves out. Always so for an
	// upload scoped to one country (a ministry's re-upload replaces its
	// earlier submission); for a multi-country table only when asked.
	Replace bool
	// Supplement is the number its supplementary estimates carry (1, 2, …);
	// a re-upload of supplementary n replaces supplementary n only.
	Supplement int
	// Terms: the source, licence and citation of the data, given on upload
	// or defaulted from the publisher the importer recognised.
	Terms Terms
}

// UploadCounts summarises an import.
type UploadCounts struct {
	Rows      int `json:"rows"`      // data rows read
	Records   int `json:"records"`   // records produced
	Stored    int `json:"stored"`    // records written (added or changed)
	Unchanged int `json:"unchanged"` // records equal to what is already published
	Warnings  int `json:"warnings"`
	Errors    int `json:"errors"`
}

// Diff is what an upload changes against the published values for its scope.
type Diff struct {
	Added   int          `json:"added"`
	Changed int          `json:"changed"`
	Removed int          `json:"removed"`
	Changes []DiffChange `json:"changes,omitempty"` // first few, for display
}

// DiffChange is one changed, added or removed value.
type DiffChange struct {
	Op    string   `json:"op"` // added, changed, removed
	Key   string   `json:"key"`
	Field string   `json:"field,omitempty"`
	Old   *float64 `json:"old,omitempty"`
	New   *float64 `json:"new,omitempty"`
}

// Match records how a name in a file was resolved (or not).
type Match struct {
	What        string   `json:"what"` // country or drug
	Value       string   `json:"value"`
	Resolved    string   `json:"resolved,omitempty"`
	Method      string   `json:"method,omitempty"` // iso3, iso2, numeric, name, alias, synonym, salt
	Suggestions []string `json:"suggestions,omitempty"`
}

// Batch is a slice of records a parser emits while it reads a file.
type Batch struct {
	Consumption []Consumption
	Estimates   []Estimate
	Population  []Population
	Deaths      []Deaths
	Countries   []CountryMetadata
	// Availability holds WHO/HAI facility survey rows, CCS country-capacity
	// survey answers (see availability.go).
	Availability []AvailabilitySurvey
	CCS          []CCSRecord
}

// Emptied is b with every slice cleared and cut to nothing, its room
// kept: a batch a caller is done with, to be filled again.
func (b Batch) Emptied() Batch {
	clear(b.Consumption)
	clear(b.Estimates)
	clear(b.Population)
	clear(b.Deaths)
	clear(b.Countries)
	clear(b.Availability)
	clear(b.CCS)
	return Batch{Consumption: b.Consumption[:0], Estimates: b.Estimates[:0], Population: b.Population[:0], Deaths: b.Deaths[:0],
		Countries: b.Countries[:0], Availability: b.Availability[:0], CCS: b.CCS[:0]}
}

// Len is the number of records in the batch.
func (b Batch) Len() int {
	return len(b.Consumption) + len(b.Estimates) + len(b.Population) + len(b.Deaths) + len(b.Countries) +
		len(b.Availability) + len(b.CCS)
}

// Limits bound what a parser reads.
type Limits struct {
	MaxBytes      int64 // whole file
	MaxRows       int   // per sheet
	MaxColumns    int
	MaxCellLength int
}

// DefaultLimits are used where nothing else is configured.
var DefaultLimits = Limits{MaxBytes: 20 << 20, MaxRows: 2_000_000, MaxColumns: 512, MaxCellLength: 32 << 10}

// ParseInput is what a Parser needs to read one file.
type ParseInput struct {
	Kind     ImportKind // "" to detect from the headers
	Filename string
	// Data is the file; or, when Path is set, the file is read from Path
	// (an upload spooled to a temporary file, read as a stream).
	Data []byte
	Path string
	// Country, when set, is the scope of the upload: rows for any other
	// country are errors, and a file without a country column is taken to
	// be for this country.
	Country  string
	Resolver *Resolver
	// SaltBase is the salt→base table used to convert salt quantities.
	SaltBase FactorTable
	Limits   Limits
	// Locale, when set, says how the file writes numbers: "dot" (1,234.5)
	// or "comma" (1.234,5); otherwise the file's own numbers decide.
	Locale string
	// Progress, if set, is called now and then with bytes or rows done.
	Progress func(done, total int64)
	// Spent, if set, hands back batches the caller of Parse is done with
	// (nothing of them is kept): the parser may fill them again rather
	// than allocate new ones.
	Spent <-chan Batch
}

// ParseResult is what a Parser found beyond the records it emitted.
type ParseResult struct {
	Kind     ImportKind
	Layout   string
	Rows     int
	Problems []Problem
	Matches  []Match
}

// Parser turns an uploaded file into records, emitting them in batches so
// that storing can overlap reading. A returned error means the file could
// not be read at all (not a spreadsheet, too large); findings about rows are
// Problems in the result.
type Parser interface {
	Parse(ctx context.Context, in ParseInput, emit func(Batch) error) (ParseResult, error)
}

// Preparer is a Parser that can start reading a file on disk, for a parse
// of it to come, while the file is being received. What it reads is the
// same as the parse would; release forgets it.
type Preparer interface {
	Prepare(path string, lim Limits) (release func())
}

// UploadFilter selects uploads; zero fields select everything.
type UploadFilter struct {
	Country     string
	Status      UploadStatus
	Kind        ImportKind
	UploaderKey int64
	Before      int64 // cursor: only ids below this
	Limit       int
}

// InputFilter selects the published values read for gap figures. Empty ISO3
// reads every country; zero years read every year.
type InputFilter struct {
	ISO3     string
	FromYear int
	ToYear   int
	// AsOf reads the values published at that data version; 0 reads the
	// current ones.
	AsOf int64
	// PopulationSource and DeathsSource name the series read ("" reads
	// every series: only right when there is one).
	PopulationSource string
	DeathsSource     string
}
