package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/reliefgap/reliefgap/internal/access"
)

// Sheet names of the report packs.
const (
	SheetTrend       = "Trend"
	SheetEstimates   = "Estimates"
	SheetMethodology = "Methodology"
	SheetSources     = "Sources"
	SheetAggregates  = "Aggregates"
)

// DefaultGlossary explains every flag the gap figures carry and every band
// of the band tables in tables (as KindBands rows: a label and the inclusive
// lower edge of its band).
func DefaultGlossary(tables []access.FactorTable) []GlossaryEntry {
	var out []GlossaryEntry
	bandWords := map[string]string{}
	for _, e := range access.Glossary() {
		if e.Kind != "flag" {
			bandWords[e.Kind+"\x00"+e.Code] = e.Meaning
			continue
		}
		term := e.Code
		if strings.HasSuffix(term, ":") {
			term += "<drug or cause>"
		}
		out = append(out, GlossaryEntry{Term: term, Kind: "flag", Meaning: fmt.Sprintf("%s (%s)", e.Meaning, e.Severity)})
	}
	for _, t := range tables {
		if t.Kind != access.KindBands {
			continue
		}
		rows := bandRows(t)
		for i, r := range rows {
			m := fmt.Sprintf("%s from %s", or(t.Title, t.Name), trimFloat(r.Value))
			if i+1 < len(rows) {
				m += fmt.Sprintf(" up to %s", trimFloat(rows[i+1].Value))
			} else {
				m += " upwards"
			}
			if r.Note != "" {
				m += ". " + r.Note
			}
			if w, ok := bandWords[glossaryKind[t.Name]+"\x00"+r.Key]; ok {
				m += ". " + w
			}
			out = append(out, GlossaryEntry{Term: r.Key, Kind: "band: " + t.Name, Meaning: m})
		}
	}
	return out
}

// glossaryKind is the access.Glossary kind of each band table.
var glossaryKind = map[string]string{
	access.TableINCBBands:      "incb_band",
	access.TableBenchmarkBands: "benchmark_band",
	access.TableACMBands:       "acm_band",
}

// bandRows returns a band table's rows by lower edge, lowest first.
func bandRows(t access.FactorTable) []access.FactorRow {
	rows := append([]access.FactorRow(nil), t.Rows...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Value < rows[j].Value })
	return rows
}

func trimFloat(v float64) string { return fmt.Sprint(v) }

// flagPhrase explains one flag of a figure in plain words.
func flagPhrase(flag string, glossary []GlossaryEntry) string {
	if e, ok := access.ExplainFlag(flag); ok && glossary == nil {
		return e.Meaning
	}
	for _, g := range glossary {
		if g.Kind != "flag" {
			continue
		}
		if g.Term == flag {
			return g.Meaning
		}
		if p, ok := strings.CutSuffix(g.Term, "<drug or cause>"); ok && strings.HasPrefix(flag, p) {
			return strings.TrimPrefix(flag, p) + ": " + g.Meaning
		}
	}
	return flag
}

// writeMethodology writes the Methodology sheet: the formulas, every factor
// table used with its rows, version, source and confidence, and the glossary.
func writeMethodology(b *book, m access.Methods, tables []access.FactorTable, glossary []GlossaryEntry) {
	w := b.sheet(SheetMethodology)
	st := b.st
	w.title("Methodology", "How each figure is computed, the factor tables used (each a versioned table: a new version never changes an old one) and what the flags and bands mean.")
	w.header("Figure", "Formula")
	fm := m.Formulas
	for _, r := range [][2]string{
		{"Consumption, mg morphine equivalent (ME)", fm.MEMg},
		{"S-DDD per million inhabitants per day", fm.SDDDPerMillionPerDay},
		{"S-DDD, three-year average", fm.SDDD3YrAvg},
		{"Benchmark index (reference = 100)", fm.BenchmarkIndex},
		{"Need, mg ME", fm.NeedMEMg},
		{"Need met, %", fm.NeedMetPct},
		{"Gap, mg ME", fm.GapMEMg},
		{"Adequacy of consumption measure (ACM)", fm.ACM},
		{"Estimate total, g", fm.EstimateTotal},
		{"Estimate utilization, %", fm.EstimateUtilization},
		{"Estimate coverage of need, %", fm.EstimateCoverage},
		{"Need, mg ME per person", "need_me_mg / population (this report)"},
		{"Gap, kg morphine", "gap_me_mg / 1e6"},
		{"Drug utilization, % (Estimates sheet)", "100 * consumed g / estimated g, per drug (this report)"},
	} {
		w.line([]any{r[0], r[1]}, st.wrap, st.wrap)
	}
	w.row++
	w.pair("Days per year", m.DaysPerYear, st.integer)
	w.pair("Form B total", m.FormBTotal, st.wrap)
	w.row++
	w.header("Factor table", "Version", "Title", "Kind", "Source", "Confidence", "Notes")
	for _, t := range tables {
		w.line([]any{t.Name, t.Version, t.Title, string(t.Kind), t.Source, t.Confidence, t.Notes},
			st.text, st.integer, st.wrap, st.text, st.wrap, st.text, st.wrap)
	}
	if m.NeedModel == nil {
		w.line([]any{"need model", "", "The need model asked for is not available: need figures are empty."}, st.text, 0, st.wrap)
	}
	w.row++
	w.header("Factor table", "Version", "Key", "Drug", "Value", "Share", "mg per day", "Days", "Label", "Assumption", "Confidence", "Note")
	for _, t := range tables {
		for _, r := range t.Rows {
			assume := ""
			if r.Assumption {
				assume = "assumption"
			}
			// A need model's rows use Share, mg per day and Days; the
			// others Value (none for a basket, whose rows are members).
			var value, share, mg, days any = r.Value, nil, nil, nil
			switch t.Kind {
			case access.KindNeedModel:
				value, share, mg, days = nil, r.Share, r.MgPerDay, r.Days
			case access.KindBasket:
				value = nil
			}
			w.line([]any{t.Name, t.Version, r.Key, r.Drug, value, share, mg, days, r.Label, assume, r.Confidence, r.Note},
				st.text, st.integer, st.text, st.text, st.dec4, st.dec4, st.dec1, st.integer, st.text, st.text, st.text, st.wrap)
		}
	}
	w.row++
	w.header("Term", "Kind", "Meaning")
	for _, g := range glossary {
		w.line([]any{g.Term, g.Kind, g.Meaning}, st.text, st.text, st.wrap)
	}
	w.widths(40, 60, 14, 16, 40, 12, 12, 10, 14, 12, 12, 40)
	b.printSetup(SheetMethodology, 0)
}

// writeSources writes the Sources sheet: the uploads behind the figures,
// their licences and citations, and how to cite the report.
func writeSources(b *book, title string, m Meta, sources []Source) {
	w := b.sheet(SheetSources)
	st := b.st
	w.title("Sources", "The files the figures were computed from, as published, with the terms each publisher sets.")
	w.header("Upload", "Kind", "File name", "SHA-256", "Received (UTC)", "Sent by (role)", "Country", "Source", "Licence", "How to cite the source")
	for _, s := range sources {
		w.line([]any{s.UploadID, s.Kind, s.Filename, s.SHA256, when(s.ReceivedAt), s.Role, s.Country,
			or(s.Source, "not recorded"), or(s.Licence, "not recorded"), or(s.Citation, "not recorded")},
			st.integer, st.text, st.wrap, st.text, st.text, st.text, st.text, st.wrap, st.wrap, st.wrap)
	}
	if len(sources) == 0 {
		w.line([]any{"No upload is recorded behind these figures."}, st.note)
	}
	w.row++
	w.pair("How to cite this report", citation(title, m), st.wrap)
	w.pair("Licence of this report", or(m.Licence, "not stated"), st.wrap)
	w.pair("Data version", m.DataVersion, st.integer)
	w.pair("Data as of", when(m.DataAsOf), st.text)
	if m.Permalink != "" {
		w.pair("Permalink", m.Permalink, st.text)
	}
	w.widths(24, 14, 30, 66, 20, 14, 10, 30, 24, 50)
	b.printSetup(SheetSources, 0)
}
