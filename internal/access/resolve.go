package access

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Resolver resolves the country and drug names found in files to ISO3 codes
// and drug codes. It is built from reference data and is safe for
// concurrent use once built.
type Resolver struct {
	fold      NameFolder         // nil: NormalizeName
	countries map[string]Country // normalised key → country
	methods   map[string]string  // normalised key → how it matched
	all       []Country
	drugs     map[string]drugHit
	drugKeys  []string // normalised drug keys, for suggestions
	names     []nameKey
}

type drugHit struct {
	code     string
	fraction float64 // 1 for the base
	salt     string
	method   string
}

// nameKey is one country name or alias, kept for suggestions.
type nameKey struct {
	key  string // normalised
	iso3 string
	name string
}

// NewResolver indexes countries by ISO3, ISO2, numeric code, name and
// aliases, and drugs by code, INN, synonym and salt name. Numeric codes
// match with or without leading zeros ("4", "004").
func NewResolver(countries []Country, drugs []Drug, saltBase FactorTable) *Resolver {
	return NewFoldingResolver(nil, countries, drugs, saltBase)
}

// NameFolder folds a name for comparison: Unicode normalisation, case
// folding and accents, so that "Côte d'Ivoire" typed with a combining
// accent, "CÔTE D'IVOIRE" and "Cote d Ivoire" meet. The domain imports
// only the standard library, which has no Unicode normalisation; the
// importers package supplies a NameFolder built on golang.org/x/text.
type NameFolder interface {
	FoldName(s string) string
}

// NewFoldingResolver is NewResolver comparing names as f folds them (nil:
// NormalizeName, which folds case and punctuation but not accents).
func NewFoldingResolver(f NameFolder, countries []Country, drugs []Drug, saltBase FactorTable) *Resolver {
	r := &Resolver{fold: f, countries: map[string]Country{}, methods: map[string]string{}, all: countries, drugs: map[string]drugHit{}}
	add := func(k, method string, c Country) {
		k = r.norm(k)
		if method == "numeric" {
			k = numericKey(k)
		}
		if k == "" {
			return
		}
		if method == "name" || method == "alias" {
			r.names = append(r.names, nameKey{key: k, iso3: c.ISO3, name: c.Name})
		}
		if _, dup := r.countries[k]; !dup {
			r.countries[k] = c
			r.methods[k] = method
		}
	}
	for _, c := range countries {
		add(c.ISO3, "iso3", c)
	}
	for _, c := range countries {
		add(c.ISO2, "iso2", c)
		add(c.Numeric, "numeric", c)
		add(c.Name, "name", c)
		add(c.OfficialName, "name", c)
		for _, a := range c.Aliases {
			add(a, "alias", c)
		}
	}
	addDrug := func(k string, h drugHit) {
		k = r.norm(k)
		if k == "" {
			return
		}
		if _, dup := r.drugs[k]; !dup {
			r.drugKeys = append(r.drugKeys, k)
		}
		r.drugs[k] = h
	}
	for _, d := range drugs {
		addDrug(d.Code, drugHit{code: d.Code, fraction: 1, method: "inn"})
		addDrug(d.Name, drugHit{code: d.Code, fraction: 1, method: "inn"})
		for _, s := range d.Synonyms {
			addDrug(s, drugHit{code: d.Code, fraction: 1, method: "synonym"})
		}
	}
	for _, row := range saltBase.Rows {
		addDrug(row.Key, drugHit{code: row.Drug, fraction: row.Value, salt: row.Key, method: "salt"})
	}
	return r
}

// numericKey drops the leading zeros of an all-digit key so that "004"
// and "4" meet; other keys are returned as they are.
func numericKey(k string) string {
	if k == "" {
		return k
	}
	for _, c := range k {
		if c < '0' || c > '9' {
			return k
		}
	}
	t := strings.TrimLeft(k, "0")
	if t == "" {
		return "0"
	}
	return t
}

// Country resolves s (a code, name or alias) to a country.
func (r *Resolver) Country(s string) (Country, Match, bool) {
	k := numericKey(r.norm(s))
	c, ok := r.countries[k]
	if !ok {
		if c, ok := r.abbreviated(k); ok {
			return c, Match{What: "country", Value: s, Resolved: c.ISO3, Method: "abbreviation"}, true
		}
		return Country{}, Match{What: "country", Value: s}, false
	}
	return c, Match{What: "country", Value: s, Resolved: c.ISO3, Method: r.methods[k]}, true
}

// abbreviations used by statistical tables and map data sets for country
// names ("Central African Rep.", "St. Vin. and Gren.").
var abbreviations = map[string]string{
	"rep": "republic", "dem": "democratic", "fr": "french", "is": "islands", "isl": "islands",
	"st": "saint", "eq": "equatorial", "fed": "federated", "sts": "states", "pdr": "people s democratic republic",
	"u": "united", "utd": "united", "n": "north", "s": "south", "sar": "sar",
}

var stopWords = map[string]bool{"of": true, "the": true, "and": true}

// abbreviated resolves a normalised name that abbreviates or shortens a
// known name: every word of k, abbreviations expanded, must begin a word of
// the name ("herz" → "herzegovina"), and exactly one country may match.
func (r *Resolver) abbreviated(k string) (Country, bool) {
	var q []string
	for _, w := range strings.Fields(k) {
		if e, ok := abbreviations[w]; ok {
			w = e
		}
		for _, x := range strings.Fields(w) {
			if !stopWords[x] {
				q = append(q, x)
			}
		}
	}
	if len(q) == 0 {
		return Country{}, false
	}
	if c, ok := r.countries[strings.Join(q, " ")]; ok {
		return c, true
	}
	found := ""
	for _, nk := range r.names {
		words := strings.Fields(nk.key)
		all := true
		for _, t := range q {
			hit := false
			for _, w := range words {
				if strings.HasPrefix(w, t) {
					hit = true
					break
				}
			}
			if !hit {
				all = false
				break
			}
		}
		if all {
			if found != "" && found != nk.iso3 {
				return Country{}, false
			}
			found = nk.iso3
		}
	}
	if found == "" {
		return Country{}, false
	}
	return r.countries[r.norm(found)], true
}

// Countries returns every country the resolver knows.
func (r *Resolver) Countries() []Country { return r.all }

// Drug resolves s (INN, synonym or salt name) to a drug code and the
// fraction of the named substance's mass that is anhydrous base (1 for the
// base itself); salt is the salt's name when s named one.
func (r *Resolver) Drug(s string) (code string, fraction float64, salt string, m Match, ok bool) {
	h, ok := r.drugs[r.norm(s)]
	if !ok {
		return "", 0, "", Match{What: "drug", Value: s}, false
	}
	return h.code, h.fraction, h.salt, Match{What: "drug", Value: s, Resolved: h.code, Method: h.method}, true
}

// Suggest returns up to n countries whose names or aliases are closest to
// s, as "Name (ISO3)", best first. Closeness combines the edit distance
// between the normalised strings with the share of words they have in
// common, so that both typos ("Tanzanai") and reordered or partial names
// ("Republic of Tanzania") find their country.
func (r *Resolver) Suggest(s string, n int) []string {
	q := r.norm(s)
	if q == "" || n <= 0 {
		return nil
	}
	best := map[string]float64{} // iso3 → best score
	label := map[string]string{}
	for _, nk := range r.names {
		sc := similarity(q, nk.key)
		if sc > best[nk.iso3] {
			best[nk.iso3] = sc
			label[nk.iso3] = nk.name + " (" + nk.iso3 + ")"
		}
	}
	return topN(best, label, n)
}

// SuggestDrug returns up to n drug names (INN, synonym or salt) closest to
// s, best first, each with the drug code it resolves to when it differs:
// "meperidine (pethidine)".
func (r *Resolver) SuggestDrug(s string, n int) []string {
	q := r.norm(s)
	if q == "" || n <= 0 {
		return nil
	}
	best := map[string]float64{}
	label := map[string]string{}
	for _, k := range r.drugKeys {
		h := r.drugs[k]
		l := k
		if h.code != k {
			l = k + " (" + h.code + ")"
		}
		best[l] = similarity(q, k)
		label[l] = l
	}
	return topN(best, label, n)
}

func topN(score map[string]float64, label map[string]string, n int) []string {
	type cand struct {
		id string
		sc float64
	}
	var cs []cand
	for id, sc := range score {
		if sc >= 0.3 {
			cs = append(cs, cand{id, sc})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].sc != cs[j].sc {
			return cs[i].sc > cs[j].sc
		}
		return cs[i].id < cs[j].id
	})
	var out []string
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, label[c.id])
	}
	return out
}

// similarity is a score in [0, 1]: the better of normalised edit-distance
// similarity and word overlap (Jaccard), with a bonus when one string
// starts the other.
func similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	m := len(ra)
	if len(rb) > m {
		m = len(rb)
	}
	ed := 1 - float64(levenshtein(ra, rb))/float64(m)
	wa, wb := strings.Fields(a), strings.Fields(b)
	set := map[string]int{}
	for _, w := range wa {
		set[w] |= 1
	}
	for _, w := range wb {
		set[w] |= 2
	}
	both := 0
	for _, v := range set {
		if v == 3 {
			both++
		}
	}
	jac := float64(both) / float64(len(set))
	sc := ed
	if jac > sc {
		sc = jac
	}
	if len(a) >= 3 && len(b) >= 3 && (strings.HasPrefix(b, a) || strings.HasPrefix(a, b)) {
		sc += 0.2
	}
	if sc > 1 {
		sc = 0.99
	}
	return sc
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// norm folds a name as the resolver's NameFolder does.
func (r *Resolver) norm(s string) string {
	if r.fold != nil {
		return r.fold.FoldName(s)
	}
	return NormalizeName(s)
}

// NormalizeName folds case, punctuation and white space so that "COTE D
// IVOIRE" and "Cote d'Ivoire" compare equal: letters and digits are kept
// (lower case), everything else separates words. Accents are kept: folding
// them needs Unicode normalisation, which a NameFolder brings. Escapes of
// the form "<U+00E3>", which some statistics packages write for non-ASCII
// letters, are decoded first.
func NormalizeName(s string) string {
	return CollapseName(strings.ToLower(DecodeUEscapes(s)))
}

// CollapseName keeps the letters and digits of s, one space between runs of
// them; a NameFolder ends with it.
func CollapseName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// a combining mark stays with its letter
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// DecodeUEscapes turns "<U+00E3>" into "ã".
func DecodeUEscapes(s string) string {
	if !strings.Contains(s, "<U+") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "<U+")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		v, err := strconv.ParseUint(s[i+3:i+j], 16, 32)
		b.WriteString(s[:i])
		if err != nil || v > 0x10FFFF {
			b.WriteString(s[i : i+j+1])
		} else {
			b.WriteRune(rune(v))
		}
		s = s[i+j+1:]
	}
}
