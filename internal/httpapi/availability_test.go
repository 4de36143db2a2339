package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/httpapi"
)

const kenyaSurvey = `Country:,Kenya
Survey year:,2016
Reference price:,MSH 2015
Currency:,KES
Lowest-paid government worker's daily wage:,250
Medicine,Public % availability,Public MPR,Public facilities surveyed,Public median unit price,Private % availability,Private facilities surveyed
Morphine 10 mg tablet,20,1.8,30,5,5,30
`

const ccsLong = `IndicatorCode,Indicator,SpatialDimValueCode,Location,Period,Value
NCD_CCS_MORPHINE,General availability of oral morphine in public primary care facilities,KEN,Kenya,2019,Yes
NCD_CCS_MORPHINE,General availability of oral morphine in public primary care facilities,UGA,Uganda,2019,Don't know
`

func TestAvailabilityUploadAndFigures(t *testing.T) {
	e := newEnvParser(t, importers.New())
	// A ministry sends its own survey; an administrator publishes it.
	u := e.mustUpload("ministry KEN", "ken-survey.csv", kenyaSurvey, map[string]string{"kind": "availability"}, http.StatusAccepted)
	if u.Status != "submitted" || u.Counts.Records != 2 {
		t.Fatalf("upload: %+v", u)
	}
	if r := e.postJSON("admin", fmt.Sprintf("/api/v1/uploads/%d/publish", u.ID), nil); r.Code != 200 {
		t.Fatalf("publish: %d %s", r.Code, r.Body.String())
	}
	// Another country's ministry may not send Kenya's survey, nor anyone
	// but an administrator the country-capacity answers.
	if r := e.upload("ministry UGA", "ken-survey.csv", []byte(kenyaSurvey), map[string]string{"kind": "availability"}); r.Code != http.StatusForbidden && r.Code != http.StatusUnprocessableEntity {
		t.Errorf("ministry UGA uploading Kenya's survey: %d %s", r.Code, r.Body.String())
	}
	if r := e.upload("ministry KEN", "ccs.csv", []byte(ccsLong), map[string]string{"kind": "ccs"}); r.Code != http.StatusForbidden {
		t.Errorf("ministry uploading ccs: %d %s", r.Code, r.Body.String())
	}
	c := e.mustUpload("admin", "ccs.csv", ccsLong, map[string]string{"kind": "ccs", "publish": "true"}, http.StatusAccepted)
	if c.Counts.Records != 2 {
		t.Fatalf("ccs upload: %+v", c)
	}
	if c.Status != "published" {
		if r := e.postJSON("admin", fmt.Sprintf("/api/v1/uploads/%d/publish", c.ID), nil); r.Code != 200 {
			t.Fatalf("publish ccs: %d %s", r.Code, r.Body.String())
		}
	}

	var av access.CountryAvailability
	r := e.get("public", "/api/v1/countries/KEN/availability?year=2023")
	if r.Code != 200 {
		t.Fatalf("availability: %d %s", r.Code, r.Body.String())
	}
	r.json(t, &av)
	// 2023 − 2016 = 7 years: older than five. A month of 10 mg tablets at
	// KES 5 with a daily wage of KES 250: 180 × 5 ÷ 250 = 3.6 days' wages.
	if len(av.Surveys) != 2 || len(av.Availability) != 2 || av.Availability[0].Sector != access.SectorPublic ||
		*av.Availability[0].AffordabilityDaysWages != 3.6 || *av.Availability[0].PriceReference != "MSH 2015" {
		t.Errorf("availability: %+v", av)
	}
	if len(av.AvailabilityFlags) != 1 || av.AvailabilityFlags[0] != access.FlagSurveyOlderThan5Years || *av.CCSOralMorphineAvailable != access.CCSYes {
		t.Errorf("flags %v ccs %v", av.AvailabilityFlags, av.CCSOralMorphineAvailable)
	}
	if r := e.get("public", "/api/v1/countries/XXX/availability"); r.Code != http.StatusNotFound {
		t.Errorf("unknown country: %d", r.Code)
	}

	// The country gap JSON carries the fields; null and a flag without a survey.
	var ken, nga map[string]any
	e.get("public", "/api/v1/countries/KEN/gaps").json(t, &ken)
	if a, ok := ken["availability"].([]any); !ok || len(a) != 2 || ken["ccs_oral_morphine_available"] != "yes" || ken["ccs_survey_year"] != float64(2019) {
		t.Errorf("KEN gaps: availability %v ccs %v %v", ken["availability"], ken["ccs_oral_morphine_available"], ken["ccs_survey_year"])
	}
	e.get("public", "/api/v1/countries/NGA/gaps").json(t, &nga)
	if v, ok := nga["availability"]; !ok || v != nil || nga["ccs_oral_morphine_available"] != nil {
		t.Errorf("NGA gaps: %v", nga)
	}
	if f, _ := nga["availability_flags"].([]any); len(f) == 0 || f[0] != access.FlagNoAvailabilitySurvey {
		t.Errorf("NGA flags: %v", nga["availability_flags"])
	}

	// Group figures count the answers.
	var afr struct {
		CCS access.CCSGroupCounts `json:"ccs_oral_morphine_available"`
	}
	r = e.get("public", "/api/v1/regions/AFR/gaps?year=2020")
	if r.Code != 200 {
		t.Fatalf("AFR: %d %s", r.Code, r.Body.String())
	}
	r.json(t, &afr)
	if afr.CCS.Yes.Countries != 1 || afr.CCS.DontKnow.Countries != 1 || afr.CCS.No.Countries != 0 || afr.CCS.NoAnswer.Countries < 40 {
		t.Errorf("AFR counts: %+v", afr.CCS)
	}

	var meds struct {
		Version int `json:"version"`
		Items   []struct {
			Code, Drug string
		} `json:"items"`
	}
	e.get("public", "/api/v1/medicines").json(t, &meds)
	if meds.Version != 1 || len(meds.Items) != len(access.MedicinesV1.Medicines) || meds.Items[0].Code != "morphine-tab-ir-10mg" || meds.Items[0].Drug != "morphine" {
		t.Errorf("medicines = %+v", meds)
	}
	if r := e.get("ministry KEN", "/api/v1/templates/availability.xlsx"); r.Code != 200 {
		t.Errorf("availability template: %d", r.Code)
	}
}

func TestOpenAPIAvailability(t *testing.T) {
	doc := httpapi.OpenAPI("test")
	paths := doc["paths"].(map[string]any)
	if _, ok := paths["/api/v1/countries/{iso3}/availability"]; !ok {
		t.Fatal("no availability path")
	}
	b, _ := json.Marshal(doc)
	for _, want := range []string{`"ccs_oral_morphine_available"`, `"facility_availability_pct"`, `"consumption","estimates","population","deaths","countries","availability","ccs"`, `"estimates.xlsx","availability.xlsx","ccs.xlsx"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("document lacks %s", want)
		}
	}
	if n := strings.Count(string(b), `"deaths","countries","availability","ccs"`); n != 2 {
		t.Errorf("the two kinds are in %d kind enums, want 2 (upload form, uploads filter)", n)
	}
}
