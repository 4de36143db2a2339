package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

var roles = []string{"public", "advocate", "ministry KEN", "ministry UGA", "invalid", "revoked", "admin"}

// want maps a role to the status it must get; roles not listed get def.
type want struct {
	def    int
	byRole map[string]int
}

func (w want) status(role string) int {
	if role == "invalid" || role == "revoked" {
		return http.StatusUnauthorized
	}
	if s, ok := w.byRole[role]; ok {
		return s
	}
	return w.def
}

func everyone(status int) want { return want{def: status} }

// uploadsOf: only the two ministries (for their own country) and admins.
func uploadsOf(country string, ok int) want {
	w := want{def: http.StatusForbidden, byRole: map[string]int{"public": http.StatusUnauthorized, "admin": ok,
		"ministry KEN": http.StatusNotFound, "ministry UGA": http.StatusNotFound}}
	w.byRole["ministry "+country] = ok
	return w
}

func adminOnly(ok int) want {
	return want{def: http.StatusForbidden, byRole: map[string]int{"public": http.StatusUnauthorized, "admin": ok}}
}

func TestAccessMatrix(t *testing.T) {
	e := newEnv(t)
	kenA := e.mustUpload("ministry KEN", "a.csv", consumptionCSV("KEN,2020,morphine,100"), nil, http.StatusAccepted)
	kenB := e.mustUpload("ministry KEN", "b.csv", consumptionCSV("KEN,2021,morphine,200"), nil, http.StatusAccepted)
	uga := e.mustUpload("ministry UGA", "u.csv", consumptionCSV("UGA,2020,morphine,300"), nil, http.StatusAccepted)
	if kenA.Status != "submitted" || kenA.Country != "KEN" || uga.Country != "UGA" {
		t.Fatalf("uploads: %+v %+v", kenA, uga)
	}
	throwaway := e.postJSON("admin", "/api/v1/keys", map[string]string{"role": "advocate", "name": "throwaway"})
	var tk struct{ ID int64 }
	throwaway.json(t, &tk)

	read := everyone(http.StatusOK)
	type endpoint struct {
		method, path string
		body         func(role string) (string, string) // body, content type
		want         want
	}
	upload := func(country, kind string) func(role string) (string, string) {
		return func(role string) (string, string) {
			data := consumptionCSV(fmt.Sprintf("%s,2019,morphine,1", country)) + "# " + role + "\n"
			if kind == "population" {
				data = "iso3,year,persons\n" + country + ",2019,1000\n# " + role + "\n"
			}
			b, ct := multipartBody("m.csv", []byte(data), map[string]string{"country": country, "kind": kind})
			return readAll(b), ct
		}
	}
	jsonBody := func(s string) func(string) (string, string) {
		return func(string) (string, string) { return s, "application/json" }
	}
	id := func(u uploadOut) string { return fmt.Sprint(u.ID) }
	endpoints := []endpoint{
		{"GET", "/api/v1/openapi.json", nil, read},
		{"GET", "/api/v1/countries", nil, read},
		{"GET", "/api/v1/countries/KEN", nil, read},
		{"GET", "/api/v1/drugs", nil, read},
		{"GET", "/api/v1/factor-tables", nil, read},
		{"GET", "/api/v1/factor-tables/sddd/1", nil, read},
		{"GET", "/api/v1/countries/KEN/gaps", nil, read},
		{"GET", "/api/v1/countries/UGA/gaps?from=2019&to=2021", nil, read},
		{"GET", "/api/v1/gaps?year=2020", nil, read},
		{"GET", "/api/v1/regions/AFR/gaps?year=2020", nil, read},
		{"GET", "/api/v1/income-groups/LIC/gaps?year=2020", nil, read},
		{"GET", "/api/v1/world/gaps?year=2020", nil, read},
		{"GET", "/api/v1/countries/KEN/consumption", nil, read},
		{"GET", "/api/v1/countries/KEN/estimates", nil, read},
		{"GET", "/api/v1/countries/UGA/population", nil, read},
		{"GET", "/api/v1/countries/UGA/deaths", nil, read},
		{"GET", "/api/v1/templates/consumption.xlsx", nil, read},
		{"GET", "/api/v1/templates/estimates.xlsx", nil, read},

		{"GET", "/api/v1/uploads", nil, want{def: http.StatusForbidden, byRole: map[string]int{"public": 401, "admin": 200, "ministry KEN": 200, "ministry UGA": 200}}},
		{"GET", "/api/v1/uploads?country=UGA", nil, want{def: http.StatusForbidden, byRole: map[string]int{"public": 401, "admin": 200, "ministry UGA": 200}}},
		{"GET", "/api/v1/uploads/" + id(kenA), nil, uploadsOf("KEN", 200)},
		{"GET", "/api/v1/uploads/" + id(kenA) + "/file", nil, uploadsOf("KEN", 200)},
		{"GET", "/api/v1/uploads/" + id(kenA) + "/annotated.xlsx", nil, uploadsOf("KEN", 200)},
		{"GET", "/api/v1/uploads/" + id(uga), nil, uploadsOf("UGA", 200)},
		{"GET", "/api/v1/uploads/" + id(uga) + "/file", nil, uploadsOf("UGA", 200)},
		{"GET", "/api/v1/uploads/999999", nil, uploadsOf("none", 404)},

		// A ministry uploads for its own country only, and only consumption and estimates.
		{"POST", "/api/v1/uploads", upload("KEN", "consumption"), want{def: 403, byRole: map[string]int{"public": 401, "ministry KEN": 202, "admin": 202}}},
		{"POST", "/api/v1/uploads", upload("UGA", "consumption"), want{def: 403, byRole: map[string]int{"public": 401, "ministry UGA": 202, "admin": 202}}},
		{"POST", "/api/v1/uploads", upload("KEN", "population"), adminOnly(202)},

		{"POST", "/api/v1/uploads/" + id(kenA) + "/publish", nil, adminOnly(200)},
		{"POST", "/api/v1/uploads/" + id(kenB) + "/reject", jsonBody(`{"reason":"figures do not add up"}`), adminOnly(200)},
		{"POST", "/api/v1/keys", jsonBody(`{"role":"ministry","country":"TZA","name":"Tanzania MoH"}`), adminOnly(201)},
		{"GET", "/api/v1/keys", nil, adminOnly(200)},
		{"DELETE", fmt.Sprintf("/api/v1/keys/%d", tk.ID), nil, adminOnly(204)},
	}
	for _, ep := range endpoints {
		for _, role := range roles {
			t.Run(ep.method+" "+ep.path+" as "+role, func(t *testing.T) {
				var body, ct string
				if ep.body != nil {
					body, ct = ep.body(role)
				}
				r := e.do(role, ep.method, ep.path, strings.NewReader(body), ct)
				if w := ep.want.status(role); r.Code != w {
					t.Fatalf("%d %s, want %d", r.Code, r.Body.String(), w)
				}
				if r.Code >= 400 && !strings.HasPrefix(r.Header().Get("Content-Type"), "application/problem+json") {
					t.Errorf("refusal has Content-Type %q", r.Header().Get("Content-Type"))
				}
			})
		}
	}

	t.Run("ministry lists only its own country", func(t *testing.T) {
		for _, role := range []string{"ministry KEN", "ministry UGA"} {
			var out struct{ Items []uploadOut }
			e.get(role, "/api/v1/uploads").json(t, &out)
			if len(out.Items) == 0 {
				t.Fatalf("%s sees no uploads", role)
			}
			for _, u := range out.Items {
				if u.Country != strings.TrimPrefix(role, "ministry ") {
					t.Errorf("%s sees upload %d of %s", role, u.ID, u.Country)
				}
			}
		}
	})
	t.Run("another country's upload looks missing", func(t *testing.T) {
		other := e.get("ministry UGA", "/api/v1/uploads/"+id(kenA))
		missing := e.get("ministry UGA", "/api/v1/uploads/999999")
		var a, b struct{ Detail string }
		other.json(t, &a)
		missing.json(t, &b)
		if other.Code != 404 || strings.Contains(a.Detail, "KEN") || strings.Contains(a.Detail, "forbid") {
			t.Fatalf("another country's upload: %d %s", other.Code, other.Body.String())
		}
		if strings.Replace(a.Detail, id(kenA), "N", 1) != strings.Replace(b.Detail, "999999", "N", 1) {
			t.Errorf("details differ: %q vs %q", a.Detail, b.Detail)
		}
	})
	t.Run("revoked key cannot even read public data", func(t *testing.T) {
		r := e.get("revoked", "/api/v1/countries")
		var p struct{ Code string }
		r.json(t, &p)
		if r.Code != 401 || p.Code != string(access.Unauthorized) {
			t.Fatalf("%d %s", r.Code, r.Body.String())
		}
	})
}

func readAll(r interface{ Read([]byte) (int, error) }) string {
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String()
		}
	}
}
