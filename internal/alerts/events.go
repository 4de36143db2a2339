package alerts

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/schedule"
)

// DefaultNeedMetThreshold: need met below this percentage is an alert.
const DefaultNeedMetThreshold = 10.0

// tag makes an entry id (RFC 4151).
func tag(parts ...string) string {
	return "tag:reliefgap.org,2026:" + strings.Join(parts, ":")
}

// BandChanges lists, for each pair of consecutive years of g, a change of
// INCB adequacy band or of benchmark band. at is when the figures were
// computed (the entries' time).
func BandChanges(g access.CountryGaps, at time.Time, link string) []Entry {
	var out []Entry
	for i := 1; i < len(g.Years); i++ {
		prev, cur := g.Years[i-1], g.Years[i]
		for _, b := range []struct {
			what     string
			old, new *string
		}{{"INCB adequacy band", prev.Adequacy, cur.Adequacy}, {"benchmark band", prev.BenchmarkBand, cur.BenchmarkBand}} {
			if b.old == nil || b.new == nil || *b.old == *b.new {
				continue
			}
			out = append(out, Entry{
				ID:      tag(g.Country.ISO3, "band", strings.ReplaceAll(b.what, " ", "-"), fmt.Sprint(cur.Year)),
				Kind:    KindBandChange,
				Title:   fmt.Sprintf("%s: %s changed from %q to %q in %d", g.Country.Name, b.what, *b.old, *b.new, cur.Year),
				Summary: fmt.Sprintf("The %s of %s moved from %q in %d to %q in %d.", b.what, g.Country.Name, *b.old, prev.Year, *b.new, cur.Year),
				Link:    link, Updated: at,
			})
		}
	}
	return out
}

// NeedMetLow is an entry when the latest year of g with need met has it
// below threshold percent.
func NeedMetLow(g access.CountryGaps, threshold float64, at time.Time, link string) []Entry {
	for i := len(g.Years) - 1; i >= 0; i-- {
		y := g.Years[i]
		if y.NeedMetPct == nil {
			continue
		}
		if *y.NeedMetPct >= threshold {
			return nil
		}
		return []Entry{{
			ID:      tag(g.Country.ISO3, "need-met", fmt.Sprint(y.Year)),
			Kind:    KindNeedMetLow,
			Title:   fmt.Sprintf("%s: %.1f%% of need met in %d", g.Country.Name, *y.NeedMetPct, y.Year),
			Summary: fmt.Sprintf("Consumption met %.1f%% of the estimated medical need in %d, below the alert threshold of %.0f%%.", *y.NeedMetPct, y.Year, threshold),
			Link:    link, Updated: at,
		}}
	}
	return nil
}

// EstimateMissing is an entry when now falls in May or June and the
// country has no estimate for next year: INCB asks for estimates by 30 June.
func EstimateMissing(c access.CountryRef, hasNext bool, now time.Time, link string) []Entry {
	now = now.UTC()
	if hasNext || now.Month() < time.May || now.Month() > time.June {
		return nil
	}
	next := now.Year() + 1
	deadline := time.Date(now.Year(), time.June, 30, 0, 0, 0, 0, time.UTC)
	days := int(deadline.Sub(now).Hours()/24) + 1
	return []Entry{{
		ID:      tag(c.ISO3, "estimate-missing", fmt.Sprint(next)),
		Kind:    KindEstimateMissing,
		Title:   fmt.Sprintf("%s: no estimate for %d yet, %d days before 30 June", c.Name, next, days),
		Summary: fmt.Sprintf("No Form B estimate for %d has been published for %s. Estimates for next year are due with INCB by 30 June.", next, c.Name),
		Link:    link,
		Updated: time.Date(now.Year(), time.May, 1, 0, 0, 0, 0, time.UTC),
	}}
}

// Store is what the feed service reads besides the gap figures.
type Store interface {
	Upload(ctx context.Context, id int64) (access.Upload, error)
	Schedules(ctx context.Context) ([]schedule.Schedule, error)
	Runs(ctx context.Context, scheduleID int64, limit int) ([]schedule.Run, error)
	DataVersion(ctx context.Context) (int64, error)
	DataVersionTime(ctx context.Context, version int64) (time.Time, error)
	LatestConsumptionYear(ctx context.Context, iso3 string) (int, error)
}

// Service builds the feeds.
type Service struct {
	Gaps  *access.GapService
	Store Store
	// Threshold is the need-met alert threshold, percent
	// (DefaultNeedMetThreshold when 0).
	Threshold float64
	// Base is the absolute address of the API's host ("" for relative links).
	Base string
	Now  func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) threshold() float64 {
	if s.Threshold > 0 {
		return s.Threshold
	}
	return DefaultNeedMetThreshold
}

// asOf is when the current data version was made (now if unknown).
func (s *Service) asOf(ctx context.Context) time.Time {
	v, err := s.Store.DataVersion(ctx)
	if err == nil {
		if t, err := s.Store.DataVersionTime(ctx, v); err == nil && !t.IsZero() {
			return t
		}
	}
	return s.now()
}

// maxPublications bounds the publication entries of a feed.
const maxPublications = 50

// publications are entries for the published uploads behind gs.
func (s *Service) publications(ctx context.Context, gs []access.CountryGaps) ([]Entry, error) {
	ids := map[int64]bool{}
	for _, g := range gs {
		for _, y := range g.Years {
			for _, l := range y.Lineage {
				ids[l.UploadID] = true
			}
		}
	}
	sorted := make([]int64, 0, len(ids))
	for id := range ids {
		if id > 0 {
			sorted = append(sorted, id)
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] > sorted[j] })
	if len(sorted) > maxPublications {
		sorted = sorted[:maxPublications]
	}
	var out []Entry
	for _, id := range sorted {
		u, err := s.Store.Upload(ctx, id)
		if access.ErrorCode(err) == access.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		at := u.ReceivedAt
		if u.DecidedAt != nil {
			at = *u.DecidedAt
		}
		scope := "many countries"
		if u.Country != "" {
			scope = u.Country
		}
		out = append(out, Entry{
			ID:      tag("upload", fmt.Sprint(u.ID)),
			Kind:    KindPublication,
			Title:   fmt.Sprintf("Published: %s data (%s)", u.Kind, scope),
			Summary: fmt.Sprintf("Upload %d (%s, SHA-256 %s) was published and is used by these figures.", u.ID, u.Filename, u.SHA256),
			Link:    fmt.Sprintf("%s/api/v1/uploads/%d", s.Base, u.ID),
			Updated: at,
		})
	}
	return out, nil
}

// reportsReady are entries for the files of schedules of scope and target.
func (s *Service) reportsReady(ctx context.Context, scope schedule.Scope, target string) ([]Entry, error) {
	all, err := s.Store.Schedules(ctx)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, sch := range all {
		if sch.Scope != scope || sch.Target != target {
			continue
		}
		runs, err := s.Store.Runs(ctx, sch.ID, 10)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			if r.Status != schedule.StatusSucceeded || r.FinishedAt == nil {
				continue
			}
			out = append(out, Entry{
				ID:      tag("report-run", fmt.Sprint(r.ID)),
				Kind:    KindReportReady,
				Title:   fmt.Sprintf("Report ready: %s", sch.Name),
				Summary: fmt.Sprintf("The scheduled report %q for %s was made from data version %d (%d bytes).", sch.Name, r.Slot.Format("2 January 2006 15:04 UTC"), r.DataVersion, r.Size),
				Link:    fmt.Sprintf("%s/api/v1/report-runs/%d/file", s.Base, r.ID),
				Updated: *r.FinishedAt,
			})
		}
	}
	return out, nil
}

// CountryFeed is the feed of one country: its publications, band changes
// over the last five years with data, need met below the threshold, a
// missing estimate before 30 June, and scheduled reports ready.
func (s *Service) CountryFeed(ctx context.Context, iso3 string) (Feed, error) {
	now := s.now()
	latest, err := s.Store.LatestConsumptionYear(ctx, iso3)
	if err != nil {
		return Feed{}, err
	}
	if latest == 0 {
		latest = now.Year() - 1
	}
	g, err := s.Gaps.Country(ctx, iso3, latest-4, now.Year()+1, "")
	if err != nil {
		return Feed{}, err
	}
	at := s.asOf(ctx)
	link := fmt.Sprintf("%s/api/v1/countries/%s/gaps", s.Base, iso3)
	f := Feed{ID: tag("feed", "country", iso3), Title: "reliefgap: " + g.Country.Name, Link: link,
		Self: fmt.Sprintf("%s/feeds/countries/%s.atom", s.Base, iso3), Updated: at}
	hasNext := false
	var withData access.CountryGaps
	withData.Country = g.Country
	for _, y := range g.Years {
		if y.Year == now.Year()+1 && y.EstimateMEMg != nil {
			hasNext = true
		}
		if y.Year <= latest {
			withData.Years = append(withData.Years, y)
		}
	}
	f.Entries = append(f.Entries, BandChanges(withData, at, link)...)
	f.Entries = append(f.Entries, NeedMetLow(withData, s.threshold(), at, link)...)
	f.Entries = append(f.Entries, EstimateMissing(g.Country, hasNext, now, link)...)
	pubs, err := s.publications(ctx, []access.CountryGaps{g})
	if err != nil {
		return Feed{}, err
	}
	f.Entries = append(f.Entries, pubs...)
	ready, err := s.reportsReady(ctx, schedule.ScopeCountry, iso3)
	if err != nil {
		return Feed{}, err
	}
	f.Entries = append(f.Entries, ready...)
	return f, nil
}

// GroupFeed is the feed of a WHO region or the world: the group's need met
// below the threshold, its members' band changes in the latest year, the
// publications behind its latest figures, and its scheduled reports ready.
func (s *Service) GroupFeed(ctx context.Context, kind access.GroupKind, code string) (Feed, error) {
	latest, err := s.Store.LatestConsumptionYear(ctx, "")
	if err != nil {
		return Feed{}, err
	}
	if latest == 0 {
		latest = s.now().Year() - 1
	}
	g, countries, err := s.Gaps.GroupWithCountries(ctx, kind, code, latest, "")
	if err != nil {
		return Feed{}, err
	}
	at := s.asOf(ctx)
	name, path, self, scope := "the world", "/api/v1/world/gaps", "/feeds/world.atom", schedule.ScopeWorld
	target := ""
	if kind == access.GroupRegion {
		name, path, self, scope, target = "WHO region "+g.Code, "/api/v1/regions/"+g.Code+"/gaps", "/feeds/regions/"+g.Code+".atom", schedule.ScopeRegion, g.Code
	}
	link := fmt.Sprintf("%s%s?year=%d", s.Base, path, latest)
	f := Feed{ID: tag("feed", string(kind), g.Code), Title: "reliefgap: " + name, Link: link, Self: s.Base + self, Updated: at}
	if g.NeedMetPct != nil && *g.NeedMetPct < s.threshold() {
		f.Entries = append(f.Entries, Entry{
			ID: tag(string(kind), g.Code, "need-met", fmt.Sprint(latest)), Kind: KindNeedMetLow,
			Title:   fmt.Sprintf("%s: %.1f%% of need met in %d", name, *g.NeedMetPct, latest),
			Summary: fmt.Sprintf("Across the %d countries with both figures, consumption met %.1f%% of the estimated need in %d.", g.CountriesWithNeed, *g.NeedMetPct, latest),
			Link:    link, Updated: at,
		})
	}
	var members []access.CountryGaps
	for _, c := range countries {
		if kind == access.GroupRegion && c.Country.WHORegion != g.Code {
			continue
		}
		members = append(members, c)
		var last2 access.CountryGaps
		last2.Country = c.Country
		for _, y := range c.Years {
			if y.Year >= latest-1 && y.Year <= latest {
				last2.Years = append(last2.Years, y)
			}
		}
		f.Entries = append(f.Entries, BandChanges(last2, at, fmt.Sprintf("%s/api/v1/countries/%s/gaps", s.Base, c.Country.ISO3))...)
	}
	var latestOnly []access.CountryGaps
	for _, c := range members {
		for _, y := range c.Years {
			if y.Year == latest {
				latestOnly = append(latestOnly, access.CountryGaps{Country: c.Country, Years: []access.YearGaps{y}})
			}
		}
	}
	pubs, err := s.publications(ctx, latestOnly)
	if err != nil {
		return Feed{}, err
	}
	f.Entries = append(f.Entries, pubs...)
	ready, err := s.reportsReady(ctx, scope, target)
	if err != nil {
		return Feed{}, err
	}
	f.Entries = append(f.Entries, ready...)
	return f, nil
}
