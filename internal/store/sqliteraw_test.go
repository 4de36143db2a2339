package store_test

import (
	"context"
	"database/sql"
	"math"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// On SQLite, staging prepares its INSERT once on the connection, below
// database/sql: the driver's connection must still be reachable, or
// imports would fall back to re-parsing SQL for every 8 rows (several
// times slower) without anyone noticing.
func TestSQLiteStagingReachesTheConnection(t *testing.T) {
	s := openSQLite(t)
	ok, err := store.RawStagingReachable(context.Background(), s)
	if err != nil || !ok {
		t.Fatalf("reachable = %v, %v", ok, err)
	}
}

// Staged values come back exactly as given, on both databases: floats bit
// for bit, NULLs as NULL, text with quotes, semicolons and non-ASCII
// letters unchanged, rows in file order.
func TestStagedValuesAreExact(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		res, err := newImports(s).Import(ctx, access.Operator, "k.csv", []byte("KEN,2020,morphine,1"), access.ImportOptions{Kind: access.KindConsumption})
		if err != nil || res.Upload.Status != access.StatusSubmitted {
			t.Fatalf("%+v, %v", res.Upload, err)
		}
		id := res.Upload.ID
		f := func(v float64) *float64 { return &v }
		sheets := []string{"Feuille « 1 » 'quoted' \"double\"; DROP TABLE uploads; --", "", "Ω"}
		values := []*float64{f(0.1), f(2.5e-7), f(123456.78901234567), f(math.Nextafter(1, 2)), f(1e9), nil, f(0)}
		var b access.Batch
		for i, v := range values {
			b.Consumption = append(b.Consumption, access.Consumption{ISO3: "KEN", Year: 1990 + i, Drug: "morphine", Grams: v,
				State: access.ValueReported, Manufactured: values[(i+1)%len(values)], Conversion: sheets[i%len(sheets)],
				Lineage: access.Lineage{Sheet: sheets[(i+1)%len(sheets)], Row: 10 + i}})
		}
		if err := s.WithImport(ctx, id, func(w access.ImportWriter) error { return w.Stage(ctx, b) }); err != nil {
			t.Fatal(err)
		}
		ph := "?"
		if s.Dialect() == store.Postgres {
			ph = "$1"
		}
		rows, err := s.SQL().QueryContext(ctx, `SELECT year, grams, manufactured_g, conversion, sheet, row_num, active FROM consumption WHERE upload_id = `+ph+` AND year < 2000 ORDER BY id`, id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		i := 0
		for ; rows.Next(); i++ {
			var year, row int
			var grams, made sql.NullFloat64
			var conv, sheet string
			var active bool
			if err := rows.Scan(&year, &grams, &made, &conv, &sheet, &row, &active); err != nil {
				t.Fatal(err)
			}
			c := b.Consumption[i]
			if year != c.Year || !same(grams, c.Grams) || !same(made, c.Manufactured) || conv != c.Conversion || sheet != c.Lineage.Sheet || row != c.Lineage.Row || active {
				t.Errorf("row %d: got %d %v %v %q %q %d %v, want %+v", i, year, grams, made, conv, sheet, row, active, c)
			}
		}
		if err := rows.Err(); err != nil || i != len(values) {
			t.Fatalf("%d rows, %v", i, err)
		}
	})
}

func same(got sql.NullFloat64, want *float64) bool {
	if want == nil {
		return !got.Valid
	}
	return got.Valid && math.Float64bits(got.Float64) == math.Float64bits(*want)
}
