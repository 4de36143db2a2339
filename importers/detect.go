package importers

import (
	"regexp"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// role is what a column holds.
type role int

const (
	roleNone role = iota
	roleISO3
	roleISO2
	roleNumeric
	roleName
	roleYear
	roleDrug
	roleSalt
	roleUnit
	roleEstKind
	roleStatus
	roleCause
	roleIndicatorName
	roleIndicatorCode
	roleVariant
	roleWHORegion
	roleIncome
	roleRegion // World Bank metadata: empty for aggregates
	roleVintage
	roleMeasure // IHME: keep Deaths
	roleMetric  // IHME: keep Number
	roleSex     // keep both sexes
	roleAge     // keep all ages
	roleValue   // a quantity; field, year, drug or cause in the column spec
)

// Value fields.
const (
	fConsumed = iota
	fManufactured
	fUtilized
	fStock
	fSeizures
	fImports
	fExports
	fA
	fB
	fC
	fD
	fTotal
	fPopTotal
	fPopMale
	fPopFemale
	fDeaths
	fStockOut // days out of stock in the year: a count of days, no unit
	nFields
)

var fieldNames = [nFields]string{"consumption", "manufacture", "utilization for manufacture", "stocks on 31 December",
	"seizures", "imports", "exports", "(a) to be consumed", "(b) utilized for manufacture",
	"(c) stock to be held on 31 December", "(d) added to special stocks", "total estimate",
	"population", "male population", "female population", "deaths", "days out of stock"}

// column is the meaning of one column of a table.
type column struct {
	idx   int
	role  role
	field int
	year  int     // wide-years: the year of the column
	drug  string  // wide-drugs: the drug code of the column
	frac  float64 // wide-drugs: salt → base fraction of the column's substance
	salt  string
	cause string
	unit  unit // from the header, if it names one
	head  string
}

// unit is a multiplier to grams (drugs) or persons (population).
type unit struct {
	name string
	mult float64
}

func (u unit) ok() bool { return u.mult != 0 }

var drugUnits = []struct {
	words []string
	u     unit
}{
	{[]string{"kg", "kgs", "kilogram", "kilograms", "kilogrammes", "kilogramme"}, unit{"kg", 1000}},
	{[]string{"mg", "milligram", "milligrams", "milligrammes"}, unit{"mg", 0.001}},
	{[]string{"g", "gram", "grams", "gramme", "grammes", "gr"}, unit{"g", 1}},
	{[]string{"t", "tonne", "tonnes", "ton", "tons", "metric tons"}, unit{"t", 1e6}},
}

// drugUnit reads a unit name ("kg", "Kilograms").
func drugUnit(s string) (unit, bool) {
	n := normalize(s)
	for _, du := range drugUnits {
		for _, w := range du.words {
			if n == w {
				return du.u, true
			}
		}
	}
	return unit{}, false
}

// unitInText finds a unit word in a header, title or units line:
// "Consumption (kg)", "(kilograms of anhydrous base)".
func unitInText(s string) (unit, bool) {
	n := " " + normalize(s) + " "
	for _, du := range drugUnits {
		for _, w := range du.words {
			if len(w) <= 2 && w != "kg" && w != "mg" && w != "g" {
				continue // "t", "gr" alone are too easily part of other words
			}
			if w == "g" && !strings.Contains(s, "(g)") && n != " g " && !strings.Contains(n, " in g ") {
				continue
			}
			if strings.Contains(n, " "+w+" ") {
				return du.u, true
			}
		}
	}
	return unit{}, false
}

func thousandsIn(s string) bool {
	n := " " + normalize(s) + " "
	return strings.Contains(n, " thousand") || strings.Contains(n, " 000 ") || strings.Contains(s, "'000")
}

var (
	reYear     = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2}|2100)(?:[^0-9]|$)`)
	reFootnote = regexp.MustCompile(`(\s+([a-z]|[a-z],[a-z]|\*+|\([a-z0-9]\)|[0-9]))+$|[*†‡¹²³]+$`)
)

// yearsIn returns the distinct years a text names.
func yearsIn(s string) []int {
	var out []int
	seen := map[int]bool{}
	for _, m := range reYear.FindAllStringSubmatch(s, -1) {
		if y, ok := parseYear(m[1]); ok && !seen[y] {
			seen[y] = true
			out = append(out, y)
		}
	}
	return out
}

// identRole classifies identifier and dimension headers, whatever the kind.
func identRole(n string) role {
	switch n {
	case "iso3", "iso", "iso3 code", "iso code", "iso alpha3", "alpha3", "alpha 3", "iso 3", "iso3166 alpha3",
		"iso 3166 1 alpha 3", "country code", "countrycode", "country iso3", "country iso", "code",
		"dimensionmembercode", "dimension member code", "spatialdimvaluecode", "spatial dim value code", "spatialdim",
		"country code iso3", "iso3 country code", "location iso3", "iso3code", "iso country code":
		return roleISO3
	case "iso2", "iso 2", "alpha2", "iso alpha2", "iso2 code", "iso 3166 1 alpha 2":
		return roleISO2
	case "m49", "m49 code", "iso numeric", "iso num", "numeric", "numeric code", "locid", "loc id", "location code",
		"location id", "country numeric code", "un code":
		return roleNumeric
	case "country", "country name", "countries", "country or territory", "countries and territories", "country territory",
		"country or area", "location", "entity", "area", "name", "territory", "country area", "region country area",
		"who short name en", "dimensionmembername", "display value", "state", "member state", "table name", "tablename",
		"economy", "countries or territories", "location name", "countries territories and areas":
		return roleName
	case "year", "years", "time", "period", "yr", "reference year", "data year", "timedim", "year id":
		return roleYear
	case "drug", "drugs", "substance", "substances", "drug name", "narcotic drug", "narcotic drugs", "inn",
		"drug inn", "drug code", "medicine", "opioid", "product":
		return roleDrug
	case "salt", "form", "salt form", "chemical form", "salt or base", "substance form":
		return roleSalt
	case "unit", "units", "unit of measure", "uom", "measure unit", "unit of measurement":
		return roleUnit
	case "kind", "estimate kind", "estimate type", "type", "type of estimate":
		return roleEstKind
	case "status", "estimate status":
		return roleStatus
	case "cause", "cause of death", "cause name", "causes", "condition", "disease":
		return roleCause
	case "indicator name", "indicator", "series name", "series":
		return roleIndicatorName
	case "indicator code", "series code", "indicatorcode":
		return roleIndicatorCode
	case "measure name", "measure":
		return roleMeasure
	case "metric name", "metric":
		return roleMetric
	case "sex name", "sex", "dim1", "dim1 value code", "dim1valuecode":
		return roleSex
	case "age name", "age group", "age":
		return roleAge
	case "variant":
		return roleVariant
	case "who region", "who region code", "who_region_code", "whoregion", "who regions", "parentlocationcode":
		return roleWHORegion
	case "income group", "incomegroup", "world bank income group", "wb income group", "income", "income level",
		"income classification", "wb income", "world bank income group code":
		return roleIncome
	case "region":
		return roleRegion
	case "income vintage", "vintage", "classification year", "fiscal year", "income year":
		return roleVintage
	}
	switch {
	case strings.HasPrefix(n, "wb ig ") || strings.HasPrefix(n, "income group ") || strings.HasPrefix(n, "wb income group "):
		return roleIncome
	}
	return roleNone
}

// causeIn maps a cause name or a column header to a cause code.
func causeIn(n string) string {
	w := " " + n + " "
	switch {
	case strings.Contains(w, "neoplasm") || strings.Contains(w, "cancer") || strings.Contains(w, "malignant"):
		return access.CauseNeoplasms
	case strings.Contains(w, " hiv") || strings.Contains(w, " aids "):
		return access.CauseHIV
	case strings.Contains(w, "cardiovascular"):
		return access.CauseCardiovascular
	case strings.Contains(w, "respiratory"):
		return access.CauseChronicRespiratory
	case strings.Contains(w, "dementia") || strings.Contains(w, "alzheimer"):
		return access.CauseDementia
	case strings.Contains(w, "tuberculosis") || strings.Contains(w, " tb "):
		return access.CauseTuberculosis
	case strings.Contains(w, "cirrhosis") || strings.Contains(w, " liver "):
		return access.CauseLiverCirrhosis
	case strings.Contains(w, "kidney") || strings.Contains(w, "renal"):
		return access.CauseChronicKidney
	case strings.Contains(w, "neonatal"):
		return access.CauseNeonatal
	}
	return ""
}

// deathsColumnUsable reports whether an OWID/GBD column counts deaths of
// both sexes at all ages (not rates, shares or subgroups).
func deathsColumnUsable(raw, n string) bool {
	w := " " + n + " "
	for _, bad := range []string{" rate ", " percent ", " share ", " per 100", " age standardized ", " age standardised "} {
		if strings.Contains(w, bad) {
			return false
		}
	}
	if strings.Contains(raw, "%") {
		return false
	}
	if strings.Contains(w, " sex ") && !strings.Contains(w, " sex both ") {
		return false
	}
	if strings.Contains(w, " age ") && !strings.Contains(w, " age all ages ") {
		return false
	}
	return true
}

// valueRole classifies a quantity header for a kind; ok is false when the
// header is not a quantity of that kind.
func valueField(kind access.ImportKind, n string) (int, bool) {
	w := " " + n + " "
	has := func(s string) bool { return strings.Contains(w, s) }
	switch kind {
	case access.KindConsumption:
		switch {
		case has(" out of stock ") || has(" stock out") || has(" stockout"):
			return fStockOut, true
		case has("utiliz") || has("utilis") || has(" used for "):
			return fUtilized, true
		case has("manufactur"):
			return fManufactured, true
		case has("stock"):
			return fStock, true
		case has("seiz"):
			return fSeizures, true
		case has(" import"):
			return fImports, true
		case has(" export"):
			return fExports, true
		case has("consum") || has(" quantity ") || has(" amount ") || has(" value ") || has(" total ") || isNumericValueHeader(n):
			return fConsumed, true
		}
		if u, ok := drugUnit(n); ok && u.ok() {
			return fConsumed, true
		}
	case access.KindEstimates:
		first := strings.SplitN(n, " ", 2)[0]
		switch {
		case has("special"), first == "d":
			return fD, true
		case has("to be consumed"), first == "a", has(" consum"):
			return fA, true
		case has("manufactur"), has("utiliz"), has("utilis"), first == "b":
			return fB, true
		case has("stock"), first == "c":
			return fC, true
		case has("total"), has(" estimate "), has(" estimates "), first == "e":
			return fTotal, true
		}
	case access.KindPopulation:
		switch {
		case has("female") || has(" women "):
			return fPopFemale, true
		case has(" male ") || has(" men ") || has(" popmale "):
			return fPopMale, true
		case has("popfemale"):
			return fPopFemale, true
		case has("popmale"):
			return fPopMale, true
		case has("pop") || has(" value ") || has(" both sexes ") || has(" total ") || isNumericValueHeader(n):
			return fPopTotal, true
		}
	case access.KindDeaths:
		switch {
		case has("death") || has(" value ") || has(" number ") || has(" val ") || has(" count ") || isNumericValueHeader(n):
			return fDeaths, true
		}
	}
	return 0, false
}

// kindScore guesses the kind of a table from its header texts and title.
func detectKind(headers []string, context string, hasDrugCols, hasYearCols bool) access.ImportKind {
	var score [5]int // consumption, estimates, population, deaths, countries
	for _, h := range headers {
		n := normalize(h)
		if n == "" {
			continue
		}
		w := " " + n + " "
		switch identRole(n) {
		case roleWHORegion, roleIncome, roleRegion:
			score[4] += 3
		case roleDrug, roleSalt:
			score[0]++
			score[1]++
		case roleEstKind, roleStatus:
			score[1] += 2
		case roleCause:
			score[3] += 3
		case roleIndicatorCode, roleIndicatorName, roleVariant:
			score[2]++
		case roleNumeric:
			score[2]++
		}
		if strings.Contains(w, "to be consumed") || strings.Contains(w, "special stock") || strings.Contains(w, " estimate") {
			score[1] += 3
		}
		if strings.Contains(w, "consum") && !strings.Contains(w, "to be consumed") || strings.Contains(w, "seiz") || strings.Contains(w, "manufactur") {
			score[0] += 2
		}
		if identRole(n) == roleNone {
			if u, ok := drugUnit(n); ok && u.ok() {
				score[0] += 2
			}
		}
		if strings.Contains(w, " pop") || strings.Contains(w, "population") {
			score[2] += 3
		}
		if strings.Contains(w, "death") || causeIn(n) != "" {
			score[3] += 2
		}
	}
	if hasDrugCols {
		score[0] += 2
		score[1]++
	}
	c := " " + normalize(context) + " "
	switch {
	case strings.Contains(c, " estimate"):
		score[1] += 2
	case strings.Contains(c, "consumption") || strings.Contains(c, "statistics"):
		score[0] += 2
	case strings.Contains(c, "population"):
		score[2] += 2
	case strings.Contains(c, "death"):
		score[3] += 2
	}
	best, bestScore := -1, 0
	for i, s := range score {
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	if best < 0 {
		if hasYearCols {
			if _, ok := unitInText(context); ok {
				return access.KindConsumption
			}
		}
		return ""
	}
	return access.ImportKinds[best]
}

// isNumericValueHeader: GHO's number columns (the CSV export's
// FactValueNumeric, the API's NumericValue).
func isNumericValueHeader(n string) bool { return n == "factvaluenumeric" || n == "numericvalue" }
