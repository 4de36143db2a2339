package jobs

import (
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	p := Retry{MaxAttempts: 8, Backoff: 30 * time.Second, MaxBackoff: 6 * time.Hour}
	for _, c := range []struct {
		n    int
		want time.Duration
	}{
		{1, 30 * time.Second},   // the first failure waits Backoff
		{2, time.Minute},        // 30 s × 2
		{5, 8 * time.Minute},    // 30 s × 2⁴
		{10, 256 * time.Minute}, // 30 s × 2⁹ = 4 h 16 min
		{11, 6 * time.Hour},     // 30 s × 2¹⁰ = 8 h 32 min, capped
		{100, 6 * time.Hour},    // no overflow past the cap
		{0, 30 * time.Second},
	} {
		if got := p.Delay(c.n); got != c.want {
			t.Errorf("Delay(%d) = %s, want %s", c.n, got, c.want)
		}
	}
	if got := (Retry{}).Delay(3); got != 4*time.Minute { // defaults: 1 min × 2²
		t.Errorf("default Delay(3) = %s, want 4m", got)
	}
}
