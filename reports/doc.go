// Package reports renders gap results as spreadsheets (.xlsx) and CSV.
//
// It turns the domain's results (access.CountryGaps, access.GroupGaps) into
// bytes and knows no database and no HTTP. Every figure is written with the
// units the domain computes it in; the formulas and the factor-table
// versions behind them are copied from the result's Methods onto a
// "Methods" sheet, so a workbook can be checked without the service:
//
//	population                  persons
//	me_mg                       mg morphine equivalent (ME) a year
//	me_mg_per_capita            mg ME per person a year
//	sddd_per_million_per_day    S-DDD per million inhabitants per day (INCB basket)
//	benchmark_index             100 × me_mg_per_capita ÷ the reference (reference = 100)
//	need_me_mg, gap_me_mg       mg ME a year
//	need_met_pct                percent of need
//	morphine_kg_to_close_gap    kg of morphine (gap_me_mg ÷ 10⁶)
//	acm                         ratio of consumption to need
//	me_mg_per_capita_cagr_5y    fraction a year (0.05 = 5 %)
//
// A missing figure is an empty cell, never 0, and the row's flags say why.
// Numbers are stored as numbers.
//
// Text that comes from data (country names, band labels, flags, lineage
// sheet names) is never evaluated by a spreadsheet: in .xlsx it is stored
// as a string cell, never as a formula; in CSV, text beginning with = + - @
// tab or carriage return is prefixed with a single quote, the usual guard
// against formula injection (CWE-1236).
package reports
