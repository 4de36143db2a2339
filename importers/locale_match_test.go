package importers

import (
	"math/rand"
	"regexp"
	"testing"
)

// The hand-written matchers of locale votes agree with the regular
// expressions they stand for, on every short string over the characters
// that matter and on random longer ones.
func TestLocaleMatchersAgreeWithRegexps(t *testing.T) {
	dotRe := regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+\.[0-9]+$|^[0-9]{1,3}(,[0-9]{3}){2,}$|^[0-9]*\.([0-9]{1,2}|[0-9]{4,})$`)
	commaRe := regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{3})+,[0-9]+$|^[0-9]{1,3}(\.[0-9]{3}){2,}$|^[0-9]*,([0-9]{1,2}|[0-9]{4,})$`)
	loneRe := regexp.MustCompile(`^[1-9][0-9]{0,2},[0-9]{3}$`)
	ambRe := regexp.MustCompile(`^[1-9][0-9]{0,2}[.,][0-9]{3}$`)
	check := func(s string) {
		t.Helper()
		if got, want := evidence(s, ',', '.'), dotRe.MatchString(s); got != want {
			t.Fatalf("dot evidence %q: %v, regexp %v", s, got, want)
		}
		if got, want := evidence(s, '.', ','), commaRe.MatchString(s); got != want {
			t.Fatalf("comma evidence %q: %v, regexp %v", s, got, want)
		}
		if got, want := loneGroup(s), loneRe.MatchString(s); got != want {
			t.Fatalf("lone group %q: %v, regexp %v", s, got, want)
		}
		if got, want := groupOfThree(s, '.', ','), ambRe.MatchString(s); got != want {
			t.Fatalf("ambiguous %q: %v, regexp %v", s, got, want)
		}
		if !mayHaveFootnote(s) && reNumFootnote.MatchString(s) {
			t.Fatalf("footnote %q matched but was skipped", s)
		}
	}
	// Every string of up to 7 characters over a small alphabet.
	small := []byte("019.,")
	var gen func(prefix []byte, n int)
	gen = func(prefix []byte, n int) {
		check(string(prefix))
		if n == 0 {
			return
		}
		for _, c := range small {
			gen(append(prefix, c), n-1)
		}
	}
	gen(nil, 7)
	alphabet := []byte("0123456789.,a- *)(")
	r := rand.New(rand.NewSource(1))
	for range 200000 {
		b := make([]byte, r.Intn(16))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		check(string(b))
	}
	for _, s := range []string{"1,234.5", "1,234,567", ".5", "0.25", "3.1416", "1.234,5", "0,5", "46,498", "046,498", "1,234",
		"12,345,678.90", "1*", "5 a", "5 (b)", "7†", "3x", "1.5 ²", "2‡"} {
		check(s)
	}
}
