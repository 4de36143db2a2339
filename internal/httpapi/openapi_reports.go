package httpapi

// formatParam chooses CSV on a table endpoint (so does Accept: text/csv).
var formatParam = query("format", "json (the default) or csv; Accept: text/csv also asks for CSV. In CSV, text cells beginning with = + - @ tab or CR are prefixed with ' (OWASP); numbers are never altered; lineage is in JSON only",
	obj{"type": "string", "enum": []string{"json", "csv"}})

// csvContent is the CSV body of a table endpoint.
var csvContent = obj{"schema": obj{"type": "string", "description": "RFC 4180 CSV with a header row; units are in the data dictionary of /api/v1/download/gaps.xlsx"}}

// reportPaths documents the report packs and downloads, and adds CSV to
// the table endpoints.
func reportPaths(p obj, add func(path, method string, o obj)) {
	badRequest := problem("a parameter is malformed")
	notFound := problem("no such resource")
	notModified := obj{"description": "the client's copy (If-None-Match) is current"}
	xlsx := func(desc string) obj { return cached(fileResponse(desc, xlsxContentType)) }

	add("/api/v1/countries/{iso3}/report.xlsx", "get", op("countryReport",
		"A country's report pack: Summary, Trend (chart), Drugs (chart), Estimates, Methodology and Sources", publicAccess,
		[]obj{specISO3, fromParam, toParam, modelParam, ifNoneMatch},
		obj{"200": xlsx("the workbook"), "304": notModified, "400": badRequest, "404": notFound}))
	groupParams := []obj{yearParam, modelParam, ifNoneMatch}
	groupOK := obj{"200": xlsx("the workbook"), "304": notModified, "400": badRequest, "404": notFound}
	add("/api/v1/regions/{code}/report.xlsx", "get", op("regionReport",
		"A WHO region's report pack: Ranking (band colours, filter), Aggregates (chart), Methodology and Sources", publicAccess,
		append([]obj{pathParam("code", "WHO region: AFR, AMR, EMR, EUR, SEAR or WPR")}, groupParams...), groupOK))
	add("/api/v1/income-groups/{code}/report.xlsx", "get", op("incomeGroupReport",
		"A World Bank income group's report pack", publicAccess,
		append([]obj{pathParam("code", "LIC, LMC, UMC or HIC")}, groupParams...), groupOK))
	add("/api/v1/world/report.xlsx", "get", op("worldReport", "The world's report pack", publicAccess, groupParams, groupOK))
	add("/api/v1/countries/{iso3}/drugs.csv", "get", op("countryDrugsCSV",
		"A country's figures per year and drug as CSV (kg of base, mg ME, S-DDD, estimates)", publicAccess,
		[]obj{specISO3, fromParam, toParam, modelParam, ifNoneMatch},
		obj{"200": cached(obj{"description": "one row per year and drug", "content": obj{"text/csv": csvContent}}), "304": notModified, "400": badRequest, "404": notFound}))
	add("/api/v1/download/gaps.csv", "get", op("downloadGapsCSV",
		"Every country-year figure as one CSV, built once per data version; the dictionary, licence and citation are in gaps.xlsx (Link rel=describedby)", publicAccess,
		[]obj{modelParam, ifNoneMatch},
		obj{"200": cached(obj{"description": "one row per country-year", "content": obj{"text/csv": csvContent}}), "304": notModified, "400": badRequest, "404": notFound}))
	add("/api/v1/download/gaps.xlsx", "get", op("downloadGapsXLSX",
		"Every country-year figure as a workbook: Data, Drugs, Dictionary, Methodology, Sources (licence and citation); built once per data version", publicAccess,
		[]obj{modelParam, ifNoneMatch},
		obj{"200": xlsx("the workbook"), "304": notModified, "400": badRequest, "404": notFound}))

	// CSV on the table endpoints.
	for _, path := range []string{"/api/v1/countries/{iso3}/gaps", "/api/v1/gaps", "/api/v1/regions/{code}/gaps",
		"/api/v1/income-groups/{code}/gaps", "/api/v1/world/gaps"} {
		get, ok := p[path].(obj)["get"].(obj)
		if !ok {
			continue
		}
		get["parameters"] = append(get["parameters"].([]obj), formatParam)
		if ok200, ok := get["responses"].(obj)["200"].(obj); ok {
			ok200["content"].(obj)["text/csv"] = csvContent
		}
	}
}
