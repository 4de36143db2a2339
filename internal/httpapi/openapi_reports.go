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
		[]obj{specISO3, fromParam, toParam, modelParam, asOfParam, ifNoneMatch},
		obj{"200": xlsx("the workbook"), "304": notModified, "400": badRequest, "404": notFound}))
	groupParams := []obj{yearParam, modelParam, asOfParam, ifNoneMatch}
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
		[]obj{specISO3, fromParam, toParam, modelParam, asOfParam, ifNoneMatch},
		obj{"200": cached(obj{"description": "one row per year and drug", "content": obj{"text/csv": csvContent}}), "304": notModified, "400": badRequest, "404": notFound}))
	add("/api/v1/download/gaps.csv", "get", op("downloadGapsCSV",
		"Every country-year figure as one CSV, built once per data version; the dictionary, licence and citation are in gaps.xlsx (Link rel=describedby)", publicAccess,
		[]obj{modelParam, asOfParam, ifNoneMatch},
		obj{"200": cached(obj{"description": "one row per country-year", "content": obj{"text/csv": csvContent}}), "304": notModified, "400": badRequest, "404": notFound}))
	add("/api/v1/download/gaps.xlsx", "get", op("downloadGapsXLSX",
		"Every country-year figure as a workbook: Data, Drugs, Dictionary, Methodology, Sources (licence and citation); built once per data version", publicAccess,
		[]obj{modelParam, asOfParam, ifNoneMatch},
		obj{"200": xlsx("the workbook"), "304": notModified, "400": badRequest, "404": notFound}))

	// CSV on the table endpoints.
	for _, path := range []string{"/api/v1/countries/{iso3}/gaps", "/api/v1/gaps", "/api/v1/regions/{code}/gaps",
		"/api/v1/income-groups/{code}/gaps", "/api/v1/world/gaps", "/api/v1/countries/{iso3}/consumption",
		"/api/v1/countries/{iso3}/estimates", "/api/v1/countries/{iso3}/population", "/api/v1/countries/{iso3}/deaths"} {
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

// schedulePaths documents the scheduled-report routes (admin keys only).
func schedulePaths(add func(path, method string, o obj)) {
	badRequest := problem("a parameter or the body is malformed")
	notFound := problem("no such schedule or run, or scheduling is not configured")
	forbidden := problem("only administrators manage scheduled reports")
	id := pathParam("id", "schedule id")
	body := func(required []string) obj {
		return obj{"required": true, "content": obj{"application/json": obj{"schema": object(required, obj{
			"name":      str("unique name"),
			"cron":      str("five-field cron spec (minute hour day month weekday) or @daily, @weekly, @every 6h"),
			"time_zone": str("IANA time zone the cron spec is read in (default UTC)"),
			"scope":     obj{"type": "string", "enum": []string{"country", "region", "income", "world"}},
			"target":    str("ISO3, WHO region or income group; none for world"),
			"years":     obj{"type": "string", "enum": []string{"fixed", "latest"}, "description": "fixed: year_from..year_to (a group report: year_to); latest: the latest latest_n years with data"},
			"year_from": integer("first year (fixed)"),
			"year_to":   integer("last year (fixed)"),
			"latest_n":  integer("how many latest years (latest; default 1)"),
			"model":     str("need model; the default when empty"),
			"enabled":   obj{"type": "boolean"},
			"keep_runs": integer("runs kept, newest first (default 30); older runs and their files are removed"),
		})}}}
	}
	sched := object(nil, obj{"id": integer("id"), "name": str(""), "cron": str(""), "time_zone": str(""), "scope": str(""),
		"target": str(""), "years": str(""), "year_from": integer(""), "year_to": integer(""), "latest_n": integer(""),
		"model": str(""), "enabled": obj{"type": "boolean"}, "keep_runs": integer(""), "created_at": str("RFC 3339"),
		"updated_at": str("RFC 3339"), "runs": str("where its runs are listed")})
	run := object(nil, obj{"id": integer("id"), "schedule_id": integer(""), "slot": str("the occurrence, RFC 3339"),
		"started_at": str(""), "finished_at": nullable(str("")),
		"status": obj{"type": "string", "enum": []string{"running", "succeeded", "unchanged", "failed"}},
		"error":  str("why it failed"), "attempt": integer(""), "next_attempt_at": str("when a failed run is tried again"),
		"data_version": integer("the data version it was made from"), "size": integer("bytes of the workbook"),
		"same_as": integer("for unchanged: the run whose file it serves"), "file": str("where to download the workbook")})
	list := func(item obj) obj { return object([]string{"items"}, obj{"items": array(item)}) }

	add("/api/v1/schedules", "post", obj{"operationId": "createSchedule", "summary": "Schedule a report pack (admin)", "security": keyAccess,
		"requestBody": body([]string{"name", "cron", "scope"}),
		"responses": obj{"201": jsonResponse("the schedule", sched), "400": badRequest, "401": problem("an API key is needed"),
			"403": forbidden, "404": notFound, "409": problem("a schedule of that name exists"), "429": problem("too many requests"), "500": problem("internal error")}})
	add("/api/v1/schedules", "get", op("listSchedules", "Every schedule (admin)", keyAccess, nil,
		obj{"200": jsonResponse("schedules", list(sched)), "403": forbidden, "404": notFound}))
	add("/api/v1/schedules/{id}", "get", op("getSchedule", "One schedule (admin)", keyAccess, []obj{id},
		obj{"200": jsonResponse("the schedule", sched), "400": badRequest, "403": forbidden, "404": notFound}))
	add("/api/v1/schedules/{id}", "patch", obj{"operationId": "patchSchedule", "summary": "Change the fields given (admin)", "security": keyAccess,
		"parameters": []obj{id}, "requestBody": body(nil),
		"responses": obj{"200": jsonResponse("the schedule", sched), "400": badRequest, "401": problem("an API key is needed"),
			"403": forbidden, "404": notFound, "429": problem("too many requests"), "500": problem("internal error")}})
	add("/api/v1/schedules/{id}", "delete", op("deleteSchedule", "Remove a schedule, its runs and their files (admin)", keyAccess, []obj{id},
		obj{"204": obj{"description": "removed"}, "400": badRequest, "403": forbidden, "404": notFound}))
	add("/api/v1/schedules/{id}/run", "post", op("runSchedule", "Run a schedule now and answer its run (admin)", keyAccess, []obj{id},
		obj{"200": jsonResponse("the run", run), "400": badRequest, "403": forbidden, "404": notFound, "409": problem("already running for this second")}))
	add("/api/v1/schedules/{id}/runs", "get", op("scheduleRuns", "A schedule's runs, newest first (admin)", keyAccess,
		[]obj{id, query("limit", "at most this many (default 100)", obj{"type": "integer", "minimum": 1, "maximum": 1000})},
		obj{"200": jsonResponse("runs", list(run)), "400": badRequest, "403": forbidden, "404": notFound}))
	add("/api/v1/report-runs/{id}/file", "get", op("reportRunFile", "The workbook of a run (an unchanged run's is the earlier file) (admin)", keyAccess,
		[]obj{pathParam("id", "run id")},
		obj{"200": fileResponse("the workbook", xlsxContentType), "400": badRequest, "403": forbidden, "404": notFound}))
}

// feedPaths documents the Atom feeds.
func feedPaths(add func(path, method string, o obj)) {
	atom := obj{"200": obj{"description": "an Atom feed (RFC 4287); entries: publication, band_change, need_met_below_threshold, estimate_missing, report_ready",
		"content": obj{"application/atom+xml": obj{"schema": obj{"type": "string"}}}},
		"404": problem("no such country or region, or a name not ending in .atom")}
	add("/feeds/countries/{file}", "get", op("countryFeed", "Follow a country: new publications, band changes, need met below the threshold, next year's estimate missing before 30 June, scheduled reports ready",
		publicAccess, []obj{pathParam("file", "ISO3.atom, e.g. KEN.atom")}, atom))
	add("/feeds/regions/{file}", "get", op("regionFeed", "Follow a WHO region", publicAccess,
		[]obj{pathParam("file", "CODE.atom: AFR, AMR, EMR, EUR, SEAR or WPR")}, copyObj(atom)))
	add("/feeds/world.atom", "get", op("worldFeed", "Follow the world", publicAccess, nil, copyObj(atom)))
}

func copyObj(o obj) obj {
	out := obj{}
	for k, v := range o {
		out[k] = v
	}
	return out
}

// webhookPaths documents the webhook routes (admin keys only).
func webhookPaths(add func(path, method string, o obj)) {
	forbidden := problem("only administrators manage webhooks")
	notFound := problem("no such webhook, or webhooks are not configured")
	hook := object(nil, obj{"id": integer("id"), "url": str("where events are POSTed"), "scope": str("empty (all), world, country:ISO3 or region:CODE"),
		"enabled": obj{"type": "boolean"}, "created_at": str("RFC 3339"),
		"secret": str("HMAC-SHA256 key, shown once: X-Reliefgap-Signature is sha256= and the hex HMAC of X-Reliefgap-Timestamp, '.', and the body")})
	delivery := object(nil, obj{"id": integer("id"), "event_id": str(""), "kind": str("publication or report_ready"),
		"status": obj{"type": "string", "enum": []string{"pending", "sending", "delivered", "failed"}}, "attempts": integer(""),
		"next_attempt_at": str("retries back off exponentially"), "last_error": str(""), "created_at": str(""), "delivered_at": str("")})
	add("/api/v1/webhooks", "post", obj{"operationId": "createWebhook", "summary": "Register a webhook (admin). Loopback, link-local and private targets are refused unless the operator allow-lists them.",
		"security": keyAccess,
		"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": object([]string{"url"}, obj{
			"url": str("http or https URL"), "scope": str("empty (all), world, country:ISO3 or region:CODE")})}}},
		"responses": obj{"201": jsonResponse("the webhook, with its secret", hook), "400": problem("a bad or refused URL"),
			"401": problem("an API key is needed"), "403": forbidden, "404": notFound, "429": problem("too many requests"), "500": problem("internal error")}})
	add("/api/v1/webhooks", "get", op("listWebhooks", "Every webhook, without secrets (admin)", keyAccess, nil,
		obj{"200": jsonResponse("webhooks", object([]string{"items"}, obj{"items": array(hook)})), "403": forbidden, "404": notFound}))
	add("/api/v1/webhooks/{id}", "delete", op("deleteWebhook", "Remove a webhook and its deliveries (admin)", keyAccess,
		[]obj{pathParam("id", "webhook id")}, obj{"204": obj{"description": "removed"}, "400": problem("bad id"), "403": forbidden, "404": notFound}))
	add("/api/v1/webhooks/{id}/deliveries", "get", op("webhookDeliveries", "A webhook's deliveries, newest first (admin)", keyAccess,
		[]obj{pathParam("id", "webhook id")}, obj{"200": jsonResponse("deliveries", object([]string{"items"}, obj{"items": array(delivery)})),
			"400": problem("bad id"), "403": forbidden, "404": notFound}))
}
