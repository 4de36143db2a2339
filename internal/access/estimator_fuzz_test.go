package access

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzEstimateSupply: any history, stock-out days, deaths, population and
// options give an estimate without panicking, or an Invalid error; every
// line is finite, non-negative and adds up.
func FuzzEstimateSupply(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 2014, 0.33, 6.0)
	f.Add([]byte{}, 2100, 1.0, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, year int, phase, months float64) {
		num := func(i int) float64 {
			if len(data) < 8*(i+1) {
				return float64(i)
			}
			return math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		drugs := []string{"morphine", "fentanyl", "codeine"}
		var in CountryInputs
		for i := 0; i < len(data)/8 && i < 40; i++ {
			c := Consumption{Year: 2000 + i/3, Drug: drugs[i%3], Grams: F(num(i))}
			if i%4 == 0 {
				c.StockOutDays = F(math.Mod(math.Abs(num(i)), 400))
				c.Stock = F(num(i) / 2)
			}
			if i%5 == 0 {
				c.State = ValueNotReported
			}
			in.Consumption = append(in.Consumption, c)
			in.Population = append(in.Population, Population{Year: 2000 + i, Persons: num(i) * 1e3})
			in.Deaths = append(in.Deaths, Deaths{Year: 2000 + i/2, Cause: []string{CauseNeoplasms, CauseHIV}[i%2], Deaths: num(i)})
		}
		need := TableNeedModel(testFactorSet().Need[0])
		e, err := EstimateSupply(in, year, testFactorSet().ME, &need, SupplyOptions{Phase: &phase, StockMonths: &months})
		if err != nil {
			if ErrorCode(err) != Invalid {
				t.Fatalf("error %v", err)
			}
			return
		}
		var me float64
		for _, l := range e.Drugs {
			stock := 0.0
			if l.ExpectedStockG != nil {
				stock = *l.ExpectedStockG
			}
			for _, v := range []float64{l.PhasedG, l.AConsumptionG, l.BManufactureG, l.CStockTargetG, l.DSpecialStockG, stock, l.TotalG} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("%s: bad figure %v in %+v", l.Drug, v, l)
				}
			}
			if want := l.AConsumptionG + l.BManufactureG + l.DSpecialStockG + math.Max(0, l.CStockTargetG-stock); !approxEqual(l.TotalG, want) {
				t.Fatalf("%s: total %v, want %v", l.Drug, l.TotalG, want)
			}
			if f, ok := testFactorSet().ME.Value(l.Drug); ok {
				me += l.TotalG * 1000 * f
			}
		}
		if !approxEqual(e.TotalMEMg, me) {
			t.Fatalf("total_me_mg %v, lines %v", e.TotalMEMg, me)
		}
	})
}
