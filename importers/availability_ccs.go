package importers

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// GHO exports of the NCD country-capacity survey indicator "general
// availability of oral morphine in public primary care facilities".

type ccsCols struct {
	code, name, year, value, indicator, indicatorName int
}

func ccsHeaderRole(h string) string {
	switch access.NormalizeName(h) {
	case "spatialdimvaluecode", "spatial dim value code", "spatialdim", "spatial dim", "country code", "iso3", "iso",
		"iso3 code", "country iso3", "location code", "code":
		return "code"
	case "location", "country", "country display", "country name", "countries", "member state", "country or area":
		return "name"
	case "period", "year", "year display", "timedim", "time dim", "survey year", "time", "period display":
		return "year"
	case "value", "display value", "answer", "response", "fact value", "factvaluetranslationid":
		return "value"
	case "indicatorcode", "indicator code", "gho code", "gho":
		return "indicator"
	case "indicator", "indicator name", "gho display", "indicator display":
		return "indicator_name"
	}
	return ""
}

// findCCSLong finds a header with a country, a year and a value column.
func findCCSLong(rows []numberedRow) (int, ccsCols, bool) {
	for i := 0; i < len(rows) && i < headerScan; i++ {
		c := ccsCols{-1, -1, -1, -1, -1, -1}
		for j, h := range rows[i].cells {
			switch ccsHeaderRole(h) {
			case "code":
				if c.code < 0 {
					c.code = j
				}
			case "name":
				if c.name < 0 {
					c.name = j
				}
			case "year":
				if c.year < 0 {
					c.year = j
				}
			case "value":
				if c.value < 0 {
					c.value = j
				}
			case "indicator":
				c.indicator = j
			case "indicator_name":
				c.indicatorName = j
			}
		}
		if (c.code >= 0 || c.name >= 0) && c.year >= 0 && c.value >= 0 {
			return i, c, true
		}
	}
	return 0, ccsCols{}, false
}

// findCCSWide finds a header whose cells after the country column are
// survey years.
func findCCSWide(rows []numberedRow) (hdr, countryCol int, years map[int]int, ok bool) {
	for i := 0; i < len(rows) && i < headerScan; i++ {
		ys := map[int]int{}
		cc := -1
		for j, h := range rows[i].cells {
			if y, ok := parseYear(h); ok {
				ys[j] = y
				continue
			}
			if r := ccsHeaderRole(h); (r == "name" || r == "code") && cc < 0 {
				cc = j
			}
		}
		if len(ys) == 0 {
			continue
		}
		if cc < 0 && i > 0 {
			for j, h := range rows[i-1].cells {
				if r := ccsHeaderRole(h); r == "name" || r == "code" {
					cc = j
					break
				}
			}
		}
		if cc < 0 {
			cc = 0
		}
		if _, isYear := ys[cc]; isYear {
			continue
		}
		return i, cc, ys, true
	}
	return 0, 0, nil, false
}

func mentionsMorphine(s string) bool {
	n := access.NormalizeName(s)
	return strings.Contains(n, "morphine")
}

// ccsLooksLike reports whether the top of a sheet is a country-capacity
// export: oral morphine's availability named somewhere (a title or an
// indicator cell), a long or wide header, and answers in words (yes, no,
// don't know) below it — so that a consumption table that lists morphine
// is never taken for one.
func ccsLooksLike(rows []numberedRow) bool {
	named := false
	for _, r := range rows {
		for _, c := range r.cells {
			n := access.NormalizeName(c)
			if strings.Contains(n, "morphine") && (strings.Contains(n, "availab") || strings.Contains(n, "primary care") || strings.Contains(n, "capacity")) {
				named = true
			}
		}
	}
	if !named {
		return false
	}
	wordAnswer := func(s string) bool {
		_, ok := access.ParseCCSAnswer(s)
		_, num := ParseNumber(s, LocaleDot)
		return ok && num != nil
	}
	if hi, c, ok := findCCSLong(rows); ok {
		for _, r := range rows[hi+1:] {
			if wordAnswer(cell(r.cells, c.value)) {
				return true
			}
		}
		return false
	}
	if hi, _, years, ok := findCCSWide(rows); ok {
		for _, r := range rows[hi+1:] {
			for j := range years {
				if wordAnswer(cell(r.cells, j)) {
					return true
				}
			}
		}
	}
	return false
}

func (a *availRun) ccs(sheet string, rows []numberedRow) bool {
	if hi, c, ok := findCCSLong(rows); ok {
		a.layout(LayoutCCSLong)
		other := 0
		for _, r := range rows[hi+1:] {
			ind := strings.TrimSpace(cell(r.cells, c.indicator) + " " + cell(r.cells, c.indicatorName))
			if (c.indicator >= 0 || c.indicatorName >= 0) && ind != "" && !mentionsMorphine(ind) && !strings.Contains(strings.ToUpper(ind), "MORPH") {
				other++
				continue
			}
			country, cc := cell(r.cells, c.code), c.code
			if country == "" {
				country, cc = cell(r.cells, c.name), c.name
			}
			if country == "" {
				continue
			}
			a.ccsAnswer(sheet, r.n, country, cc, cell(r.cells, c.year), c.year, cell(r.cells, c.value), c.value)
		}
		if other > 0 {
			a.warnAt(cellRef{sheet, rows[hi].n, max(c.indicator, c.indicatorName)}, CodeOtherIndicator, "",
				"%d rows of other indicators are skipped: only the availability of oral morphine in public primary care is read", other)
		}
		return true
	}
	if hi, cc, years, ok := findCCSWide(rows); ok {
		a.layout(LayoutCCSWide)
		cols := slices.Sorted(maps.Keys(years)) // left to right, the same order every run
		for _, r := range rows[hi+1:] {
			country := cell(r.cells, cc)
			if country == "" {
				continue
			}
			for _, j := range cols {
				y := years[j]
				v := cell(r.cells, j)
				if v == "" {
					continue
				}
				a.ccsAnswer(sheet, r.n, country, cc, strconv.Itoa(y), -1, v, j)
			}
		}
		return true
	}
	return false
}

func (a *availRun) ccsAnswer(sheet string, row int, country string, countryCol int, yearText string, yearCol int, value string, valueCol int) {
	if value == "" {
		return // not reported
	}
	a.rows++
	iso3, ok := a.country(cellRef{sheet, row, countryCol}, country)
	if !ok || iso3 == "" {
		return
	}
	year, ok := parseYear(yearText)
	if !ok {
		a.errorAt(cellRef{sheet, row, yearCol}, CodeInvalidYear, yearText, "not a year between 1900 and 2100")
		return
	}
	ans, ok := access.ParseCCSAnswer(value)
	if !ok {
		a.errorAt(cellRef{sheet, row, valueCol}, CodeUnknownAnswer, value, "the answer must be yes, no or don't know")
		return
	}
	key := fmt.Sprintf("%s/%d", iso3, year)
	if first, dup := a.seen[key]; dup {
		a.errorAt(cellRef{sheet, row, valueCol}, CodeDuplicate, value, "%s %d is already answered on row %d", iso3, year, first)
		return
	}
	a.seen[key] = row
	a.batch.CCS = append(a.batch.CCS, access.CCSRecord{ISO3: iso3, Year: year, Indicator: access.CCSIndicatorOralMorphine,
		Answer: ans, Lineage: access.Lineage{Sheet: sheet, Row: row}})
}
