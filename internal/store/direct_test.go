package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// keyRow is one stored row of a consumption key, old or current.
type keyRow struct {
	grams                float64
	active               bool
	published, withdrawn sql.NullInt64
	upload               int64
}

func keyRows(t *testing.T, s *store.Store, iso3 string, year int, drug string) []keyRow {
	t.Helper()
	q := "SELECT grams, active, published_in, withdrawn_in, upload_id FROM consumption WHERE iso3 = ? AND year = ? AND drug = ? ORDER BY id"
	if s.Dialect() == store.Postgres {
		q = "SELECT grams, active, published_in, withdrawn_in, upload_id FROM consumption WHERE iso3 = $1 AND year = $2 AND drug = $3 ORDER BY id"
	}
	rows, err := s.SQL().QueryContext(context.Background(), q, iso3, year, drug)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []keyRow
	for rows.Next() {
		var r keyRow
		if err := rows.Scan(&r.grams, &r.active, &r.published, &r.withdrawn, &r.upload); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// validatingUpload records an upload of data, being validated.
func validatingUpload(t *testing.T, s *store.Store, data string) access.Upload {
	t.Helper()
	ctx := context.Background()
	sum := sha256.Sum256([]byte(data))
	u := access.Upload{SHA256: hex.EncodeToString(sum[:]), Filename: "d.csv", Size: int64(len(data)), Kind: access.KindConsumption,
		Status: access.StatusValidating, ReceivedAt: time.Now().UTC()}
	if err := s.PutBlob(ctx, u.SHA256, []byte(data)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateUpload(ctx, &u, false, nil); err != nil {
		t.Fatal(err)
	}
	return u
}

func grams(v float64) *float64 { return &v }

// settleAs settles upload u, being validated, as status inside its import.
func settleAs(ctx context.Context, w access.ImportWriter, u access.Upload, status access.UploadStatus) error {
	u.Status = status
	return w.Finish(ctx, u, access.StatusValidating)
}

// publishInImport settles upload u, being validated, as published and
// publishes it, inside its import.
func publishInImport(ctx context.Context, w access.ImportWriter, u access.Upload) error {
	u.Status = access.StatusPublished
	if err := w.Finish(ctx, u, access.StatusValidating); err != nil {
		return err
	}
	return w.Publish(ctx, u)
}

func consumptionBatch(rows ...access.Consumption) access.Batch {
	for i := range rows {
		rows[i].State = access.ValueReported
		rows[i].Lineage.Row = i + 1
	}
	return access.Batch{Consumption: rows}
}

// An upload to be published as soon as it is valid: its rows are
// published as they arrive; on both databases the diff, the rows it
// replaces and the data version it is published at are the same. When
// another change takes a data version while the upload is read, the
// upload is published at a later one (versions follow commit order).
func TestPublishWhenValid(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		res, err := newImports(s).Import(ctx, access.Operator, "a.csv", []byte("KEN,2020,morphine,5"), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil || res.Upload.Status != access.StatusPublished {
			t.Fatalf("%+v, %v", res.Upload, err)
		}
		first := res.Upload.ID
		u := validatingUpload(t, s, "the second upload")
		var vSetting int64
		err = s.WithImport(ctx, u.ID, func(w access.ImportWriter) error {
			if err := w.PublishWhenValid(ctx, u); err != nil {
				return err
			}
			// 2020 changes (5 → 7), 2021 and codeine 2019 are new.
			if err := w.Stage(ctx, consumptionBatch(
				access.Consumption{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: grams(7)},
				access.Consumption{ISO3: "KEN", Year: 2021, Drug: "morphine", Grams: grams(8)},
				access.Consumption{ISO3: "KEN", Year: 2019, Drug: "codeine", Grams: grams(1)})); err != nil {
				return err
			}
			if s.Dialect() == store.Postgres {
				// Another change commits a data version meanwhile (SQLite has
				// one writer: it would wait for this import).
				if err := s.SetSetting(ctx, "test.direct", "x"); err != nil {
					return err
				}
				if vSetting, err = s.DataVersion(ctx); err != nil {
					return err
				}
			}
			d, same, err := w.Diff(ctx, u)
			if err != nil {
				return err
			}
			if d.Added != 2 || d.Changed != 1 || d.Removed != 0 || same != 0 {
				return fmt.Errorf("diff %+v, %d unchanged", d, same)
			}
			if len(d.Changes) != 3 || d.Changes[0].Op != "changed" || d.Changes[0].Key != "KEN/2020/morphine" || *d.Changes[0].Old != 5 || *d.Changes[0].New != 7 {
				return fmt.Errorf("changes %+v", d.Changes)
			}
			return publishInImport(ctx, w, u)
		})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v <= vSetting {
			t.Fatalf("published at %d, not after the setting's %d", v, vSetting)
		}
		got := keyRows(t, s, "KEN", 2020, "morphine")
		if len(got) != 2 || got[0].grams != 5 || got[0].active || got[0].withdrawn.Int64 != v || got[0].upload != first ||
			got[1].grams != 7 || !got[1].active || got[1].published.Int64 != v || got[1].withdrawn.Valid || got[1].upload != u.ID {
			t.Fatalf("KEN 2020 rows %+v (version %d)", got, v)
		}
		if got := keyRows(t, s, "KEN", 2021, "morphine"); len(got) != 1 || !got[0].active || got[0].published.Int64 != v {
			t.Fatalf("KEN 2021 rows %+v (version %d)", got, v)
		}
		var n int
		q := "SELECT COUNT(*) FROM data_versions WHERE upload_id = ? AND version = ?"
		if s.Dialect() == store.Postgres {
			q = "SELECT COUNT(*) FROM data_versions WHERE upload_id = $1 AND version = $2"
		}
		if err := s.SQL().QueryRowContext(ctx, q, u.ID, v).Scan(&n); err != nil || n != 1 {
			t.Fatalf("data version %d of the upload: %d rows, %v", v, n, err)
		}
	})
}

// An upload staged to be published that is settled otherwise after all
// (awaiting an administrator) takes back what it published: its rows wait,
// inactive, and the rows it replaced are published again; publishing it
// later replaces them as usual.
func TestPublishWhenValidTakenBack(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if res, err := newImports(s).Import(ctx, access.Operator, "a.csv", []byte("KEN,2020,morphine,5"), access.ImportOptions{Kind: access.KindConsumption, Publish: true}); err != nil || res.Upload.Status != access.StatusPublished {
			t.Fatalf("%+v, %v", res.Upload, err)
		}
		u := validatingUpload(t, s, "the second upload")
		err := s.WithImport(ctx, u.ID, func(w access.ImportWriter) error {
			if err := w.PublishWhenValid(ctx, u); err != nil {
				return err
			}
			if err := w.Stage(ctx, consumptionBatch(access.Consumption{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: grams(7)})); err != nil {
				return err
			}
			return settleAs(ctx, w, u, access.StatusSubmitted)
		})
		if err != nil {
			t.Fatal(err)
		}
		got := keyRows(t, s, "KEN", 2020, "morphine")
		if len(got) != 2 || got[0].grams != 5 || !got[0].active || got[0].withdrawn.Valid || got[1].grams != 7 || got[1].active || got[1].published.Valid {
			t.Fatalf("rows after settling as submitted %+v", got)
		}
		u.Status = access.StatusSubmitted
		if err := s.PublishUpload(ctx, u, time.Now()); err != nil {
			t.Fatal(err)
		}
		v, _ := s.DataVersion(ctx)
		got = keyRows(t, s, "KEN", 2020, "morphine")
		if len(got) != 2 || got[0].active || got[0].withdrawn.Int64 != v || !got[1].active || got[1].published.Int64 != v {
			t.Fatalf("rows after publication at %d: %+v", v, got)
		}
	})
}

// Uploads published at the same time with keys in common both end
// published, one after the other: every key has one published row, the
// one of the upload published last, and the other's row for it was
// withdrawn at that upload's version.
func TestPublishWhenValidConcurrently(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		var wg sync.WaitGroup
		results := make([]access.Upload, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var data string
				for y := 1990; y < 2020; y++ {
					data += fmt.Sprintf("KEN,%d,morphine,%d\n", y, 10*(i+1))
				}
				data += fmt.Sprintf("UGA,%d,morphine,1\n", 2000+i)
				res, err := imp.Import(ctx, access.Operator, fmt.Sprintf("%d.csv", i), []byte(data), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
				results[i], errs[i] = res.Upload, err
			}()
		}
		wg.Wait()
		for i := range 2 {
			if errs[i] != nil || results[i].Status != access.StatusPublished {
				t.Fatalf("upload %d: %+v, %v", i, results[i], errs[i])
			}
		}
		for y := 1990; y < 2020; y++ {
			got := keyRows(t, s, "KEN", y, "morphine")
			if len(got) != 2 || got[0].active || !got[1].active || got[0].withdrawn.Int64 != got[1].published.Int64 || got[0].published.Int64 >= got[1].published.Int64 {
				t.Fatalf("KEN %d rows %+v", y, got)
			}
			if y > 1990 && got[1].upload != keyRows(t, s, "KEN", 1990, "morphine")[1].upload {
				t.Fatalf("KEN %d is published from another upload than 1990: %+v", y, got)
			}
		}
		for i := range 2 {
			if got := keyRows(t, s, "UGA", 2000+i, "morphine"); len(got) != 1 || !got[0].active {
				t.Fatalf("UGA %d rows %+v", 2000+i, got)
			}
		}
	})
}

// twoProcesses opens one SQLite file twice, as two processes would.
func twoProcesses(t *testing.T) (*store.Store, *store.Store) {
	t.Helper()
	dsn := "sqlite:" + t.TempDir() + "/w.db"
	var out [2]*store.Store
	for i := range out {
		s, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out[0], out[1]
}

// On SQLite, another connection (another process: serve's job queue, a
// web session) writing while an import parses does not make the import
// fail: staging does not read the database, and the import's first access
// after it waits for the write lock instead of being refused with
// "database is locked".
func TestSQLiteImportWhileAnotherProcessWrites(t *testing.T) {
	ctx := context.Background()
	s1, s2 := twoProcesses(t)
	u := validatingUpload(t, s1, "an upload")
	var err error
	err = s1.WithImport(ctx, u.ID, func(w access.ImportWriter) error {
		if err := w.Stage(ctx, consumptionBatch(access.Consumption{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: grams(7)})); err != nil {
			return err
		}
		if err := s2.SetSetting(ctx, "test.writer", "x"); err != nil {
			return fmt.Errorf("the other process could not write: %w", err)
		}
		if _, _, err := w.Diff(ctx, u); err != nil {
			return err
		}
		return settleAs(ctx, w, u, access.StatusSubmitted)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Upload(ctx, u.ID); err != nil || got.Status != access.StatusSubmitted {
		t.Fatalf("upload %+v, %v", got, err)
	}
}

// On SQLite, an import published as its rows arrive holds the write lock
// from its first batch: another process's write waits for its commit
// (busy timeout), and then goes through.
func TestSQLiteDirectImportMakesOtherWritersWait(t *testing.T) {
	ctx := context.Background()
	s1, s2 := twoProcesses(t)
	u := validatingUpload(t, s1, "an upload")
	var err error
	wrote := make(chan error, 1)
	err = s1.WithImport(ctx, u.ID, func(w access.ImportWriter) error {
		if err := w.PublishWhenValid(ctx, u); err != nil {
			return err
		}
		if err := w.Stage(ctx, consumptionBatch(access.Consumption{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: grams(7)})); err != nil {
			return err
		}
		go func() { wrote <- s2.SetSetting(ctx, "test.writer", "x") }()
		select {
		case err := <-wrote:
			return fmt.Errorf("the other process wrote while the import held the lock (%v)", err)
		case <-time.After(300 * time.Millisecond):
		}
		if _, _, err := w.Diff(ctx, u); err != nil {
			return err
		}
		return publishInImport(ctx, w, u)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("the other process's write, after the import: %v", err)
	}
	if got := keyRows(t, s2, "KEN", 2020, "morphine"); len(got) != 1 || !got[0].active || got[0].grams != 7 {
		t.Fatalf("KEN 2020 rows %+v", got)
	}
}

// While another publication into the table is under way (a second serve
// process importing), an upload to be published does not wait for it to
// parse and stage: it stages as usual, and waits only to publish.
func TestPublishWhenValidDoesNotWaitToParse(t *testing.T) {
	dsn := os.Getenv("RELIEFGAP_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("needs RELIEFGAP_TEST_POSTGRES")
	}
	ctx := context.Background()
	s := openPostgres(t, dsn)
	// The other publication: a transaction holding the table's lock.
	other, err := s.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	if _, err := other.ExecContext(ctx, "SELECT pg_advisory_xact_lock(727000, 1)"); err != nil {
		t.Fatal(err)
	}
	var data strings.Builder
	data.WriteString("iso3,year,drug,unit,consumption\n")
	for y := 1950; y < 2050; y++ {
		fmt.Fprintf(&data, "KEN,%d,morphine,kg,%d\n", y, y-1900)
	}
	parsed := make(chan struct{})
	var once sync.Once
	imp := &access.ImportService{Store: s, Parser: &importers.Parser{BatchSize: 10}}
	done := make(chan error, 1)
	var res access.ImportResult
	go func() {
		var err error
		res, err = imp.Import(ctx, access.Operator, "k.csv", []byte(data.String()), access.ImportOptions{Kind: access.KindConsumption, Publish: true,
			Progress: func(n, total int64) {
				if n == 100 && total == 100 {
					once.Do(func() { close(parsed) })
				}
			}})
		done <- err
	}()
	select {
	case <-parsed: // all 100 rows, 10 batches, parsed and staged while the lock is held
	case err := <-done:
		t.Fatalf("the import ended while another publication held the table: %+v, %v", res.Upload, err)
	case <-time.After(20 * time.Second):
		t.Fatal("the import waited for the other publication to parse its file")
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil || res.Upload.Status != access.StatusPublished || res.Upload.Diff.Added != 100 {
		t.Fatalf("%+v, %v", res.Upload, err)
	}
	if got := keyRows(t, s, "KEN", 2000, "morphine"); len(got) != 1 || !got[0].active || got[0].grams != 100*1000 {
		t.Fatalf("KEN 2000 rows %+v", got)
	}
}

// An upload published as it arrives goes through one COPY left open across
// batches (PostgreSQL). A batch naming a country with published rows ends
// it, withdraws the rows replaced, and the next batch opens another; the
// rows stored are the values staged, bit for bit, NULLs included.
func TestPublishWhenValidAcrossBatches(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		res, err := newImports(s).Import(ctx, access.Operator, "a.csv", []byte("UGA,2020,morphine,5"), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil || res.Upload.Status != access.StatusPublished {
			t.Fatalf("%+v, %v", res.Upload, err)
		}
		u := validatingUpload(t, s, "batches")
		tenth, third := 0.1+0.2, 1.0/3 // neither has a short decimal form
		days := 12.5
		err = s.WithImport(ctx, u.ID, func(w access.ImportWriter) error {
			if err := w.PublishWhenValid(ctx, u); err != nil {
				return err
			}
			batches := []access.Batch{
				consumptionBatch(access.Consumption{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: grams(tenth)},
					access.Consumption{ISO3: "KEN", Year: 2021, Drug: "morphine", Grams: grams(third), StockOutDays: &days}),
				consumptionBatch(access.Consumption{ISO3: "KEN", Year: 2022, Drug: "codeine", Grams: grams(0)}),
				// UGA 2020 is published: the COPY ends, the row is withdrawn.
				consumptionBatch(access.Consumption{ISO3: "UGA", Year: 2020, Drug: "morphine", Grams: grams(6)},
					access.Consumption{ISO3: "UGA", Year: 2021, Drug: "morphine", Grams: grams(7)}),
				consumptionBatch(access.Consumption{ISO3: "TZA", Year: 2020, Drug: "fentanyl", Grams: grams(0.5)}),
			}
			for _, b := range batches {
				if err := w.Stage(ctx, b); err != nil {
					return err
				}
			}
			d, same, err := w.Diff(ctx, u)
			if err != nil {
				return err
			}
			// Added: KEN ×3, UGA 2021, TZA; changed: UGA 2020 (5 → 6).
			if d.Added != 5 || d.Changed != 1 || d.Removed != 0 || same != 0 {
				return fmt.Errorf("diff %+v, %d unchanged", d, same)
			}
			return publishInImport(ctx, w, u)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := keyRows(t, s, "UGA", 2020, "morphine"); len(got) != 2 || got[0].active || got[0].grams != 5 || !got[1].active || got[1].grams != 6 {
			t.Fatalf("UGA 2020 rows %+v", got)
		}
		for _, c := range []struct {
			iso3 string
			year int
			drug string
			want float64
		}{{"KEN", 2020, "morphine", tenth}, {"KEN", 2021, "morphine", third}, {"KEN", 2022, "codeine", 0}, {"UGA", 2021, "morphine", 7}, {"TZA", 2020, "fentanyl", 0.5}} {
			got := keyRows(t, s, c.iso3, c.year, c.drug)
			if len(got) != 1 || !got[0].active || got[0].grams != c.want || got[0].upload != u.ID {
				t.Fatalf("%s %d %s rows %+v, want %v", c.iso3, c.year, c.drug, got, c.want)
			}
		}
		q := "SELECT stock_out_days, manufactured_g, state FROM consumption WHERE iso3 = 'KEN' AND year = 2021 AND active"
		var sod, manufactured sql.NullFloat64
		var state string
		if err := s.SQL().QueryRowContext(ctx, q).Scan(&sod, &manufactured, &state); err != nil || sod.Float64 != days || manufactured.Valid || state != "reported" {
			t.Fatalf("KEN 2021: stock-out days %v, manufactured %v, state %q, %v", sod, manufactured, state, err)
		}
	})
}

// importRefused runs an import, to be published once valid, of batches
// that the store must refuse; it returns the import's error, after making
// sure that none of KEN 2020 morphine's rows were kept.
func importRefused(t *testing.T, s *store.Store, name string, batches ...access.Batch) error {
	t.Helper()
	ctx := context.Background()
	u := validatingUpload(t, s, name)
	err := s.WithImport(ctx, u.ID, func(w access.ImportWriter) error {
		if err := w.PublishWhenValid(ctx, u); err != nil {
			return err
		}
		for _, b := range batches {
			if err := w.Stage(ctx, b); err != nil {
				return err
			}
		}
		if _, _, err := w.Diff(ctx, u); err != nil {
			return err
		}
		return settleAs(ctx, w, u, access.StatusPublished)
	})
	if got := keyRows(t, s, "KEN", 2020, "morphine"); len(got) != 0 {
		t.Fatalf("rows kept: %+v", got)
	}
	return err
}

// A country or drug that is not (or no longer) known stops the import
// before it commits, though on PostgreSQL its rows were copied in before
// the check; on SQLite the table's foreign key refuses the row. Either
// way the import names the code and the line.
func TestPublishWhenValidUnknownCode(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		err := importRefused(t, s, "unknown code", consumptionBatch(access.Consumption{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: grams(1)},
			access.Consumption{ISO3: "ZZZ", Year: 2020, Drug: "morphine", Grams: grams(2)}))
		if err == nil || access.ErrorCode(err) != access.Conflict || !strings.Contains(err.Error(), "line 2 names a country or drug (ZZZ)") {
			t.Fatalf("want the import refused with a conflict naming line 2 and ZZZ, got %v", err)
		}
		// Among 40 rows, which SQLite stores 16 at a time: the 20th.
		var rows []access.Consumption
		for i := range 40 {
			iso3 := "KEN"
			if i == 19 {
				iso3 = "ZZZ"
			}
			rows = append(rows, access.Consumption{ISO3: iso3, Year: 1980 + i, Drug: "morphine", Grams: grams(1)})
		}
		err = importRefused(t, s, "unknown code among many", consumptionBatch(rows...))
		if err == nil || access.ErrorCode(err) != access.Conflict || !strings.Contains(err.Error(), "line 20 names a country or drug (ZZZ)") {
			t.Fatalf("want the import refused with a conflict naming line 20 and ZZZ, got %v", err)
		}
	})
}

// Rows the database refuses part way (here two published rows with one
// key, which the parser would never send: a COPY on PostgreSQL, an INSERT
// on SQLite) fail the import, whatever the import does next, and leave
// nothing behind.
func TestPublishWhenValidRefusedCopy(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		twice := consumptionBatch(access.Consumption{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: grams(1)},
			access.Consumption{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: grams(2)})
		if err := importRefused(t, s, "refused", twice, twice, twice); err == nil {
			t.Fatal("the import went through")
		}
	})
}

// The diff's sample of an all-new upload published as it arrived lists
// its first rows in file order, also when another import's rows took ids
// among its own (PostgreSQL).
func TestPublishWhenValidSampleBetweenOthers(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		if s.Dialect() != store.Postgres {
			t.Skip("ids are handed out in blocks per connection on PostgreSQL only")
		}
		ctx := context.Background()
		// Ids one at a time, not a thousand per connection (migration
		// 0022): the other import's rows then take ids among this one's,
		// as they do when this import's connection runs out of its block.
		if _, err := s.SQL().ExecContext(ctx, "ALTER SEQUENCE consumption_id_seq CACHE 1"); err != nil {
			t.Fatal(err)
		}
		u := validatingUpload(t, s, "sample")
		batch := func(from, to int) access.Batch {
			var rows []access.Consumption
			for y := from; y < to; y++ {
				rows = append(rows, access.Consumption{ISO3: "KEN", Year: y, Drug: "morphine", Grams: grams(float64(y))})
			}
			return consumptionBatch(rows...)
		}
		err := s.WithImport(ctx, u.ID, func(w access.ImportWriter) error {
			if err := w.PublishWhenValid(ctx, u); err != nil {
				return err
			}
			if err := w.Stage(ctx, batch(1900, 1910)); err != nil {
				return err
			}
			// Ends the COPY, so that the ten rows have their ids.
			if _, err := w.(interface {
				PublishedPopulation(context.Context, []string) (map[string]map[int]float64, error)
			}).PublishedPopulation(ctx, []string{"KEN"}); err != nil {
				return err
			}
			// Another import's rows, unpublished, take the next 2000 ids.
			if _, err := s.SQL().ExecContext(ctx, `INSERT INTO consumption (iso3, year, drug, grams, upload_id, row_num, active)
SELECT 'UGA', y, 'morphine', 1, 999999, y, FALSE FROM generate_series(1, 2000) AS y`); err != nil {
				return err
			}
			if err := w.Stage(ctx, batch(1910, 1990)); err != nil {
				return err
			}
			d, _, err := w.Diff(ctx, u)
			if err != nil {
				return err
			}
			if d.Added != 90 || len(d.Changes) != 50 {
				return fmt.Errorf("diff: %d added, %d listed", d.Added, len(d.Changes))
			}
			for i, c := range d.Changes {
				if want := fmt.Sprintf("KEN/%d/morphine", 1900+i); c.Key != want || c.Op != "added" || *c.New != float64(1900+i) {
					return fmt.Errorf("change %d: %+v, want %s", i, c, want)
				}
			}
			return settleAs(ctx, w, u, access.StatusPublished)
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// An import cancelled while its COPY is open (the job cancelled, the
// process told to stop) ends at once with nothing kept, and the store
// goes on working. SQLite on a file, as it is used: a cancelled statement
// can cost the connection, and an in-memory database would go with it.
func TestPublishWhenValidCancelledMidCopy(t *testing.T) {
	stores := map[string]*store.Store{}
	if dsn := os.Getenv("RELIEFGAP_TEST_POSTGRES"); dsn != "" {
		stores["postgres"] = openPostgres(t, dsn)
	}
	file, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "c.db"), store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	stores["sqlite"] = file
	for name, s := range stores {
		t.Run(name, func(t *testing.T) { cancelMidCopy(t, s) })
	}
}

// cancelMidCopy cancels an import of s while it stages.
func cancelMidCopy(t *testing.T, s *store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u := validatingUpload(t, s, "cancelled")
	done := make(chan error, 1)
	go func() {
		done <- s.WithImport(ctx, u.ID, func(w access.ImportWriter) error {
			if err := w.PublishWhenValid(ctx, u); err != nil {
				return err
			}
			for y := 1900; ; y++ {
				if y == 1950 {
					cancel()
				}
				b := consumptionBatch(access.Consumption{ISO3: "KEN", Year: y % 2100, Drug: "morphine", Grams: grams(1)})
				if err := w.Stage(ctx, b); err != nil {
					return err
				}
				if y > 3000 {
					return fmt.Errorf("still staging after the cancel")
				}
			}
		})
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a cancelled import went through")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the cancelled import did not end")
	}
	if got := keyRows(t, s, "KEN", 1900, "morphine"); len(got) != 0 {
		t.Fatalf("rows kept: %+v", got)
	}
	res, err := newImports(s).Import(context.Background(), access.Operator, "after.csv", []byte("KEN,2020,morphine,5"), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
	if err != nil || res.Upload.Status != access.StatusPublished {
		t.Fatalf("the next import: %+v, %v", res.Upload, err)
	}
}

// An upload published as it arrives that replaces (a ministry's statistics
// again, or a table imported with replace) withdraws the published rows of
// the groups it lists (country and year) that it leaves out, and the diff
// counts them as removed. Here KEN 2021 codeine is left out: withdrawn;
// KEN 2020 is not listed: kept; KEN 2021 morphine changes 6 → 8.
func TestPublishWhenValidWithdrawsLeftOut(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		res, err := newImports(s).Import(ctx, access.Operator, "a.csv", []byte("KEN,2020,morphine,5\nKEN,2021,morphine,6\nKEN,2021,codeine,1"),
			access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil || res.Upload.Status != access.StatusPublished {
			t.Fatalf("%+v, %v", res.Upload, err)
		}
		u := validatingUpload(t, s, "replacing")
		u.Replace = true
		err = s.WithImport(ctx, u.ID, func(w access.ImportWriter) error {
			if err := w.PublishWhenValid(ctx, u); err != nil {
				return err
			}
			if err := w.Stage(ctx, consumptionBatch(access.Consumption{ISO3: "KEN", Year: 2021, Drug: "morphine", Grams: grams(8)})); err != nil {
				return err
			}
			d, same, err := w.Diff(ctx, u)
			if err != nil {
				return err
			}
			if d.Added != 0 || d.Changed != 1 || d.Removed != 1 || same != 0 {
				return fmt.Errorf("diff %+v, %d unchanged", d, same)
			}
			if len(d.Changes) != 2 || d.Changes[0].Op != "removed" || d.Changes[0].Key != "KEN/2021/codeine" ||
				d.Changes[1].Op != "changed" || d.Changes[1].Key != "KEN/2021/morphine" || *d.Changes[1].Old != 6 || *d.Changes[1].New != 8 {
				return fmt.Errorf("changes %+v", d.Changes)
			}
			return publishInImport(ctx, w, u)
		})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := keyRows(t, s, "KEN", 2021, "codeine"); len(got) != 1 || got[0].active || got[0].withdrawn.Int64 != v {
			t.Fatalf("KEN 2021 codeine %+v (version %d)", got, v)
		}
		if got := keyRows(t, s, "KEN", 2020, "morphine"); len(got) != 1 || !got[0].active || got[0].grams != 5 {
			t.Fatalf("KEN 2020 morphine %+v", got)
		}
		if got := keyRows(t, s, "KEN", 2021, "morphine"); len(got) != 2 || got[0].active || got[1].grams != 8 || !got[1].active || got[1].published.Int64 != v {
			t.Fatalf("KEN 2021 morphine %+v (version %d)", got, v)
		}
	})
}

// An upload published as it arrives withdraws, batch by batch, exactly the
// published rows it replaces: here 20 of 30, in batches of 10 rows, the
// last batch all new. The diff counts them, and the rows it does not name
// stay published.
func TestPublishWhenValidReplacesAcrossBatches(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := &access.ImportService{Store: s, Parser: &importers.Parser{BatchSize: 10}}
		file := func(from, to, grams int) []byte {
			var b strings.Builder
			b.WriteString("iso3,year,drug,unit,consumption\n")
			for y := from; y <= to; y++ {
				fmt.Fprintf(&b, "KEN,%d,morphine,g,%d\n", y, grams+y)
			}
			return []byte(b.String())
		}
		first, err := imp.Import(ctx, access.Operator, "a.csv", file(1990, 2019, 0), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil || first.Upload.Status != access.StatusPublished {
			t.Fatalf("%+v, %v", first.Upload, err)
		}
		// 2000–2019 change (grams + 1000), 2020–2029 are new.
		second, err := imp.Import(ctx, access.Operator, "b.csv", file(2000, 2029, 1000), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil || second.Upload.Status != access.StatusPublished {
			t.Fatalf("%+v, %v", second.Upload, err)
		}
		if d := second.Upload.Diff; d.Added != 10 || d.Changed != 20 || d.Removed != 0 {
			t.Fatalf("diff %+v", d)
		}
		for y := 1990; y <= 2029; y++ {
			rows := keyRows(t, s, "KEN", y, "morphine")
			var active []keyRow
			for _, r := range rows {
				if r.active {
					active = append(active, r)
				}
			}
			want, wantRows := float64(y), 1 // 1990–1999: the first upload's
			switch {
			case y >= 2020:
				want = float64(1000 + y)
			case y >= 2000:
				want, wantRows = float64(1000+y), 2 // the first upload's, withdrawn
			}
			if len(rows) != wantRows || len(active) != 1 || active[0].grams != want {
				t.Fatalf("%d: rows %+v, want %d rows, %v published", y, rows, wantRows, want)
			}
		}
	})
}
