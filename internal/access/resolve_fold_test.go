package access

import (
	"strings"
	"testing"
)

// accentFolder stands in for the importers' Unicode folder: it drops the
// one accent this test uses.
type accentFolder struct{}

func (accentFolder) FoldName(s string) string {
	return NormalizeName(strings.NewReplacer("ô", "o", "o\u0302", "o").Replace(s))
}

func TestResolverUsesItsNameFolder(t *testing.T) {
	cs := []Country{{ISO3: "CIV", Name: "Côte d'Ivoire"}}
	plain := NewResolver(cs, nil, FactorTable{})
	if _, _, ok := plain.Country("COTE D'IVOIRE"); ok {
		t.Error("without a folder, accents are kept apart")
	}
	if _, _, ok := plain.Country("CÔTE D'IVOIRE"); !ok {
		t.Error("case and punctuation are folded without a folder")
	}
	folded := NewFoldingResolver(accentFolder{}, cs, nil, FactorTable{})
	for _, s := range []string{"Cote d'Ivoire", "Co\u0302te d'Ivoire", "côte-d'ivoire"} {
		if c, _, ok := folded.Country(s); !ok || c.ISO3 != "CIV" {
			t.Errorf("%q not resolved with the folder", s)
		}
	}
}
