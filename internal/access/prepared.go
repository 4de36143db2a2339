package access

import "context"

// PreparedInputs are every country's inputs for a span of years, prepared
// for borders, with the factor set, series and data version they were read
// at: what a computation over the whole world (the validation against the
// literature) starts from.
type PreparedInputs struct {
	Countries    map[string]*CountryInputs
	Factors      FactorSet
	Denominators Denominators
	DataVersion  int64
}

// Prepared reads every country's inputs for from..to under the headline
// model (benchmark when ""), as of the service's data version.
func (s *GapService) Prepared(ctx context.Context, from, to int, model string) (PreparedInputs, error) {
	var p PreparedInputs
	var err error
	if p.DataVersion, err = s.version(ctx); err != nil {
		return p, err
	}
	if p.Factors, err = s.FactorSet(ctx, model); err != nil {
		return p, err
	}
	in, den, err := s.inputs(ctx, InputFilter{FromYear: from, ToYear: to})
	if err != nil {
		return p, err
	}
	ss, err := s.Store.Successions(ctx)
	if err != nil {
		return p, err
	}
	p.Countries, p.Denominators = PrepareBorders(in, ss), den
	return p, nil
}
