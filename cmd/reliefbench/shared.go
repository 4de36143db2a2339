package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reliefgap/reliefgap/internal/access"
)

// sharedFiles are the published data files, in the order they must be
// loaded (country metadata before the figures that refer to it).
var sharedFiles = []struct {
	name string
	kind access.ImportKind
}{
	{"countries.csv", access.KindCountries},
	{"population_wpp2019.csv", access.KindPopulation},
	{"deaths_gbd2019.csv", access.KindDeaths},
	{"incb_consumption_kg_1989_2013.csv", access.KindConsumption},
}

// loadShared imports the shared data in dir through imports, published.
func loadShared(ctx context.Context, imports *access.ImportService, dir string) error {
	for _, f := range sharedFiles {
		data, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			return err
		}
		res, err := imports.Import(ctx, access.Operator, f.name, data, access.ImportOptions{Kind: f.kind, Publish: true})
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if res.Upload.Status != access.StatusPublished && !res.Duplicate {
			return fmt.Errorf("%s was %s (%d errors)", f.name, res.Upload.Status, res.Upload.Counts.Errors)
		}
	}
	return nil
}
