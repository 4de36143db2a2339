package store_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// stockOutParser reads lines "ISO3,YEAR,DRUG,GRAMS,DAYS OUT OF STOCK".
type stockOutParser struct{}

func (stockOutParser) Parse(ctx context.Context, in access.ParseInput, emit func(access.Batch) error) (access.ParseResult, error) {
	res := access.ParseResult{Kind: in.Kind, Layout: "test-stock-out"}
	var b access.Batch
	for i, line := range strings.Split(strings.TrimSpace(string(in.Data)), "\n") {
		f := strings.Split(strings.TrimSpace(line), ",")
		res.Rows++
		y, _ := strconv.Atoi(f[1])
		g, _ := strconv.ParseFloat(f[3], 64)
		d, _ := strconv.ParseFloat(f[4], 64)
		b.Consumption = append(b.Consumption, access.Consumption{ISO3: f[0], Year: y, Drug: f[2], Grams: access.F(g),
			StockOutDays: access.F(d), Lineage: access.Lineage{Row: i + 1}})
	}
	return res, emit(b)
}

// A ministry's submission, not yet published, is stored with its days out
// of stock, stays out of the published inputs, and changes the supply
// estimate only as the ministry itself sees it.
func TestSubmittedInputsAndSupplyEstimate(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		pub := &access.ImportService{Store: s, Parser: stockOutParser{}}
		if _, err := pub.Import(ctx, access.Operator, "p.csv", []byte("KEN,2012,morphine,1000,0"), access.ImportOptions{Kind: access.KindConsumption, Publish: true}); err != nil {
			t.Fatal(err)
		}
		ken := access.Principal{KeyID: 7, Name: "Kenya MoH", Role: access.RoleMinistry, Country: "KEN"}
		res, err := pub.Import(ctx, ken, "k.csv", []byte("KEN,2013,morphine,2000,73"), access.ImportOptions{Kind: access.KindConsumption})
		if err != nil || res.Upload.Status != access.StatusSubmitted {
			t.Fatalf("submission: %+v %v", res.Upload, err)
		}
		if got := publishedGrams(t, s, "KEN"); len(got) != 1 {
			t.Fatalf("published = %v", got)
		}
		sub, err := s.SubmittedInputs(ctx, "KEN")
		if err != nil {
			t.Fatal(err)
		}
		if len(sub.Consumption) != 1 || sub.Consumption[0].StockOutDays == nil || *sub.Consumption[0].StockOutDays != 73 ||
			sub.Consumption[0].Lineage.UploadID != res.Upload.ID {
			t.Fatalf("submitted = %+v", sub.Consumption)
		}
		if other, _ := s.SubmittedInputs(ctx, "UGA"); len(other.Consumption) != 0 {
			t.Fatalf("UGA sees %+v", other.Consumption)
		}

		svc := &access.SupplyService{Store: s}
		req := access.SupplyRequest{ISO3: "KEN", Year: 2014, Options: access.SupplyOptions{Projection: access.ProjectionMean}}
		public, err := svc.Estimate(ctx, access.Principal{}, req)
		if err != nil {
			t.Fatal(err)
		}
		mine, err := svc.Estimate(ctx, ken, req)
		if err != nil {
			t.Fatal(err)
		}
		// Public: 2012 only, 1000 g. The ministry: 2012 and 2013, 2013 corrected
		// for 73 days out of stock: 2000 × 365 ÷ 292 = 2500; mean 1750 g.
		pl, _ := public.Line("morphine")
		ml, _ := mine.Line("morphine")
		if *pl.ConsumptionProjectionG != 1000 || *ml.ConsumptionProjectionG != 1750 {
			t.Fatalf("projections: public %v, ministry %v", *pl.ConsumptionProjectionG, *ml.ConsumptionProjectionG)
		}
		if slices.Contains(public.Flags, access.FlagIncludesUnpublishedSubmission) || !slices.Contains(mine.Flags, access.FlagIncludesUnpublishedSubmission) {
			t.Fatalf("flags: public %v, ministry %v", public.Flags, mine.Flags)
		}
		// Another ministry sees only published data.
		uga := access.Principal{KeyID: 8, Role: access.RoleMinistry, Country: "UGA"}
		if other, _ := svc.Estimate(ctx, uga, req); other.Drugs[0].ConsumptionProjectionG == nil || *other.Drugs[0].ConsumptionProjectionG != 1000 {
			t.Fatalf("UGA ministry sees %+v", other.Drugs)
		}
		// Published, the days out of stock are in the public inputs.
		if _, err := pub.Publish(ctx, access.Operator, res.Upload.ID, ""); err != nil {
			t.Fatal(err)
		}
		in, _ := s.Inputs(ctx, access.InputFilter{ISO3: "KEN"})
		found := false
		for _, c := range in["KEN"].Consumption {
			if c.Year == 2013 {
				found = c.StockOutDays != nil && *c.StockOutDays == 73
			}
		}
		if !found {
			t.Fatalf("published inputs %+v", in["KEN"].Consumption)
		}
		if sub, _ := s.SubmittedInputs(ctx, "KEN"); len(sub.Consumption) != 0 {
			t.Fatalf("still submitted: %+v", sub.Consumption)
		}
	})
}
