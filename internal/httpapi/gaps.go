package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

type countryGapsQuery struct {
	From  int    `form:"from" binding:"omitempty,min=1900,max=2100"`
	To    int    `form:"to" binding:"omitempty,min=1900,max=2100"`
	Model string `form:"model" binding:"max=64"`
	AsOf  int64  `form:"as_of" binding:"omitempty,min=1"`
}

// countryGaps answers with access.CountryGaps exactly as the service makes it.
func (s *Server) countryGaps(c *gin.Context) error {
	iso3, err := iso3Param(c)
	if err != nil {
		return err
	}
	var q countryGapsQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	if asCSV, err := wantsCSV(c); err != nil || asCSV {
		if err != nil {
			return err
		}
		return s.countryGapsCSV(c, iso3, q)
	}
	if done, err := s.figuresConditional(c, q.Model, "", q.AsOf); done || err != nil {
		return err
	}
	return s.cachedJSON(c, func() (any, error) {
		return s.cfg.Gaps.At(q.AsOf).Country(c.Request.Context(), iso3, q.From, q.To, q.Model)
	})
}

type groupGapsQuery struct {
	Year  int    `form:"year" binding:"required,min=1900,max=2100"`
	Model string `form:"model" binding:"max=64"`
	AsOf  int64  `form:"as_of" binding:"omitempty,min=1"`
	// Countries limits the group's ranking (not its figures) to these ISO3
	// codes, comma-separated.
	Countries string `form:"countries" binding:"max=400"`
	only      []string
}

// groupGapsLimited is a group's figures with its ranking limited to the
// countries asked for, which it names.
type groupGapsLimited struct {
	access.GroupGaps
	RankingCountries []string `json:"ranking_countries"`
}

// groupGaps serves /regions/:code/gaps, /income-groups/:code/gaps and
// /world/gaps with access.GroupGaps unchanged; with countries= the ranking
// keeps only those countries, each at its rank in the whole group, and the
// answer names them in ranking_countries.
func (s *Server) groupGaps(c *gin.Context) error {
	var q groupGapsQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	var err error
	if q.only, err = access.ParseCountryList(q.Countries, maxRankCountries); err != nil {
		return err
	}
	kind, code := groupKind(c)
	if asCSV, err := wantsCSV(c); err != nil || asCSV {
		if err != nil {
			return err
		}
		return s.groupGapsCSV(c, kind, code, q)
	}
	if done, err := s.figuresConditional(c, q.Model, "", q.AsOf); done || err != nil {
		return err
	}
	return s.cachedJSON(c, func() (any, error) {
		g, err := s.cfg.Gaps.At(q.AsOf).Group(c.Request.Context(), kind, code, q.Year, q.Model)
		if err != nil || len(q.only) == 0 {
			return g, err
		}
		g.Ranking = access.OnlyRanked(g.Ranking, q.only)
		return groupGapsLimited{GroupGaps: g, RankingCountries: q.only}, nil
	})
}

type rankQuery struct {
	Year   int    `form:"year" binding:"required,min=1900,max=2100"`
	Region string `form:"region"`
	Income string `form:"income"`
	Sort   string `form:"sort"`
	Limit  int    `form:"limit" binding:"omitempty,min=1"`
	Cursor string `form:"cursor"`
	Model  string `form:"model" binding:"max=64"`
	AsOf   int64  `form:"as_of" binding:"omitempty,min=1"`
	// Countries limits the list to these ISO3 codes (comma-separated), so
	// that a comparison is one request.
	Countries string `form:"countries" binding:"max=400"`
}

// maxRankCountries bounds countries= on /gaps.
const maxRankCountries = 50

const (
	defaultRankSort  = "-me_mg_per_capita"
	defaultPageSize  = 50
	maxPagePublic    = 200
	maxPageElevated  = 1000
	maxUploadsPage   = 200
	defaultUploadsPg = 50
)

// rankedGapDTO is one country's figures for the ranked year.
type rankedGapDTO struct {
	Position             int               `json:"position"`
	Country              access.CountryRef `json:"country"`
	Population           *float64          `json:"population"`
	MEMg                 *float64          `json:"me_mg"`
	MEMgPerCapita        *float64          `json:"me_mg_per_capita"`
	SDDDPerMillionPerDay *float64          `json:"sddd_per_million_per_day"`
	SDDD3YrAvg           *float64          `json:"sddd_3yr_avg"`
	Adequacy             *string           `json:"adequacy"`
	BenchmarkIndex       *float64          `json:"benchmark_index"`
	BenchmarkBand        *string           `json:"benchmark_band"`
	NeedMEMg             *float64          `json:"need_me_mg"`
	NeedMetPct           *float64          `json:"need_met_pct"`
	GapMEMg              *float64          `json:"gap_me_mg"`
	MorphineKgToCloseGap *float64          `json:"morphine_kg_to_close_gap"`
	CostToCloseGapUSD    *float64          `json:"cost_to_close_gap_usd"`
	Flags                []string          `json:"flags"`
	Href                 string            `json:"href"`
}

type rankResponse struct {
	DataVersion int64 `json:"data_version"`
	access.Denominators
	Year       int             `json:"year"`
	Sort       string          `json:"sort"`
	Region     string          `json:"region,omitempty"`
	Income     string          `json:"income,omitempty"`
	Countries  []string        `json:"countries,omitempty"`
	Total      int             `json:"total"`
	Methods    *access.Methods `json:"methods"`
	Items      []rankedGapDTO  `json:"items"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// pageCursor is the opaque position in a list; Query ties it to the
// query it was made for.
type pageCursor struct {
	Offset int    `json:"o,omitempty"`
	Before int64  `json:"b,omitempty"`
	Query  string `json:"q"`
}

func encodeCursor(pc pageCursor) string {
	b, _ := json.Marshal(pc)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, query string) (pageCursor, error) {
	var pc pageCursor
	if s == "" {
		return pc, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &pc)
	}
	if err != nil || pc.Offset < 0 || pc.Before < 0 {
		return pageCursor{}, access.Errorf(access.Invalid, "", "malformed cursor")
	}
	if pc.Query != query {
		return pageCursor{}, access.Errorf(access.Invalid, "", "the cursor belongs to another query")
	}
	return pc, nil
}

func queryFingerprint(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:6])
}

func pageLimit(p access.Principal, asked, def, max int) int {
	if p.Role == access.RoleAdvocate || p.Role == access.RoleAdmin {
		max = maxPageElevated
	}
	if asked <= 0 {
		return def
	}
	return min(asked, max)
}

// rankGaps ranks every country (or those of a WHO region or income group)
// for one year by a whitelisted figure; countries without it come last.
func (s *Server) rankGaps(c *gin.Context) error {
	var q rankQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return invalid(err)
	}
	q.Region, q.Income = strings.ToUpper(q.Region), strings.ToUpper(q.Income)
	only, err := access.ParseCountryList(q.Countries, maxRankCountries)
	if err != nil {
		return err
	}
	if q.Sort == "" {
		q.Sort = defaultRankSort
	}
	rq := access.RankQuery{Year: q.Year, Region: q.Region, Income: q.Income, Sort: q.Sort}
	if _, err := access.RankCountries(nil, rq); err != nil {
		return err // a bad region, income group or sort field, before any work
	}
	if asCSV, err := wantsCSV(c); err != nil || asCSV {
		if err != nil {
			return err
		}
		return s.rankCSV(c, q, only)
	}
	limit := pageLimit(who(c), q.Limit, defaultPageSize, maxPagePublic)
	fp := queryFingerprint(fmt.Sprint(q.Year), q.Region, q.Income, q.Sort, q.Model, strings.Join(only, ","))
	cur, err := decodeCursor(q.Cursor, fp)
	if err != nil {
		return err
	}
	if done, err := s.figuresConditional(c, q.Model, fmt.Sprint(limit), q.AsOf); done || err != nil {
		return err
	}
	all, err := s.cfg.Gaps.At(q.AsOf).All(c.Request.Context(), q.Year, q.Year, q.Model)
	if err != nil {
		return err
	}
	rows, err := access.RankCountries(access.OnlyCountries(all, only), rq)
	if err != nil {
		return err
	}
	resp := rankPage(q, all, rows, cur.Offset, limit, fp)
	resp.Countries = only
	setNextLink(c, resp.NextCursor)
	c.JSON(http.StatusOK, resp)
	return nil
}

// rankPage is the page of rows from offset, with the cursor of the next.
func rankPage(q rankQuery, all []access.CountryGaps, rows []access.CountryYear, offset, limit int, fp string) rankResponse {
	resp := rankResponse{Year: q.Year, Sort: q.Sort, Region: q.Region, Income: q.Income, Total: len(rows), Items: []rankedGapDTO{}}
	if len(all) > 0 {
		resp.DataVersion, resp.Denominators = all[0].DataVersion, all[0].Denominators
	}
	if len(rows) > 0 {
		m := rows[0].Methods
		resp.Methods = &m
	}
	start := min(offset, len(rows))
	end := min(start+limit, len(rows))
	for i, r := range rows[start:end] {
		y := r.Figures
		flags := y.Flags
		if flags == nil {
			flags = []string{}
		}
		resp.Items = append(resp.Items, rankedGapDTO{Position: start + i + 1, Country: r.Country, Population: y.Population,
			MEMg: y.MEMg, MEMgPerCapita: y.MEMgPerCapita, SDDDPerMillionPerDay: y.SDDDPerMillionPerDay,
			SDDD3YrAvg: y.SDDD3YrAvg, Adequacy: y.Adequacy, BenchmarkIndex: y.BenchmarkIndex, BenchmarkBand: y.BenchmarkBand,
			NeedMEMg: y.NeedMEMg, NeedMetPct: y.NeedMetPct, GapMEMg: y.GapMEMg, MorphineKgToCloseGap: y.MorphineKgToCloseGap,
			CostToCloseGapUSD: y.CostToCloseGapUSD,
			Flags:             flags, Href: fmt.Sprintf("%s/countries/%s/gaps?from=%d&to=%d", APIPrefix, r.Country.ISO3, q.Year, q.Year)})
	}
	if end < len(rows) {
		resp.NextCursor = encodeCursor(pageCursor{Offset: end, Query: fp})
	}
	return resp
}

// glossaryDTO is every flag and band with its meaning and severity.
type glossaryDTO struct {
	Items []access.GlossaryEntry `json:"items"`
}

// glossary serves the catalogue of flags and bands.
func (s *Server) glossary(c *gin.Context) error {
	c.JSON(http.StatusOK, glossaryDTO{Items: access.Glossary()})
	return nil
}
