package access

import "strings"

// Resolver resolves the country and drug names found in files to ISO3 codes
// and drug codes. It is built from reference data and is safe for
// concurrent use once built.
type Resolver struct {
	countries map[string]Country // normalised key → country
	methods   map[string]string  // normalised key → how it matched
	all       []Country
	drugs     map[string]drugHit
}

type drugHit struct {
	code     string
	fraction float64 // 1 for the base
	salt     string
	method   string
}

// NewResolver indexes countries by ISO3, ISO2, numeric code, name and
// aliases, and drugs by code, INN, synonym and salt name.
func NewResolver(countries []Country, drugs []Drug, saltBase FactorTable) *Resolver {
	r := &Resolver{countries: map[string]Country{}, methods: map[string]string{}, all: countries, drugs: map[string]drugHit{}}
	add := func(k, method string, c Country) {
		k = NormalizeName(k)
		if k == "" {
			return
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
	for _, d := range drugs {
		r.drugs[NormalizeName(d.Code)] = drugHit{code: d.Code, fraction: 1, method: "inn"}
		r.drugs[NormalizeName(d.Name)] = drugHit{code: d.Code, fraction: 1, method: "inn"}
		for _, s := range d.Synonyms {
			r.drugs[NormalizeName(s)] = drugHit{code: d.Code, fraction: 1, method: "synonym"}
		}
	}
	for _, row := range saltBase.Rows {
		r.drugs[NormalizeName(row.Key)] = drugHit{code: row.Drug, fraction: row.Value, salt: row.Key, method: "salt"}
	}
	return r
}

// Country resolves s (a code, name or alias) to a country.
func (r *Resolver) Country(s string) (Country, Match, bool) {
	k := NormalizeName(s)
	c, ok := r.countries[k]
	if !ok {
		return Country{}, Match{What: "country", Value: s}, false
	}
	return c, Match{What: "country", Value: s, Resolved: c.ISO3, Method: r.methods[k]}, true
}

// Countries returns every country the resolver knows.
func (r *Resolver) Countries() []Country { return r.all }

// Drug resolves s (INN, synonym or salt name) to a drug code and the
// fraction of the named substance's mass that is anhydrous base (1 for the
// base itself); salt is the salt's name when s named one.
func (r *Resolver) Drug(s string) (code string, fraction float64, salt string, m Match, ok bool) {
	h, ok := r.drugs[NormalizeName(s)]
	if !ok {
		return "", 0, "", Match{What: "drug", Value: s}, false
	}
	return h.code, h.fraction, h.salt, Match{What: "drug", Value: s, Resolved: h.code, Method: h.method}, true
}

// NormalizeName folds case, accents, punctuation and white space so that
// "Côte d'Ivoire" and "COTE D IVOIRE" compare equal.
func NormalizeName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if f, ok := foldAccent[r]; ok {
			r = f
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

var foldAccent = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a',
	'ç': 'c', 'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ñ': 'n',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ø': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y', 'ÿ': 'y',
	'’': '\'', 'ş': 's', 'ț': 't', 'ţ': 't', 'ğ': 'g', 'ı': 'i',
}
