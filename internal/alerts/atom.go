// Package alerts tells followers of a country, a region or the world what
// changed: a new publication, a change of INCB adequacy or benchmark band,
// need met falling below a threshold, next year's estimate still missing
// as the 30 June deadline approaches, and a scheduled report ready. It
// renders them as Atom feeds (RFC 4287) and delivers them to administrators'
// webhooks, signed with HMAC-SHA256.
package alerts

import (
	"encoding/xml"
	"sort"
	"time"
)

// Entry kinds.
const (
	KindPublication     = "publication"
	KindBandChange      = "band_change"
	KindNeedMetLow      = "need_met_below_threshold"
	KindEstimateMissing = "estimate_missing"
	KindReportReady     = "report_ready"
)

// Entry is one event of a feed.
type Entry struct {
	ID      string // a tag: URI, stable for the same event
	Kind    string
	Title   string
	Summary string
	Link    string
	Updated time.Time
}

// Feed is a followable list of events, newest first.
type Feed struct {
	ID      string
	Title   string
	Link    string // the page or resource followed
	Self    string // the feed's own address
	Updated time.Time
	Entries []Entry
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	ID       string       `xml:"id"`
	Title    atomText     `xml:"title"`
	Updated  string       `xml:"updated"`
	Summary  atomText     `xml:"summary"`
	Link     *atomLink    `xml:"link,omitempty"`
	Category atomCategory `xml:"category"`
}

type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   atomText `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

// Atom renders the feed as an Atom document. Text is escaped by the XML
// encoder and typed "text": nothing from data is read as markup.
func (f Feed) Atom() ([]byte, error) {
	entries := append([]Entry(nil), f.Entries...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Updated.After(entries[j].Updated) })
	updated := f.Updated
	if len(entries) > 0 && entries[0].Updated.After(updated) {
		updated = entries[0].Updated
	}
	a := atomFeed{ID: f.ID, Title: atomText{"text", f.Title}, Updated: stamp(updated)}
	a.Author.Name = "reliefgap"
	a.Links = append(a.Links, atomLink{Href: f.Self, Rel: "self", Type: "application/atom+xml"})
	if f.Link != "" {
		a.Links = append(a.Links, atomLink{Href: f.Link, Rel: "alternate"})
	}
	for _, e := range entries {
		ae := atomEntry{ID: e.ID, Title: atomText{"text", e.Title}, Updated: stamp(e.Updated), Summary: atomText{"text", e.Summary},
			Category: atomCategory{Term: e.Kind}}
		if e.Link != "" {
			ae.Link = &atomLink{Href: e.Link, Rel: "alternate"}
		}
		a.Entries = append(a.Entries, ae)
	}
	b, err := xml.MarshalIndent(a, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(time.RFC3339)
}
