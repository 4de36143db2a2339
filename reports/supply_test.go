package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reliefgap/reliefgap/internal/access"
)

func TestSupplyTable(t *testing.T) {
	status := "confirmed"
	e := access.SupplyEstimate{Country: "KEN", Year: 2014,
		Methods: access.SupplyMethods{Projection: "max", NeedModel: &access.Ref{Name: "cancer-hiv", Version: 1}, Mix: "current",
			Phase: 1.0 / 3, StockMonths: 6, FactorTables: []access.Ref{{Name: "ppsg", Version: 1}}, FormBTotal: access.FormBTotalMethod},
		Drugs: []access.SupplyLine{
			{Drug: "morphine", ConsumptionProjectionG: access.F(1000), NeedBasedG: access.F(4000), PhasedG: 2000, AConsumptionG: 2000,
				CStockTargetG: 1000, TotalG: 3000, SubmittedTotalG: access.F(1500), SubmittedStatus: &status,
				Flags: []string{"below_phased_need"}, Explanation: "Morphine: why."},
			{Drug: "codeine", ConsumptionProjectionG: access.F(50), PhasedG: 50, AConsumptionG: 50, CStockTargetG: 25, TotalG: 75,
				Flags: []string{"consumption_only"}, Explanation: "Codeine: why."},
		},
		TotalMEMg: 3_000_000, NeedMEMg: access.F(4_000_000), Flags: []string{"need_projected"}}
	var b bytes.Buffer
	if err := SupplyTable(&b, e); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Supply estimate for KEN, 2014", "need model cancer-hiv v1", "phase 0.333", "factor tables ppsg v1",
		"flags: need_projected", "4000.0", "3000.0", "1500.0", "confirmed", "total: 3000000 mg morphine equivalent (need 4000000 mg)",
		"morphine [below_phased_need]:\nMorphine: why.", "codeine [consumption_only]:\nCodeine: why."} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// The codeine row leaves need-based, expected stock and the ministry's
	// figure empty: seven figures (projection, phased, a, b, c, d, total).
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "codeine ") && !strings.Contains(l, "[") && strings.Count(l, ".0") != 7 {
			t.Errorf("codeine row: %q", l)
		}
	}
}
