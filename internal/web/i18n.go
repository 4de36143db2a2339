package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

//go:embed i18n/*.json
var catalogueFiles embed.FS

// defaultLang is the language every other falls back to, key by key.
const defaultLang = "en"

// catalogue holds every label, by language. Keys starting with "_" are the
// language's settings: _name (its own name), _dir (ltr or rtl), _decimal
// and _group (number separators).
type catalogue struct {
	langs map[string]map[string]string
	order []string
}

func loadCatalogue() (*catalogue, error) {
	c := &catalogue{langs: map[string]map[string]string{}}
	files, err := fs.Glob(catalogueFiles, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := fs.ReadFile(catalogueFiles, f)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web: catalogue %s: %w", f, err)
		}
		lang := strings.TrimSuffix(strings.TrimPrefix(f, "i18n/"), ".json")
		c.langs[lang] = m
		c.order = append(c.order, lang)
	}
	if c.langs[defaultLang] == nil {
		return nil, fmt.Errorf("web: no %s catalogue", defaultLang)
	}
	sort.Strings(c.order)
	return c, nil
}

// text returns the label key in lang, falling back to the default
// language and then to the key itself, so a missing label shows, not fails.
func (c *catalogue) text(lang, key string) string {
	if s, ok := c.langs[lang][key]; ok {
		return s
	}
	if s, ok := c.langs[defaultLang][key]; ok {
		return s
	}
	return key
}

func (c *catalogue) has(lang, key string) bool {
	_, ok := c.langs[lang][key]
	if !ok {
		_, ok = c.langs[defaultLang][key]
	}
	return ok
}

// pick chooses the language: ?lang= when it is one of ours, else the first
// of Accept-Language we have, else the default.
func (c *catalogue) pick(r *http.Request) (lang string, explicit bool) {
	if l := r.URL.Query().Get("lang"); c.langs[l] != nil {
		return l, true
	}
	type pref struct {
		lang string
		q    float64
	}
	var prefs []pref
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if c.langs[base] != nil && q > 0 {
			prefs = append(prefs, pref{base, q})
		}
	}
	sort.SliceStable(prefs, func(i, j int) bool { return prefs[i].q > prefs[j].q })
	if len(prefs) > 0 {
		return prefs[0].lang, false
	}
	return defaultLang, false
}

// formatNumber writes v with digits decimals and the language's separators.
func (c *catalogue) formatNumber(lang string, v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', digits, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	group := c.text(lang, "_group")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteString("−")
	}
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString(c.text(lang, "_decimal"))
		b.WriteString(frac)
	}
	return b.String()
}
