package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/reliefgap/reliefgap/internal/store"
)

// firstDrugs come first in generated files; the other drugs of the
// reference table follow, so that large files still have unique keys.
var firstDrugs = []string{"morphine", "codeine", "fentanyl", "oxycodone", "pethidine", "hydrocodone"}

const (
	firstYear = 1900
	nYears    = 2100 - 1900 + 1
)

// keySpace is the countries and drugs a generated row is made of.
type keySpace struct {
	countries []string
	drugs     []string
}

// referenceKeys reads the seeded countries and drugs from a scratch
// in-memory database.
func referenceKeys(ctx context.Context) (keySpace, error) {
	s, err := store.Open(ctx, "sqlite::memory:", store.Options{Migrate: true})
	if err != nil {
		return keySpace{}, err
	}
	defer s.Close()
	cs, err := s.Countries(ctx)
	if err != nil {
		return keySpace{}, err
	}
	ds, err := s.Drugs(ctx)
	if err != nil {
		return keySpace{}, err
	}
	var k keySpace
	for _, c := range cs {
		k.countries = append(k.countries, c.ISO3)
	}
	sort.Strings(k.countries)
	k.drugs = append(k.drugs, firstDrugs...)
	var rest []string
	for _, d := range ds {
		if !slices.Contains(firstDrugs, d.Code) {
			rest = append(rest, d.Code)
		}
	}
	sort.Strings(rest)
	k.drugs = append(k.drugs, rest...)
	return k, nil
}

// max is the number of distinct (iso3, year, drug) keys.
func (k keySpace) max() int { return len(k.countries) * len(k.drugs) * nYears }

// row returns the i-th row: years cycle fastest (1900–2100), then drugs,
// then countries, so every key is distinct while i < max().
func (k keySpace) row(i int) (iso3 string, year int, drug string, kg float64) {
	year = firstYear + i%nYears
	j := i / nYears
	drug = k.drugs[j%len(k.drugs)]
	iso3 = k.countries[j/len(k.drugs)]
	kg = float64(i%9973)/8 + 0.125
	return
}

var header = []string{"iso3", "year", "drug", "consumption", "unit"}

// generate writes consumption_N.csv and consumption_N.xlsx in dir, unless
// they exist, and returns their paths.
func generate(k keySpace, dir string, n int) (csvPath, xlsxPath string, err error) {
	if n > k.max() {
		return "", "", fmt.Errorf("%d rows asked for, but only %d distinct (iso3, year, drug) keys exist (%d countries × %d drugs × %d years)",
			n, k.max(), len(k.countries), len(k.drugs), nYears)
	}
	csvPath = filepath.Join(dir, fmt.Sprintf("consumption_%d.csv", n))
	xlsxPath = filepath.Join(dir, fmt.Sprintf("consumption_%d.xlsx", n))
	if !exists(csvPath) {
		if err := writeCSV(k, csvPath, n); err != nil {
			return "", "", err
		}
	}
	if !exists(xlsxPath) {
		if err := writeXLSX(k, xlsxPath, n); err != nil {
			return "", "", err
		}
	}
	return csvPath, xlsxPath, nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// generateChanged writes consumption_N_grams.csv in dir, unless it exists:
// the rows of consumption_N.csv with every quantity in grams instead of
// kilograms, so that importing it after that file changes every row.
func generateChanged(k keySpace, dir string, n int) (string, error) {
	p := filepath.Join(dir, fmt.Sprintf("consumption_%d_grams.csv", n))
	if exists(p) {
		return p, nil
	}
	return p, writeCSVUnit(k, p, n, "g")
}

func writeCSV(k keySpace, path string, n int) error { return writeCSVUnit(k, path, n, "kg") }

func writeCSVUnit(k keySpace, path string, n int, unit string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "iso3,year,drug,consumption,unit")
	for i := range n {
		iso3, year, drug, kg := k.row(i)
		fmt.Fprintf(w, "%s,%d,%s,%s,%s\n", iso3, year, drug, strconv.FormatFloat(kg, 'f', -1, 64), unit)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func writeXLSX(k keySpace, path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return err
	}
	row := make([]any, 5)
	for i := range n {
		iso3, year, drug, kg := k.row(i)
		row[0], row[1], row[2], row[3], row[4] = iso3, year, drug, kg, "kg"
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	tmp := path + ".tmp.xlsx"
	if err := f.SaveAs(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
