package httpapi

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/reports"
)

type yearRangeQuery struct {
	From int `form:"from" binding:"omitempty,min=1900,max=2100"`
	To   int `form:"to" binding:"omitempty,min=1900,max=2100"`
}

type consumptionDTO struct {
	ISO3                    string         `json:"iso3"`
	Year                    int            `json:"year"`
	Drug                    string         `json:"drug"`
	Grams                   *float64       `json:"grams"`
	State                   string         `json:"state"` // reported, nil (INCB's "-") or not_reported (blank)
	ManufacturedG           *float64       `json:"manufactured_g"`
	UtilizedForManufactureG *float64       `json:"utilized_for_manufacture_g"`
	StockG                  *float64       `json:"stock_g"`
	SeizuresG               *float64       `json:"seizures_g"`
	Conversion              string         `json:"conversion,omitempty"`
	Lineage                 access.Lineage `json:"lineage"`
}

type estimateDTO struct {
	ISO3                    string         `json:"iso3"`
	Year                    int            `json:"year"`
	Drug                    string         `json:"drug"`
	Kind                    string         `json:"kind"`
	Status                  string         `json:"status"`
	ToBeConsumedG           *float64       `json:"to_be_consumed_g"`
	UtilizedForManufactureG *float64       `json:"utilized_for_manufacture_g"`
	StockTargetG            *float64       `json:"stock_target_g"`
	SpecialStocksG          *float64       `json:"special_stocks_g"`
	TotalG                  *float64       `json:"total_g"`
	Conversion              string         `json:"conversion,omitempty"`
	Lineage                 access.Lineage `json:"lineage"`
}

type populationDTO struct {
	ISO3    string         `json:"iso3"`
	Year    int            `json:"year"`
	Persons float64        `json:"persons"`
	Source  string         `json:"source"` // the series: every series is listed
	Lineage access.Lineage `json:"lineage"`
}

type deathsDTO struct {
	ISO3    string         `json:"iso3"`
	Year    int            `json:"year"`
	Cause   string         `json:"cause"`
	Deaths  float64        `json:"deaths"`
	Source  string         `json:"source"`
	Lineage access.Lineage `json:"lineage"`
}

// countryInputs reads one country's published values, answering 304 when
// the client is up to date, or the values as CSV when asked (?format=csv
// or Accept: text/csv); nil inputs mean the response is done.
func (s *Server) countryInputs(c *gin.Context) (*access.CountryInputs, error) {
	iso3, err := iso3Param(c)
	if err != nil {
		return nil, err
	}
	var q yearRangeQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		return nil, invalid(err)
	}
	if q.From > 0 && q.To > 0 && q.From > q.To {
		return nil, access.Errorf(access.Invalid, "", "from (%d) is after to (%d)", q.From, q.To)
	}
	asCSV, err := wantsCSV(c)
	if err != nil {
		return nil, err
	}
	variant := ""
	if asCSV {
		variant = "csv"
	}
	if done, err := s.conditional(c, "", variant); done || err != nil {
		return nil, err
	}
	in, err := s.cfg.Store.Inputs(c.Request.Context(), access.InputFilter{ISO3: iso3, FromYear: q.From, ToYear: q.To})
	if err != nil {
		return nil, err
	}
	ci, ok := in[iso3]
	if !ok {
		return nil, access.Errorf(access.NotFound, "", "no country %q", iso3)
	}
	if asCSV {
		var buf bytes.Buffer
		if err := reports.InputsCSV(&buf, inputKinds[c.FullPath()], *ci); err != nil {
			return nil, err
		}
		c.Header("Content-Type", csvContentType)
		c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", safeName(fmt.Sprintf("reliefgap-%s-%s.csv", iso3, inputKinds[c.FullPath()]))))
		c.Data(http.StatusOK, csvContentType, buf.Bytes())
		return nil, nil // the response is done
	}
	return ci, nil
}

// inputKinds is the kind of values each published-values route lists.
var inputKinds = map[string]access.ImportKind{
	APIPrefix + "/countries/:iso3/consumption": access.KindConsumption,
	APIPrefix + "/countries/:iso3/estimates":   access.KindEstimates,
	APIPrefix + "/countries/:iso3/population":  access.KindPopulation,
	APIPrefix + "/countries/:iso3/deaths":      access.KindDeaths,
}

func byYear[T any](xs []T, year func(T) int, key func(T) string) {
	slices.SortStableFunc(xs, func(a, b T) int {
		if o := cmp.Compare(year(a), year(b)); o != 0 {
			return o
		}
		return cmp.Compare(key(a), key(b))
	})
}

func (s *Server) countryConsumption(c *gin.Context) error {
	ci, err := s.countryInputs(c)
	if ci == nil {
		return err
	}
	out := make([]consumptionDTO, len(ci.Consumption))
	for i, r := range ci.Consumption {
		out[i] = consumptionDTO{ISO3: r.ISO3, Year: r.Year, Drug: r.Drug, Grams: r.Grams, State: string(r.GramsState()), ManufacturedG: r.Manufactured,
			UtilizedForManufactureG: r.UtilizedForManufacture, StockG: r.Stock, SeizuresG: r.Seizures,
			Conversion: r.Conversion, Lineage: r.Lineage}
	}
	byYear(out, func(d consumptionDTO) int { return d.Year }, func(d consumptionDTO) string { return d.Drug })
	c.JSON(http.StatusOK, listResponse[consumptionDTO]{Items: out})
	return nil
}

func (s *Server) countryEstimates(c *gin.Context) error {
	ci, err := s.countryInputs(c)
	if ci == nil {
		return err
	}
	out := make([]estimateDTO, len(ci.Estimates))
	for i, r := range ci.Estimates {
		out[i] = estimateDTO{ISO3: r.ISO3, Year: r.Year, Drug: r.Drug, Kind: string(r.Kind), Status: string(r.Status),
			ToBeConsumedG: r.ToBeConsumed, UtilizedForManufactureG: r.UtilizedForManufacture, StockTargetG: r.StockTarget,
			SpecialStocksG: r.SpecialStocks, TotalG: r.Total, Conversion: r.Conversion, Lineage: r.Lineage}
	}
	byYear(out, func(d estimateDTO) int { return d.Year }, func(d estimateDTO) string { return d.Drug + "\x00" + d.Kind })
	c.JSON(http.StatusOK, listResponse[estimateDTO]{Items: out})
	return nil
}

func (s *Server) countryPopulation(c *gin.Context) error {
	ci, err := s.countryInputs(c)
	if ci == nil {
		return err
	}
	out := make([]populationDTO, len(ci.Population))
	for i, r := range ci.Population {
		out[i] = populationDTO{ISO3: r.ISO3, Year: r.Year, Persons: r.Persons, Source: r.Source, Lineage: r.Lineage}
	}
	byYear(out, func(d populationDTO) int { return d.Year }, func(d populationDTO) string { return d.Source })
	c.JSON(http.StatusOK, listResponse[populationDTO]{Items: out})
	return nil
}

func (s *Server) countryDeaths(c *gin.Context) error {
	ci, err := s.countryInputs(c)
	if ci == nil {
		return err
	}
	out := make([]deathsDTO, len(ci.Deaths))
	for i, r := range ci.Deaths {
		out[i] = deathsDTO{ISO3: r.ISO3, Year: r.Year, Cause: r.Cause, Deaths: r.Deaths, Source: r.Source, Lineage: r.Lineage}
	}
	byYear(out, func(d deathsDTO) int { return d.Year }, func(d deathsDTO) string { return d.Cause + "\x00" + d.Source })
	c.JSON(http.StatusOK, listResponse[deathsDTO]{Items: out})
	return nil
}
