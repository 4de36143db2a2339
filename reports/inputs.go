package reports

import (
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strconv"

	"github.com/reliefgap/reliefgap/internal/access"
)

// InputsCSV writes one kind of a country's published values as CSV, one
// row per value, by year: consumption and estimates in grams of anhydrous
// base, population in persons, deaths in deaths. Lineage is left to JSON.
func InputsCSV(w io.Writer, kind access.ImportKind, in access.CountryInputs) (err error) {
	defer wrap(&err, "reports.InputsCSV(%s %q)", kind, in.Country.ISO3)
	cw := csv.NewWriter(w)
	write := func(rec []string) {
		if err == nil {
			err = cw.Write(rec)
		}
	}
	num := func(v *float64) string { f, _ := csvField(v); return f }
	switch kind {
	case access.KindConsumption:
		rows := slices.Clone(in.Consumption)
		slices.SortStableFunc(rows, func(a, b access.Consumption) int {
			return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Drug, b.Drug))
		})
		write([]string{"iso3", "year", "drug", "grams", "state", "manufactured_g", "utilized_for_manufacture_g", "stock_g", "seizures_g", "conversion"})
		for _, r := range rows {
			write([]string{csvText(r.ISO3), strconv.Itoa(r.Year), csvText(r.Drug), num(r.Grams), string(r.GramsState()),
				num(r.Manufactured), num(r.UtilizedForManufacture), num(r.Stock), num(r.Seizures), csvText(r.Conversion)})
		}
	case access.KindEstimates:
		rows := slices.Clone(in.Estimates)
		slices.SortStableFunc(rows, func(a, b access.Estimate) int {
			return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Drug, b.Drug), cmp.Compare(a.Kind, b.Kind))
		})
		write([]string{"iso3", "year", "drug", "kind", "status", "to_be_consumed_g", "utilized_for_manufacture_g", "stock_target_g", "special_stocks_g", "total_g", "conversion"})
		for _, r := range rows {
			write([]string{csvText(r.ISO3), strconv.Itoa(r.Year), csvText(r.Drug), string(r.Kind), string(r.Status),
				num(r.ToBeConsumed), num(r.UtilizedForManufacture), num(r.StockTarget), num(r.SpecialStocks), num(r.Total), csvText(r.Conversion)})
		}
	case access.KindPopulation:
		rows := slices.Clone(in.Population)
		slices.SortStableFunc(rows, func(a, b access.Population) int { return cmp.Compare(a.Year, b.Year) })
		write([]string{"iso3", "year", "persons"})
		for _, r := range rows {
			write([]string{csvText(r.ISO3), strconv.Itoa(r.Year), csvFloat(r.Persons)})
		}
	case access.KindDeaths:
		rows := slices.Clone(in.Deaths)
		slices.SortStableFunc(rows, func(a, b access.Deaths) int {
			return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Cause, b.Cause))
		})
		write([]string{"iso3", "year", "cause", "deaths"})
		for _, r := range rows {
			write([]string{csvText(r.ISO3), strconv.Itoa(r.Year), csvText(r.Cause), csvFloat(r.Deaths)})
		}
	default:
		return access.Errorf(access.Invalid, "", "no CSV for %q", kind)
	}
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
