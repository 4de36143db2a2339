package importers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

// generatedCountries are enough countries for a few hundred thousand
// distinct (country, drug, year) keys: AAA, AAB, …
var generatedCountries = func() []access.Country {
	var out []access.Country
	for i := range 150 {
		code := string([]byte{'A' + byte(i/676), 'A' + byte(i/26%26), 'A' + byte(i%26)})
		out = append(out, access.Country{ISO3: code, Name: "Country " + code})
	}
	return out
}()

func generatedResolver() *access.Resolver {
	return access.NewFoldingResolver(New(), generatedCountries, testDrugs, testSaltBase)
}

// generatedConsumption writes n long consumption rows: years vary fastest
// (as in a table sorted by country, drug and year), every tenth thousand
// row repeats an earlier one (alternately with the same and other values)
// and every thousandth value jumps, so that duplicates and the cross-record
// checks have something to say. With stocks, the rows give every item of
// the stock balance, which most rows then miss.
func generatedConsumption(n int, stocks bool) []byte {
	var b bytes.Buffer
	b.Grow(n * 48)
	b.WriteString("ISO3,Year,Drug,Consumption,Unit,Stocks,Manufacture,Imports,Exports,Utilization\n")
	items := "%d,%d,%d,%d,%d\n"
	if !stocks {
		items = ",,,,%.0[5]d\n"
	}
	row := func(i int) {
		c := generatedCountries[(i/(201*len(testDrugs)))%len(generatedCountries)]
		d := testDrugs[(i/201)%len(testDrugs)]
		kg := 2 + i%7
		if i%1000 == 999 {
			kg *= 100
		}
		fmt.Fprintf(&b, "%s,%d,%s,%d,kg,", c.ISO3, 1900+i%201, d.Code, kg)
		fmt.Fprintf(&b, items, 10+i%13, 1, 2, 3, 0)
	}
	for i := range n {
		row(i)
		if i%10000 == 9999 {
			row(i - 1 - i%2) // the previous row again, or the one before with other values
		}
	}
	return b.Bytes()
}

// With the records spilled to a temporary file from the first one, a parse
// gives exactly the results of one that keeps them in memory: every
// problem, in order, and every record.
func TestRecordsSpilledParseAlike(t *testing.T) {
	inputs := map[string][]byte{
		"generated.csv": generatedConsumption(30000, true),
		"book.xlsx": xlsxOf(t,
			sheetSpec{name: "Estimates", rows: grid(
				"ISO3|Year|Drug|Kind|Total|Unit",
				"KEN|2019|morphine|annual|10|kg",
				"KEN|2019|morphine|supplementary|2|kg",
				"KEN|2019|morphine|annual|10|kg",
				"UGA|2019|morphine|annual|1|kg")},
			sheetSpec{name: "Consumption", rows: grid(
				"ISO3|Year|Drug|Consumption|Unit",
				"KEN|2019|morphine|11|kg",
				"UGA|2019|morphine|5|kg",
				"UGA|2019|morphine|6|kg",
				"UGA|2020|morphine|600|kg")}),
	}
	for _, name := range []string{"incb_consumption_kg_1989_2013.csv", "population_wpp2019.csv", "deaths_gbd2019.csv", "countries.csv"} {
		if b, err := os.ReadFile(filepath.Join(sharedData, name)); err == nil {
			inputs[name] = b
		}
	}
	res := sharedResolver(t)
	for name, data := range inputs {
		res := res
		if name == "generated.csv" {
			res = generatedResolver()
		}
		mem := parse(t, access.ParseInput{Filename: name, Data: data, Resolver: res})
		spilled := withSpillInMemory(t, 0, func() collected {
			return parse(t, access.ParseInput{Filename: name, Data: data, Resolver: res})
		})
		if len(mem.Problems) == 0 && name != "countries.csv" {
			t.Errorf("%s: no problems; the input should exercise the checks", name)
		}
		if !reflect.DeepEqual(mem.ParseResult, spilled.ParseResult) || !reflect.DeepEqual(mem.b, spilled.b) {
			t.Errorf("%s: records in memory and in a file parse differently", name)
		}
	}
}

// withSpillInMemory runs fn with records spilled to a file past limit bytes.
func withSpillInMemory[T any](t *testing.T, limit int, fn func() T) T {
	t.Helper()
	saved := spillInMemory
	spillInMemory = limit
	defer func() { spillInMemory = saved }()
	return fn()
}

// The spill file is gone once Parse returns, whether it succeeded or the
// emit failed half-way.
func TestRecordsSpillFileRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	data := generatedConsumption(20000, true)
	withSpillInMemory(t, 0, func() any {
		parse(t, access.ParseInput{Filename: "g.csv", Data: data, Resolver: generatedResolver()})
		failing := errors.New("store down")
		n := 0
		_, err := New().Parse(context.Background(), access.ParseInput{Filename: "g.csv", Data: data, Resolver: generatedResolver()},
			func(access.Batch) error {
				if n++; n == 3 {
					return failing
				}
				return nil
			})
		if !errors.Is(err, failing) {
			t.Errorf("Parse: %v, want the emit's error", err)
		}
		return nil
	})
	left, err := filepath.Glob(filepath.Join(dir, "reliefgap-records-*"))
	if err != nil || len(left) != 0 {
		t.Errorf("spill files left behind: %v %v", left, err)
	}
}

// The memory a parse holds does not grow with the rows: 200,000 rows
// parse within a live heap that the records' index (4 bytes a year of each
// series: under 1 MiB here), the in-memory part of the spill
// (spillInMemory, 1 MiB), one batch and the listed problems account for,
// with room to spare. Keeping every record in memory took about 700 bytes
// a record with the map's overhead: over 130 MiB for these rows.
func TestParseMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("parses 200,000 rows")
	}
	const rows = 200_000
	data := generatedConsumption(rows, false)
	in := access.ParseInput{Filename: "g.csv", Data: data, Resolver: generatedResolver(), SaltBase: testSaltBase}
	live := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := live()
	var peak uint64
	batches, records := 0, 0
	result, err := New().Parse(context.Background(), in, func(b access.Batch) error {
		records += b.Len()
		if batches++; batches%10 == 0 {
			peak = max(peak, live())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if records != rows {
		t.Fatalf("%d records emitted", records)
	}
	if len(result.Problems) == 0 {
		t.Fatal("no problems: the generated duplicates and jumps were not seen")
	}
	t.Logf("grew %.1f MiB; %d problems", float64(int64(peak)-int64(before))/(1<<20), len(result.Problems))
	const limit = 8 << 20
	if grew := int64(peak) - int64(before); grew > limit {
		t.Errorf("the live heap grew by %d MiB while parsing %d rows; want under %d MiB", grew>>20, rows, limit>>20)
	}
	runtime.KeepAlive(data)
}

// Records put in any order of years (year 0 included: a table whose
// year is unknown) read back whole, by series and year and in the order
// they were put, from memory and from the spill file alike.
func TestRecordsPutGet(t *testing.T) {
	for _, inMemory := range []int{1 << 20, 0} {
		withSpillInMemory(t, inMemory, func() any {
			rs := newRecords()
			defer rs.close()
			years := []int{2000, 1990, 2100, 1900, 0, 2001, 1995}
			var put []entry
			for i, y := range years {
				for s, key := range []seriesKey{{access.KindConsumption, "KEN", "morphine"}, {access.KindEstimates, "UGA", "codeine|annual"}} {
					e := entry{row: int32(10 + i), sheet: fmt.Sprint("sheet ", s)}
					e.fill(e.sheet, int(e.row), &pending{set: 1<<fConsumed | 1<<fTotal,
						vals: [nFields]float64{fConsumed: float64(y) + 0.5, fTotal: 1e-9}, raw: [nFields]string{fConsumed: fmt.Sprint(y, " kg")},
						refs: [nFields]cellRef{fConsumed: {col: 3}, fTotal: {col: 700}}})
					id := rs.id(key)
					if err := rs.put(id, y, &e); err != nil {
						t.Fatal(err)
					}
					e.seriesKey, e.series, e.year = key, id, y
					put = append(put, e)
				}
			}
			for _, want := range put {
				got, ok, err := rs.get(want.series, want.year)
				if err != nil || !ok || !reflect.DeepEqual(*got, want) {
					t.Fatalf("get(%d, %d) = %+v %v %v, want %+v", want.series, want.year, got, ok, err, want)
				}
			}
			if _, ok, _ := rs.get(0, 1999); ok {
				t.Error("a year never put was found")
			}
			var got []entry
			if err := rs.each(func(e *entry) { got = append(got, *e) }); err != nil || !reflect.DeepEqual(got, put) {
				t.Errorf("each: %v, %d records, want %d in the order put", err, len(got), len(put))
			}
			return nil
		})
	}
}
