package access

import (
	"regexp"
	"strconv"
	"strings"
)

// Two kinds of availability observation (see the package documentation,
// "Availability and affordability"):
//
//   - KindAvailability: facility surveys following the WHO/HAI method, one
//     row per country, survey year, medicine and sector;
//   - KindCCS: the WHO NCD country-capacity survey's answer to "is oral
//     morphine generally available in public primary care facilities?",
//     one row per country and survey year.
const (
	KindAvailability ImportKind = "availability"
	KindCCS          ImportKind = "ccs"
)

// Sector is where a WHO/HAI survey looked for a medicine.
type Sector string

const (
	SectorPublic  Sector = "public"
	SectorPrivate Sector = "private"
	// SectorOther is WHO/HAI's "other sector": NGO, mission and faith-based
	// facilities.
	SectorOther Sector = "other"
)

// Sectors lists the sectors in the order surveys report them.
var Sectors = []Sector{SectorPublic, SectorPrivate, SectorOther}

// ParseSector reads a sector as survey workbooks and GHO name it.
func ParseSector(s string) (Sector, bool) {
	n := " " + NormalizeName(s) + " "
	switch {
	case strings.Contains(n, " public "), strings.Contains(n, " government "), strings.Contains(n, " govt "):
		return SectorPublic, true
	case strings.Contains(n, " private "):
		return SectorPrivate, true
	case strings.Contains(n, " other "), strings.Contains(n, " ngo "), strings.Contains(n, " mission "),
		strings.Contains(n, " faith "), strings.Contains(n, " church "):
		return SectorOther, true
	}
	return "", false
}

// AvailabilitySurvey is one row of a WHO/HAI facility survey: how often one
// medicine (strength and dosage form) was found in one sector's facilities
// in one survey, and at what price. Nil means "not given".
type AvailabilitySurvey struct {
	ISO3     string
	Year     int    // survey year (the year of data collection)
	Medicine string // a code of the medicines vocabulary
	// VocabularyVersion is the medicines vocabulary version that resolved Medicine.
	VocabularyVersion int
	Drug              string // the drug code consumption tables use
	Sector            Sector
	// AvailabilityPct is the share of surveyed facilities that had the
	// medicine in stock on the day of the visit, 0–100.
	AvailabilityPct *float64
	// FacilitiesSurveyed is the number of facilities of the sector visited.
	FacilitiesSurveyed *int
	// MedianPriceRatio is the median local unit price ÷ the international
	// reference unit price (WHO/HAI's MPR), for the reference named below.
	MedianPriceRatio   *float64
	PriceReference     string // e.g. "MSH International Drug Price Indicator Guide"
	PriceReferenceYear int    // 0 when not given
	// MedianUnitPrice is the median patient price of one unit (tablet, ml,
	// ampoule, patch) in local currency; Currency names it.
	MedianUnitPrice *float64
	Currency        string
	// DailyWage is the daily wage of the lowest-paid unskilled government
	// worker, in the same currency, where the survey gives it.
	DailyWage *float64
	Survey    string // the survey's title, as the file names it
	Lineage   Lineage
}

// CCSAnswer is an answer to a yes / no / don't-know survey question.
type CCSAnswer string

const (
	CCSYes      CCSAnswer = "yes"
	CCSNo       CCSAnswer = "no"
	CCSDontKnow CCSAnswer = "dont_know"
)

// CCSAnswers lists the answers in a stable order.
var CCSAnswers = []CCSAnswer{CCSYes, CCSNo, CCSDontKnow}

// ParseCCSAnswer reads an answer as GHO exports and ministries write it.
func ParseCCSAnswer(s string) (CCSAnswer, bool) {
	switch NormalizeName(s) {
	case "yes", "y", "1", "oui", "si", "sí", "available", "generally available":
		return CCSYes, true
	case "no", "n", "0", "non", "not available", "not generally available":
		return CCSNo, true
	case "don t know", "dont know", "do not know", "dk", "unknown", "dont_know", "don t know not reported", "not known":
		return CCSDontKnow, true
	}
	return "", false
}

// CCSIndicator is the question a CCSRecord answers.
const CCSIndicatorOralMorphine = "oral_morphine_primary_care"

// CCSRecord is one country's answer to the WHO NCD country-capacity survey
// question "is oral morphine generally available in public primary care
// facilities?" in one survey year.
type CCSRecord struct {
	ISO3      string
	Year      int
	Indicator string // CCSIndicatorOralMorphine
	Answer    CCSAnswer
	Lineage   Lineage
}

// Medicine is one entry of the medicines vocabulary: an active ingredient
// in one strength and dosage form, as the WHO Model List of Essential
// Medicines names it.
type Medicine struct {
	Code     string // stable code, e.g. "morphine-tab-ir-10mg"
	Name     string // the Model List's wording
	Drug     string // drug code of the consumption tables
	Form     string // tablet, oral liquid, injection, transdermal patch
	Release  string // "immediate", "prolonged" or ""
	Strength string // as written: "10 mg", "10 mg/5 ml", "12 micrograms/hour"
	// Unit is what one unit price is for: tablet, ml, ampoule, patch.
	Unit string
	// MgPerUnit is milligrams of the named substance per unit (0 where a
	// dose per unit makes no sense, e.g. patches rated per hour).
	MgPerUnit float64
	// OralMorphine marks the medicines counted for the affordability of a
	// month of oral morphine.
	OralMorphine bool
	Synonyms     []string
}

// MedicineVocabulary is a named, versioned list of medicines.
type MedicineVocabulary struct {
	Name      string
	Version   int
	Source    string
	Medicines []Medicine
}

// MedicinesV1 follows section 2.2 (opioid analgesics) and the palliative
// care section of the WHO Model List of Essential Medicines, 23rd list
// (2023): morphine (immediate- and prolonged-release tablets, oral liquid,
// injection), codeine, fentanyl transdermal patch, methadone; hydromorphone
// and oxycodone as listed therapeutic alternatives to morphine.
var MedicinesV1 = MedicineVocabulary{
	Name: "who-eml-opioids", Version: 1,
	Source: "WHO Model List of Essential Medicines, 23rd list (2023), sections 2.2 and 2.4",
	Medicines: []Medicine{
		{Code: "morphine-tab-ir-10mg", Name: "morphine tablet 10 mg (immediate-release)", Drug: "morphine", Form: "tablet", Release: "immediate", Strength: "10 mg", Unit: "tablet", MgPerUnit: 10, OralMorphine: true},
		{Code: "morphine-tab-pr-10mg", Name: "morphine tablet 10 mg (prolonged-release)", Drug: "morphine", Form: "tablet", Release: "prolonged", Strength: "10 mg", Unit: "tablet", MgPerUnit: 10, OralMorphine: true},
		{Code: "morphine-tab-pr-30mg", Name: "morphine tablet 30 mg (prolonged-release)", Drug: "morphine", Form: "tablet", Release: "prolonged", Strength: "30 mg", Unit: "tablet", MgPerUnit: 30, OralMorphine: true},
		{Code: "morphine-oral-liquid-10mg-5ml", Name: "morphine oral liquid 10 mg/5 ml", Drug: "morphine", Form: "oral liquid", Strength: "10 mg/5 ml", Unit: "ml", MgPerUnit: 2, OralMorphine: true,
			Synonyms: []string{"morphine oral solution 10 mg/5 ml", "morphine syrup 10 mg/5 ml", "morphine solution 2 mg/ml"}},
		{Code: "morphine-inj-10mg-ml", Name: "morphine injection 10 mg/ml", Drug: "morphine", Form: "injection", Strength: "10 mg/ml", Unit: "ampoule", MgPerUnit: 10,
			Synonyms: []string{"morphine injection 10 mg in 1 ml ampoule", "morphine ampoule 10 mg/ml"}},
		{Code: "codeine-tab-30mg", Name: "codeine tablet 30 mg (phosphate)", Drug: "codeine", Form: "tablet", Strength: "30 mg", Unit: "tablet", MgPerUnit: 30},
		{Code: "fentanyl-patch-12mcg-h", Name: "fentanyl transdermal patch 12 micrograms/hour", Drug: "fentanyl", Form: "transdermal patch", Strength: "12 micrograms/hour", Unit: "patch"},
		{Code: "fentanyl-patch-25mcg-h", Name: "fentanyl transdermal patch 25 micrograms/hour", Drug: "fentanyl", Form: "transdermal patch", Strength: "25 micrograms/hour", Unit: "patch"},
		{Code: "methadone-tab-5mg", Name: "methadone tablet 5 mg (hydrochloride)", Drug: "methadone", Form: "tablet", Strength: "5 mg", Unit: "tablet", MgPerUnit: 5},
		{Code: "methadone-tab-10mg", Name: "methadone tablet 10 mg (hydrochloride)", Drug: "methadone", Form: "tablet", Strength: "10 mg", Unit: "tablet", MgPerUnit: 10},
		{Code: "methadone-oral-liquid-5mg-5ml", Name: "methadone oral liquid 5 mg/5 ml", Drug: "methadone", Form: "oral liquid", Strength: "5 mg/5 ml", Unit: "ml", MgPerUnit: 1},
		{Code: "oxycodone-tab-ir-5mg", Name: "oxycodone tablet 5 mg (immediate-release)", Drug: "oxycodone", Form: "tablet", Release: "immediate", Strength: "5 mg", Unit: "tablet", MgPerUnit: 5},
		{Code: "oxycodone-tab-ir-10mg", Name: "oxycodone tablet 10 mg (immediate-release)", Drug: "oxycodone", Form: "tablet", Release: "immediate", Strength: "10 mg", Unit: "tablet", MgPerUnit: 10},
		{Code: "hydromorphone-tab-ir-2mg", Name: "hydromorphone tablet 2 mg (immediate-release)", Drug: "hydromorphone", Form: "tablet", Release: "immediate", Strength: "2 mg", Unit: "tablet", MgPerUnit: 2},
	},
}

// Medicine returns the entry with code c.
func (v MedicineVocabulary) Medicine(c string) (Medicine, bool) {
	for _, m := range v.Medicines {
		if m.Code == c {
			return m, true
		}
	}
	return Medicine{}, false
}

// ResolveMedicine finds the vocabulary entry a survey's medicine name
// means. It accepts a code, the Model List wording or a synonym; failing
// those, it reads the name as WHO/HAI workbooks write it — a drug, a
// strength and a dosage form in any order ("Morphine 10mg tab", "Morphine
// sulfate oral solution 10mg/5ml", "Fentanyl 25mcg/hr patch") — and takes
// the one entry with that drug, strength and form (a tablet that names no
// release is immediate-release). method says which way matched.
func (v MedicineVocabulary) ResolveMedicine(s string) (m Medicine, method string, ok bool) {
	n := NormalizeName(s)
	if n == "" {
		return Medicine{}, "", false
	}
	for _, e := range v.Medicines {
		if n == NormalizeName(e.Code) {
			return e, "code", true
		}
	}
	for _, e := range v.Medicines {
		if n == NormalizeName(e.Name) {
			return e, "name", true
		}
		for _, syn := range e.Synonyms {
			if n == NormalizeName(syn) {
				return e, "synonym", true
			}
		}
	}
	p := parseMedicineName(s)
	if p.drug == "" || p.strength == "" {
		return Medicine{}, "", false
	}
	var hits []Medicine
	for _, e := range v.Medicines {
		if e.Drug != p.drug || canonicalStrength(e.Strength) != p.strength {
			continue
		}
		if p.form != "" && e.Form != p.form {
			continue
		}
		if e.Release != "" && p.release != "" && e.Release != p.release {
			continue
		}
		if e.Release == "prolonged" && p.release == "" {
			continue
		}
		hits = append(hits, e)
	}
	if len(hits) != 1 {
		return Medicine{}, "", false
	}
	return hits[0], "parsed", true
}

// SuggestMedicines returns up to n vocabulary entries closest to s, as
// "name (code)", best first.
func (v MedicineVocabulary) SuggestMedicines(s string, n int) []string {
	q := NormalizeName(s)
	if q == "" || n <= 0 {
		return nil
	}
	p := parseMedicineName(s)
	score := map[string]float64{}
	label := map[string]string{}
	for _, e := range v.Medicines {
		sc := similarity(q, NormalizeName(e.Name))
		if p.drug == e.Drug || p.drug == "" && nearWord(q, e.Drug) {
			sc += 0.2 // the right (or a misspelt) drug in another strength or form is a good guess
		}
		if p.form != "" && p.form == e.Form {
			sc += 0.1
		}
		score[e.Code] = sc
		label[e.Code] = e.Name + " (" + e.Code + ")"
	}
	return topN(score, label, n)
}

// nearWord reports whether a word of q is within two edits of w.
func nearWord(q, w string) bool {
	for _, x := range strings.Fields(q) {
		if len(x) >= 5 && levenshtein([]rune(x), []rune(w)) <= 2 {
			return true
		}
	}
	return false
}

type medicineName struct {
	drug, form, release, strength string
}

var (
	reStrength    = regexp.MustCompile(`(?i)([0-9]+(?:[.,][0-9]+)?)\s*(mg|mcg|µg|μg|micrograms?|g)\b\s*(?:(?:/|per|in)\s*([0-9]+(?:[.,][0-9]+)?)?\s*(ml|h|hr|hour|hours)\b)?`)
	medicineDrugs = map[string]string{"morphine": "morphine", "codeine": "codeine", "fentanyl": "fentanyl",
		"methadone": "methadone", "oxycodone": "oxycodone", "hydromorphone": "hydromorphone", "pethidine": "pethidine",
		"meperidine": "pethidine", "tramadol": "tramadol", "buprenorphine": "buprenorphine"}
)

// parseMedicineName picks drug, form, release and strength out of a
// free-text medicine name.
func parseMedicineName(s string) medicineName {
	var p medicineName
	n := " " + NormalizeName(s) + " "
	for w, d := range medicineDrugs {
		if strings.Contains(n, " "+w+" ") {
			p.drug = d
			break
		}
	}
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(n, " "+w+" ") {
				return true
			}
		}
		return false
	}
	switch {
	case has("patch", "transdermal", "td"):
		p.form = "transdermal patch"
	case has("oral liquid", "oral solution", "syrup", "solution", "liquid", "oral sol", "elixir", "drops"):
		p.form = "oral liquid"
	case has("injection", "inj", "ampoule", "amp", "ampule", "vial", "iv", "im"):
		p.form = "injection"
	case has("tablet", "tablets", "tab", "tabs", "cap", "capsule", "capsules"):
		p.form = "tablet"
	}
	switch {
	case has("sr", "pr", "mr", "er", "cr", "xl", "slow release", "sustained release", "prolonged release",
		"modified release", "extended release", "controlled release", "retard", "long acting"):
		p.release = "prolonged"
	case has("ir", "immediate release", "normal release"):
		p.release = "immediate"
	}
	if m := reStrength.FindStringSubmatch(s); m != nil {
		p.strength = strengthKey(m[1], m[2], m[3], m[4])
	}
	return p
}

// canonicalStrength brings a vocabulary strength to the key parseMedicineName makes.
func canonicalStrength(s string) string {
	m := reStrength.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return strengthKey(m[1], m[2], m[3], m[4])
}

// strengthKey is "10mg", "10mg/5ml", "2mg/ml" reduced to a concentration
// per ml where a volume is given (so 10 mg/5 ml and 2 mg/ml meet), or
// "25mcg/h" for patches.
func strengthKey(amount, unit, per, perUnit string) string {
	a, err := strconv.ParseFloat(strings.ReplaceAll(amount, ",", "."), 64)
	if err != nil {
		return ""
	}
	u := strings.ToLower(unit)
	switch u {
	case "mcg", "µg", "μg", "microgram", "micrograms":
		u = "mcg"
	case "g":
		a, u = a*1000, "mg"
	}
	switch strings.ToLower(perUnit) {
	case "ml":
		v := 1.0
		if per != "" {
			if x, err := strconv.ParseFloat(strings.ReplaceAll(per, ",", "."), 64); err == nil && x > 0 {
				v = x
			}
		}
		return strconv.FormatFloat(a/v, 'f', -1, 64) + u + "/ml"
	case "h", "hr", "hour", "hours":
		return strconv.FormatFloat(a, 'f', -1, 64) + u + "/h"
	}
	return strconv.FormatFloat(a, 'f', -1, 64) + u
}
