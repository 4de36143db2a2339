package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

func init() {
	templateKinds["availability"] = access.KindAvailability
	templateKinds["ccs"] = access.KindCCS
}

type availabilityQuery struct {
	// Year is the year survey ages are measured against (default: this year).
	Year int `form:"year" binding:"omitempty,min=1900,max=2100"`
}

// countryAvailability serves a country's published facility surveys and
// country-capacity answers: access.CountryAvailability as the service
// makes it.
func (s *Server) countryAvailability(c *gin.Context) error {
	iso3, err := iso3Param(c)
	if err != nil {
		return err
	}
	var q availabilityQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	ref := q.Year
	if ref == 0 {
		ref = time.Now().UTC().Year()
	}
	if done, err := s.conditional(c, "", strconv.Itoa(ref)); done || err != nil {
		return err
	}
	return s.cachedJSON(c, func() (any, error) {
		return s.cfg.Gaps.Availability(c.Request.Context(), iso3, ref)
	})
}

type medicineDTO struct {
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Drug         string   `json:"drug"`
	Form         string   `json:"form"`
	Release      string   `json:"release,omitempty"`
	Strength     string   `json:"strength"`
	Unit         string   `json:"unit"`
	MgPerUnit    float64  `json:"mg_per_unit,omitempty"`
	OralMorphine bool     `json:"oral_morphine"`
	Synonyms     []string `json:"synonyms,omitempty"`
}

type medicinesDTO struct {
	Name    string        `json:"name"`
	Version int           `json:"version"`
	Source  string        `json:"source"`
	Items   []medicineDTO `json:"items"`
}

// listMedicines serves the medicines vocabulary survey files are read with.
func (s *Server) listMedicines(c *gin.Context) error {
	v := access.MedicinesV1
	out := medicinesDTO{Name: v.Name, Version: v.Version, Source: v.Source, Items: []medicineDTO{}}
	for _, m := range v.Medicines {
		out.Items = append(out.Items, medicineDTO{Code: m.Code, Name: m.Name, Drug: m.Drug, Form: m.Form, Release: m.Release,
			Strength: m.Strength, Unit: m.Unit, MgPerUnit: m.MgPerUnit, OralMorphine: m.OralMorphine, Synonyms: m.Synonyms})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// withAvailability adds the availability route, its schemas and the two
// import kinds to the OpenAPI document.
func withAvailability(doc obj) obj {
	paths := doc["paths"].(obj)
	schemas := doc["components"].(obj)["schemas"].(obj)
	notFound := problem("no such resource")
	paths["/api/v1/countries/{iso3}/availability"] = obj{"get": op("countryAvailability",
		"A country's WHO/HAI facility surveys and NCD country-capacity answers, with the latest survey's figures and flags", publicAccess,
		[]obj{specISO3, query("year", "the year survey ages are measured against (default: this year)", obj{"type": "integer", "minimum": 1900, "maximum": 2100}), ifNoneMatch},
		obj{"200": cached(jsonResponse("surveys, answers and figures", ref("CountryAvailability"))),
			"304": obj{"description": "the client's copy (If-None-Match) is current"}, "400": problem("a parameter is malformed"), "404": notFound})}

	paths["/api/v1/medicines"] = obj{"get": op("listMedicines",
		"The medicines vocabulary (WHO Model List) that availability surveys are read with", publicAccess, nil,
		obj{"200": jsonResponse("the vocabulary", ref("MedicineVocabulary"))})}
	schemas["MedicineVocabulary"] = object([]string{"name", "version", "items"}, obj{"name": str(""), "version": integer(""), "source": str(""),
		"items": array(object([]string{"code", "name", "drug"}, obj{"code": str(""), "name": str("the Model List's wording"),
			"drug": str("the drug code consumption figures use"), "form": str(""), "release": str("immediate or prolonged"),
			"strength": str(""), "unit": str("what a unit price is for"), "mg_per_unit": number(""),
			"oral_morphine": obj{"type": "boolean", "description": "counted for the affordability of a month of oral morphine"},
			"synonyms":      array(str(""))}))})

	nnum := func(d string) obj { return nullable(number(d)) }
	figure := object([]string{"medicine", "drug", "sector", "survey_year"}, obj{
		"medicine": str("code of the medicines vocabulary (WHO Model List), e.g. morphine-tab-ir-10mg"), "medicine_name": str(""),
		"drug": str("the drug code consumption figures use"), "sector": obj{"type": "string", "enum": []string{"public", "private", "other"}},
		"facility_availability_pct": nnum("share of surveyed facilities with the medicine in stock on the day of the visit"),
		"facilities_surveyed":       nullable(integer("")),
		"median_price_ratio":        nnum("median local unit price ÷ international reference unit price"),
		"price_reference":           nullable(str("the reference price's name and year")),
		"median_unit_price":         nnum("local currency"), "currency": str(""),
		"lowest_paid_daily_wage":   nnum("daily wage of the lowest-paid unskilled government worker, local currency"),
		"affordability_days_wages": nnum("days' wages for a month of this oral morphine (see affordability_formula)"),
		"survey_year":              integer(""), "source": str("the survey's title, or the upload"), "lineage": ref("Lineage")})
	ccsAnswer := nullable(obj{"type": "string", "enum": []string{"yes", "no", "dont_know"}})
	fields := obj{
		"availability":                nullable(array(figure)),
		"ccs_oral_morphine_available": ccsAnswer,
		"ccs_survey_year":             nullable(integer("")),
		"availability_flags":          array(str("no_availability_survey, survey_older_than_5_years, no_ccs_answer, ccs_older_than_5_years")),
		"affordability_formula":       str(""),
	}
	ca := obj{"iso3": str(""), "reference_year": integer(""),
		"surveys":     array(figure),
		"ccs_answers": array(object(nil, obj{"survey_year": integer(""), "answer": obj{"type": "string", "enum": []string{"yes", "no", "dont_know"}}, "lineage": ref("Lineage")}))}
	for k, v := range fields {
		ca[k] = v
	}
	schemas["CountryAvailability"] = object([]string{"iso3", "reference_year", "surveys", "ccs_answers"}, ca)
	if cg, ok := schemas["CountryGaps"].(obj); ok {
		if props, ok := cg["properties"].(obj); ok {
			for k, v := range fields {
				props[k] = v
			}
		}
	}
	if gg, ok := schemas["GroupGaps"].(obj); ok {
		if props, ok := gg["properties"].(obj); ok {
			// One schema object per answer: each gets its own description.
			count := func() obj { return object(nil, obj{"countries": integer(""), "population": nnum("")}) }
			props["ccs_oral_morphine_available"] = nullable(object(nil, obj{"yes": count(), "no": count(), "dont_know": count(), "no_answer": count()}))
		}
	}
	// The two kinds in the uploads list's kind filter and the templates.
	extendParamEnum(paths, "/api/v1/uploads", "kind", string(access.KindAvailability), string(access.KindCCS))
	extendParamEnum(paths, "/api/v1/templates/{file}", "file", "availability.xlsx", "ccs.xlsx")
	if uf, ok := schemas["UploadForm"].(obj); ok {
		if props, ok := uf["properties"].(obj); ok {
			if k, ok := props["kind"].(obj); ok {
				if e, ok := k["enum"].([]string); ok {
					k["enum"] = append(append([]string(nil), e...), string(access.KindAvailability), string(access.KindCCS))
				}
			}
		}
	}
	return doc
}

// extendParamEnum appends values to the enum of a GET operation's parameter.
func extendParamEnum(paths obj, path, param string, values ...string) {
	ops, _ := paths[path].(obj)
	get, _ := ops["get"].(obj)
	params, _ := get["parameters"].([]obj)
	for _, p := range params {
		if p["name"] != param {
			continue
		}
		if sch, ok := p["schema"].(obj); ok {
			if e, ok := sch["enum"].([]string); ok {
				sch["enum"] = append(append([]string(nil), e...), values...)
			}
		}
	}
}
