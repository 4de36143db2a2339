package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// publishKEN publishes 1,000 g of morphine consumed in Kenya in 2020 (sent
// by the Kenyan ministry) and a population of 50,000,000 (sent by an admin).
func (e *testEnv) publishKEN() {
	e.t.Helper()
	u := e.mustUpload("ministry KEN", "ken.csv", consumptionCSV("KEN,2020,morphine,1000"), map[string]string{"kind": "consumption"}, http.StatusAccepted)
	p := e.mustUpload("admin", "pop.csv", "iso3,year,persons\nKEN,2020,50000000\n", map[string]string{"kind": "population"}, http.StatusAccepted)
	for _, id := range []int64{u.ID, p.ID} {
		if r := e.postJSON("admin", fmt.Sprintf("/api/v1/uploads/%d/publish", id), nil); r.Code != 200 {
			e.t.Fatalf("publish %d: %d %s", id, r.Code, r.Body.String())
		}
	}
}

func openXLSX(t *testing.T, r response) *excelize.File {
	t.Helper()
	if r.Code != 200 || r.Header().Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("%d %q %s", r.Code, r.Header().Get("Content-Type"), r.Body.String())
	}
	if cd := r.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readCSV(t *testing.T, r response) [][]string {
	t.Helper()
	if r.Code != 200 || !strings.HasPrefix(r.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("%d %q %s", r.Code, r.Header().Get("Content-Type"), r.Body.String())
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Body.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// column returns the value of column name in record i of recs.
func column(t *testing.T, recs [][]string, i int, name string) string {
	t.Helper()
	j := slices.Index(recs[0], name)
	if j < 0 || i >= len(recs) {
		t.Fatalf("no column %q or record %d in %q", name, i, recs)
	}
	return recs[i][j]
}

func TestReportDownloads(t *testing.T) {
	e := newEnv(t)
	e.publishKEN()

	f := openXLSX(t, e.get("public", "/api/v1/countries/KEN/report.xlsx?from=2020&to=2020"))
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Summary", "Trend", "Drugs", "Estimates", "Methodology", "Sources"}) {
		t.Errorf("country report sheets = %q", got)
	}
	if v, _ := f.GetCellValue("Summary", "B4"); v != "Kenya" {
		t.Errorf("Summary!B4 = %q, want Kenya", v)
	}
	if v, _ := f.GetCellValue("Summary", "B9"); !strings.HasSuffix(v, " UTC") {
		t.Errorf("Summary!B9 (data as of) = %q, want a time", v)
	}
	// The Sources sheet names both uploads, by file name and the sender's role.
	rows, _ := f.GetRows("Sources")
	var files, roles []string
	for _, r := range rows[4:] {
		if len(r) > 5 && r[2] != "" {
			files, roles = append(files, r[2]), append(roles, r[5])
		}
	}
	if !slices.Equal(files, []string{"ken.csv", "pop.csv"}) || !slices.Equal(roles, []string{"ministry", "admin"}) {
		t.Errorf("Sources files %q roles %q", files, roles)
	}
	saveBook(t, "api-country-report.xlsx", e.get("public", "/api/v1/countries/KEN/report.xlsx?from=2020&to=2020").Body.Bytes())

	wr := e.get("public", "/api/v1/world/report.xlsx?year=2020")
	saveBook(t, "api-world-report.xlsx", wr.Body.Bytes())
	w := openXLSX(t, wr)
	rk, _ := w.GetRows("Ranking")
	if len(rk) < 5 || rk[4][1] != "KEN" || rk[4][0] != "1" {
		t.Errorf("world ranking first row = %q", rk[4:min(len(rk), 5)])
	}
	openXLSX(t, e.get("public", "/api/v1/regions/AFR/report.xlsx?year=2020"))
	openXLSX(t, e.get("public", "/api/v1/income-groups/LMC/report.xlsx?year=2020"))
	if r := e.get("public", "/api/v1/regions/XXX/report.xlsx?year=2020"); r.Code != http.StatusNotFound {
		t.Errorf("unknown region: %d", r.Code)
	}
	if r := e.get("public", "/api/v1/world/report.xlsx"); r.Code != http.StatusBadRequest {
		t.Errorf("no year: %d", r.Code)
	}
}

func TestCSVOnTableEndpoints(t *testing.T) {
	e := newEnv(t)
	e.publishKEN()

	// 1,000 g of morphine = 1,000,000 mg ME; ÷ 50,000,000 people = 0.02.
	recs := readCSV(t, e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2020&format=csv"))
	if len(recs) != 2 || column(t, recs, 1, "me_mg") != "1000000" || column(t, recs, 1, "me_mg_per_capita") != "0.02" || column(t, recs, 1, "name") != "Kenya" {
		t.Errorf("country csv = %q", recs)
	}
	recs = readCSV(t, e.get("public", "/api/v1/gaps?year=2020", "Accept", "text/csv"))
	if column(t, recs, 1, "iso3") != "KEN" || column(t, recs, 1, "rank") != "1" {
		t.Errorf("ranking csv first rows = %q", recs[:2])
	}
	recs = readCSV(t, e.get("public", "/api/v1/regions/AFR/gaps?year=2020&format=csv"))
	if len(recs) != 2 || column(t, recs, 1, "iso3") != "KEN" {
		t.Errorf("region csv = %q", recs)
	}
	recs = readCSV(t, e.get("public", "/api/v1/countries/KEN/drugs.csv?from=2020&to=2020"))
	if len(recs) != 2 || column(t, recs, 1, "drug") != "morphine" || column(t, recs, 1, "kg") != "1" {
		t.Errorf("drugs csv = %q", recs)
	}
	recs = readCSV(t, e.get("public", "/api/v1/countries/KEN/consumption?format=csv"))
	if len(recs) != 2 || column(t, recs, 1, "grams") != "1000" || column(t, recs, 1, "state") != "reported" {
		t.Errorf("consumption csv = %q", recs)
	}
	recs = readCSV(t, e.get("public", "/api/v1/countries/KEN/population", "Accept", "text/csv"))
	if len(recs) != 2 || column(t, recs, 1, "persons") != "50000000" {
		t.Errorf("population csv = %q", recs)
	}
	// CSV and JSON of one URL are told apart by their ETags.
	j := e.get("public", "/api/v1/countries/KEN/population")
	cv := e.get("public", "/api/v1/countries/KEN/population", "Accept", "text/csv")
	if j.Header().Get("ETag") == cv.Header().Get("ETag") {
		t.Error("JSON and CSV share an ETag")
	}
	if r := e.get("public", "/api/v1/countries/KEN/gaps?format=xml"); r.Code != http.StatusBadRequest {
		t.Errorf("format=xml: %d", r.Code)
	}
	// JSON stays the default.
	if r := e.get("public", "/api/v1/countries/KEN/gaps?from=2020&to=2020"); !strings.HasPrefix(r.Header().Get("Content-Type"), "application/json") {
		t.Errorf("default content type %q", r.Header().Get("Content-Type"))
	}
}

func TestDataSetDownload(t *testing.T) {
	e := newEnv(t)
	e.publishKEN()

	r1 := e.get("public", "/api/v1/download/gaps.csv")
	recs := readCSV(t, r1)
	// Seeded border changes give other countries rows too; Kenya's is 2020.
	ken := kenRow(t, recs)
	if column(t, recs, ken, "year") != "2020" || column(t, recs, ken, "me_mg") != "1000000" {
		t.Errorf("gaps.csv Kenya row = %q", recs[ken])
	}
	if !strings.Contains(r1.Header().Get("Link"), "gaps.xlsx") {
		t.Errorf("Link = %q", r1.Header().Get("Link"))
	}
	etag := r1.Header().Get("ETag")
	if r := e.get("public", "/api/v1/download/gaps.csv", "If-None-Match", etag); r.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.Code)
	}
	ds := e.get("public", "/api/v1/download/gaps.xlsx")
	saveBook(t, "api-gaps.xlsx", ds.Body.Bytes())
	f := openXLSX(t, ds)
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Data", "Drugs", "Dictionary", "Methodology", "Sources"}) {
		t.Errorf("data set sheets = %q", got)
	}
	// A new publication makes a new data version, so a new file.
	u := e.mustUpload("ministry KEN", "ken2.csv", consumptionCSV("KEN,2020,morphine,2000"), map[string]string{"kind": "consumption"}, http.StatusAccepted)
	if r := e.postJSON("admin", fmt.Sprintf("/api/v1/uploads/%d/publish", u.ID), nil); r.Code != 200 {
		t.Fatalf("publish: %d %s", r.Code, r.Body.String())
	}
	r2 := e.get("public", "/api/v1/download/gaps.csv")
	recs2 := readCSV(t, r2)
	if r2.Header().Get("ETag") == etag || column(t, recs2, kenRow(t, recs2), "me_mg") != "2000000" {
		t.Errorf("after a publication: ETag %q (was %q), body %s", r2.Header().Get("ETag"), etag, r2.Body.String())
	}
}

// saveBook keeps a workbook in $RELIEFGAP_REPORTS_OUT for scripts/check-workbooks.sh.
func saveBook(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("RELIEFGAP_REPORTS_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// kenRow is the index of Kenya's record in recs.
func kenRow(t *testing.T, recs [][]string) int {
	t.Helper()
	for i := 1; i < len(recs); i++ {
		if recs[i][0] == "KEN" {
			return i
		}
	}
	t.Fatalf("no Kenya row in %d records", len(recs))
	return 0
}
