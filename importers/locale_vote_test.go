package importers

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestVotePlainDecimal: the shortcut for digits around one point votes as
// the regular expressions do.
func TestVotePlainDecimal(t *testing.T) {
	viaExpressions := func(s string) localeVotes {
		var v localeVotes
		s = strings.TrimSpace(s)
		if m := reNumFootnote.FindStringSubmatch(s); m != nil {
			s = strings.TrimSpace(m[1])
		}
		s = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(s, "("), ")"), "-")
		if s == "" || len(s) > 40 || !strings.ContainsAny(s, ".,") {
			return v
		}
		switch {
		case reDotEvidence.MatchString(s):
			v.dot, v.example = 1, s
		case reCommaEvidence.MatchString(s):
			v.comma, v.example = 1, s
		case reLoneGroup.MatchString(s):
			v.grouped++
		}
		return v
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789.., -()a*"
	cases := []string{".", "1.", ".5", "0.5", "12.345", "1.2345", "1234.567", " 3.25 ", strings.Repeat("1", 39) + ".5", strings.Repeat("1", 40) + ".5"}
	for i := 0; i < 200000; i++ {
		b := make([]byte, 1+rng.IntN(8))
		for j := range b {
			if rng.IntN(3) == 0 {
				b[j] = alphabet[10+rng.IntN(len(alphabet)-10)]
			} else {
				b[j] = alphabet[rng.IntN(10)]
			}
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		var got localeVotes
		got.vote(s)
		if want := viaExpressions(s); got != want {
			t.Fatalf("vote(%q) = %+v, want %+v", s, got, want)
		}
	}
}
