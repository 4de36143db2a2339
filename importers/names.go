package importers

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/reliefgap/reliefgap/internal/access"
)

// FoldName folds a name for comparison (access.NameFolder): decomposed
// (NFD), accents dropped, case folded (Unicode full folding, "ß" → "ss"),
// then punctuation and spacing collapsed. A name typed with a combining
// accent, a precomposed one and one without accents all meet: "Côte
// d'Ivoire" (U+00F4), "Co\u0302te d’Ivoire" and "COTE D IVOIRE".
func (*Parser) FoldName(s string) string { return normalize(s) }

var _ access.NameFolder = (*Parser)(nil)

// noDecomposition are the Latin letters that are not a base letter and an
// accent in Unicode, so that dropping accents leaves them as they are;
// names in INCB, UN and World Bank tables use them ("Curaçao" decomposes,
// "Øresund", "Łódź" do not).
var noDecomposition = strings.NewReplacer("ø", "o", "ł", "l", "đ", "d", "ı", "i", "æ", "ae", "œ", "oe", "þ", "th", "ð", "d")

// normalize is FoldName; the importers compare headers, names and codes
// with it.
func normalize(s string) string {
	s = access.DecodeUEscapes(s)
	if isASCII(s) {
		return access.CollapseName(strings.ToLower(s)) // the common case, without allocation-heavy transforms
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = cases.Fold().String(out) // a Caser keeps state: one per call
	out = noDecomposition.Replace(out)
	return access.CollapseName(out)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
