package store_test

import (
	"context"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// batchParser emits the batch registered for a file's bytes.
type batchParser map[string]access.Batch

func (p batchParser) Parse(ctx context.Context, in access.ParseInput, emit func(access.Batch) error) (access.ParseResult, error) {
	b := p[string(in.Data)]
	return access.ParseResult{Kind: in.Kind, Layout: "test-batch", Rows: b.Len()}, emit(b)
}

func TestAvailabilityImportPublishAndRead(t *testing.T) {
	ip := func(v int) *int { return &v }
	survey := func(pct float64) []access.AvailabilitySurvey {
		return []access.AvailabilitySurvey{
			{ISO3: "KEN", Year: 2016, Medicine: "morphine-tab-ir-10mg", VocabularyVersion: 1, Drug: "morphine", Sector: access.SectorPublic,
				AvailabilityPct: access.F(pct), FacilitiesSurveyed: ip(30), MedianPriceRatio: access.F(1.8), PriceReference: "MSH", PriceReferenceYear: 2015,
				MedianUnitPrice: access.F(0.5), Currency: "KES", DailyWage: access.F(5), Survey: "Kenya 2016", Lineage: access.Lineage{Sheet: "Survey", Row: 7}},
			{ISO3: "KEN", Year: 2016, Medicine: "morphine-tab-ir-10mg", VocabularyVersion: 1, Drug: "morphine", Sector: access.SectorPrivate,
				AvailabilityPct: access.F(5), Lineage: access.Lineage{Sheet: "Survey", Row: 7}},
		}
	}
	parser := batchParser{
		"v1":  {Availability: survey(20)},
		"v2":  {Availability: survey(25)},
		"ccs": {CCS: []access.CCSRecord{{ISO3: "KEN", Year: 2019, Answer: access.CCSYes}, {ISO3: "UGA", Year: 2019, Answer: access.CCSDontKnow}}},
	}
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := &access.ImportService{Store: s, Parser: parser}
		opt := access.ImportOptions{Kind: access.KindAvailability, Publish: true}
		res, err := imp.Import(ctx, access.Operator, "v1.xlsx", []byte("v1"), opt)
		if err != nil || res.Upload.Status != access.StatusPublished || res.Upload.Diff.Added != 2 {
			t.Fatalf("first import: %+v, %v", res.Upload, err)
		}
		again, err := imp.Import(ctx, access.Operator, "v1.xlsx", []byte("v1"), opt)
		if err != nil || !again.Duplicate || again.Upload.ID != res.Upload.ID {
			t.Fatalf("re-import of the same bytes: %+v, %v", again, err)
		}
		v2, err := imp.Import(ctx, access.Operator, "v2.xlsx", []byte("v2"), opt)
		if err != nil || v2.Upload.Diff.Changed != 1 || v2.Upload.Counts.Unchanged != 1 {
			t.Fatalf("second survey version: %+v, %v", v2.Upload, err)
		}
		if c := v2.Upload.Diff.Changes; len(c) != 1 || *c[0].Old != 20 || *c[0].New != 25 || c[0].Key != "KEN/2016/morphine-tab-ir-10mg/public" {
			t.Errorf("diff sample = %+v", c)
		}
		got, err := s.AvailabilitySurveys(ctx, "KEN")
		if err != nil || len(got) != 2 {
			t.Fatalf("surveys = %+v, %v", got, err)
		}
		pub := got[0]
		if pub.Sector == access.SectorPrivate {
			pub = got[1]
		}
		if *pub.AvailabilityPct != 25 || *pub.FacilitiesSurveyed != 30 || pub.PriceReference != "MSH" || pub.PriceReferenceYear != 2015 ||
			*pub.DailyWage != 5 || pub.Currency != "KES" || pub.Lineage.UploadID != v2.Upload.ID || pub.Lineage.Row != 7 {
			t.Errorf("published public row = %+v", pub)
		}
		if first, _ := s.Upload(ctx, res.Upload.ID); first.Status != access.StatusSuperseded {
			t.Errorf("the first survey upload is %s; want superseded", first.Status)
		}

		ccs, err := imp.Import(ctx, access.Operator, "ccs.csv", []byte("ccs"), access.ImportOptions{Kind: access.KindCCS, Publish: true})
		if err != nil || ccs.Upload.Status != access.StatusPublished || ccs.Upload.Diff.Added != 2 {
			t.Fatalf("ccs import: %+v, %v", ccs.Upload, err)
		}
		recs, err := s.CCSRecords(ctx, "")
		if err != nil || len(recs) != 2 || recs[0].ISO3 != "KEN" || recs[0].Answer != access.CCSYes || recs[0].Indicator != access.CCSIndicatorOralMorphine {
			t.Fatalf("ccs records = %+v, %v", recs, err)
		}
		if _, err := s.CCSRecords(ctx, "XXX"); access.ErrorCode(err) != access.NotFound {
			t.Errorf("unknown country: %v", err)
		}

		// The gap service attaches them to the country figures.
		gaps := &access.GapService{Store: s}
		g, err := gaps.Country(ctx, "KEN", 2022, 2022, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Availability) != 2 || *g.CCSOralMorphineAvailable != access.CCSYes || *g.CCSSurveyYear != 2019 {
			t.Errorf("KEN figures: availability %+v, ccs %v", g.Availability, g.CCSOralMorphineAvailable)
		}
		// 2022 − 2016 = 6 years.
		if len(g.AvailabilityFlags) != 1 || g.AvailabilityFlags[0] != access.FlagSurveyOlderThan5Years {
			t.Errorf("KEN flags = %v", g.AvailabilityFlags)
		}
		n, err := gaps.Country(ctx, "NGA", 2022, 2022, "")
		if err != nil {
			t.Fatal(err)
		}
		if n.Availability != nil || n.CCSOralMorphineAvailable != nil || n.AvailabilityFlags[0] != access.FlagNoAvailabilitySurvey {
			t.Errorf("NGA: %+v", n.AvailabilityFields)
		}
	})
}
