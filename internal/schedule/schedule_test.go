package schedule

import (
	"testing"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

func TestNormalize(t *testing.T) {
	ok := Schedule{Name: " weekly ", Cron: "0 6 * * 1", Scope: ScopeCountry, Target: "ken"}
	if err := ok.Normalize(); err != nil {
		t.Fatal(err)
	}
	if ok.Name != "weekly" || ok.Target != "KEN" || ok.TimeZone != "UTC" || ok.YearsMode != YearsLatest || ok.LatestN != 1 || ok.KeepRuns != 30 {
		t.Errorf("defaults: %+v", ok)
	}
	for name, s := range map[string]Schedule{
		"no name":       {Cron: "@daily", Scope: ScopeWorld},
		"bad cron":      {Name: "x", Cron: "61 * * * *", Scope: ScopeWorld},
		"six fields":    {Name: "x", Cron: "0 0 6 * * 1", Scope: ScopeWorld},
		"tz in spec":    {Name: "x", Cron: "CRON_TZ=Europe/Paris 0 6 * * *", Scope: ScopeWorld},
		"bad zone":      {Name: "x", Cron: "@daily", Scope: ScopeWorld, TimeZone: "Mars/Olympus"},
		"bad scope":     {Name: "x", Cron: "@daily", Scope: "planet"},
		"bad region":    {Name: "x", Cron: "@daily", Scope: ScopeRegion, Target: "XYZ"},
		"bad income":    {Name: "x", Cron: "@daily", Scope: ScopeIncome, Target: "RICH"},
		"country no id": {Name: "x", Cron: "@daily", Scope: ScopeCountry},
		"fixed no year": {Name: "x", Cron: "@daily", Scope: ScopeWorld, YearsMode: YearsFixed},
		"from after to": {Name: "x", Cron: "@daily", Scope: ScopeWorld, YearsMode: YearsFixed, YearFrom: 2021, YearTo: 2020},
		"latest 0..50":  {Name: "x", Cron: "@daily", Scope: ScopeWorld, LatestN: 51},
		"keep":          {Name: "x", Cron: "@daily", Scope: ScopeWorld, KeepRuns: -1},
	} {
		if err := s.Normalize(); access.ErrorCode(err) != access.Invalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
}

func TestLatestSlot(t *testing.T) {
	// 06:00 in Nairobi (UTC+3) is 03:00 UTC.
	s := Schedule{Cron: "0 6 * * *", TimeZone: "Africa/Nairobi"}
	created := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		now  time.Time
		want time.Time
		ok   bool
	}{
		{time.Date(2026, 3, 1, 2, 59, 0, 0, time.UTC), time.Time{}, false}, // before the first occurrence
		{time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 3, 9, 4, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 3, 0, 0, 0, time.UTC), true}, // only the latest
	} {
		got, ok, err := s.LatestSlot(created, c.now)
		if err != nil || ok != c.ok || !got.Equal(c.want) {
			t.Errorf("LatestSlot(now %s) = %s %v %v, want %s %v", c.now, got, ok, err, c.want, c.ok)
		}
	}
	// Missed for more than a day: no catching up on old occurrences.
	if _, ok, _ := s.LatestSlot(created, time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC)); !ok {
		t.Error("the occurrence of the day before is within the day of look-back")
	}
}
