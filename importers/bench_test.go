package importers

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/xuri/excelize/v2"
)

var benchCountries = []string{"KEN", "UGA", "TZA", "BOL", "CIV", "DEU", "IND", "USA", "NGA", "AFG"}
var benchDrugs = []string{"morphine", "codeine", "fentanyl", "oxycodone", "pethidine", "hydrocodone", "hydromorphone", "methadone", "dihydrocodeine"}

// benchRows yields 100,000 distinct long consumption rows.
func benchRows(yield func(i int, row []any)) {
	i := 0
	for y := 1900; i < 100000; y++ {
		for _, c := range benchCountries {
			for _, d := range benchDrugs {
				if i == 100000 {
					return
				}
				yield(i, []any{c, y, d, float64(1000 + i%97), "kg", float64(10 + i%13)})
				i++
			}
		}
	}
}

var benchHeader = []any{"ISO3", "Year", "Drug", "Consumption", "Unit", "Stocks"}

func benchParse(b *testing.B, name string, data []byte) {
	b.SetBytes(int64(len(data)))
	res := access.NewResolver(smallCountries, testDrugs, testSaltBase)
	b.ResetTimer()
	rows := 0
	for b.Loop() {
		r, err := New().Parse(context.Background(), access.ParseInput{Filename: name, Data: data, Resolver: res,
			SaltBase: testSaltBase, Limits: access.Limits{MaxBytes: 1 << 30}}, func(access.Batch) error { return nil })
		if err != nil || r.Rows != 100000 {
			b.Fatalf("rows %d err %v", r.Rows, err)
		}
		rows += r.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkParseCSV100k(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("ISO3,Year,Drug,Consumption,Unit,Stocks\n")
	benchRows(func(_ int, r []any) { fmt.Fprintf(&buf, "%s,%d,%s,%g,%s,%g\n", r...) })
	benchParse(b, "bench.csv", buf.Bytes())
}

func BenchmarkParseXLSX100k(b *testing.B) {
	benchParse(b, "bench.xlsx", benchWorkbook(b))
}

// benchWorkbook is the benchmarks' rows as an .xlsx workbook.
func benchWorkbook(b *testing.B) []byte {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	_ = sw.SetRow("A1", benchHeader)
	benchRows(func(i int, r []any) {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, r)
	})
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
