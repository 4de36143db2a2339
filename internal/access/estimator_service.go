package access

import (
	"context"
	"strconv"
	"strings"
)

// SupplyStore is what the supply service needs of the store.
type SupplyStore interface {
	GapStore
	// SubmittedInputs returns the consumption and estimate rows of iso3's
	// uploads that await publication (status submitted), newest upload first.
	SubmittedInputs(ctx context.Context, iso3 string) (CountryInputs, error)
}

// SupplyService computes supply estimates from published data with the
// latest version of each factor table; a ministry asking about its own
// country also sees the effect of its submissions not yet published.
type SupplyService struct {
	Store SupplyStore
}

// SupplyRequest names a supply estimate: country, target year, need model
// ("" for the default) and the options.
type SupplyRequest struct {
	ISO3    string
	Year    int
	Model   string
	Options SupplyOptions
	// AsOf answers from the data as published at that data version (0:
	// now); submissions awaiting publication are then left out.
	AsOf int64
}

// Estimate computes the supply estimate r asks for, as who sees it.
func (s *SupplyService) Estimate(ctx context.Context, who Principal, r SupplyRequest) (e SupplyEstimate, err error) {
	defer Wrap(&err, "supply estimate %s %d", r.ISO3, r.Year)
	if err := Authorize(who, ActReadFigures, r.ISO3); err != nil {
		return e, err
	}
	if r.Year < 1900 || r.Year > 2100 {
		return e, Errorf(Invalid, "", "a year between 1900 and 2100 is needed")
	}
	// The factor tables, need model and data-quality rules exactly as the
	// gap figures pick them (model "" is the default_need_model setting).
	gaps := (&GapService{Store: s.Store}).At(r.AsOf)
	fs, err := gaps.FactorSet(ctx, r.Model)
	if err != nil {
		return e, err
	}
	need := TableNeedModel(fs.Need[0])
	r.Options.Quality = fs.Rules
	version, err := gaps.version(ctx)
	if err != nil {
		return e, err
	}
	// The inputs over one territory, prepared for changes of borders as
	// the gap figures are.
	in, _, err := gaps.bordersInputs(ctx, r.ISO3, 0, 0)
	if err != nil {
		return e, err
	}
	ci, ok := in[r.ISO3]
	if !ok {
		return e, Errorf(NotFound, "", "no country %q", r.ISO3)
	}
	inputs := *ci
	unpublished := false
	if r.AsOf == 0 && SeesUnpublishedSupply(who, r.ISO3) {
		sub, err := s.Store.SubmittedInputs(ctx, r.ISO3)
		if err != nil {
			return e, err
		}
		inputs, unpublished = OverlaySubmitted(inputs, sub)
	}
	e, err = EstimateSupply(inputs, r.Year, fs.ME, &need, r.Options)
	if err != nil {
		return e, err
	}
	e.DataVersion = version
	if unpublished {
		e.Flags = append(e.Flags, FlagIncludesUnpublishedSubmission)
	}
	if s.illustrative(ctx, inputs, r.AsOf) {
		e.Flags = append(e.Flags, FlagIllustrative)
	}
	return e, nil
}

// SeesUnpublishedSupply reports whether who's supply estimates for iso3
// include its submissions awaiting publication: a ministry asking about
// its own country does (the policy's ActReadUnpublished); administrators
// and the command line see published data, as everyone else.
func SeesUnpublishedSupply(who Principal, iso3 string) bool {
	return who.Role == RoleMinistry && Authorize(who, ActReadUnpublished, iso3) == nil
}

// OverlaySubmitted puts submitted (unpublished) consumption and estimate
// rows over the published ones with the same key; sub is newest first, so
// the newest submission wins. It reports whether any row was laid over.
func OverlaySubmitted(in CountryInputs, sub CountryInputs) (CountryInputs, bool) {
	if len(sub.Consumption) == 0 && len(sub.Estimates) == 0 {
		return in, false
	}
	type ckey struct {
		year int
		drug string
	}
	type ekey struct {
		year       int
		drug, kind string
	}
	cs := map[ckey]Consumption{}
	for _, c := range sub.Consumption {
		k := ckey{c.Year, c.Drug}
		if _, seen := cs[k]; !seen {
			cs[k] = c
		}
	}
	es := map[ekey]Estimate{}
	for _, x := range sub.Estimates {
		k := ekey{x.Year, x.Drug, string(x.Kind)}
		if _, seen := es[k]; !seen {
			es[k] = x
		}
	}
	out := in
	out.Consumption = nil
	for _, c := range in.Consumption {
		if _, over := cs[ckey{c.Year, c.Drug}]; !over {
			out.Consumption = append(out.Consumption, c)
		}
	}
	for _, c := range cs {
		out.Consumption = append(out.Consumption, c)
	}
	out.Estimates = nil
	for _, x := range in.Estimates {
		if _, over := es[ekey{x.Year, x.Drug, string(x.Kind)}]; !over {
			out.Estimates = append(out.Estimates, x)
		}
	}
	for _, x := range es {
		out.Estimates = append(out.Estimates, x)
	}
	return out, true
}

// illustrative reports whether any input came from an illustrative upload.
func (s *SupplyService) illustrative(ctx context.Context, in CountryInputs, asOf int64) bool {
	v, ok, err := s.Store.SettingAsOf(ctx, SettingIllustrativeUploads, asOf)
	if err != nil || !ok || v == "" {
		return false
	}
	demo := map[int64]bool{}
	for _, f := range strings.Split(v, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			demo[id] = true
		}
	}
	for _, c := range in.Consumption {
		if demo[c.Lineage.UploadID] {
			return true
		}
	}
	for _, p := range in.Population {
		if demo[p.Lineage.UploadID] {
			return true
		}
	}
	for _, d := range in.Deaths {
		if demo[d.Lineage.UploadID] {
			return true
		}
	}
	return false
}

// ParseDrugGrams reads the figures a ministry gives per drug, written
// "morphine=1200,codeine=50" (or with ':'), grams of anhydrous base.
func ParseDrugGrams(what, s string) (map[string]float64, error) {
	out := map[string]float64{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			k, v, ok = strings.Cut(part, ":")
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || k == "" || len(k) > 64 {
			return nil, Errorf(Invalid, "", "%s: %q is not drug=grams", what, part)
		}
		g, err := strconv.ParseFloat(v, 64)
		if err != nil || !plausibleGrams(g) {
			return nil, Errorf(Invalid, "", "%s for %s: %q is not a non-negative number of grams", what, k, v)
		}
		if _, dup := out[k]; dup {
			return nil, Errorf(Invalid, "", "%s: %s is given twice", what, k)
		}
		out[k] = g
	}
	if len(out) > 100 {
		return nil, Errorf(Invalid, "", "%s: at most 100 drugs", what)
	}
	return out, nil
}
