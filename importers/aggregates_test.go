package importers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/xuri/excelize/v2"
)

func TestAggregateTable(t *testing.T) {
	if aggregates.version != 1 {
		t.Errorf("version %d", aggregates.version)
	}
	wb := 0
	for _, a := range aggregates.byCode {
		if a.publisher == "worldbank" {
			wb++
		}
	}
	// The CLASS FY2026 composition sheet lists 48 groups; the table adds
	// INX (not classified).
	if wb != 49 {
		t.Errorf("%d World Bank codes", wb)
	}
	for _, s := range []string{"ARB", "arb", "Euro area", "OWID_WRL", "XX1", "WB_LMI", "GLOBAL", "001", "1", "902",
		"Total Africa", "Africa total", "Total", "High-income countries", "Low SDI"} {
		if _, ok := aggregates.lookup(s); !ok {
			t.Errorf("%q is not known as an aggregate", s)
		}
	}
	for _, s := range []string{"Kenya", "KEN", "CHI", "XKX", "404", "OWID_KOS", "Total morphine"} {
		if _, ok := aggregates.lookup(s); ok {
			t.Errorf("%q taken for an aggregate", s)
		}
	}
	if a, _ := aggregates.lookupFor("Africa", "un"); a.publisher != "un" {
		t.Errorf("Africa in a UN file: %+v", a)
	}
	if _, err := parseAggregates("publisher,group,code,name\nnobody,x,Y,Z\n"); err == nil {
		t.Error("unknown publisher accepted")
	}
}

// TestAggregatesSkippedAndReported: a WDI long download with region,
// income and lending groups among its rows imports its countries (the
// Channel Islands and Kosovo included), skips the groups and reports them
// once; an unknown code is still an error with suggestions.
func TestAggregatesSkippedAndReported(t *testing.T) {
	text := "Country Name,Country Code,Year,Value\n" +
		"Africa Eastern and Southern,AFE,2019,685112705\n" +
		"Arab World,ARB,2019,427870270\n" +
		"Channel Islands,CHI,2019,172264\n" +
		"Euro area,EMU,2019,342000000\n" +
		"Kenya,KEN,2019,51000000\n" +
		"Kosovo,XKX,2019,1788878\n" +
		"IDA total,IDA,2019,1600000000\n" +
		"Arab World,ARB,2018,419790588\n"
	c := parseCSV(t, text)
	noErrors(t, c)
	if len(c.b.Population) != 3 || c.Rows != 8 {
		t.Fatalf("records %+v rows %d", c.b.Population, c.Rows)
	}
	s := c.withCode(CodeAggregatesSkipped)
	if len(s) != 1 || s[0].Severity != access.SeverityWarning ||
		s[0].Message != "skipped 5 aggregate rows: Africa Eastern and Southern, Arab World, Euro area, IDA total (World Bank aggregates, aggregate table v1)" {
		t.Errorf("summary %+v", s)
	}
	bad := parseCSV(t, "Country Name,Country Code,Year,Value\nKenia,KEX,2019,5\n")
	e := bad.withCode(CodeUnknownCountry)
	if len(e) != 1 || !strings.Contains(e[0].Message, "Kenya") {
		t.Errorf("unknown %+v", bad.Problems)
	}
}

func TestAggregatesOWIDAndGHO(t *testing.T) {
	owid := parseCSV(t, "Entity,Code,Year,Deaths - Neoplasms - Sex: Both - Age: All Ages (Number)\n"+
		"Africa,,2019,700000\nKenya,KEN,2019,20000\nKosovo,OWID_KOS,2019,2000\nWorld,OWID_WRL,2019,10000000\n"+
		"High-income countries,,2019,3000000\nAsia (excl. something),OWID_ASX,2019,1\n")
	noErrors(t, owid)
	if len(owid.b.Deaths) != 2 {
		t.Fatalf("deaths %+v", owid.b.Deaths)
	}
	if s := owid.withCode(CodeAggregatesSkipped); len(s) != 1 || !strings.HasPrefix(s[0].Message, "skipped 4 aggregate rows: Africa, World, High-income countries, Asia (excl. something) (Our World in Data") {
		t.Errorf("owid summary %+v", s)
	}
}

// TestINCBSubtotals: region subtotal and Total rows are skipped and
// checked against their countries, after them or as headings before them.
func TestINCBSubtotals(t *testing.T) {
	// Africa: 8 + 0.5 ≈ 9 (rounding, 2 countries: tolerance 1 kg) passes;
	// Americas: 3 ≠ 10 is beyond rounding; Total 22 ≠ 8+0.5+3 = 11.5.
	trailing := xlsxOf(t, sheetSpec{name: "Morphine", rows: grid(
		"Consumption of morphine (kilograms)",
		"Country or territory|2013",
		"United Republic of Tanzania|8",
		"Kenya|0.5",
		"Africa|9",
		"United States of America|3",
		"Total Americas|10",
		"Total|22",
	)})
	c := parse(t, access.ParseInput{Filename: "incb.xlsx", Data: trailing})
	noErrors(t, c)
	if len(c.b.Consumption) != 3 {
		t.Fatalf("records %+v", c.b.Consumption)
	}
	m := c.withCode(CodeSubtotalMismatch)
	if len(m) != 2 || m[0].Row != 7 || m[0].Column != "B" || m[0].Value != "10" || m[1].Row != 8 {
		t.Errorf("mismatches %+v", m)
	}
	if s := c.withCode(CodeAggregatesSkipped); len(s) != 1 || !strings.Contains(s[0].Message, "skipped 3 aggregate rows: Africa, Total Americas, Total (INCB") {
		t.Errorf("summary %+v", s)
	}
	heading := xlsxOf(t, sheetSpec{name: "2013", rows: grid(
		"(kilograms)",
		"Country|Morphine|Codeine",
		"Africa|8|46,498",
		"Kenya|5|46,000",
		"Uganda|3|498",
		"Americas|3|0",
		"United States of America|3|-",
	)})
	h := parse(t, access.ParseInput{Filename: "incb.xlsx", Data: heading})
	noErrors(t, h)
	if m := h.withCode(CodeSubtotalMismatch); len(m) != 0 {
		t.Errorf("heading layout: %+v", m)
	}
}

// TestAggregatesCoverCLASSComposition: every group of the World Bank's
// CLASS workbook ("composition" sheet) is in the aggregate table.
func TestAggregatesCoverCLASSComposition(t *testing.T) {
	b := readShared(t, "samples/wb_country_classification_CLASS_FY2026.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("composition")
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]string{}
	for _, r := range rows[1:] {
		if len(r) >= 2 {
			groups[r[0]] = r[1]
		}
	}
	if len(groups) < 40 {
		t.Fatalf("%d groups in the composition sheet", len(groups))
	}
	for code, name := range groups {
		for _, s := range []string{code, name} {
			if a, ok := aggregates.lookup(s); !ok || a.publisher != "worldbank" && s == code {
				t.Errorf("%q (%s %s) is not a World Bank aggregate in the table", s, code, name)
			}
		}
	}
}
