package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) openAPI(c *gin.Context) {
	doc := OpenAPI(s.cfg.Version)
	if s.site != nil {
		paths := doc["paths"].(obj)
		pagesOpenAPI(s.site.Routes(), func(path, method string, o obj) {
			if paths[path] == nil {
				paths[path] = obj{}
			}
			paths[path].(obj)[method] = o
		})
	}
	c.JSON(http.StatusOK, doc)
}

// obj is a JSON object in the OpenAPI document.
type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func str(desc string) obj { return obj{"type": "string", "description": desc} }

func integer(desc string) obj { return obj{"type": "integer", "description": desc} }

func number(desc string) obj { return obj{"type": "number", "description": desc} }

func nullable(s obj) obj {
	out := obj{"nullable": true}
	for k, v := range s {
		out[k] = v
	}
	return out
}

func object(required []string, props obj) obj {
	o := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func array(items obj) obj { return obj{"type": "array", "items": items} }

func pageOf(item string) obj {
	return object([]string{"items"}, obj{"items": array(ref(item)), "next_cursor": str("opaque cursor of the next page; absent on the last")})
}

func pathParam(name, desc string) obj {
	return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": obj{"type": "string"}}
}

func query(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "description": desc, "schema": schema}
}

func requiredQuery(name, desc string, schema obj) obj {
	q := query(name, desc, schema)
	q["required"] = true
	return q
}

var (
	specISO3     = pathParam("iso3", "ISO 3166-1 alpha-3 code, e.g. KEN")
	uploadIDPar  = pathParam("id", "upload id")
	yearParam    = requiredQuery("year", "calendar year", obj{"type": "integer", "minimum": 1900, "maximum": 2100})
	fromParam    = query("from", "first year (inclusive)", obj{"type": "integer", "minimum": 1900, "maximum": 2100})
	toParam      = query("to", "last year (inclusive)", obj{"type": "integer", "minimum": 1900, "maximum": 2100})
	asOfParam    = query("as_of", "a data version: the figures exactly as they were answered at that version (inputs, factor tables and settings as they stood then); cacheable for ever; a version after the current one is a 400. Every figures response links its own as_of in a Link header with rel=canonical", obj{"type": "integer", "minimum": 1})
	modelParam   = query("model", "need model (a factor table of kind need-model, e.g. benchmark or cancer-hiv) whose figures fill the headline fields; the setting default_need_model (benchmark) when absent; an unknown model is a 400 naming the known ones", obj{"type": "string"})
	ifNoneMatch  = obj{"name": "If-None-Match", "in": "header", "description": "an ETag from an earlier response", "schema": obj{"type": "string"}}
	publicAccess = []obj{{}, {"bearerAuth": []string{}}}
	keyAccess    = []obj{{"bearerAuth": []string{}}}
)

func problem(desc string) obj {
	return obj{"description": desc, "content": obj{ProblemContentType: obj{"schema": ref("Problem")}}}
}

func jsonResponse(desc string, schema obj) obj {
	return obj{"description": desc, "content": obj{"application/json": obj{"schema": schema}}}
}

func fileResponse(desc, contentType string) obj {
	return obj{"description": desc,
		"headers": obj{"Content-Disposition": obj{"schema": obj{"type": "string"}, "description": "attachment; filename=…"}},
		"content": obj{contentType: obj{"schema": obj{"type": "string", "format": "binary"}}}}
}

// op builds an operation. Every operation may answer 401 (an invalid key),
// 429 (rate limit) and 500.
func op(id, summary string, security []obj, params []obj, responses obj) obj {
	responses["401"] = problem("an API key is needed, or the key given is invalid or revoked")
	responses["429"] = obj{"description": "too many requests", "headers": obj{"Retry-After": obj{"schema": obj{"type": "integer"}}},
		"content": obj{ProblemContentType: obj{"schema": ref("Problem")}}}
	responses["500"] = problem("internal error; the detail is logged, not shown")
	o := obj{"operationId": id, "summary": summary, "security": security, "responses": responses}
	if len(params) > 0 {
		o["parameters"] = params
	}
	return o
}

// cached adds the ETag behaviour of gap and data responses.
func cached(ok obj) obj {
	ok["headers"] = obj{"ETag": obj{"schema": obj{"type": "string"}, "description": "changes whenever published data change"},
		"Link": obj{"schema": obj{"type": "string"}, "description": "<…?as_of=N>; rel=\"canonical\": the permalink of these figures"}}
	return ok
}

// OpenAPI returns the OpenAPI 3 description of every route.
func OpenAPI(version string) obj {
	if version == "" {
		version = "dev"
	}
	r := newCommonResponses()

	p := obj{}
	add := func(path, method string, o obj) {
		if p[path] == nil {
			p[path] = obj{}
		}
		p[path].(obj)[method] = o
	}
	metaPaths(add)
	referencePaths(add, r)
	gapPaths(add, r)
	countryDataPaths(add, r)
	uploadPaths(add, r)
	jobPaths(add, r)
	keyPaths(add, r)
	operationsPaths(add)

	reportPaths(p, add)
	schedulePaths(add)
	feedPaths(add)
	webhookPaths(add)
	doc := withAvailability(obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       "reliefgap API",
			"version":     version,
			"description": "How far the supply of controlled pain medicines falls short of medical need, per country; and the uploads ministries send. Errors are application/problem+json (RFC 9457) with a type documented at /api/v1/problems. Every figure carries the data version, factor tables and need model that produced it.",
			"license":     obj{"name": "Figures: CC BY 4.0, citing reliefgap and the data version; input data under each publisher's own terms"},
		},
		"servers": []obj{{"url": "/"}},
		"paths":   p,
		"components": obj{
			"securitySchemes": obj{"bearerAuth": obj{"type": "http", "scheme": "bearer", "description": "an API key (rgk_…)"}},
			"schemas":         schemas(),
		},
	})
	finishDocument(doc)
	return doc
}

// commonResponses are the responses many operations share.
type commonResponses struct {
	notModified, badRequest, notFound, forbidden, uploadNotFound obj
}

func newCommonResponses() commonResponses {
	return commonResponses{
		notModified:    obj{"description": "the client's copy (If-None-Match) is current"},
		badRequest:     problem("a parameter is malformed"),
		notFound:       problem("no such resource"),
		forbidden:      problem("the key may not do this"),
		uploadNotFound: problem("no such upload, or an upload of another country"),
	}
}

// metaPaths adds the paths of the document itself and the problem types.
func metaPaths(add func(path, method string, o obj)) {
	add("/api/v1/openapi.json", "get", op("openapi", "This document", publicAccess, nil,
		obj{"200": jsonResponse("the OpenAPI document", obj{"type": "object"})}))
	add("/api/v1/problems", "get", op("listProblemTypes", "Every problem type URI with its meaning; error responses' type points here", publicAccess, nil,
		obj{"200": jsonResponse("problem types", obj{"type": "array", "items": obj{"type": "object", "properties": obj{
			"type": obj{"type": "string", "description": "the type URI, as in problem documents"}, "description": obj{"type": "string"}}}})}))
}

// referencePaths adds the paths of reference data: countries, drugs, factor tables, settings, sources and the glossary.
func referencePaths(add func(path, method string, o obj), r commonResponses) {
	add("/api/v1/countries", "get", op("listCountries", "Every ISO 3166-1 country with its WHO region and income group", publicAccess, nil,
		obj{"200": jsonResponse("countries", pageOf("Country"))}))
	add("/api/v1/countries/{iso3}", "get", op("getCountry", "One country", publicAccess, []obj{specISO3},
		obj{"200": jsonResponse("the country", ref("Country")), "400": r.badRequest, "404": r.notFound}))
	add("/api/v1/drugs", "get", op("listDrugs", "Controlled drugs", publicAccess, nil,
		obj{"200": jsonResponse("drugs", pageOf("Drug"))}))
	add("/api/v1/factor-tables", "get", op("listFactorTables", "Every version of every factor table (without rows)", publicAccess, nil,
		obj{"200": jsonResponse("factor tables", pageOf("FactorTable"))}))
	add("/api/v1/factor-tables/{name}/{version}", "get", op("getFactorTable", "One version of a factor table with its rows, source and confidence", publicAccess,
		[]obj{pathParam("name", "table name, e.g. sddd"), pathParam("version", "a version number or \"latest\"")},
		obj{"200": jsonResponse("the table", ref("FactorTable")), "400": r.badRequest, "404": r.notFound}))
	settingsBody := jsonResponse("every figures setting with its value", object([]string{"items"}, obj{"items": array(ref("FiguresSetting"))}))
	add("/api/v1/settings", "get", op("listSettings", "The settings that shape the figures (administrators)", keyAccess, nil,
		obj{"200": settingsBody, "403": r.forbidden}))
	add("/api/v1/settings/{key}", "put", obj{
		"operationId": "putSetting",
		"summary":     "Change a figures setting (administrators): default_need_model, or rule.suspected_not_reported (on or off). The data version moves.",
		"security":    keyAccess,
		"parameters":  []obj{pathParam("key", "the setting")},
		"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": object([]string{"value"}, obj{"value": str("")})}}},
		"responses": obj{"200": settingsBody, "400": r.badRequest, "401": problem("an API key is needed"), "403": r.forbidden,
			"404": r.notFound, "429": problem("too many requests"), "500": problem("internal error")},
	})
	sourcesBody := jsonResponse("every population and deaths series with its terms", object([]string{"items"}, obj{"items": array(ref("Series"))}))
	add("/api/v1/sources", "get", op("listSources", "Population and deaths series by source and vintage, with licence and citation, and which one the figures use", publicAccess,
		[]obj{asOfParam, ifNoneMatch}, obj{"200": cached(sourcesBody), "304": r.notModified, "400": r.badRequest}))
	add("/api/v1/sources/{measure}", "put", obj{
		"operationId": "putSource",
		"summary":     "Choose the series figures divide by (administrators): a setting, so the data version moves",
		"security":    keyAccess,
		"parameters":  []obj{pathParam("measure", "population or deaths")},
		"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": object([]string{"source"}, obj{"source": str("a published series; empty: the series published first")})}}},
		"responses": obj{"200": sourcesBody, "400": r.badRequest, "401": problem("an API key is needed"), "403": r.forbidden,
			"404": r.notFound, "429": problem("too many requests"), "500": problem("internal error")},
	})
	add("/api/v1/glossary", "get", op("glossary", "Every flag and band the figures carry: code, meaning in one sentence, severity", publicAccess, nil,
		obj{"200": jsonResponse("the glossary", object([]string{"items"}, obj{"items": array(ref("GlossaryEntry"))}))}))
}

// gapPaths adds the paths of the figures: a country's gaps, the ranking and group figures.
func gapPaths(add func(path, method string, o obj), r commonResponses) {
	add("/api/v1/countries/{iso3}/gaps", "get", op("countryGaps", "A country's access-gap figures by year", publicAccess,
		[]obj{specISO3, fromParam, toParam, modelParam, asOfParam, ifNoneMatch},
		obj{"200": cached(jsonResponse("the figures, with methods and lineage", ref("CountryGaps"))), "304": r.notModified, "400": r.badRequest, "404": r.notFound}))
	add("/api/v1/gaps", "get", op("rankGaps", "Countries ranked by a figure for one year", publicAccess,
		[]obj{yearParam,
			query("region", "WHO region", obj{"type": "string", "enum": []string{"AFR", "AMR", "EMR", "EUR", "SEAR", "WPR"}}),
			query("income", "World Bank income group", obj{"type": "string", "enum": []string{"LIC", "LMC", "UMC", "HIC"}}),
			query("countries", "only these countries: up to 50 ISO3 codes separated by commas, e.g. UGA,KEN,IND (one request for a comparison)", obj{"type": "string", "pattern": "^[A-Za-z]{3}(,[A-Za-z]{3})*$"}),
			query("sort", "field to sort by; a leading - sorts descending (the default is -me_mg_per_capita); countries without the figure come last",
				obj{"type": "string", "pattern": "^-?(me_mg_per_capita|me_mg|need_met_pct|gap_me_mg|benchmark_index|sddd_per_million_per_day|sddd_3yr_avg|morphine_kg_to_close_gap|population)$"}),
			query("limit", "page size (default 50; at most 200, or 1000 for advocate and admin keys)", obj{"type": "integer", "minimum": 1}),
			query("cursor", "next_cursor of the previous page", obj{"type": "string"}),
			modelParam, asOfParam, ifNoneMatch},
		obj{"200": cached(jsonResponse("a page of the ranking", ref("GapRanking"))), "304": r.notModified, "400": r.badRequest, "404": r.notFound}))
	rankingCountries := query("countries", "limit the ranking (not the group's figures) to these countries: up to 50 ISO3 codes separated by commas, e.g. UGA,KEN,IND; each keeps its rank in the whole group, and listed countries that are not ranked members are absent", obj{"type": "string", "pattern": "^[A-Za-z]{3}(,[A-Za-z]{3})*$"})
	groupParams := func(first ...obj) []obj {
		return append(first, yearParam, modelParam, asOfParam, rankingCountries, ifNoneMatch)
	}
	groupResponses := func() obj {
		return obj{"200": cached(jsonResponse("the group's figures", ref("GroupGaps"))), "304": r.notModified, "400": r.badRequest, "404": r.notFound}
	}
	add("/api/v1/regions/{code}/gaps", "get", op("regionGaps", "A WHO region's figures for one year", publicAccess,
		groupParams(pathParam("code", "WHO region: AFR, AMR, EMR, EUR, SEAR or WPR")), groupResponses()))
	add("/api/v1/income-groups/{code}/gaps", "get", op("incomeGroupGaps", "A World Bank income group's figures for one year", publicAccess,
		groupParams(pathParam("code", "LIC, LMC, UMC or HIC")), groupResponses()))
	add("/api/v1/world/gaps", "get", op("worldGaps", "The world's figures for one year", publicAccess, groupParams(), groupResponses()))
}

// countryDataPaths adds the paths of a country's supply estimate and published values.
func countryDataPaths(add func(path, method string, o obj), r commonResponses) {
	add("/api/v1/countries/{iso3}/supply-estimate", "get", op("supplyEstimate", "What a country might request for a year, drug by drug, as Form B lines with their justification; a ministry key also sees its own submissions awaiting publication", publicAccess,
		[]obj{specISO3, yearParam, modelParam, asOfParam,
			query("projection", "consumption projection: mean (last three reported years), trend (linear, last five) or max (default)", obj{"type": "string", "enum": []string{"mean", "trend", "max"}}),
			query("mix", "how need is split across strong opioids: current (default) or morphine", obj{"type": "string", "enum": []string{"current", "morphine"}}),
			query("phase", "share of the gap between projection and need closed in the year (default 1/3)", obj{"type": "number", "minimum": 0, "maximum": 1}),
			query("stock_months", "months of (a) to hold in stock on 31 December (default 6)", obj{"type": "number", "minimum": 0, "maximum": 24}),
			query("manufacture", "(b) as the ministry gives it, per drug: morphine=1200,codeine=50 (grams)", obj{"type": "string"}),
			query("special_stocks", "(d) as the ministry gives it, per drug (grams)", obj{"type": "string"}),
			query("expected_stock", "the stock the ministry expects on 31 December of the year before, per drug (grams)", obj{"type": "string"}),
			ifNoneMatch},
		obj{"200": cached(jsonResponse("the estimate", ref("SupplyEstimate"))), "304": r.notModified, "400": r.badRequest, "404": r.notFound}))

	for _, d := range []struct{ path, id, what, schema string }{
		{"consumption", "countryConsumption", "Published consumption (grams of anhydrous base)", "Consumption"},
		{"estimates", "countryEstimates", "Published estimates (grams of anhydrous base)", "Estimate"},
		{"population", "countryPopulation", "Published mid-year population", "Population"},
		{"deaths", "countryDeaths", "Published deaths by cause", "Deaths"},
	} {
		add("/api/v1/countries/{iso3}/"+d.path, "get", op(d.id, d.what+", with the upload, sheet and row each value came from", publicAccess,
			[]obj{specISO3, fromParam, toParam, ifNoneMatch},
			obj{"200": cached(jsonResponse("values", pageOf(d.schema))), "304": r.notModified, "400": r.badRequest, "404": r.notFound}))
	}
}

// uploadPaths adds the paths of uploads and templates.
func uploadPaths(add func(path, method string, o obj), r commonResponses) {
	add("/api/v1/uploads", "post", obj{
		"operationId": "createUpload",
		"summary":     "Upload a file. Ministry keys: consumption or estimates for their own country; admin keys: any kind.",
		"security":    keyAccess,
		"requestBody": obj{"required": true, "content": obj{"multipart/form-data": obj{"schema": ref("UploadForm")}}},
		"responses": obj{
			"200": jsonResponse("a dry run's report (status dry-run, nothing stored); or, when the same bytes were already uploaded for this kind and scope, the first upload with duplicate true", ref("Upload")),
			"202": obj{"description": "received; small files are validated at once (status submitted or dry-run), large ones in the background (status received, then validating, with progress): poll Location after Retry-After seconds",
				"headers": obj{"Location": obj{"schema": obj{"type": "string"}}, "Retry-After": obj{"schema": obj{"type": "integer"}, "description": "seconds to wait before polling (background processing only)"}},
				"content": obj{"application/json": obj{"schema": ref("Upload")}}},
			"400": r.badRequest,
			"401": problem("an API key is needed"),
			"403": r.forbidden,
			"413": problem("the file is larger than the limit"),
			"422": problem("the file was read and refused; problems lists the rows"),
			"429": problem("too many requests"),
			"500": problem("internal error"),
		},
	})
	add("/api/v1/uploads", "get", op("listUploads", "Uploads, newest first; a ministry sees only its own country's", keyAccess,
		[]obj{query("country", "ISO3 scope", obj{"type": "string"}),
			query("status", "workflow status", obj{"type": "string", "enum": []string{"received", "validating", "rejected", "submitted", "failed", "published", "superseded", "dry-run"}}),
			query("kind", "kind of data", obj{"type": "string", "enum": []string{"consumption", "estimates", "population", "deaths", "countries"}}),
			query("limit", "page size (default 50, at most 200)", obj{"type": "integer", "minimum": 1}),
			query("cursor", "next_cursor of the previous page", obj{"type": "string"})},
		obj{"200": jsonResponse("a page of uploads", pageOf("UploadSummary")), "400": r.badRequest, "403": r.forbidden}))
	add("/api/v1/uploads/{id}", "get", op("getUpload", "An upload: status, counts, problems and what it changes", keyAccess, []obj{uploadIDPar},
		obj{"200": jsonResponse("the upload", ref("Upload")), "403": r.forbidden, "404": r.uploadNotFound}))
	add("/api/v1/uploads/{id}/file", "get", op("getUploadFile", "The file exactly as it was sent", keyAccess, []obj{uploadIDPar},
		obj{"200": fileResponse("the bytes", "application/octet-stream"), "403": r.forbidden, "404": r.uploadNotFound}))
	add("/api/v1/uploads/{id}/annotated.xlsx", "get", op("getAnnotatedUpload", "The file as a workbook with its problems marked in place", keyAccess, []obj{uploadIDPar},
		obj{"200": fileResponse("the workbook", xlsxType), "403": r.forbidden, "404": r.uploadNotFound}))
	add("/api/v1/uploads/{id}/publish", "post", op("publishUpload", "Make a submitted upload's values public (admin)", keyAccess, []obj{uploadIDPar},
		obj{"200": jsonResponse("the published upload", ref("Upload")), "403": r.forbidden, "404": r.notFound, "409": problem("the upload is not submitted")}))
	reject := op("rejectUpload", "Refuse a submitted upload with a reason (admin)", keyAccess, []obj{uploadIDPar},
		obj{"200": jsonResponse("the rejected upload", ref("Upload")), "400": r.badRequest, "403": r.forbidden, "404": r.notFound, "409": problem("the upload is not submitted")})
	reject["requestBody"] = obj{"required": true, "content": obj{"application/json": obj{"schema": ref("RejectRequest")}}}
	add("/api/v1/uploads/{id}/reject", "post", reject)
	add("/api/v1/templates/{file}", "get", op("getTemplate", "An empty workbook to fill in: consumption.xlsx or estimates.xlsx", publicAccess,
		[]obj{{"name": "file", "in": "path", "required": true, "schema": obj{"type": "string", "enum": []string{"consumption.xlsx", "estimates.xlsx"}}}},
		obj{"200": fileResponse("the template", xlsxType), "404": r.notFound}))
}

// jobPaths adds the paths of background jobs.
func jobPaths(add func(path, method string, o obj), r commonResponses) {
	jobIDPar := pathParam("id", "job id")
	add("/api/v1/jobs", "get", op("listJobs", "Background jobs, newest first (admin); finished ones are kept for a while, then deleted", keyAccess,
		[]obj{query("kind", "job kind, e.g. import", obj{"type": "string"}),
			query("status", "job status", obj{"type": "string", "enum": []string{"queued", "running", "done", "failed", "cancelled"}}),
			query("limit", "page size (default 50, at most 200)", obj{"type": "integer", "minimum": 1}),
			query("cursor", "next_cursor of the previous page", obj{"type": "string"})},
		obj{"200": jsonResponse("a page of jobs", pageOf("Job")), "400": r.badRequest, "403": r.forbidden}))
	add("/api/v1/jobs/{id}", "get", op("getJob", "One background job (admin)", keyAccess, []obj{jobIDPar},
		obj{"200": jsonResponse("the job", ref("Job")), "403": r.forbidden, "404": r.notFound}))
	add("/api/v1/jobs/{id}/cancel", "post", op("cancelJob", "Cancel a queued or running job (admin); a running one rolls back and its upload fails, retryable", keyAccess, []obj{jobIDPar},
		obj{"200": jsonResponse("the cancelled job", ref("Job")), "403": r.forbidden, "404": r.notFound, "409": problem("the job has finished")}))
	add("/api/v1/jobs/{id}/retry", "post", op("retryJob", "Queue a failed or cancelled job again (admin)", keyAccess, []obj{jobIDPar},
		obj{"200": jsonResponse("the queued job", ref("Job")), "403": r.forbidden, "404": r.notFound, "409": problem("the job is not failed or cancelled")}))
}

// keyPaths adds the paths of keys and the audit log.
func keyPaths(add func(path, method string, o obj), r commonResponses) {
	createKey := op("createKey", "Issue a key (admin); the secret is shown only in this response", keyAccess, nil,
		obj{"201": jsonResponse("the key and its secret", ref("CreatedKey")), "400": r.badRequest, "403": r.forbidden})
	createKey["requestBody"] = obj{"required": true, "content": obj{"application/json": obj{"schema": ref("CreateKeyRequest")}}}
	add("/api/v1/keys", "post", createKey)
	add("/api/v1/keys", "get", op("listKeys", "Every key, never a secret (admin)", keyAccess, nil,
		obj{"200": jsonResponse("keys", pageOf("Key")), "403": r.forbidden}))
	rotate := op("rotateKey", "Replace a key with a new one for the same holder (admin); the old key ends after grace_seconds", keyAccess,
		[]obj{pathParam("id", "key id")},
		obj{"201": jsonResponse("the new key and its secret", ref("CreatedKey")), "400": r.badRequest, "403": r.forbidden, "404": r.notFound,
			"409": problem("the key is revoked or expired")})
	rotate["requestBody"] = obj{"required": false, "content": obj{"application/json": obj{"schema": object(nil, obj{
		"grace_seconds": integer("how long the old key keeps working; 0 (default): it stops now"),
		"expires_at":    obj{"type": "string", "format": "date-time", "description": "when the new key stops working"}})}}}
	add("/api/v1/keys/{id}/rotate", "post", rotate)
	add("/api/v1/audit", "get", op("listAudit", "The newest audit entries: who wrote what, when and from where (admin)", keyAccess,
		[]obj{{"name": "limit", "in": "query", "schema": obj{"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}},
		obj{"200": jsonResponse("audit entries", obj{"type": "object", "properties": obj{"items": obj{"type": "array", "items": object(nil, obj{
			"id": integer(""), "at": obj{"type": "string", "format": "date-time"}, "actor": str("the key holder's name"), "key_id": integer(""),
			"role": str(""), "action": str("upload, publish, reject, key.create, key.revoke, key.rotate, import"), "target": str("e.g. upload:12"),
			"remote_addr": str("client address"), "detail": str("")})}}}), "400": r.badRequest, "403": r.forbidden}))
	add("/api/v1/keys/{id}", "delete", op("revokeKey", "Revoke a key (admin)", keyAccess, []obj{pathParam("id", "key id")},
		obj{"204": obj{"description": "revoked"}, "403": r.forbidden, "404": r.notFound}))
}

// operationsPaths adds the paths of health, readiness and metrics.
func operationsPaths(add func(path, method string, o obj)) {
	add("/healthz", "get", obj{"operationId": "healthz", "summary": "The process is up", "security": []obj{{}},
		"responses": obj{"200": jsonResponse("up", object(nil, obj{"status": str("ok"), "version": str("build version")}))}})
	add("/readyz", "get", obj{"operationId": "readyz", "summary": "The database answers", "security": []obj{{}},
		"responses": obj{"200": jsonResponse("ready", object(nil, obj{"status": str("ready")})),
			"503": jsonResponse("not ready", object(nil, obj{"status": str("unavailable")}))}})
	add("/metrics", "get", obj{"operationId": "metrics", "summary": "Prometheus metrics", "security": []obj{{}},
		"responses": obj{"200": obj{"description": "text exposition format", "content": obj{"text/plain": obj{"schema": obj{"type": "string"}}}}}})
}

func schemas() obj {
	all := obj{}
	for _, part := range []obj{
		operationSchemas(),
		referenceSchemas(),
		countryFiguresSchemas(),
		groupFiguresSchemas(),
		dataSchemas(),
		uploadSchemas(),
		keySchemas(),
	} {
		for k, v := range part {
			all[k] = v
		}
	}
	return all
}

// operationSchemas returns the schemas of background jobs and problem documents.
func operationSchemas() obj {

	return obj{
		"Job": object([]string{"id", "kind", "status"}, obj{"id": integer(""), "kind": str("e.g. import"), "ref": str("what it works on, e.g. upload:12"),
			"status":   obj{"type": "string", "enum": []string{"queued", "running", "done", "failed", "cancelled"}},
			"attempts": integer("runs started"), "owner": str("the process running it"), "progress": integer("rows read, for an import"),
			"error": str("why it failed"), "created_at": obj{"type": "string", "format": "date-time"},
			"started_at": nullable(obj{"type": "string", "format": "date-time"}), "finished_at": nullable(obj{"type": "string", "format": "date-time"})}),
		"Problem": object([]string{"type", "title", "status"}, obj{
			"type": str("a problem type URI documented at /api/v1/problems, or about:blank"), "title": str("HTTP status text"), "status": integer("HTTP status"),
			"detail": str("what went wrong, for a person"), "instance": str("the request path"),
			"code":       obj{"type": "string", "enum": []string{"invalid", "not_found", "conflict", "forbidden", "unauthorized", "too_large", "internal", "unavailable"}},
			"request_id": str("also in the X-Request-ID header"), "upload_id": integer("the upload concerned"),
			"problems": array(ref("ImportProblem")),
		}),
		"ImportProblem": object([]string{"severity", "code", "message"}, obj{
			"severity": obj{"type": "string", "enum": []string{"error", "warning"}}, "code": str(""), "sheet": str(""),
			"row": integer("1-based, as in Excel"), "column": str("column letter"), "value": str(""), "message": str(""),
		}),
	}
}

// referenceSchemas returns the schemas of reference data: countries, drugs and factor tables.
func referenceSchemas() obj {

	return obj{
		"Country": object([]string{"iso3", "name"}, obj{"iso3": str(""), "iso2": str(""), "numeric": str(""), "name": str(""),
			"official_name": str(""), "aliases": array(str("")), "who_region": str(""), "un_region": str(""), "un_subregion": str(""),
			"income_group": str(""), "income_vintage": str("")}),
		"Drug": object([]string{"code", "name"}, obj{"code": str("lower-case INN"), "name": str(""), "synonyms": array(str("")),
			"convention": str("1961 or 1971"), "pain_basket": obj{"type": "boolean"}}),
		"FactorTable": object([]string{"name", "version", "kind"}, obj{"name": str(""), "version": integer(""), "kind": str(""),
			"title": str(""), "source": str(""), "confidence": str("V (primary source), U (widely quoted), C (computed)"), "notes": str(""),
			"created_at": obj{"type": "string", "format": "date-time"}, "row_count": integer(""), "href": str(""),
			"rows": array(object([]string{"key", "value"}, obj{"key": str(""), "drug": str(""), "value": number(""), "share": number(""),
				"mg_per_day": number(""), "days": number(""), "label": str(""), "assumption": obj{"type": "boolean"},
				"confidence": str(""), "note": str("")}))}),
	}
}

// countryFiguresSchemas returns the schemas of a country's figures, need models, settings and the glossary.
func countryFiguresSchemas() obj {
	nnum := func(d string) obj { return nullable(number(d)) }
	nstr := func(d string) obj { return nullable(str(d)) }
	countryRef := object([]string{"iso3", "name"}, obj{"iso3": str(""), "name": str(""), "who_region": str(""), "income_group": str("")})
	return obj{
		"NeedModels": obj{"type": "object", "description": "need model name → its figures, side by side",
			"additionalProperties": object(nil, obj{"need_me_mg": nnum("mg ME"), "need_met_pct": nnum("%"), "gap_me_mg": nnum("mg ME"), "cost_to_close_gap_usd": nnum("US$")})},
		"NeedMetPctRange": nullable(obj{"type": "array", "items": number(""), "minItems": 2, "maxItems": 2,
			"description": "[min, max] of need_met_pct over need_models; null when no model has one"}),
		"FiguresSetting": object([]string{"key", "value", "default"}, obj{"key": str(""), "value": str("current value"),
			"default": str(""), "meaning": str("")}),
		"GlossaryEntry": object([]string{"kind", "code", "meaning", "severity"}, obj{
			"kind":    str("flag, or the band table: incb_band, benchmark_band, acm_band, group_band"),
			"code":    str("the flag or band label; a flag ending in ':' is followed by a drug or cause code"),
			"meaning": str("one sentence"), "severity": obj{"type": "string", "enum": []string{"info", "caution", "missing"}}}),
		"CountryGaps": object([]string{"country", "data_version", "methods", "years"}, obj{
			"country":           countryRef,
			"data_version":      integer("the data version the figures were computed at; the ETag derives from it"),
			"population_source": str("the population series divided by (GET /api/v1/sources)"),
			"deaths_source":     str("the deaths series the need models used"),
			"sources":           array(ref("SourceUse")),
			"methods":           ref("Methods"),
			"years": array(obj{"type": "object", "description": "one year's figures: me_mg, me_mg_per_capita, sddd_per_million_per_day, need_me_mg, need_met_pct, gap_me_mg, … with flags, per-drug detail and lineage",
				"properties": obj{"year": integer(""), "income_group": nstr("the World Bank income group of the data year (FY = year + 2); null when not classified"), "me_mg": nnum(""), "me_mg_per_capita": nnum(""), "need_met_pct": nnum(""), "gap_me_mg": nnum(""),
					"need_models": ref("NeedModels"), "need_met_pct_range": ref("NeedMetPctRange"),
					"population": nnum(""), "sddd_per_million_per_day": nnum(""), "sddd_3yr_avg": nnum(""), "adequacy": nstr(""),
					"benchmark_index": nnum(""), "benchmark_band": nstr(""), "acm": nnum(""), "acm_band": nstr(""), "need_me_mg": nnum(""),
					"morphine_kg_to_close_gap": nnum(""), "cost_to_close_gap_usd": nnum(""), "estimate_me_mg": nnum(""), "estimate_utilization_pct": nnum(""), "estimate_need_coverage_pct": nnum(""),
					"drugs": array(obj{"type": "object", "description": "per-drug figures: grams of base, mg ME, S-DDD, state and flags",
						"properties": obj{"drug": str(""), "kg": nnum(""), "grams": nnum(""), "me_mg": nnum(""), "sddd": nnum("S-DDD counted: mg ÷ the drug's S-DDD"),
							"estimate_total_g": nnum(""), "estimate_me_mg": nnum(""), "state": nstr(""), "flags": array(str(""))}}),
					"flags": array(str("see /api/v1/glossary")), "lineage": array(object(nil, obj{"what": str(""), "year": integer(""), "upload_id": integer(""), "sheet": str(""), "row": integer("")}))}}),
		}),
	}
}

// groupFiguresSchemas returns the schemas of group figures, methods and the ranking.
func groupFiguresSchemas() obj {
	nnum := func(d string) obj { return nullable(number(d)) }
	nstr := func(d string) obj { return nullable(str(d)) }
	countryRef := object([]string{"iso3", "name"}, obj{"iso3": str(""), "name": str(""), "who_region": str(""), "income_group": str("")})
	ranked := obj{"position": integer("1-based place in this ordering"), "country": countryRef, "population": nnum(""), "me_mg": nnum(""),
		"me_mg_per_capita": nnum(""), "sddd_per_million_per_day": nnum(""), "sddd_3yr_avg": nnum(""), "adequacy": nstr("INCB band"),
		"benchmark_index": nnum(""), "benchmark_band": nstr(""), "need_me_mg": nnum(""), "need_met_pct": nnum(""), "gap_me_mg": nnum(""),
		"morphine_kg_to_close_gap": nnum(""), "cost_to_close_gap_usd": nnum(""), "flags": array(str("")), "href": str("the country's figures")}
	return obj{
		"GroupGaps": obj{"type": "object", "description": "a WHO region's, income group's or the world's figures for one year: ratios of totals, sums of gaps, counts by band and a ranking",
			"required": []string{"kind", "code", "year", "data_version"},
			"properties": obj{"kind": str("region, income or world"), "code": str(""), "year": integer(""),
				"data_version":      integer("the data version the figures were computed at"),
				"population_source": str(""), "deaths_source": str(""), "sources": array(ref("SourceUse")),
				"countries": integer("members"), "countries_with_data": integer("members with mg ME per capita"),
				"countries_without_data": integer(""), "countries_with_need": integer("members with consumption and headline need"),
				"population": number("every member with a population figure"), "population_with_data": number(""),
				"population_without_data": number(""),
				"me_mg":                   nnum("members with data"), "me_mg_per_capita": nnum(""),
				"need_me_mg": nnum("members with consumption and need"), "gap_me_mg": nnum("Σ max(0, need − consumed)"),
				"cost_to_close_gap_usd": nnum("gap_me_mg × methods.price.usd_per_mg"),
				"need_met_pct":          nnum("100 × Σ min(consumed, need) ÷ Σ need"), "consumption_to_need_pct": nnum("100 × Σ consumed ÷ Σ need"),
				"need_models": ref("NeedModels"), "need_met_pct_range": ref("NeedMetPctRange"),
				"population_by_adequacy":       obj{"type": "object", "additionalProperties": number(""), "description": "INCB band → persons; sums to population_with_data; band none: figure null"},
				"population_by_benchmark_band": obj{"type": "object", "additionalProperties": number("")},
				"population_by_acm_band":       obj{"type": "object", "additionalProperties": number("")},
				"adequacy_counts":              obj{"type": "object", "additionalProperties": integer("members")}, "benchmark_band_counts": obj{"type": "object", "additionalProperties": integer("members")},
				"acm_band_counts":         obj{"type": "object", "additionalProperties": integer("members")},
				"median_me_mg_per_capita": nnum(""), "median_sddd_3yr_avg": nnum(""), "sddd_per_million_per_day": nnum(""),
				"morphine_kg_to_close_gap": nnum(""), "world_share_pct": nnum(""), "methods": ref("Methods"),
				"ranking": array(object(nil, obj{"rank": integer(""), "country": countryRef, "me_mg_per_capita": nnum(""), "me_mg_per_capita_cagr_5y": nnum(""),
					"need_met_pct": nnum(""), "adequacy": nstr(""), "benchmark_index": nnum("")})),
				"ranking_countries": array(str("ISO3"))}},
		"TableRef": object(nil, obj{"name": str("factor table or model name"), "version": integer("its version")}),
		"Methods": obj{"type": "object", "description": "factor tables (name and version), need models, rules and formulas behind the figures",
			"properties": obj{"me": ref("TableRef"), "sddd": ref("TableRef"), "basket": ref("TableRef"), "incb_bands": ref("TableRef"),
				"benchmark_reference": ref("TableRef"), "benchmark_bands": ref("TableRef"), "acm_bands": ref("TableRef"), "need_model": ref("TableRef"),
				"need_models": array(ref("TableRef")), "price": nullable(object(nil, obj{"name": str(""), "version": integer(""), "usd_per_mg": number(""), "year": integer("the year the price is of"), "source": str("")})), "data_quality_rules": obj{}, "days_per_year": obj{}, "formb_total": obj{},
				"formulas": obj{"type": "object", "additionalProperties": str("the formula, in words"), "description": "the formula behind each figure, by field name"}},
			"additionalProperties": obj{"description": "a further factor table or rule (name and version)"}},
		"GapRanking": object([]string{"data_version", "year", "sort", "total", "items"}, obj{"data_version": integer(""), "population_source": str(""), "deaths_source": str(""), "year": integer(""), "sort": str(""), "region": str(""),
			"income": str(""), "countries": array(str("ISO3")), "total": integer("countries matching"), "methods": nullable(ref("Methods")),
			"items": array(object(nil, ranked)), "next_cursor": str("")}),
	}
}

// dataSchemas returns the schemas of published values, their lineage and sources.
func dataSchemas() obj {
	lineage := object([]string{"upload_id", "row"}, obj{"upload_id": integer("upload the value came from"), "sheet": str("sheet name"), "row": integer("1-based row as shown in Excel")})
	nnum := func(d string) obj { return nullable(number(d)) }
	return obj{
		"Lineage":        lineage,
		"SupplyEstimate": supplyEstimateSchema(),
		"Consumption": object([]string{"iso3", "year", "drug", "lineage"}, obj{"iso3": str(""), "year": integer(""), "drug": str(""),
			"grams": nnum("consumed"), "state": obj{"type": "string", "enum": []string{"reported", "nil", "not_reported"}, "description": "a number, INCB's \"-\" (nil or under the publication threshold), or a blank"},
			"manufactured_g": nnum(""), "utilized_for_manufacture_g": nnum(""), "stock_g": nnum(""), "seizures_g": nnum(""),
			"conversion": str("how the figures were brought to grams of base"), "lineage": ref("Lineage")}),
		"Estimate": object([]string{"iso3", "year", "drug", "lineage"}, obj{"iso3": str(""), "year": integer(""), "drug": str(""),
			"kind": str("annual or supplementary"), "status": str("submitted or confirmed"), "to_be_consumed_g": nnum(""),
			"utilized_for_manufacture_g": nnum(""), "stock_target_g": nnum(""), "special_stocks_g": nnum(""), "total_g": nnum(""),
			"conversion": str(""), "lineage": ref("Lineage")}),
		"Population": object([]string{"iso3", "year", "persons", "lineage"}, obj{"iso3": str(""), "year": integer(""), "persons": number(""), "source": str("the series (publisher and vintage); every series is listed"), "lineage": ref("Lineage")}),
		"Deaths":     object([]string{"iso3", "year", "cause", "deaths", "lineage"}, obj{"iso3": str(""), "year": integer(""), "cause": str(""), "deaths": number(""), "source": str("the series (publisher and vintage)"), "lineage": ref("Lineage")}),
		"SourceUse": object([]string{"upload_id", "kind", "source"}, obj{"upload_id": integer(""), "kind": str("what the upload holds"),
			"source": str(""), "licence": str(""), "citation": str("")}),
		"Series": object([]string{"measure", "source", "default"}, obj{"measure": obj{"type": "string", "enum": []string{"population", "deaths"}},
			"source": str("publisher and vintage"), "first_published_in": integer("data version"), "values": integer(""),
			"licence": str(""), "citation": str(""), "default": obj{"type": "boolean", "description": "the series figures use"},
			"first_upload_id": integer("")}),
	}
}

// uploadSchemas returns the schemas of uploads.
func uploadSchemas() obj {
	nnum := func(d string) obj { return nullable(number(d)) }
	uploadSummary := obj{
		"id": integer(""), "filename": str(""), "size": integer("bytes"), "sha256": str(""), "kind": str(""), "layout": str("layout recognised"),
		"country": str("scope; empty for several countries"), "uploader": str(""),
		"status":  obj{"type": "string", "enum": []string{"received", "validating", "rejected", "submitted", "failed", "published", "superseded", "dry-run"}},
		"reason":  str("why it was rejected"),
		"source":  str("the data's source: publisher and vintage; the series of population and deaths values"),
		"licence": str("the terms the data are published under"), "citation": str("how to cite the data"),
		"received_at": obj{"type": "string", "format": "date-time"}, "decided_at": nullable(obj{"type": "string", "format": "date-time"}),
		"counts":        object(nil, obj{"rows": integer(""), "records": integer(""), "stored": integer(""), "unchanged": integer(""), "warnings": integer(""), "errors": integer("")}),
		"superseded_by": integer(""),
		"links":         object(nil, obj{"self": str(""), "file": str(""), "annotated": str("")}),
	}
	upload := obj{}
	for k, v := range uploadSummary {
		upload[k] = v
	}
	upload["duplicate"] = obj{"type": "boolean", "description": "the same bytes were already uploaded; this is the first upload"}
	upload["problems"] = array(ref("ImportProblem"))
	upload["problem_groups"] = array(object([]string{"severity", "code", "count", "first"}, obj{
		"severity": obj{"type": "string", "enum": []string{"error", "warning"}}, "code": str(""),
		"count": integer("how many problems of this severity and code"), "first": ref("ImportProblem"),
		"cells": array(str("the first cells, as Sheet1!E2 then E9 on the same sheet"))}))
	upload["diff"] = object(nil, obj{"added": integer(""), "changed": integer(""), "removed": integer(""),
		"changes": array(object(nil, obj{"op": str(""), "key": str(""), "field": str(""), "old": nnum(""), "new": nnum("")}))})
	upload["progress"] = object([]string{"job_id", "job_status", "rows_read"}, obj{"job_id": integer("the job processing the upload"),
		"job_status": obj{"type": "string", "enum": []string{"queued", "running", "done", "failed", "cancelled"}}, "rows_read": integer("data rows read so far")})
	upload["matches"] = array(object(nil, obj{"what": str(""), "value": str(""), "resolved": str(""), "method": str(""), "suggestions": array(str(""))}))
	return obj{
		"UploadForm": object([]string{"file"}, obj{
			"file":       obj{"type": "string", "format": "binary"},
			"kind":       obj{"type": "string", "enum": []string{"consumption", "estimates", "population", "deaths", "countries"}, "description": "detected from the headers when absent"},
			"country":    str("ISO3 scope; a ministry key's own country by default"),
			"dry_run":    obj{"type": "boolean", "description": "validate and report, store nothing but the bytes"},
			"replace":    obj{"type": "boolean", "description": "administrators: a multi-country table withdraws the published rows of the countries and years it covers that it leaves out (an upload for one country always does)"},
			"supplement": obj{"type": "integer", "minimum": 1, "maximum": 99, "description": "the number of the supplementary estimate the file holds (default 1); re-uploading number n replaces it"},
			"locale":     obj{"type": "string", "enum": []string{"dot", "comma", "auto"}, "description": "how the file writes numbers: dot (1,234.5) or comma (1.234,5); by default the file's own numbers decide"},
			"source":     obj{"type": "string", "maxLength": 200, "description": "publisher and vintage, e.g. UN WPP 2024; defaulted for the publishers the importers recognise"},
			"licence":    obj{"type": "string", "maxLength": 500, "description": "defaulted likewise (UN WPP CC BY 3.0 IGO, World Bank CC BY 4.0, GBD non-commercial, INCB)"},
			"citation":   obj{"type": "string", "maxLength": 2000, "description": "how to cite the data; defaulted likewise"},
		}),
		"UploadSummary": object([]string{"id", "status"}, uploadSummary),
		"Upload":        object([]string{"id", "status", "problems"}, upload),
		"RejectRequest": object([]string{"reason"}, obj{"reason": obj{"type": "string", "maxLength": 2000}}),
	}
}

// keySchemas returns the schemas of keys.
func keySchemas() obj {
	key := obj{"id": integer(""), "name": str(""), "role": obj{"type": "string", "enum": []string{"admin", "advocate", "ministry"}},
		"country": str("ISO3, ministry keys only"), "prefix": str("first characters of the secret"),
		"created_at": obj{"type": "string", "format": "date-time"}, "last_used_at": nullable(obj{"type": "string", "format": "date-time"}),
		"revoked_at":  nullable(obj{"type": "string", "format": "date-time"}),
		"expires_at":  nullable(obj{"type": "string", "format": "date-time", "description": "when the key stops working; null: never"}),
		"replaced_by": integer("the key that replaced this one when it was rotated")}
	createdKey := obj{"secret": str("shown once; only its SHA-256 is stored")}
	for k, v := range key {
		createdKey[k] = v
	}
	return obj{
		"CreateKeyRequest": object([]string{"role"}, obj{"role": obj{"type": "string", "enum": []string{"admin", "advocate", "ministry"}}, "country": str("ISO3; ministry keys only"), "name": obj{"type": "string", "maxLength": 100},
			"expires_at": obj{"type": "string", "format": "date-time", "description": "when the key stops working; absent: never"}}),
		"Key":        object([]string{"id", "role", "prefix"}, key),
		"CreatedKey": object([]string{"id", "role", "secret"}, createdKey),
	}
}
