package access

// FormBTotal is the total estimate of Single Convention Art. 19(2):
//
//	total = a + b + d + max(0, c − priorStock)
//
// where a is the quantity to be consumed, b to be utilized for manufacture,
// c the stock to be held on 31 December, d the addition to special stocks,
// and priorStock the actual stock on 31 December of the year before. The
// max(0, ·) reading of "bring stocks up to the level" is a named choice:
// a stock above target does not reduce the estimate. Nil items count as 0;
// a nil priorStock counts as 0 (the whole target is added).
func FormBTotal(a, b, c, d, priorStock *float64) float64 {
	v := func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	}
	topUp := v(c) - v(priorStock)
	if topUp < 0 {
		topUp = 0
	}
	return v(a) + v(b) + v(d) + topUp
}

// FormBTotalMethod names the reading FormBTotal implements.
const FormBTotalMethod = "art19-2:a+b+d+max(0,c-prior_stock)"
