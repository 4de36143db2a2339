package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// A ministry key's stored files are bounded per key and per country; the
// refusal is a 413 (TooLarge) that names the quota, and nothing is stored.
func TestStorageQuota(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		imp := newImports(s)
		imp.Quota = access.StorageQuota{PerKey: 50, PerCountry: 80}
		kenA := access.Principal{KeyID: 11, Name: "ken-a", Role: access.RoleMinistry, Country: "KEN"}
		kenB := access.Principal{KeyID: 12, Name: "ken-b", Role: access.RoleMinistry, Country: "KEN"}
		file := func(year string) []byte { return []byte("KEN," + year + ",morphine,1000\n") } // 23 bytes
		dry := access.ImportOptions{Kind: access.KindConsumption, DryRun: true}
		// Key A: 23 + 23 = 46 bytes ≤ 50; a third file would make 69 > 50.
		for _, y := range []string{"2010", "2011"} {
			if _, err := imp.Import(ctx, kenA, "k.csv", file(y), dry); err != nil {
				t.Fatal(err)
			}
		}
		_, err := imp.Import(ctx, kenA, "k.csv", file("2012"), dry)
		if access.ErrorCode(err) != access.TooLarge || !strings.Contains(err.Error(), "this key's storage quota is 50 bytes; 46 are used") {
			t.Fatalf("third file for key A: %v", err)
		}
		// Key B holds nothing yet, but KEN holds 46: one file makes 69 ≤ 80,
		// a second would make 92 > 80.
		if _, err := imp.Import(ctx, kenB, "k.csv", file("2013"), dry); err != nil {
			t.Fatal(err)
		}
		_, err = imp.Import(ctx, kenB, "k.csv", file("2015"), dry)
		if access.ErrorCode(err) != access.TooLarge || !strings.Contains(err.Error(), "the storage quota for KEN is 80 bytes; 69 are used") {
			t.Fatalf("second file for key B: %v", err)
		}
		if _, err := s.Blob(ctx, access.SHA256Hex(file("2015"))); access.ErrorCode(err) != access.NotFound {
			t.Fatalf("refused bytes stored: %v", err)
		}
		// Administrators have no quota.
		if _, err := imp.Import(ctx, access.Operator, "k.csv", file("2016"), dry); err != nil {
			t.Fatal(err)
		}
	})
}
