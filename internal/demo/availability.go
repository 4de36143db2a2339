package demo

import (
	"bytes"
	"fmt"
)

// surveyRow is an invented WHO/HAI survey result for one medicine: public
// and private sector availability (%), median price ratio and facilities
// surveyed, the public median unit price and the daily wage (local
// currency).
type surveyRow struct {
	iso3, currency   string
	year             int
	medicine         string
	pubPct, pubMPR   float64
	pubN             int
	pubPrice         float64
	privPct, privMPR float64
	privN            int
	wage             float64
}

// Invented, illustrative figures; Kenya's survey is more than five years
// older than the demo's last year, so its flag shows; Nigeria has none.
var surveys = []surveyRow{
	{"KEN", "KES", 2016, "morphine tablet 10 mg (immediate-release)", 20, 1.8, 30, 5, 5, 3.2, 30, 250},
	{"KEN", "KES", 2016, "morphine oral liquid 10 mg/5 ml", 35, 1.2, 30, 1.5, 10, 2.4, 30, 250},
	{"KEN", "KES", 2016, "morphine injection 10 mg/ml", 60, 1.1, 30, 40, 15, 2.0, 30, 250},
	{"UGA", "UGX", 2019, "morphine oral liquid 10 mg/5 ml", 55, 0.9, 40, 60, 8, 1.9, 40, 3000},
	{"UGA", "UGX", 2019, "morphine injection 10 mg/ml", 40, 1.3, 40, 2500, 12, 2.2, 40, 3000},
	{"IND", "INR", 2018, "morphine tablet 10 mg (immediate-release)", 4, 2.6, 60, 3, 2, 4.1, 60, 350},
	{"IND", "INR", 2018, "morphine injection 10 mg/ml", 25, 1.4, 60, 30, 6, 3.0, 60, 350},
	{"IND", "INR", 2018, "fentanyl transdermal patch 25 micrograms/hour", 3, 3.5, 60, 0, 5, 4.8, 60, 350},
}

// ccsAnswers are invented NCD country-capacity answers.
var ccsAnswers = []struct {
	iso3, answer string
	year         int
}{
	{"KEN", "Yes", 2019}, {"UGA", "Yes", 2019}, {"NGA", "No", 2019}, {"IND", "Don't know", 2017},
	{"BGD", "No", 2019}, {"ZAF", "Yes", 2019}, {"EGY", "No", 2015},
}

// availabilityFiles are the demo's WHO/HAI-style survey summary (one row
// per country and medicine) and GHO-style country-capacity export.
func availabilityFiles() (survey, ccs []byte) {
	var s, c bytes.Buffer
	s.WriteString("Survey title:,Illustrative demo surveys (invented figures)\n")
	s.WriteString("Reference price:,MSH International Medical Products Price Guide\nReference price year:,2015\n\n")
	s.WriteString("Country,Survey year,Medicine,Currency,Lowest-paid government worker daily wage," +
		"Public % availability,Public MPR,Public facilities surveyed,Public median unit price," +
		"Private % availability,Private MPR,Private facilities surveyed\n")
	for _, r := range surveys {
		fmt.Fprintf(&s, "%s,%d,%s,%s,%s,%s,%s,%d,%s,%s,%s,%d\n", r.iso3, r.year, r.medicine, r.currency, num(r.wage),
			num(r.pubPct), num(r.pubMPR), r.pubN, num(r.pubPrice), num(r.privPct), num(r.privMPR), r.privN)
	}
	c.WriteString("Indicator,SpatialDimValueCode,Period,Value\n")
	for _, a := range ccsAnswers {
		fmt.Fprintf(&c, "General availability of oral morphine in public primary care facilities (illustrative),%s,%d,%s\n", a.iso3, a.year, a.answer)
	}
	return s.Bytes(), c.Bytes()
}
