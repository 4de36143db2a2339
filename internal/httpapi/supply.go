package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

type supplyQuery struct {
	Year        int      `form:"year" binding:"required,min=1900,max=2100"`
	Model       string   `form:"model" binding:"max=64"`
	Projection  string   `form:"projection" binding:"max=16"`
	Mix         string   `form:"mix" binding:"max=16"`
	Phase       *float64 `form:"phase"`
	StockMonths *float64 `form:"stock_months"`
	// The ministry's own figures, "drug=grams,…".
	Manufacture   string `form:"manufacture" binding:"max=2000"`
	SpecialStocks string `form:"special_stocks" binding:"max=2000"`
	ExpectedStock string `form:"expected_stock" binding:"max=2000"`
	AsOf          int64  `form:"as_of" binding:"omitempty,min=1"`
}

// supplyEstimate answers with access.SupplyEstimate exactly as the service
// makes it. The public and other keys see published data (with ETags); a
// ministry asking about its own country also sees its submissions awaiting
// publication, which the data version does not follow, so that answer is
// not cached.
func (s *Server) supplyEstimate(c *gin.Context) error {
	iso3, err := iso3Param(c)
	if err != nil {
		return err
	}
	var q supplyQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	if s.cfg.Supply == nil {
		return access.Errorf(access.NotFound, "", "supply estimates are not available")
	}
	p := who(c)
	req := access.SupplyRequest{ISO3: iso3, Year: q.Year, Model: q.Model, Options: access.SupplyOptions{
		Projection: q.Projection, Mix: q.Mix, Phase: q.Phase, StockMonths: q.StockMonths}, AsOf: q.AsOf}
	for _, g := range []struct {
		name, value string
		into        *map[string]float64
	}{{"manufacture", q.Manufacture, &req.Options.Manufacture}, {"special_stocks", q.SpecialStocks, &req.Options.SpecialStocks},
		{"expected_stock", q.ExpectedStock, &req.Options.ExpectedStock}} {
		m, err := access.ParseDrugGrams(g.name, g.value)
		if err != nil {
			return err
		}
		*g.into = m
	}
	compute := func() (any, error) { return s.cfg.Supply.Estimate(c.Request.Context(), p, req) }
	if q.AsOf == 0 && access.SeesUnpublishedSupply(p, iso3) {
		c.Header("Cache-Control", "private, no-store")
		v, err := compute()
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, v)
		return nil
	}
	if done, err := s.figuresConditional(c, q.Model, "supply", q.AsOf); done || err != nil {
		return err
	}
	return s.cachedJSON(c, compute)
}

// supplyEstimateSchema describes access.SupplyEstimate in the OpenAPI document.
func supplyEstimateSchema() obj {
	nnum := func(d string) obj { return nullable(number(d)) }
	described := func(o obj, d string) obj { o["description"] = d; return o }
	ref := object([]string{"name", "version"}, obj{"name": str("factor table name"), "version": integer("factor table version")})
	line := object([]string{"drug", "phased_g", "total_g", "flags", "explanation"}, obj{
		"drug":                     str("lower-case INN"),
		"consumption_projection_g": nnum("projected consumption, g of anhydrous base; null without reported history"),
		"need_based_g":             nnum("the need model's quantity for the drug under the mix; null for drugs without an ME factor or without need"),
		"phased_g":                 number("projection + phase × max(0, need_based − projection)"),
		"a_consumption_g":          number("(a) quantity to be consumed = phased_g"),
		"b_manufacture_g":          number("(b) utilization for manufacture, carried from the last statistics unless given"),
		"c_stock_target_g":         number("(c) stock to hold on 31 December = stock_months ÷ 12 × (a)"),
		"d_special_stock_g":        number("(d) addition to special stocks"),
		"expected_stock_g":         nnum("stock expected on 31 December of the year before: the latest reported stock carried forward"),
		"total_g":                  number("a + b + d + max(0, c − expected stock)"),
		"submitted_total_g":        nnum("the ministry's annual estimate for the year (confirmed, else submitted)"),
		"submitted_status": nullable(obj{"type": "string", "enum": []string{"submitted", "confirmed"},
			"description": "which of the ministry's estimates submitted_total_g is: confirmed by INCB, else submitted"}),
		"flags":       described(array(str("a flag")), "below_consumption_projection, below_phased_need, far_above, need_projected, consumption_only, mix_morphine_only, …; see GET /api/v1/glossary"),
		"explanation": str("the method and inputs in sentences, for the justification INCB asks for"),
	})
	return object([]string{"country", "year", "methods", "drugs", "total_me_mg"}, obj{
		"country": str("ISO3"),
		"year":    integer("the target year"),
		"methods": described(object(nil, obj{"projection": str("mean, trend or max"),
			"need_model": described(nullable(ref), "the need model, name and version"), "mix": str("current or morphine"),
			"phase":              number("share of the gap between projection and need closed in the year"),
			"stock_months":       number("months of (a) held in stock on 31 December"),
			"factor_tables":      described(array(ref), "the factor tables used, with versions"),
			"formb_total":        str("the reading of Art. 19(2) the total uses"),
			"data_quality_rules": described(array(str("name/version")), "the data-quality rules that ran"),
		}), "the choices and factor-table versions behind the estimate"),
		"drugs":        described(array(line), "one Form B line per drug, grams of anhydrous base"),
		"total_me_mg":  number("Σ total_g × 1000 × ME factor over the drugs with one"),
		"need_me_mg":   nnum("the need model's ME for the year"),
		"flags":        described(array(str("a flag")), "need_projected, population_projected, mix_morphine_only, includes_unpublished_submission, illustrative_data"),
		"data_version": integer("the data version the published inputs were read at"),
	})
}
