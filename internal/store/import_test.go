package store_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// lineParser is a tiny access.Parser for these tests: each line
// "ISO3,YEAR,DRUG,GRAMS" is a consumption record (GRAMS "-" is INCB's nil,
// "blank" a cell left blank); "pop,ISO3,YEAR,PERSONS" a population record;
// "est,ISO3,YEAR,DRUG,KIND,TOTAL" an estimate. A bad number is an error
// problem on that line.
type lineParser struct{}

func (lineParser) Parse(ctx context.Context, in access.ParseInput, emit func(access.Batch) error) (access.ParseResult, error) {
	res := access.ParseResult{Kind: in.Kind, Layout: "test-lines"}
	var b access.Batch
	for i, line := range strings.Split(strings.TrimSpace(string(in.Data)), "\n") {
		f := strings.Split(strings.TrimSpace(line), ",")
		res.Rows++
		row := i + 1
		bad := func(col, v string) {
			res.Problems = append(res.Problems, access.Problem{Severity: access.SeverityError, Code: "number", Row: row, Column: col, Value: v, Message: "not a number"})
		}
		if f[0] == "est" {
			y, _ := strconv.Atoi(f[2])
			g, err := strconv.ParseFloat(f[5], 64)
			if err != nil {
				bad("F", f[5])
				continue
			}
			b.Estimates = append(b.Estimates, access.Estimate{ISO3: f[1], Year: y, Drug: f[3], Kind: access.EstimateKind(f[4]),
				Status: access.EstimateSubmitted, Total: access.F(g), Lineage: access.Lineage{Row: row}})
			continue
		}
		if f[0] == "pop" {
			y, _ := strconv.Atoi(f[2])
			p, err := strconv.ParseFloat(f[3], 64)
			if err != nil {
				bad("D", f[3])
				continue
			}
			b.Population = append(b.Population, access.Population{ISO3: f[1], Year: y, Persons: p, Lineage: access.Lineage{Row: row}})
			continue
		}
		y, _ := strconv.Atoi(f[1])
		switch f[3] {
		case "-": // INCB's nil or under the publication threshold
			b.Consumption = append(b.Consumption, access.Consumption{ISO3: f[0], Year: y, Drug: f[2], Grams: access.F(0),
				State: access.ValueNil, Lineage: access.Lineage{Row: row}})
			continue
		case "blank": // not reported
			b.Consumption = append(b.Consumption, access.Consumption{ISO3: f[0], Year: y, Drug: f[2],
				State: access.ValueNotReported, Lineage: access.Lineage{Row: row}})
			continue
		}
		g, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			bad("D", f[3])
			continue
		}
		b.Consumption = append(b.Consumption, access.Consumption{ISO3: f[0], Year: y, Drug: f[2], Grams: access.F(g), Lineage: access.Lineage{Row: row}})
	}
	if err := emit(b); err != nil {
		return res, err
	}
	return res, nil
}

func newImports(s *store.Store) *access.ImportService {
	return &access.ImportService{Store: s, Parser: lineParser{}}
}

func publishedGrams(t *testing.T, s *store.Store, iso3 string) map[string]float64 {
	t.Helper()
	in, err := s.Inputs(context.Background(), access.InputFilter{ISO3: iso3})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, c := range in[iso3].Consumption {
		if c.Grams != nil {
			out[strconv.Itoa(c.Year)+"/"+c.Drug] = *c.Grams
		}
	}
	return out
}

func TestImportIsAllOrNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		// The error is on the last row: nothing of the file may be stored.
		data := "KEN,2020,morphine,1000\nKEN,2020,fentanyl,5\nKEN,2021,morphine,x"
		res, err := imp.Import(ctx, access.Operator, "k.csv", []byte(data), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil {
			t.Fatal(err)
		}
		u := res.Upload
		if u.Status != access.StatusRejected || u.Counts.Errors != 1 || u.Problems[0].Row != 3 || u.Problems[0].Column != "D" {
			t.Fatalf("upload = %+v", u)
		}
		if got := publishedGrams(t, s, "KEN"); len(got) != 0 {
			t.Fatalf("a rejected import stored %v", got)
		}
		// The bytes are kept all the same, addressed by SHA-256.
		b, err := s.Blob(ctx, u.SHA256)
		if err != nil || string(b) != data || u.SHA256 != access.SHA256Hex([]byte(data)) {
			t.Fatalf("blob = %q, %v", b, err)
		}
	})
}

func TestReimportAndSupersede(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		opt := access.ImportOptions{Kind: access.KindConsumption, Publish: true}
		v1 := "KEN,2020,morphine,1000\nKEN,2020,fentanyl,5\nKEN,2020,oxycodone,50"
		r1, err := imp.Import(ctx, access.Operator, "kenya.csv", []byte(v1), opt)
		if err != nil || r1.Upload.Status != access.StatusPublished {
			t.Fatalf("first import: %+v %v", r1.Upload, err)
		}
		if d := r1.Upload.Diff; d.Added != 3 || d.Changed != 0 || d.Removed != 0 {
			t.Fatalf("first diff = %+v", d)
		}
		// The same bytes again: a no-op pointing at the first upload.
		r2, err := imp.Import(ctx, access.Operator, "kenya-copy.csv", []byte(v1), opt)
		if err != nil || !r2.Duplicate || r2.Upload.ID != r1.Upload.ID {
			t.Fatalf("re-import: %+v %v", r2, err)
		}
		// A changed file: morphine changed, fentanyl unchanged, oxycodone
		// removed, codeine added.
		v2 := "KEN,2020,morphine,1200\nKEN,2020,fentanyl,5\nKEN,2020,codeine,300"
		r3, err := imp.Import(ctx, access.Operator, "kenya.csv", []byte(v2), opt)
		if err != nil {
			t.Fatal(err)
		}
		d := r3.Upload.Diff
		if d.Added != 1 || d.Changed != 1 || d.Removed != 0 || r3.Upload.Counts.Unchanged != 1 {
			// oxycodone is not "removed": an administrator's table imported
			// without replace withdraws nothing.
			t.Fatalf("second diff = %+v unchanged %d", d, r3.Upload.Counts.Unchanged)
		}
		var sawChange bool
		for _, c := range d.Changes {
			if c.Op == "changed" && c.Key == "KEN/2020/morphine" && *c.Old == 1000 && *c.New == 1200 {
				sawChange = true
			}
		}
		if !sawChange {
			t.Fatalf("changes = %+v", d.Changes)
		}
		got := publishedGrams(t, s, "KEN")
		want := map[string]float64{"2020/morphine": 1200, "2020/fentanyl": 5, "2020/oxycodone": 50, "2020/codeine": 300}
		if len(got) != len(want) {
			t.Fatalf("published = %v", got)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("published %s = %v, want %v (all %v)", k, got[k], v, got)
			}
		}
		// A third file covering morphine and fentanyl only: fentanyl
		// changes; codeine and oxycodone, which it does not cover, stay.
		v3 := "KEN,2020,morphine,1200\nKEN,2020,fentanyl,6"
		r4, err := imp.Import(ctx, access.Operator, "kenya.csv", []byte(v3), opt)
		if err != nil {
			t.Fatal(err)
		}
		if d := r4.Upload.Diff; d.Removed != 0 || d.Changed != 1 {
			t.Fatalf("third diff = %+v", d)
		}
		// History is kept: the first upload's rows are still stored.
		first, err := s.Upload(ctx, r1.Upload.ID)
		if err != nil {
			t.Fatal(err)
		}
		if first.Status != access.StatusPublished { // its oxycodone row is still the published one
			t.Fatalf("first upload status = %s", first.Status)
		}
		// Lineage: every published value names its upload and row.
		in, _ := s.Inputs(ctx, access.InputFilter{ISO3: "KEN"})
		for _, c := range in["KEN"].Consumption {
			if c.Lineage.UploadID == 0 || c.Lineage.Row == 0 {
				t.Fatalf("no lineage on %+v", c)
			}
			if c.Drug == "fentanyl" && c.Lineage.UploadID != r4.Upload.ID {
				t.Fatalf("fentanyl lineage = %+v", c.Lineage)
			}
		}
	})
}

func TestRemovedRowsAndSuperseded(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		opt := access.ImportOptions{Kind: access.KindConsumption, Publish: true}
		r1, _ := imp.Import(ctx, access.Operator, "a.csv", []byte("UGA,2019,morphine,10\nUGA,2020,morphine,20"), opt)
		// Imported with replace, it speaks for UGA 2019 and UGA 2020 and
		// leaves out 2019 morphine → removed.
		opt.Replace = true
		r2, err := imp.Import(ctx, access.Operator, "b.csv", []byte("UGA,2020,morphine,25\nUGA,2019,fentanyl,1"), opt)
		if err != nil {
			t.Fatal(err)
		}
		if d := r2.Upload.Diff; d.Removed != 1 || d.Changed != 1 || d.Added != 1 {
			t.Fatalf("diff = %+v", d)
		}
		got := publishedGrams(t, s, "UGA")
		if len(got) != 2 || got["2020/morphine"] != 25 || got["2019/fentanyl"] != 1 {
			t.Fatalf("published = %v", got)
		}
		first, _ := s.Upload(ctx, r1.Upload.ID)
		if first.Status != access.StatusSuperseded || first.SupersededBy != r2.Upload.ID {
			t.Fatalf("first upload = %s by %d", first.Status, first.SupersededBy)
		}
	})
}

func TestPublicationWorkflow(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		ken := access.Principal{KeyID: 7, Name: "Kenya MoH", Role: access.RoleMinistry, Country: "KEN"}
		// A ministry may not write another country's data.
		if _, err := imp.Import(ctx, ken, "u.csv", []byte("UGA,2020,morphine,1"), access.ImportOptions{Kind: access.KindConsumption, Country: "UGA"}); access.ErrorCode(err) != access.Forbidden {
			t.Fatalf("other country: %v", err)
		}
		// Nor smuggle it into its own upload.
		res, err := imp.Import(ctx, ken, "u.csv", []byte("KEN,2020,morphine,1\nUGA,2020,morphine,1"), access.ImportOptions{Kind: access.KindConsumption})
		if access.ErrorCode(err) != access.Forbidden || res.Upload.Status != access.StatusRejected {
			t.Fatalf("smuggled row: %v %+v", err, res.Upload.Status)
		}
		// Nor load reference data.
		if _, err := imp.Import(ctx, ken, "p.csv", []byte("pop,KEN,2020,50000000"), access.ImportOptions{Kind: access.KindPopulation}); access.ErrorCode(err) != access.Forbidden {
			t.Fatalf("population by ministry: %v", err)
		}
		res, err = imp.Import(ctx, ken, "k.csv", []byte("KEN,2020,morphine,1000"), access.ImportOptions{Kind: access.KindConsumption})
		if err != nil || res.Upload.Status != access.StatusSubmitted || res.Upload.Country != "KEN" {
			t.Fatalf("ministry upload: %+v %v", res.Upload, err)
		}
		if got := publishedGrams(t, s, "KEN"); len(got) != 0 {
			t.Fatalf("submitted data is public: %v", got)
		}
		if _, err := imp.Publish(ctx, ken, res.Upload.ID, ""); access.ErrorCode(err) != access.Forbidden {
			t.Fatalf("ministry publishing: %v", err)
		}
		u, err := imp.Publish(ctx, access.Operator, res.Upload.ID, "")
		if err != nil || u.Status != access.StatusPublished {
			t.Fatalf("publish: %+v %v", u, err)
		}
		if got := publishedGrams(t, s, "KEN"); got["2020/morphine"] != 1000 {
			t.Fatalf("published = %v", got)
		}
		// A rejected upload changes nothing.
		res, _ = imp.Import(ctx, ken, "k2.csv", []byte("KEN,2020,morphine,9999"), access.ImportOptions{Kind: access.KindConsumption})
		if _, err := imp.Reject(ctx, access.Operator, res.Upload.ID, "", ""); access.ErrorCode(err) != access.Invalid {
			t.Fatalf("reject without reason: %v", err)
		}
		if u, err := imp.Reject(ctx, access.Operator, res.Upload.ID, "figures not signed off", ""); err != nil || u.Status != access.StatusRejected {
			t.Fatalf("reject: %+v %v", u, err)
		}
		if _, err := imp.Publish(ctx, access.Operator, res.Upload.ID, ""); access.ErrorCode(err) != access.Conflict {
			t.Fatalf("publishing a rejected upload: %v", err)
		}
		if got := publishedGrams(t, s, "KEN"); got["2020/morphine"] != 1000 {
			t.Fatalf("after reject = %v", got)
		}
		// Dry run: validated, nothing stored.
		res, err = imp.Import(ctx, access.Operator, "d.csv", []byte("KEN,2021,morphine,5"), access.ImportOptions{Kind: access.KindConsumption, DryRun: true, Publish: true})
		if err != nil || res.Upload.Status != access.StatusDryRun || res.Upload.Diff.Added != 1 {
			t.Fatalf("dry run: %+v %v", res.Upload, err)
		}
		if got := publishedGrams(t, s, "KEN"); len(got) != 1 {
			t.Fatalf("dry run stored: %v", got)
		}
		es, _ := s.Audit(ctx, 100)
		actions := map[string]int{}
		for _, e := range es {
			actions[e.Action]++
		}
		if actions["upload"] < 3 || actions["publish"] != 1 || actions["reject"] != 1 {
			t.Fatalf("audit actions = %v", actions)
		}
	})
}

// TestMinistryReuploadWithdraws: a ministry's re-upload replaces its earlier
// submission for the same country, year and kind; a row it leaves out is
// withdrawn and listed as removed. Other years stay.
func TestMinistryReuploadWithdraws(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		ken := access.Principal{Name: "ken", Role: access.RoleMinistry, Country: "KEN", KeyID: 7}
		opt := access.ImportOptions{Kind: access.KindConsumption}
		submitAndPublish := func(data string) access.Upload {
			t.Helper()
			res, err := imp.Import(ctx, ken, "k.csv", []byte(data), opt)
			if err != nil || res.Upload.Status != access.StatusSubmitted {
				t.Fatalf("import: %+v, %v", res.Upload, err)
			}
			u, err := imp.Publish(ctx, access.Operator, res.Upload.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		submitAndPublish("KEN,2020,morphine,1000\nKEN,2020,fentanyl,5\nKEN,2020,oxycodone,50\nKEN,2021,oxycodone,60")
		u := submitAndPublish("KEN,2020,morphine,1000\nKEN,2020,fentanyl,5")
		if d := u.Diff; d.Removed != 1 || d.Added != 0 || d.Changed != 0 || len(d.Changes) != 1 ||
			d.Changes[0].Op != "removed" || d.Changes[0].Key != "KEN/2020/oxycodone" || *d.Changes[0].Old != 50 {
			t.Fatalf("diff = %+v", d)
		}
		got := publishedGrams(t, s, "KEN")
		if len(got) != 3 || got["2020/morphine"] != 1000 || got["2020/fentanyl"] != 5 || got["2021/oxycodone"] != 60 {
			t.Fatalf("published = %v", got)
		}
	})
}

// TestSupplementaryEstimatesAdd: supplementary n adds to the annual
// estimate; re-uploading supplementary 1 replaces supplementary 1 only.
func TestSupplementaryEstimatesAdd(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		ken := access.Principal{Name: "ken", Role: access.RoleMinistry, Country: "KEN", KeyID: 7}
		load := func(data string, n int) access.Upload {
			t.Helper()
			res, err := imp.Import(ctx, ken, "e.csv", []byte(data), access.ImportOptions{Kind: access.KindEstimates, Supplement: n})
			if err != nil {
				t.Fatal(err)
			}
			u, err := imp.Publish(ctx, access.Operator, res.Upload.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		total := func() (sum float64, rows int) {
			in, err := s.Inputs(ctx, access.InputFilter{ISO3: "KEN"})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range in["KEN"].Estimates {
				if e.Drug == "morphine" && e.Year == 2022 {
					sum += *e.Total
					rows++
				}
			}
			return sum, rows
		}
		load("est,KEN,2022,morphine,annual,1000\nest,KEN,2022,fentanyl,annual,10", 0)
		load("est,KEN,2022,morphine,supplementary,200\nest,KEN,2022,fentanyl,supplementary,2", 1)
		load("est,KEN,2022,morphine,supplementary,50", 2)
		// 1000 annual + 200 (supplementary 1) + 50 (supplementary 2).
		if sum, rows := total(); sum != 1250 || rows != 3 {
			t.Fatalf("morphine 2022 = %g in %d rows, want 1250 in 3", sum, rows)
		}
		// Supplementary 1 again, morphine changed and fentanyl left out:
		// fentanyl's supplementary 1 is withdrawn; the annual and
		// supplementary 2 stay.
		u := load("est,KEN,2022,morphine,supplementary,300", 1)
		if d := u.Diff; d.Changed != 1 || d.Removed != 1 || d.Added != 0 {
			t.Fatalf("diff = %+v", d)
		}
		if sum, rows := total(); sum != 1350 || rows != 3 { // 1000 + 300 + 50
			t.Fatalf("morphine 2022 = %g in %d rows, want 1350 in 3", sum, rows)
		}
	})
}

// The three states of a consumed quantity survive the store: a number
// (0 included), INCB's "-" and a blank come back as they went in, and a
// row with no recorded state reads through GramsState.
func TestConsumptionStateRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		data := "KEN,2020,morphine,0\nKEN,2020,fentanyl,-\nKEN,2020,oxycodone,blank\nKEN,2020,pethidine,7"
		res, err := newImports(s).Import(ctx, access.Operator, "k.csv", []byte(data), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil || res.Upload.Status != access.StatusPublished {
			t.Fatalf("import: %+v, %v", res.Upload, err)
		}
		in, err := s.Inputs(ctx, access.InputFilter{ISO3: "KEN"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]access.ValueState{}
		for _, c := range in["KEN"].Consumption {
			got[c.Drug] = c.GramsState()
			if c.Drug == "oxycodone" && c.Grams != nil {
				t.Errorf("oxycodone (blank) grams = %v, want nil", *c.Grams)
			}
		}
		want := map[string]access.ValueState{"morphine": access.ValueReported, "fentanyl": access.ValueNil,
			"oxycodone": access.ValueNotReported, "pethidine": access.ValueReported}
		for d, w := range want {
			if got[d] != w {
				t.Errorf("%s state = %q, want %q", d, got[d], w)
			}
		}
	})
}

// An upload of new rows only lists its first 50 rows, in file order, as
// the sample of its diff.
func TestDiffSampleOfNewRowsInFileOrder(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var b strings.Builder
		for y := 1900; y < 2020; y++ { // 120 rows
			fmt.Fprintf(&b, "KEN,%d,morphine,%d\n", y, y-1899)
		}
		res, err := newImports(s).Import(ctx, access.Operator, "k.csv", []byte(b.String()), access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err != nil {
			t.Fatal(err)
		}
		d := res.Upload.Diff
		if d.Added != 120 || len(d.Changes) != 50 {
			t.Fatalf("diff: added %d, %d changes listed", d.Added, len(d.Changes))
		}
		for i, c := range d.Changes {
			if want := fmt.Sprintf("KEN/%d/morphine", 1900+i); c.Key != want || c.Op != "added" || c.New == nil || *c.New != float64(i+1) {
				t.Fatalf("change %d = %+v, want %s added %d", i, c, want, i+1)
			}
		}
	})
}

// A staged row naming a country the database does not know is never
// stored: on SQLite its foreign key refuses it, on PostgreSQL the check
// made when the upload's rows are copied in.
func TestUnknownCountryNeverStored(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := newImports(s).Import(ctx, access.Operator, "z.csv", []byte("KEN,2020,morphine,5\nZZZ,2020,morphine,5\n"),
			access.ImportOptions{Kind: access.KindConsumption, Publish: true})
		if err == nil {
			t.Fatal("an unknown country was imported")
		}
		if s.Dialect() == store.Postgres && !strings.Contains(err.Error(), "ZZZ") {
			t.Fatalf("the error does not name the row's country: %v", err)
		}
		if g := publishedGrams(t, s, "KEN"); len(g) != 0 {
			t.Fatalf("KEN rows stored from a failed import: %v", g)
		}
	})
}
