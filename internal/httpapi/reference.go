package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/reliefgap/reliefgap/internal/access"
)

// countryDTO is a country as the API shows it.
type countryDTO struct {
	ISO3          string   `json:"iso3"`
	ISO2          string   `json:"iso2"`
	Numeric       string   `json:"numeric"`
	Name          string   `json:"name"`
	OfficialName  string   `json:"official_name,omitempty"`
	Aliases       []string `json:"aliases,omitempty"`
	WHORegion     string   `json:"who_region"`
	UNRegion      string   `json:"un_region"`
	UNSubregion   string   `json:"un_subregion"`
	IncomeGroup   string   `json:"income_group"`
	IncomeVintage string   `json:"income_vintage"`
}

func toCountryDTO(c access.Country) countryDTO {
	return countryDTO{ISO3: c.ISO3, ISO2: c.ISO2, Numeric: c.Numeric, Name: c.Name, OfficialName: c.OfficialName,
		Aliases: c.Aliases, WHORegion: c.WHORegion, UNRegion: c.UNRegion, UNSubregion: c.UNSubregion,
		IncomeGroup: c.IncomeGroup, IncomeVintage: c.IncomeVintage}
}

type drugDTO struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Synonyms   []string `json:"synonyms,omitempty"`
	Convention string   `json:"convention"`
	PainBasket bool     `json:"pain_basket"`
}

type factorRowDTO struct {
	Key        string  `json:"key"`
	Drug       string  `json:"drug,omitempty"`
	Value      float64 `json:"value"`
	Share      float64 `json:"share,omitempty"`
	MgPerDay   float64 `json:"mg_per_day,omitempty"`
	Days       float64 `json:"days,omitempty"`
	Label      string  `json:"label,omitempty"`
	Assumption bool    `json:"assumption,omitempty"`
	Confidence string  `json:"confidence,omitempty"`
	Note       string  `json:"note,omitempty"`
}

type factorTableDTO struct {
	Name       string         `json:"name"`
	Version    int            `json:"version"`
	Kind       string         `json:"kind"`
	Title      string         `json:"title"`
	Source     string         `json:"source"`
	Confidence string         `json:"confidence"`
	Notes      string         `json:"notes,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	RowCount   int            `json:"row_count"`
	Rows       []factorRowDTO `json:"rows,omitempty"`
	Href       string         `json:"href"`
}

func toFactorTableDTO(t access.FactorTable, withRows bool) factorTableDTO {
	d := factorTableDTO{Name: t.Name, Version: t.Version, Kind: string(t.Kind), Title: t.Title, Source: t.Source,
		Confidence: t.Confidence, Notes: t.Notes, CreatedAt: t.CreatedAt, RowCount: len(t.Rows),
		Href: APIPrefix + "/factor-tables/" + t.Name + "/" + strconv.Itoa(t.Version)}
	if withRows {
		d.Rows = make([]factorRowDTO, len(t.Rows))
		for i, r := range t.Rows {
			d.Rows[i] = factorRowDTO{Key: r.Key, Drug: r.Drug, Value: r.Value, Share: r.Share, MgPerDay: r.MgPerDay,
				Days: r.Days, Label: r.Label, Assumption: r.Assumption, Confidence: r.Confidence, Note: r.Note}
		}
	}
	return d
}

// listResponse wraps every list, leaving room for paging.
type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// writeList answers 200 with every item converted to its DTO, unpaged.
func writeList[T, D any](c *gin.Context, items []T, toDTO func(T) D) {
	out := make([]D, len(items))
	for i, x := range items {
		out[i] = toDTO(x)
	}
	c.JSON(http.StatusOK, listResponse[D]{Items: out})
}

func (s *Server) listCountries(c *gin.Context) error {
	cs, err := s.cfg.Store.Countries(c.Request.Context())
	if err != nil {
		return err
	}
	writeList(c, cs, toCountryDTO)
	return nil
}

// iso3Param reads and normalises the :iso3 path parameter.
func iso3Param(c *gin.Context) (string, error) {
	iso3 := strings.ToUpper(c.Param("iso3"))
	if len(iso3) != 3 {
		return "", access.Errorf(access.Invalid, "", "%q is not an ISO 3166-1 alpha-3 code", c.Param("iso3"))
	}
	for _, r := range iso3 {
		if r < 'A' || r > 'Z' {
			return "", access.Errorf(access.Invalid, "", "%q is not an ISO 3166-1 alpha-3 code", c.Param("iso3"))
		}
	}
	return iso3, nil
}

func (s *Server) getCountry(c *gin.Context) error {
	iso3, err := iso3Param(c)
	if err != nil {
		return err
	}
	x, err := s.cfg.Store.Country(c.Request.Context(), iso3)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toCountryDTO(x))
	return nil
}

func (s *Server) listDrugs(c *gin.Context) error {
	ds, err := s.cfg.Store.Drugs(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]drugDTO, len(ds))
	for i, d := range ds {
		out[i] = drugDTO{Code: d.Code, Name: d.Name, Synonyms: d.Synonyms, Convention: d.Convention, PainBasket: d.PainBasket}
	}
	c.JSON(http.StatusOK, listResponse[drugDTO]{Items: out})
	return nil
}

func (s *Server) listFactorTables(c *gin.Context) error {
	ts, err := s.cfg.Store.FactorTables(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]factorTableDTO, len(ts))
	for i, t := range ts {
		out[i] = toFactorTableDTO(t, false)
	}
	c.JSON(http.StatusOK, listResponse[factorTableDTO]{Items: out})
	return nil
}

func (s *Server) getFactorTable(c *gin.Context) error {
	v := c.Param("version")
	version := 0
	if v != "latest" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return access.Errorf(access.Invalid, "", "version must be a positive integer or \"latest\"")
		}
		version = n
	}
	t, err := s.cfg.Store.FactorTable(c.Request.Context(), c.Param("name"), version)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toFactorTableDTO(t, true))
	return nil
}
