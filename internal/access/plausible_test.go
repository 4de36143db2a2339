package access

import (
	"math"
	"testing"
)

func TestCheckBatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    Batch
		ok   bool
	}{
		{"10^6 kg", Batch{Consumption: []Consumption{{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: F(1e9)}}}, true},
		{"over 10^6 kg", Batch{Consumption: []Consumption{{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: F(1e9 + 1)}}}, false},
		{"+Inf stock", Batch{Consumption: []Consumption{{ISO3: "KEN", Year: 2020, Drug: "morphine", Stock: F(math.Inf(1))}}}, false},
		{"NaN estimate total", Batch{Estimates: []Estimate{{ISO3: "KEN", Year: 2020, Drug: "morphine", Total: F(math.NaN())}}}, false},
		{"negative estimate", Batch{Estimates: []Estimate{{ISO3: "KEN", Year: 2020, Drug: "morphine", ToBeConsumed: F(-1)}}}, false},
		{"NaN persons", Batch{Population: []Population{{ISO3: "KEN", Year: 2020, Persons: math.NaN()}}}, false},
		{"-Inf deaths", Batch{Deaths: []Deaths{{ISO3: "KEN", Year: 2020, Deaths: math.Inf(-1)}}}, false},
		{"Inf price", Batch{Availability: []AvailabilitySurvey{{ISO3: "KEN", Year: 2020, MedianUnitPrice: F(math.Inf(1))}}}, false},
		{"tiny", Batch{Consumption: []Consumption{{ISO3: "KEN", Year: 2020, Drug: "morphine", Grams: F(1e-300)}}}, true},
	} {
		err := CheckBatch(tc.b)
		if (err == nil) != tc.ok || (err != nil && ErrorCode(err) != Invalid) {
			t.Errorf("%s: CheckBatch = %v", tc.name, err)
		}
	}
}

func TestMETallyWarnings(t *testing.T) {
	me := map[string]float64{"morphine": 1, "fentanyl": 83.3}
	tally := NewMETally(func(d string) (float64, bool) { v, ok := me[d]; return v, ok })
	tally.Add([]Consumption{
		// AAA 2020: 5,000 g morphine × 1000 + 50 g fentanyl × 1000 × 83.3
		// = 5,000,000 + 4,165,000 = 9,165,000 mg over 1,000 persons = 9,165 mg: no warning.
		{ISO3: "AAA", Year: 2020, Drug: "morphine", Grams: F(5000)},
		{ISO3: "AAA", Year: 2020, Drug: "fentanyl", Grams: F(50)},
		// AAA 2021: 10,001 g morphine / 1,000 persons = 10,001 mg: warning.
		{ISO3: "AAA", Year: 2021, Drug: "morphine", Grams: F(10001)},
		// codeine has no factor; BBB has no population.
		{ISO3: "AAA", Year: 2022, Drug: "codeine", Grams: F(1e8)},
		{ISO3: "BBB", Year: 2020, Drug: "morphine", Grams: F(1e8)},
	})
	pop := func(iso3 string, year int) (float64, bool) { return 1000, iso3 == "AAA" }
	got := tally.Warnings(pop)
	if len(got) != 1 || got[0].Message[:len("AAA 2021: 10001 mg")] != "AAA 2021: 10001 mg" || got[0].Severity != SeverityWarning {
		t.Fatalf("warnings = %+v", got)
	}
	if c := tally.Countries(); len(c) != 2 || c[0] != "AAA" || c[1] != "BBB" {
		t.Fatalf("countries = %v", c)
	}
}

// Years may come in any order and batches may split a country-year: the
// sums are the same, and warnings follow the order in which country-years
// were first seen.
func TestMETallyYearsInAnyOrder(t *testing.T) {
	tally := NewMETally(func(string) (float64, bool) { return 1, true })
	tally.Add([]Consumption{
		{ISO3: "AAA", Year: 2010, Drug: "morphine", Grams: F(20000)}, // 20,000,000 mg / 1,000 = 20,000 mg
		{ISO3: "BBB", Year: 1995, Drug: "morphine", Grams: F(6000)},
	})
	tally.Add([]Consumption{
		{ISO3: "AAA", Year: 2001, Drug: "morphine", Grams: F(30000)}, // before the first year seen: 30,000 mg
		{ISO3: "BBB", Year: 1995, Drug: "morphine", Grams: F(6000)},  // BBB 1995: 6,000 + 6,000 g = 12,000 mg
		{ISO3: "AAA", Year: 2015, Drug: "morphine", Grams: F(5000)},  // after it: 5,000 mg, no warning
	})
	got := tally.Warnings(func(string, int) (float64, bool) { return 1000, true })
	want := []string{"AAA 2010: 20000 mg", "BBB 1995: 12000 mg", "AAA 2001: 30000 mg"}
	if len(got) != len(want) {
		t.Fatalf("warnings = %+v", got)
	}
	for i, w := range want {
		if got[i].Message[:len(w)] != w {
			t.Errorf("warning %d = %q, want %q…", i, got[i].Message, w)
		}
	}
}
