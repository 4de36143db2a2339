package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

// peakHeap runs fn and returns how far the heap rose above its live size
// before fn (sampled every 2 ms from runtime/metrics, after a collection)
// and how long it took. It is a measuring tool
// for docs/RELIABILITY.md, bounded by fn itself, not a timed assertion.
func peakHeap(fn func()) (peak uint64, elapsed time.Duration) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	var max atomic.Uint64
	base := read()
	max.Store(base)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(2 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				if v := read(); v > max.Load() {
					max.Store(v)
				}
			}
		}
	}()
	start := time.Now()
	fn()
	elapsed = time.Since(start)
	close(stop)
	<-done
	if v := read(); v > max.Load() {
		max.Store(v)
	}
	return max.Load() - base, elapsed
}

// hostileParseBudget is the live heap no hostile input may push one parse
// past (inputs within the default 20 MiB upload limit). With the workers
// bound (access.DefaultImportWorkers = 2) it bounds what parsing can take.
const hostileParseBudget = 256 << 20

// TestHostileInputs: each input is refused or read with clear problems,
// without panic, within hostileParseBudget of heap. The figures logged
// (-v) are those written in docs/RELIABILITY.md.
func TestHostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds inputs of tens of MB")
	}
	valid := xlsxOf(t, sheetSpec{name: "S", rows: grid("ISO3,Year,Drug,Consumption,Unit", "KEN,2012,morphine,1,kg")})
	zipWith := func(name, body string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create(name)
		w.Write([]byte(body))
		zw.Close()
		return buf.Bytes()
	}
	const head = "ISO3,Year,Drug,Consumption,Unit\n"
	cases := []struct {
		name, file string
		data       []byte
		// want: "refused" (an Invalid error), or a problem code the result must hold.
		want string
	}{
		{"xlsx inflating past 1 GiB", "bomb.xlsx", zipBomb(t, 1<<30+1), "refused"},
		{"a million and one rows", "rows.csv", []byte(head + strings.Repeat("KEN,2012,morphine,1,kg\n", 1) + strings.Repeat(",\n", 1_000_001)), ""},
		{"a million and one data rows, each an error", "rows.csv", []byte(head + strings.Repeat("KEN,1,x,1,g\n", 1_000_001)), CodeTooManyProblems},
		{"16,384 columns", "wide.csv", []byte(strings.Repeat("Year,", 16383) + "Year\n" + strings.Repeat("1,", 16383) + "1\n"), CodeTooManyColumns},
		{"a 1 MB cell", "cell.csv", []byte(head + "KEN,2012,morphine," + strings.Repeat("9", 1<<20) + ",kg\n"), CodeCellTooLong},
		{"formulas and external links", "f.csv", []byte(head + "=HYPERLINK(\"http://x\"),2012,morphine,=1+1,kg\n'[ext.xlsx]S'!A1,2012,morphine,1,kg\n"), CodeUnknownCountry},
		{"password-protected workbook (OLE container)", "p.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 4096)...), "refused"},
		{"corrupt zip", "c.xlsx", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xff}, 2000)...), "refused"},
		{"truncated zip", "t.xlsx", valid[:len(valid)/2], "refused"},
		{".ods renamed .xlsx", "o.xlsx", zipWith("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), "refused"},
		{".xls renamed .xlsx", "x.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0}, 512)...), "refused"},
		{"mixed delimiters", "m.csv", []byte(head + "KEN;2012;morphine;1;kg\nKEN,2013,morphine,1,kg\n"), ""},
		{"unbalanced quotes", "q.csv", []byte(head + "KEN,2012,\"morphine,1,kg\nKEN,2013,morphine,1,kg\n"), ""},
		{"BOM", "b.csv", []byte("\xEF\xBB\xBF" + head + "KEN,2012,morphine,1,kg\n"), "ok"},
		{"Windows-1252", "w.csv", []byte("Country,Year,Drug,Consumption,Unit\nC\xf4te d'Ivoire,2012,morphine,1,kg\n"), ""},
		{"NUL bytes", "n.csv", []byte(head + "KEN,2012,morph\x00ine,1,kg\n"), ""},
		{"NaN, Inf, 1e-400, hex", "v.csv", []byte(head + "KEN,2012,morphine,NaN,kg\nKEN,2013,morphine,Inf,kg\nKEN,2014,morphine,1e-400,kg\nKEN,2015,morphine,0x10,kg\n"), CodeInvalidNumber},
		{"duplicate and contradictory rows", "d.csv", []byte(head + "KEN,2012,morphine,1,kg\nKEN,2012,morphine,1,kg\nKEN,2012,morphine,2,kg\n"), CodeDuplicateConflict},
	}
	for _, tc := range cases {
		var (
			res access.ParseResult
			err error
		)
		peak, took := peakHeap(func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", tc.name, r)
				}
			}()
			res, err = New().Parse(context.Background(), access.ParseInput{Filename: tc.file, Data: tc.data, Resolver: smallResolver(), SaltBase: testSaltBase},
				func(access.Batch) error { return nil })
		})
		t.Logf("%-45s %9d bytes  %8.3f s  heap rise %6.1f MiB", tc.name, len(tc.data), took.Seconds(), float64(peak)/(1<<20))
		if peak > hostileParseBudget {
			t.Errorf("%s: peak heap %d bytes over the budget of %d", tc.name, peak, hostileParseBudget)
		}
		switch tc.want {
		case "refused":
			if access.ErrorCode(err) != access.Invalid || access.ErrorMessage(err) == "" {
				t.Errorf("%s: want a clear refusal, got %v (%d problems)", tc.name, err, len(res.Problems))
			}
		case "ok":
			if err != nil || access.HasErrors(res.Problems) {
				t.Errorf("%s: %v %+v", tc.name, err, res.Problems)
			}
		case "":
			if err == nil && !access.HasErrors(res.Problems) && len(res.Problems) == 0 {
				t.Logf("%s: read without problems (rows %d)", tc.name, res.Rows)
			}
		default:
			found := false
			for _, p := range res.Problems {
				found = found || p.Code == tc.want
			}
			if !found {
				t.Errorf("%s: want problem %s; err %v, problems %s", tc.name, tc.want, err, codesOf(res.Problems))
			}
		}
	}
}

func codesOf(ps []access.Problem) string {
	m := map[string]int{}
	for _, p := range ps {
		m[p.Code]++
	}
	return fmt.Sprint(m)
}
