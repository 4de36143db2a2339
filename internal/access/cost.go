package access

// TableMorphinePrice is the versioned price of oral immediate-release
// morphine used for the cost of closing a gap (docs/METHODOLOGY.md).
const TableMorphinePrice = "morphine-price"

// KindPrice rows: "usd_per_mg" (US dollars per mg of morphine equivalent)
// and "year" (the year the price is of).
const KindPrice FactorKind = "price"

// Price is the price a cost figure used, with its table, source and year.
type Price struct {
	Ref
	USDPerMg float64 `json:"usd_per_mg"`
	Year     int     `json:"year"`
	Source   string  `json:"source"`
}

// PriceOf reads a price table; ok is false without a usd_per_mg row.
func PriceOf(t FactorTable) (p Price, ok bool) {
	v, ok := t.Value("usd_per_mg")
	if !ok {
		return Price{}, false
	}
	y, _ := t.Value("year")
	return Price{Ref: t.Ref(), USDPerMg: v, Year: int(y), Source: t.Source}, true
}

// costOf is the cost in US dollars of gap mg ME at price p; nil without
// either.
func costOf(gap *float64, p *Price) *float64 {
	if gap == nil || p == nil {
		return nil
	}
	return F(*gap * p.USDPerMg)
}

// priceModels sets the cost of every need model's gap.
func priceModels(ms NeedByModel, p *Price) {
	for name, f := range ms {
		f.CostToCloseGapUSD = costOf(f.GapMEMg, p)
		ms[name] = f
	}
}
