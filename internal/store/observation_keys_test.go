package store_test

import (
	"os"
	"slices"
	"testing"

	"github.com/reliefgap/reliefgap/internal/store"
)

// On PostgreSQL the bulk observation tables are keyed by (upload_id, id)
// (migration 0025): one index finds a row and an upload's rows, and
// besides it each table has only its index of published keys.
func TestObservationKeysPostgres(t *testing.T) {
	dsn := os.Getenv("RELIEFGAP_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("needs RELIEFGAP_TEST_POSTGRES")
	}
	s := openPostgres(t, dsn)
	for _, table := range []string{"consumption", "estimates", "population", "deaths"} {
		key := column(t, s, `SELECT a.attname FROM pg_index i
JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON TRUE
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = CAST($1 AS regclass) AND i.indisprimary ORDER BY k.n`, table)
		if !slices.Equal(key, []string{"upload_id", "id"}) {
			t.Errorf("%s: primary key %v, want [upload_id id]", table, key)
		}
		indexes := column(t, s, "SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY indexname", table)
		if want := []string{table + "_active", table + "_pkey"}; !slices.Equal(indexes, want) {
			t.Errorf("%s: indexes %v, want %v", table, indexes, want)
		}
	}
}

// column is the one text column of the rows of q.
func column(t *testing.T, s *store.Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.SQL().Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
