package demo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/demo"
	"github.com/reliefgap/reliefgap/internal/store"
)

func TestDemoAvailability(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite::memory:", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := demo.Load(ctx, s, &access.ImportService{Store: s, Parser: importers.New()})
	if err != nil || !res.Loaded || len(res.Uploads) != 6 {
		t.Fatalf("Load: %+v, %v", res, err)
	}
	gaps := &access.GapService{Store: s}
	ken, err := gaps.Country(ctx, "KEN", demo.FirstYear, demo.LastYear, "")
	if err != nil {
		t.Fatal(err)
	}
	// Kenya's invented survey of 2016 is six years older than 2022.
	if len(ken.Availability) != 6 || *ken.CCSOralMorphineAvailable != access.CCSYes ||
		!slices.Contains(ken.AvailabilityFlags, access.FlagSurveyOlderThan5Years) || !slices.Contains(ken.AvailabilityFlags, access.FlagIllustrative) {
		t.Errorf("KEN: %d rows, flags %v", len(ken.Availability), ken.AvailabilityFlags)
	}
	nga, err := gaps.Country(ctx, "NGA", demo.FirstYear, demo.LastYear, "")
	if err != nil {
		t.Fatal(err)
	}
	if nga.Availability != nil || !slices.Contains(nga.AvailabilityFlags, access.FlagNoAvailabilitySurvey) || *nga.CCSOralMorphineAvailable != access.CCSNo {
		t.Errorf("NGA: %+v", nga.AvailabilityFields)
	}
	afr, err := gaps.Group(ctx, access.GroupRegion, "AFR", demo.LastYear, "")
	if err != nil {
		t.Fatal(err)
	}
	// AFR demo countries: KEN and UGA yes, NGA no, ZAF yes.
	if c := afr.CCSOralMorphineAvailable; c == nil || c.Yes.Countries != 3 || c.No.Countries != 1 || c.Yes.Population == nil {
		t.Errorf("AFR counts: %+v", afr.CCSOralMorphineAvailable)
	}
}
