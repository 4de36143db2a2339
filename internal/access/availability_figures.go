package access

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Flags about availability surveys.
const (
	// FlagNoAvailabilitySurvey: no published WHO/HAI facility survey for
	// the country; availability is null.
	FlagNoAvailabilitySurvey = "no_availability_survey"
	// FlagSurveyOlderThan5Years: the latest facility survey is more than
	// five years older than the figures' latest year.
	FlagSurveyOlderThan5Years = "survey_older_than_5_years"
	// FlagNoCCSAnswer: no published country-capacity survey answer.
	FlagNoCCSAnswer = "no_ccs_answer"
	// FlagCCSOlderThan5Years: the latest country-capacity answer is more
	// than five years older than the figures' latest year.
	FlagCCSOlderThan5Years = "ccs_older_than_5_years"
)

// SurveyMaxAgeYears is how old a survey may be before it is flagged.
const SurveyMaxAgeYears = 5

// Affordability is the convention for "days' wages for a month of oral
// morphine" (WHO/HAI: the cost of a standard treatment course in days'
// wages of the lowest-paid unskilled government worker; a chronic
// condition's course is a 30-day supply):
//
//	days' wages = median unit price × (DailyDoseMg ÷ mg per unit) × Days ÷ daily wage
//
// with price and wage in the same currency and from the same survey. The
// daily dose is an assumption, not a WHO/HAI figure: 60 mg of oral
// morphine a day (10 mg every four hours), the usual starting regimen for
// moderate to severe cancer pain. Only oral morphine medicines count.
type Affordability struct {
	Name        string
	Version     int
	DailyDoseMg float64
	Days        float64
}

// AffordabilityV1 is the convention figures use.
var AffordabilityV1 = Affordability{Name: "who-hai-oral-morphine-month", Version: 1, DailyDoseMg: 60, Days: 30}

// DaysWages is the days' wages a month of m costs at the survey's median
// unit price; nil when m is not oral morphine, or the survey gives no price
// or no (positive) wage.
func (a Affordability) DaysWages(m Medicine, s AvailabilitySurvey) *float64 {
	if !m.OralMorphine || m.MgPerUnit <= 0 || s.MedianUnitPrice == nil || s.DailyWage == nil || *s.DailyWage <= 0 {
		return nil
	}
	units := a.DailyDoseMg / m.MgPerUnit * a.Days
	return F(*s.MedianUnitPrice * units / *s.DailyWage)
}

// Formula states the convention in words, for figures' methods.
func (a Affordability) Formula() string {
	return fmt.Sprintf("days' wages = median unit price × (%g mg a day ÷ mg per unit) × %g days ÷ lowest-paid government worker's daily wage (%s v%d)",
		a.DailyDoseMg, a.Days, a.Name, a.Version)
}

// AvailabilityFigure is one medicine in one sector of a country's latest
// facility survey, as the country gap JSON carries it.
type AvailabilityFigure struct {
	Medicine                string   `json:"medicine"`
	MedicineName            string   `json:"medicine_name"`
	Drug                    string   `json:"drug"`
	Sector                  Sector   `json:"sector"`
	FacilityAvailabilityPct *float64 `json:"facility_availability_pct"`
	FacilitiesSurveyed      *int     `json:"facilities_surveyed"`
	MedianPriceRatio        *float64 `json:"median_price_ratio"`
	PriceReference          *string  `json:"price_reference"` // "name, year"
	MedianUnitPrice         *float64 `json:"median_unit_price"`
	Currency                string   `json:"currency,omitempty"`
	DailyWage               *float64 `json:"lowest_paid_daily_wage"`
	// AffordabilityDaysWages is the days' wages a month of this oral
	// morphine costs (AffordabilityV1); null where not computable.
	AffordabilityDaysWages *float64 `json:"affordability_days_wages"`
	SurveyYear             int      `json:"survey_year"`
	Source                 string   `json:"source"`
	Lineage                Lineage  `json:"lineage"`
}

// AvailabilityFields are what the country gap JSON gains from availability
// surveys. CountryGaps embeds them, so they sit at the top level.
type AvailabilityFields struct {
	// Availability is the latest facility survey (per medicine and sector);
	// null with the flag no_availability_survey when there is none.
	Availability []AvailabilityFigure `json:"availability"`
	// CCSOralMorphineAvailable is the latest country-capacity answer (yes,
	// no, dont_know), CCSSurveyYear its survey year; both null without one.
	CCSOralMorphineAvailable *CCSAnswer `json:"ccs_oral_morphine_available"`
	CCSSurveyYear            *int       `json:"ccs_survey_year"`
	AvailabilityFlags        []string   `json:"availability_flags"`
	AffordabilityFormula     string     `json:"affordability_formula,omitempty"`
}

// CountryAvailability is everything published for one country: every
// facility survey row and country-capacity answer (newest first), with the
// latest-survey figures and flags of AvailabilityFields.
type CountryAvailability struct {
	ISO3          string `json:"iso3"`
	ReferenceYear int    `json:"reference_year"`
	AvailabilityFields
	Surveys    []AvailabilityFigure `json:"surveys"`
	CCSAnswers []CCSFigure          `json:"ccs_answers"`
}

// CCSFigure is one country-capacity answer.
type CCSFigure struct {
	SurveyYear int       `json:"survey_year"`
	Answer     CCSAnswer `json:"answer"`
	Lineage    Lineage   `json:"lineage"`
}

// availabilityFigure converts one survey row.
func availabilityFigure(v MedicineVocabulary, a Affordability, s AvailabilitySurvey) AvailabilityFigure {
	f := AvailabilityFigure{Medicine: s.Medicine, Drug: s.Drug, Sector: s.Sector, FacilityAvailabilityPct: s.AvailabilityPct,
		FacilitiesSurveyed: s.FacilitiesSurveyed, MedianPriceRatio: s.MedianPriceRatio, MedianUnitPrice: s.MedianUnitPrice,
		Currency: s.Currency, DailyWage: s.DailyWage, SurveyYear: s.Year, Source: s.Survey, Lineage: s.Lineage}
	if m, ok := v.Medicine(s.Medicine); ok {
		f.MedicineName = m.Name
		f.AffordabilityDaysWages = a.DaysWages(m, s)
	}
	if s.PriceReference != "" {
		r := s.PriceReference
		if y := s.PriceReferenceYear; y > 0 && !strings.Contains(r, strconv.Itoa(y)) {
			r = fmt.Sprintf("%s, %d", r, s.PriceReferenceYear)
		}
		f.PriceReference = &r
	}
	if f.Source == "" {
		f.Source = fmt.Sprintf("upload %d", s.Lineage.UploadID)
	}
	return f
}

// ComputeAvailability is the pure part of the availability figures: the
// latest survey year's rows (sorted by medicine, then sector), the latest
// country-capacity answer, and the flags, against refYear (the latest year
// of the figures they accompany; 0 to skip the age flags).
func ComputeAvailability(surveys []AvailabilitySurvey, ccs []CCSRecord, refYear int) AvailabilityFields {
	var out AvailabilityFields
	latest := 0
	for _, s := range surveys {
		if s.Year > latest {
			latest = s.Year
		}
	}
	for _, s := range surveys {
		if s.Year == latest {
			out.Availability = append(out.Availability, availabilityFigure(MedicinesV1, AffordabilityV1, s))
		}
	}
	sortFigures(out.Availability)
	switch {
	case len(surveys) == 0:
		out.AvailabilityFlags = append(out.AvailabilityFlags, FlagNoAvailabilitySurvey)
	case refYear > 0 && refYear-latest > SurveyMaxAgeYears:
		out.AvailabilityFlags = append(out.AvailabilityFlags, FlagSurveyOlderThan5Years)
	}
	if c, ok := latestCCS(ccs, 0); ok {
		a, y := c.Answer, c.Year
		out.CCSOralMorphineAvailable, out.CCSSurveyYear = &a, &y
		if refYear > 0 && refYear-y > SurveyMaxAgeYears {
			out.AvailabilityFlags = append(out.AvailabilityFlags, FlagCCSOlderThan5Years)
		}
	} else {
		out.AvailabilityFlags = append(out.AvailabilityFlags, FlagNoCCSAnswer)
	}
	for _, f := range out.Availability {
		if f.AffordabilityDaysWages != nil {
			out.AffordabilityFormula = AffordabilityV1.Formula()
			break
		}
	}
	return out
}

func sortFigures(fs []AvailabilityFigure) {
	order := map[Sector]int{SectorPublic: 0, SectorPrivate: 1, SectorOther: 2}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].SurveyYear != fs[j].SurveyYear {
			return fs[i].SurveyYear > fs[j].SurveyYear
		}
		if fs[i].Medicine != fs[j].Medicine {
			return fs[i].Medicine < fs[j].Medicine
		}
		return order[fs[i].Sector] < order[fs[j].Sector]
	})
}

// latestCCS is the newest oral-morphine answer in a survey year up to
// through (0: any year).
func latestCCS(cs []CCSRecord, through int) (CCSRecord, bool) {
	var best CCSRecord
	found := false
	for _, c := range cs {
		if c.Indicator != "" && c.Indicator != CCSIndicatorOralMorphine {
			continue
		}
		if through > 0 && c.Year > through {
			continue
		}
		if !found || c.Year > best.Year {
			best, found = c, true
		}
	}
	return best, found
}

// CCSCount is how many countries of a group gave one answer, and the
// population behind them (null when none of them has a population).
type CCSCount struct {
	Countries  int      `json:"countries"`
	Population *float64 `json:"population"`
}

// CCSGroupCounts counts a group's countries by their latest
// country-capacity answer in a survey year up to the group's year;
// no_answer counts the members without one.
type CCSGroupCounts struct {
	Yes      CCSCount `json:"yes"`
	No       CCSCount `json:"no"`
	DontKnow CCSCount `json:"dont_know"`
	NoAnswer CCSCount `json:"no_answer"`
}

// AvailabilityGroupFields are what group figures gain; GroupGaps embeds them.
type AvailabilityGroupFields struct {
	CCSOralMorphineAvailable *CCSGroupCounts `json:"ccs_oral_morphine_available"`
}

// CountCCS counts the members of a group (those in countries that belong to
// kind/code) by their latest answer up to year, with the population each
// has in year.
func CountCCS(kind GroupKind, code string, year int, countries []CountryGaps, ccs map[string][]CCSRecord) *CCSGroupCounts {
	out := &CCSGroupCounts{}
	for _, c := range countries {
		if !IsMember(kind, code, c, year) {
			continue
		}
		var pop *float64
		if y := c.year(year); y != nil {
			pop = y.Population
		}
		cnt := &out.NoAnswer
		if r, ok := latestCCS(ccs[c.Country.ISO3], year); ok {
			switch r.Answer {
			case CCSYes:
				cnt = &out.Yes
			case CCSNo:
				cnt = &out.No
			case CCSDontKnow:
				cnt = &out.DontKnow
			}
		}
		cnt.Countries++
		if pop != nil {
			if cnt.Population == nil {
				cnt.Population = F(0)
			}
			*cnt.Population += *pop
		}
	}
	return out
}

// AvailabilityStore is what availability figures need of the store. The
// gap service uses it when its store offers it.
type AvailabilityStore interface {
	// The rows published as of data version v (0: now).
	AvailabilitySurveysAsOf(ctx context.Context, iso3 string, v int64) ([]AvailabilitySurvey, error)
	CCSRecordsAsOf(ctx context.Context, iso3 string, v int64) ([]CCSRecord, error)
}

// attachAvailability adds the availability fields to a country's computed
// gap figures, against the latest year of those figures.
func (s *GapService) attachAvailability(ctx context.Context, g *CountryGaps) error {
	as, ok := s.Store.(AvailabilityStore)
	if !ok {
		return nil
	}
	surveys, err := as.AvailabilitySurveysAsOf(ctx, g.Country.ISO3, s.asOf)
	if err != nil {
		return err
	}
	ccs, err := as.CCSRecordsAsOf(ctx, g.Country.ISO3, s.asOf)
	if err != nil {
		return err
	}
	ref := 0
	for _, y := range g.Years {
		ref = max(ref, y.Year)
	}
	g.AvailabilityFields = ComputeAvailability(surveys, ccs, ref)
	s.markAvailabilityIllustrative(ctx, &g.AvailabilityFields, surveys, ccs)
	return nil
}

// markAvailabilityIllustrative flags availability figures whose surveys or
// answers came from illustrative demo uploads.
func (s *GapService) markAvailabilityIllustrative(ctx context.Context, f *AvailabilityFields, surveys []AvailabilitySurvey, ccs []CCSRecord) {
	v, ok, err := s.setting(ctx, SettingIllustrativeUploads)
	if err != nil || !ok || v == "" {
		return
	}
	demo := map[int64]bool{}
	for _, p := range strings.Split(v, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil {
			demo[id] = true
		}
	}
	for _, sv := range surveys {
		if demo[sv.Lineage.UploadID] {
			f.AvailabilityFlags = append(f.AvailabilityFlags, FlagIllustrative)
			return
		}
	}
	for _, c := range ccs {
		if demo[c.Lineage.UploadID] {
			f.AvailabilityFlags = append(f.AvailabilityFlags, FlagIllustrative)
			return
		}
	}
}

// attachCCSCounts adds the country-capacity counts to a group's figures.
func (s *GapService) attachCCSCounts(ctx context.Context, g *GroupGaps, all []CountryGaps) error {
	as, ok := s.Store.(AvailabilityStore)
	if !ok {
		return nil
	}
	recs, err := as.CCSRecordsAsOf(ctx, "", s.asOf)
	if err != nil {
		return err
	}
	by := map[string][]CCSRecord{}
	for _, r := range recs {
		by[r.ISO3] = append(by[r.ISO3], r)
	}
	g.CCSOralMorphineAvailable = CountCCS(g.Kind, g.Code, g.Year, all, by)
	return nil
}

// Availability returns every published survey row and country-capacity
// answer for iso3, with the latest-survey figures and flags against refYear.
func (s *GapService) Availability(ctx context.Context, iso3 string, refYear int) (CountryAvailability, error) {
	out := CountryAvailability{ISO3: iso3, ReferenceYear: refYear}
	as, ok := s.Store.(AvailabilityStore)
	if !ok {
		return out, Errorf(Internal, "gaps.Availability", "the store keeps no availability surveys")
	}
	surveys, err := as.AvailabilitySurveysAsOf(ctx, iso3, s.asOf)
	if err != nil {
		return out, err
	}
	ccs, err := as.CCSRecordsAsOf(ctx, iso3, s.asOf)
	if err != nil {
		return out, err
	}
	out.AvailabilityFields = ComputeAvailability(surveys, ccs, refYear)
	s.markAvailabilityIllustrative(ctx, &out.AvailabilityFields, surveys, ccs)
	out.Surveys = []AvailabilityFigure{}
	for _, sv := range surveys {
		out.Surveys = append(out.Surveys, availabilityFigure(MedicinesV1, AffordabilityV1, sv))
	}
	sortFigures(out.Surveys)
	out.CCSAnswers = []CCSFigure{}
	for _, c := range ccs {
		out.CCSAnswers = append(out.CCSAnswers, CCSFigure{SurveyYear: c.Year, Answer: c.Answer, Lineage: c.Lineage})
	}
	sort.SliceStable(out.CCSAnswers, func(i, j int) bool { return out.CCSAnswers[i].SurveyYear > out.CCSAnswers[j].SurveyYear })
	return out, nil
}

func init() {
	glossaryFlags = append(glossaryFlags,
		GlossaryEntry{Code: FlagNoAvailabilitySurvey, Severity: SeverityMissing, Meaning: "No WHO/HAI facility survey is published for the country, so availability is null."},
		GlossaryEntry{Code: FlagSurveyOlderThan5Years, Severity: SeverityCaution, Meaning: "The latest facility survey is more than five years older than the figures' last year, so availability may have changed since."},
		GlossaryEntry{Code: FlagNoCCSAnswer, Severity: SeverityMissing, Meaning: "No NCD country-capacity survey answer on oral morphine in public primary care is published for the country."},
		GlossaryEntry{Code: FlagCCSOlderThan5Years, Severity: SeverityCaution, Meaning: "The latest country-capacity answer is more than five years older than the figures' last year."},
	)
}
