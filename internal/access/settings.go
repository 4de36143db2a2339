package access

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SettingsStore is what the settings service needs of the store. Every
// SetSetting bumps the data version, so figures and ETags move with it.
type SettingsStore interface {
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
	FactorTables(ctx context.Context) ([]FactorTable, error)
	Series(ctx context.Context, m Measure, v int64) ([]Series, error)
	AppendAudit(ctx context.Context, e AuditEntry) error
}

// SettingsService reads and changes the settings that shape the figures:
// the default need model and the data-quality rules. Only an
// administrator may change them; each change is audited.
type SettingsService struct {
	Store SettingsStore
}

// FiguresSetting is one setting an administrator may change.
type FiguresSetting struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Default string `json:"default"`
	Meaning string `json:"meaning"`
}

// figuresSettings are the settings the service knows, with their defaults.
var figuresSettings = []FiguresSetting{
	{Key: SettingDefaultNeedModel, Default: ModelBenchmark,
		Meaning: "the need model whose figures fill the headline fields when a request names none"},
	{Key: SettingSuspectedNotReported, Default: "on",
		Meaning: "on or off: whether the data-quality rule " + RuleSuspectedNotReported + " runs"},
	{Key: SettingSource(MeasurePopulation), Default: "",
		Meaning: "the population series figures divide by (GET /api/v1/sources); empty: the series published first"},
	{Key: SettingSource(MeasureDeaths), Default: "",
		Meaning: "the deaths series the need models use; empty: the series published first"},
}

// List returns every figures setting with its current value, to those who
// may change them.
func (s *SettingsService) List(ctx context.Context, who Principal) ([]FiguresSetting, error) {
	if err := Authorize(who, ActChangeSettings, ""); err != nil {
		return nil, err
	}
	out := make([]FiguresSetting, 0, len(figuresSettings))
	for _, fs := range figuresSettings {
		v, ok, err := s.Store.Setting(ctx, fs.Key)
		if err != nil {
			return nil, err
		}
		fs.Value = fs.Default
		if ok && v != "" {
			fs.Value = v
		}
		out = append(out, fs)
	}
	return out, nil
}

// Set changes a figures setting after checking its value.
func (s *SettingsService) Set(ctx context.Context, who Principal, key, value, remote string) error {
	const op = "SettingsService.Set"
	if err := Authorize(who, ActChangeSettings, ""); err != nil {
		return err
	}
	value = strings.TrimSpace(value)
	switch key {
	case SettingDefaultNeedModel:
		all, err := s.Store.FactorTables(ctx)
		if err != nil {
			return err
		}
		models := NeedModels(all)
		if i := sort.SearchStrings(models, value); i == len(models) || models[i] != value {
			return Errorf(Invalid, op, "no need model %q: use one of %s", value, strings.Join(models, ", "))
		}
	case SettingSuspectedNotReported:
		if value != "on" && value != "off" {
			return Errorf(Invalid, op, "%s is on or off, not %q", key, value)
		}
	case SettingSource(MeasurePopulation), SettingSource(MeasureDeaths):
		if err := s.checkSeries(ctx, Measure(strings.TrimSuffix(key, "_source")), value); err != nil {
			return err
		}
	default:
		keys := make([]string, len(figuresSettings))
		for i, fs := range figuresSettings {
			keys[i] = fs.Key
		}
		return Errorf(NotFound, op, "no setting %q: use one of %s", key, strings.Join(keys, ", "))
	}
	if err := s.Store.SetSetting(ctx, key, value); err != nil {
		return err
	}
	return s.Store.AppendAudit(ctx, AuditEntry{At: time.Now().UTC(), Actor: who.Name, KeyID: who.KeyID, Role: who.Role,
		Action: "setting.set", Target: "setting:" + key, RemoteAddr: remote, Detail: value})
}

// checkSeries accepts "" (the series published first) or a series of m
// that is published now.
func (s *SettingsService) checkSeries(ctx context.Context, m Measure, source string) error {
	if source == "" {
		return nil
	}
	all, err := s.Store.Series(ctx, m, 0)
	if err != nil {
		return err
	}
	names := make([]string, len(all))
	for i, sr := range all {
		if sr.Source == source {
			return nil
		}
		names[i] = strconv.Quote(sr.Source)
	}
	return Errorf(Invalid, "SettingsService.Set", "no %s series %q: use one of %s", m, source, strings.Join(names, ", "))
}
