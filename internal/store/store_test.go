package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v1, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
		v2, _ := s.SchemaVersion(ctx)
		if v1 != v2 || v1 < 3 {
			t.Fatalf("schema version %d then %d", v1, v2)
		}
	})
}

func TestReferenceData(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cs, err := s.Countries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) < 249 {
			t.Fatalf("%d countries, want every ISO 3166-1 entry", len(cs))
		}
		regions := map[string]int{}
		for _, c := range cs {
			regions[c.WHORegion]++
		}
		// WHO's 194 member states: AFR 47, AMR 35, EMR 21, EUR 53, SEAR 11, WPR 27.
		want := map[string]int{"AFR": 47, "AMR": 35, "EMR": 21, "EUR": 53, "SEAR": 11, "WPR": 27}
		for r, n := range want {
			if regions[r] != n {
				t.Errorf("WHO region %s has %d countries, want %d", r, regions[r], n)
			}
		}
		tz, err := s.Country(ctx, "TZA")
		if err != nil {
			t.Fatal(err)
		}
		if tz.WHORegion != "AFR" || tz.IncomeGroup == "" || tz.IncomeVintage == "" || tz.ISO2 != "TZ" || tz.Numeric != "834" {
			t.Fatalf("TZA = %+v", tz)
		}
		r := access.NewFoldingResolver(importers.New(), cs, nil, access.FactorTable{})
		for name, iso3 := range map[string]string{
			"Bolivia (Plurinational State of)": "BOL", "Côte d'Ivoire": "CIV", "Cote d'Ivoire": "CIV",
			"Türkiye": "TUR", "Turkey": "TUR", "Viet Nam": "VNM", "Iran (Islamic Republic of)": "IRN",
			"United Republic of Tanzania": "TZA", "DEU": "DEU", "de": "DEU", "276": "DEU",
		} {
			c, _, ok := r.Country(name)
			if !ok || c.ISO3 != iso3 {
				t.Errorf("%q resolved to %q (%v), want %s", name, c.ISO3, ok, iso3)
			}
		}
		if _, err := s.Country(ctx, "XXX"); access.ErrorCode(err) != access.NotFound {
			t.Fatalf("unknown country: %v", err)
		}
	})
}

func TestFactorTablesSeeded(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ppsg, err := s.FactorTable(ctx, access.TablePPSG, 1)
		if err != nil {
			t.Fatal(err)
		}
		if ppsg.Kind != access.KindMorphineEquivalence || ppsg.Source == "" || ppsg.Confidence != "U" || len(ppsg.Rows) != 6 {
			t.Fatalf("ppsg = %+v", ppsg)
		}
		if v, _ := ppsg.Value("fentanyl"); v != 83.3 {
			t.Fatalf("fentanyl ME = %v", v)
		}
		need, err := s.FactorTable(ctx, access.ModelCancerHIV, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Neoplasms: 0.60 × 100 mg × 100 days = 6,000 mg ME per death.
		n := need.Rows[0]
		if n.Key != access.CauseNeoplasms || n.Share*n.MgPerDay*n.Days != 6000 || n.Assumption {
			t.Fatalf("neoplasms row = %+v", n)
		}
		if h := need.Rows[1]; h.Key != access.CauseHIV || !h.Assumption {
			t.Fatalf("HIV row = %+v", h)
		}
		all, err := s.FactorTables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, tb := range all {
			names[tb.Name] = true
			if tb.Version < 1 || tb.Source == "" || tb.Confidence == "" || len(tb.Rows) == 0 {
				t.Errorf("table %s v%d: %+v", tb.Name, tb.Version, tb)
			}
		}
		for _, n := range []string{access.TableSDDD, access.TablePPSG, access.TableSaltBase, access.TablePainBasket,
			access.TableINCBBands, access.TableBenchmarkBands, access.TableBenchmarkRef, access.TableACMBands, access.ModelCancerHIV,
			access.ModelBenchmark} {
			if !names[n] {
				t.Errorf("table %s not seeded", n)
			}
		}
		// Migration 0006: INCB publishes no class above 200, so the top band is
		// not named as one; the ACM edges say they are unconfirmed; the
		// benchmark need model is 256 mg ME for every inhabitant.
		incb, _ := s.FactorTable(ctx, access.TableINCBBands, 0)
		if top := incb.Rows[len(incb.Rows)-1]; incb.Version != 2 || top.Key != "not classed (200 or more)" || top.Value != 200 {
			t.Errorf("incb bands v%d top = %+v", incb.Version, top)
		}
		acm, _ := s.FactorTable(ctx, access.TableACMBands, 0)
		if acm.Confidence != "U" || !strings.Contains(acm.Notes, "unconfirmed") || acm.Rows[0].Note != "edge unconfirmed" {
			t.Errorf("acm bands = %+v", acm)
		}
		ref, _ := s.FactorTable(ctx, access.TableBenchmarkRef, 0)
		if !strings.Contains(ref.Notes, "index values") {
			t.Errorf("benchmark reference notes = %q", ref.Notes)
		}
		bm, _ := s.FactorTable(ctx, access.ModelBenchmark, 0)
		if bm.Kind != access.KindNeedModel || len(bm.Rows) != 1 || bm.Rows[0].Key != access.NeedPerInhabitant || bm.Rows[0].Value != 256 {
			t.Errorf("benchmark need model = %+v", bm)
		}
		if v, ok, err := s.Setting(ctx, access.SettingDefaultNeedModel); err != nil || !ok || v != access.ModelBenchmark {
			t.Errorf("default need model setting = %q %v %v", v, ok, err)
		}
		// A new version is data: basket v2 adds hydrocodone.
		basket, _ := s.FactorTable(ctx, access.TablePainBasket, 1)
		v2 := basket
		v2.Version = 0
		v2.Rows = append(append([]access.FactorRow(nil), basket.Rows...), access.FactorRow{Key: "hydrocodone", Drug: "hydrocodone", Value: 1})
		got, err := s.AddFactorTable(ctx, v2)
		if err != nil || got.Version != 2 {
			t.Fatalf("add v2: %v %+v", err, got.Version)
		}
		latest, _ := s.FactorTable(ctx, access.TablePainBasket, 0)
		if latest.Version != 2 || !latest.Has("hydrocodone") {
			t.Fatalf("latest basket = v%d", latest.Version)
		}
		v2.Version = 2
		if _, err := s.AddFactorTable(ctx, v2); access.ErrorCode(err) != access.Conflict {
			t.Fatalf("re-adding v2: %v", err)
		}
		drugs, err := s.Drugs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		salts, _ := s.FactorTable(ctx, access.TableSaltBase, 1)
		r := access.NewResolver(nil, drugs, salts)
		if code, f, _, _, ok := r.Drug("meperidine"); !ok || code != "pethidine" || f != 1 {
			t.Fatalf("meperidine → %q %v", code, f)
		}
		if code, f, salt, _, ok := r.Drug("Morphine sulfate pentahydrate"); !ok || code != "morphine" || f != 0.752 || salt == "" {
			t.Fatalf("morphine sulfate → %q %v", code, f)
		}
	})
}

func TestKeysAndAudit(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		k := access.APIKey{Name: "Kenya MoH", Role: access.RoleMinistry, Country: "KEN", Prefix: "rg_abc", Hash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", CreatedAt: now}
		if err := s.CreateKey(ctx, &k, access.AuditEntry{Actor: "op", Action: "key.create"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.KeyByHash(ctx, k.Hash)
		if err != nil || got.Country != "KEN" || got.Role != access.RoleMinistry || got.ID != k.ID {
			t.Fatalf("KeyByHash = %+v, %v", got, err)
		}
		end := now.Add(time.Hour)
		if err := s.ExpireKey(ctx, k.ID, end, 77, access.AuditEntry{Actor: "op", Action: "key.rotate"}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Key(ctx, k.ID); err != nil || got.ExpiresAt == nil || !got.ExpiresAt.Equal(end) || got.ReplacedBy != 77 {
			t.Fatalf("Key after ExpireKey = %+v, %v", got, err)
		}
		if err := s.RevokeKey(ctx, k.ID, now, access.AuditEntry{Actor: "op", Action: "key.revoke"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.KeyByHash(ctx, k.Hash); access.ErrorCode(err) != access.NotFound {
			t.Fatalf("revoked key still found: %v", err)
		}
		// A failed action writes no audit entry: the two share a transaction.
		if err := s.RevokeKey(ctx, 9999, now, access.AuditEntry{Actor: "op", Action: "key.revoke"}); access.ErrorCode(err) != access.NotFound {
			t.Fatalf("revoke unknown: %v", err)
		}
		es, err := s.Audit(ctx, 10)
		if err != nil || len(es) != 3 || es[0].Action != "key.revoke" || es[2].Action != "key.create" || es[2].Target != fmt.Sprintf("key:%d", k.ID) {
			t.Fatalf("audit = %+v, %v", es, err)
		}
	})
}
