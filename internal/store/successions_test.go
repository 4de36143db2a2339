package store_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

func TestSeededSuccessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ss, err := s.Successions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// 15 USSR + 2 Czechoslovakia + 5 Yugoslavia + 2 Serbia and Montenegro +
		// Sudan, Ethiopia, Indonesia + 3 Netherlands Antilles + 2 mergers = 32.
		if len(ss) != 32 {
			t.Fatalf("%d successions, want 32", len(ss))
		}
		want := map[[2]string]access.Succession{
			{"SCG", "MNE"}: {Predecessor: "SCG", Successor: "MNE", Kind: access.SuccessionDissolution, Year: 2006},
			{"SDN", "SSD"}: {Predecessor: "SDN", Successor: "SSD", Kind: access.SuccessionSeparation, Year: 2011},
			{"DDR", "DEU"}: {Predecessor: "DDR", Successor: "DEU", Kind: access.SuccessionMerger, Year: 1990},
			{"YMD", "YEM"}: {Predecessor: "YMD", Successor: "YEM", Kind: access.SuccessionMerger, Year: 1990},
			{"CSK", "SVK"}: {Predecessor: "CSK", Successor: "SVK", Kind: access.SuccessionDissolution, Year: 1993},
		}
		for _, x := range ss {
			if w, ok := want[[2]string{x.Predecessor, x.Successor}]; ok {
				x.Note = ""
				if x != w {
					t.Errorf("%+v, want %+v", x, w)
				}
				delete(want, [2]string{x.Predecessor, x.Successor})
			}
		}
		if len(want) > 0 {
			t.Errorf("missing %v", want)
		}
	})
}

// metaParser emits the country metadata records it is given.
type metaParser struct{ recs []access.CountryMetadata }

func (p metaParser) Parse(ctx context.Context, in access.ParseInput, emit func(access.Batch) error) (access.ParseResult, error) {
	return access.ParseResult{Kind: access.KindCountries, Layout: "test", Rows: len(p.recs)}, emit(access.Batch{Countries: p.recs})
}

func TestIncomeYearsPublished(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := func(name string, recs ...access.CountryMetadata) {
			t.Helper()
			svc := &access.ImportService{Store: s, Parser: metaParser{recs}}
			res, err := svc.Import(ctx, access.Operator, name, []byte(name), access.ImportOptions{Kind: access.KindCountries, Publish: true})
			if err != nil || res.Upload.Status != access.StatusPublished {
				t.Fatalf("%s: %+v %v", name, res.Upload, err)
			}
		}
		imp("history",
			access.CountryMetadata{ISO3: "IND", IncomeGroup: "LIC", IncomeVintage: "FY2007", DataYear: 2005},
			access.CountryMetadata{ISO3: "IND", IncomeGroup: "LMC", IncomeVintage: "FY2015", DataYear: 2013},
			access.CountryMetadata{ISO3: "SUN", IncomeGroup: "UMC", IncomeVintage: "FY1992", DataYear: 1990},
			access.CountryMetadata{ISO3: "VEN", IncomeGroup: "", IncomeVintage: "FY2024", DataYear: 2022},
		)
		// The current classification: a year row only where there is a history.
		imp("current",
			access.CountryMetadata{ISO3: "IND", IncomeGroup: "LMC", IncomeVintage: "FY2026"},
			access.CountryMetadata{ISO3: "KEN", IncomeGroup: "LMC", IncomeVintage: "FY2026"},
		)
		ys, err := s.IncomeYears(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, y := range ys {
			got[y.ISO3+"/"+strconv.Itoa(y.Year)] = y.Group + " " + y.Vintage
		}
		want := map[string]string{"IND/2005": "LIC FY2007", "IND/2013": "LMC FY2015", "IND/2024": "LMC FY2026",
			"SUN/1990": "UMC FY1992", "VEN/2022": " FY2024"}
		if len(got) != len(want) {
			t.Errorf("income years = %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
		// The history leaves today's classification alone; the current one sets it.
		c, err := s.Country(ctx, "IND")
		if err != nil || c.IncomeGroup != "LMC" || c.IncomeVintage != "FY2026" {
			t.Errorf("IND today = %+v, %v", c, err)
		}
		in, err := s.Inputs(ctx, access.InputFilter{ISO3: "IND"})
		if err != nil || len(in["IND"].Income) != 3 {
			t.Fatalf("IND inputs income = %+v, %v", in["IND"], err)
		}
	})
}
