package reports

import (
	"fmt"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// BenchmarkDataSetXLSX writes a data set as large as the shared data's
// (258 countries × 56 years, about 14,500 rows of Data), made of the pack's
// three countries repeated. reliefbench workbook measures the real one
// beside openpyxl.
func BenchmarkDataSetXLSX(b *testing.B) {
	all, fs := packFactors()
	var base []access.CountryGaps
	for _, in := range packInputs() {
		base = append(base, access.ComputeCountry(in, fs, "", 0, 0))
	}
	gs := make([]access.CountryGaps, 258)
	for i := range gs {
		g := base[i%len(base)]
		g.Country.ISO3 = fmt.Sprintf("X%02d", i%100)
		years := make([]access.YearGaps, 56)
		for j := range years {
			years[j] = g.Years[j%len(g.Years)]
			years[j].Year = 1965 + j
		}
		g.Years = years
		gs[i] = g
	}
	d := DataSet{Meta: packMeta(), Countries: withoutDetail(gs), Factors: all, Sources: packSources()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DataSetXLSX(d); err != nil {
			b.Fatal(err)
		}
	}
}
