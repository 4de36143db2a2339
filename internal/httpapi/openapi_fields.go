package httpapi

import "strings"

// fieldDescriptions describes, once, every field name the API answers with,
// with its unit: the OpenAPI document takes a property's description from
// here when its schema gives none, so a field means the same wherever it
// appears. TestOpenAPIDescribesLiveResponses fails for a field that is
// answered but described nowhere.
var fieldDescriptions = map[string]string{
	// Identity and paging.
	"id": "identifier", "iso3": "ISO 3166-1 alpha-3 country code", "iso2": "ISO 3166-1 alpha-2 country code",
	"numeric": "ISO 3166-1 numeric code (UN M49)", "name": "name", "official_name": "official (long) name",
	"code": "code of the country or group", "kind": "what this is (its kind)", "items": "the entries of this page",
	"next_cursor": "pass as cursor to get the next page; empty on the last page", "total": "number of entries matching",
	"href": "URL of the resource", "self": "URL of this resource", "links": "related URLs", "key": "key",
	"value": "value", "default": "the default value", "title": "title", "description": "description", "meaning": "meaning, in one sentence",
	"severity": "info, warning or error", "field": "field name", "note": "note", "notes": "notes",
	"what": "what this entry is about", "op": "operation", "info": "information about this document",
	"openapi": "OpenAPI version", "paths": "the API's paths", "servers": "where the API is served",
	// Geography and classification.
	"country": "the country", "who_region": "WHO region code (AFR, AMR, EMR, EUR, SEAR, WPR)",
	"un_region": "UN M49 region", "un_subregion": "UN M49 sub-region",
	"income_group":   "World Bank income group code (LIC, LMC, UMC, HIC) of the data year",
	"income_vintage": "the World Bank classification (fiscal year) the income group comes from",
	"year":           "calendar year of the data", "years": "years covered",
	// Quantities.
	"population":                 "mid-year population, persons",
	"persons":                    "persons",
	"population_with_data":       "persons in members with a consumption figure this year",
	"population_without_data":    "persons in members without a consumption figure this year (not reported or none filed)",
	"me_mg":                      "morphine equivalent consumed, mg (Σ mg of base × ME factor)",
	"me":                         "the morphine-equivalence factor table used (name and version)",
	"me_mg_per_capita":           "morphine equivalent consumed per person, mg ME per capita",
	"me_mg_per_capita_cagr_5y":   "compound annual growth of mg ME per capita over the last five years, percent per year",
	"sddd":                       "the S-DDD factor table used (name and version), or the S-DDD of a drug in mg per day",
	"sddd_per_million_per_day":   "defined daily doses for statistical purposes per million inhabitants per day (INCB pain basket)",
	"sddd_3yr_avg":               "three-year average of S-DDD per million per day (null if a year in it is not reported)",
	"median_sddd_3yr_avg":        "median over members with data of the three-year average S-DDD per million per day",
	"median_me_mg_per_capita":    "median over members with data of mg ME per capita",
	"benchmark_index":            "100 × mg ME per capita ÷ the benchmark reference mg ME per capita (index, not mg)",
	"benchmark_band":             "band of the benchmark index",
	"benchmark_reference":        "the benchmark reference table used (name and version)",
	"benchmark_bands":            "the benchmark band table used (name and version)",
	"adequacy":                   "INCB adequacy band of the three-year average S-DDD per million per day",
	"acm":                        "adequacy of consumption measure (index, see the methodology)",
	"acm_band":                   "band of the adequacy of consumption measure",
	"acm_bands":                  "the ACM band table used (name and version)",
	"incb_bands":                 "the INCB adequacy band table used (name and version)",
	"need_me_mg":                 "estimated need for opioid analgesics under the headline need model, mg ME",
	"need_met_pct":               "percent of need met: 100 × consumption ÷ need for a country; 100 × Σ min(consumption, need) ÷ Σ need for a group",
	"consumption_to_need_pct":    "plain ratio of sums: 100 × Σ consumption ÷ Σ need over members with both, percent",
	"need_met_pct_range":         "[lowest, highest] percent of need met across the loaded need models",
	"need_models":                "figures under every loaded need model, by model name",
	"need_model":                 "the need model used (name and version)",
	"gap_me_mg":                  "unmet need, mg ME: max(0, need − consumption), summed over members for a group",
	"morphine_kg_to_close_gap":   "oral morphine that would close the gap, kg (gap mg ME ÷ 10⁶)",
	"cost_to_close_gap_usd":      "what oral immediate-release morphine to close the gap would cost, US dollars: gap mg ME × methods.price.usd_per_mg",
	"price":                      "the morphine price behind cost_to_close_gap_usd: its table (name, version), usd_per_mg, year and source",
	"usd_per_mg":                 "price of oral immediate-release morphine, US dollars per mg ME",
	"population_source":          "the population series the figures divide by: publisher and vintage (GET /api/v1/sources)",
	"deaths_source":              "the deaths series the need models use: publisher and vintage",
	"licence":                    "the terms the data are published under",
	"citation":                   "how to cite the data",
	"measure":                    "population or deaths",
	"values":                     "number of values held",
	"first_upload_id":            "the upload that first brought this series",
	"first_published_in":         "the data version that first published this series",
	"sources":                    "the uploads the figures read, each with its kind, source, licence and citation",
	"world_share_pct":            "this group's share of the world's mg ME consumed, percent",
	"grams":                      "consumed, grams of anhydrous base",
	"total_g":                    "total estimate, grams of anhydrous base (Form B: a + b + d + max(0, c − stock))",
	"to_be_consumed_g":           "Form B (a): to be consumed, grams of base",
	"utilized_for_manufacture_g": "grams of base utilized for the manufacture of other drugs or preparations",
	"stock_target_g":             "Form B (c): to be held in stock on 31 December, grams of base",
	"special_stocks_g":           "Form B (d): to be added to special stocks, grams of base",
	"stock_g":                    "stock on 31 December, grams of base",
	"seizures_g":                 "seized, grams of base",
	"manufactured_g":             "manufactured, grams of base",
	"estimate_me_mg":             "the year's total estimate in mg ME",
	"estimate_utilization_pct":   "consumption as a percent of the estimate (mg ME)",
	"estimate_need_coverage_pct": "the estimate as a percent of need (mg ME)",
	"formb_total":                "Form B total, grams of base",
	"deaths":                     "deaths, both sexes, all ages",
	"cause":                      "cause of death code",
	"days_per_year":              "days per year used in per-day figures",
	// Counts by band.
	"countries": "members of the group (countries and territories with a population figure)", "countries_with_data": "members with a consumption figure this year",
	"countries_without_data": "members without a consumption figure this year", "countries_with_need": "members with a need figure this year",
	"adequacy_counts": "members per INCB adequacy band", "benchmark_band_counts": "members per benchmark band", "acm_band_counts": "members per ACM band",
	"population_by_adequacy":       "persons per INCB adequacy band (band \"none\": members without a figure); sums to population_with_data",
	"population_by_benchmark_band": "persons per benchmark band (band \"none\": members without a figure); sums to population_with_data",
	"population_by_acm_band":       "persons per ACM band (band \"none\": members without a figure); sums to population_with_data",
	"ranking":                      "members ranked", "rank": "1-based place in the ranking", "position": "1-based place in this ordering", "sort": "the ordering used",
	// Methods and provenance.
	"methods": "factor tables, need models and rules that produced these figures, with versions", "data_version": "the data version these figures were computed at (only ever goes up)",
	"data_quality_rules": "data-quality rules applied, with versions", "basket": "the drugs counted in S-DDD (INCB pain basket)", "pain_basket": "the drugs counted in S-DDD",
	"formulas": "the formulas used, in words", "components": "parts of a need model", "version": "version", "source": "who published it", "confidence": "how sure the source is: published, derived or assumption",
	"rows": "rows of the table", "row_count": "number of rows", "flags": "flags explaining the figure; see /api/v1/glossary",
	"lineage": "where the value came from: upload, sheet and row", "upload_id": "the upload the value came from", "sheet": "sheet name as in the workbook",
	"row": "row number as the user sees it in Excel (or CSV line, header included)", "conversion": "how the figure was brought to grams of anhydrous base",
	"drug": "drug code", "drugs": "per-drug figures", "status": "status", "estimate": "the estimate",
	// Uploads.
	"filename": "the file's name as sent", "sha256": "SHA-256 of the file's bytes, hex", "size": "bytes", "layout": "the layout the importer recognised",
	"uploader": "who sent it", "received_at": "when it was received (UTC)", "decided_at": "when it was published or rejected (UTC)", "reason": "why it was rejected",
	"counts": "rows read, records made, stored, unchanged, warnings, errors", "records": "records produced", "stored": "records stored", "unchanged": "records identical to the published ones",
	"warnings": "warnings found", "errors": "errors found", "problems": "row-level problems, each with sheet, row and column", "diff": "what publishing would change: added, changed, removed",
	"added": "records new to the published data", "changed": "records that change a published value", "removed": "published records the upload withdraws", "changes": "the first changes, value by value",
	"matches": "country names matched to codes, for the user to check", "annotated": "URL of the workbook annotated with the problems", "new": "the new value", "file": "the file",
	"superseded_by": "the upload that replaced this one's values", "column": "column letter as in Excel", "message": "what is wrong, for a person", "detail": "details",
	// Availability (WHO/HAI facility surveys, NCD country-capacity survey).
	"availability":          "WHO/HAI facility survey figures of the latest survey, per medicine and sector; null without a survey",
	"availability_flags":    "flags about the availability data (e.g. survey_older_than_5_years); see /api/v1/glossary",
	"affordability_formula": "how days' wages for a month of oral morphine are computed",
	"medicine":              "medicine code of the vocabulary (WHO Model List)", "medicine_name": "the medicine as the Model List names it",
	"sector": "public, private or other", "survey_year": "year the survey was carried out", "surveys": "every facility survey row",
	"currency": "ISO 4217 currency of prices and wages", "facilities_surveyed": "number of facilities surveyed in the sector",
	"facility_availability_pct": "percent of surveyed facilities with the medicine in stock on the day of the visit",
	"median_price_ratio":        "median price ÷ the international reference price (ratio)", "price_reference": "the international reference price's name and year",
	"days_wages": "days' wages of the lowest-paid government worker for a month of oral morphine",
	"answer":     "yes, no or dont_know", "ccs_answers": "NCD country-capacity survey answers by survey year",
	"ccs_oral_morphine_available": "country-capacity survey: is oral morphine generally available in public primary care? (yes, no, dont_know); for a group, members and persons per answer",
	"ccs_survey_year":             "year of the country-capacity survey answer", "reference_year": "the year survey ages are measured from",
	"yes": "members (and persons) answering yes", "no": "members (and persons) answering no", "dont_know": "members (and persons) answering don't know",
	"no_answer": "members (and persons) without an answer", "form": "dosage form", "strength": "strength as written", "mg_per_unit": "mg of the drug per unit (tablet, ml, patch)",
	"kg": "kilograms of anhydrous base", "estimate_total_g": "the year's total estimate for the drug, grams of base",
	"state":          "reported (a number), nil (INCB's \"-\") or not_reported (blank)",
	"problem_groups": "the problems grouped by code: each code once with its count and first cells (the full list is in problems)",
	"count":          "how many", "first": "the first cells where it occurs, as Sheet!A1",
	// Keys and audit.
	"role": "admin, advocate or ministry", "prefix": "first characters of the secret", "created_at": "when created (UTC)", "last_used_at": "when last used (UTC)",
	"revoked_at": "when revoked (UTC)", "at": "when (UTC)", "actor": "who did it", "key_id": "API key id", "action": "what was done", "target": "what it was done to", "remote_addr": "client address",
}

// fillDescriptions gives every schema property without a description the
// one in fieldDescriptions, recursively.
func fillDescriptions(v any) {
	switch x := v.(type) {
	case obj:
		if props, ok := x["properties"].(obj); ok {
			for name, p := range props {
				if po, ok := p.(obj); ok {
					if d, _ := po["description"].(string); d == "" && po["$ref"] == nil {
						if fd, ok := fieldDescriptions[name]; ok {
							po["description"] = fd
						}
					}
				}
			}
		}
		for _, c := range x {
			fillDescriptions(c)
		}
	case []obj:
		for _, c := range x {
			fillDescriptions(c)
		}
	case []any:
		for _, c := range x {
			fillDescriptions(c)
		}
	}
}

// tagFor groups an operation by its path, for readers of the document.
func tagFor(path string) string {
	p := strings.TrimPrefix(path, "/api/v1")
	switch {
	case strings.Contains(p, "gaps") || strings.HasPrefix(p, "/glossary"):
		return "figures"
	case strings.HasPrefix(p, "/uploads") || strings.HasPrefix(p, "/templates"):
		return "uploads"
	case strings.HasPrefix(p, "/keys") || strings.HasPrefix(p, "/audit") || strings.HasPrefix(p, "/settings") || strings.HasPrefix(p, "/jobs"):
		return "administration"
	case strings.HasPrefix(p, "/countries") || strings.HasPrefix(p, "/drugs") || strings.HasPrefix(p, "/factor-tables"):
		return "reference data"
	case !strings.HasPrefix(path, "/api/"):
		return "operations"
	}
	return "other"
}

// finishDocument fills what every operation and field should carry: tags,
// descriptions from the field dictionary, and examples for path parameters.
func finishDocument(doc obj) {
	paths, _ := doc["paths"].(obj)
	for path, ops := range paths {
		for _, op := range ops.(obj) {
			o, ok := op.(obj)
			if !ok {
				continue
			}
			if o["tags"] == nil {
				o["tags"] = []string{tagFor(path)}
			}
			if params, ok := o["parameters"].([]obj); ok {
				for _, p := range params {
					if ex, ok := paramExamples[p["name"].(string)]; ok && p["example"] == nil {
						p["example"] = ex
					}
				}
			}
		}
	}
	fillDescriptions(doc)
}

// paramExamples are example values for the parameters most routes share.
var paramExamples = map[string]any{"iso3": "KEN", "year": 2013, "from": 2010, "to": 2013, "model": "benchmark", "code": "AFR"}
