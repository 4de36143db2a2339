package access

import "fmt"

// Action is something a caller may ask the services to do. Who may do what
// is decided here, in one table, and nowhere else: the services call
// Authorize with the caller (who) at their entry, and the adapters (HTTP,
// CLI, pages) only establish who is calling.
type Action string

const (
	ActReadFigures      Action = "read published figures"
	ActUpload           Action = "upload data"
	ActListUploads      Action = "list uploads"
	ActReadUpload       Action = "read an upload"
	ActDecideUpload     Action = "publish or reject an upload"
	ActReadUnpublished  Action = "see unpublished submissions in figures"
	ActManageKeys       Action = "manage API keys"
	ActReadAudit        Action = "read the audit log"
	ActChangeSettings   Action = "change settings"
	ActManageSchedules  Action = "manage report schedules"
	ActManageJobs       Action = "manage background jobs"
	ActManageWebhooks   Action = "manage webhooks"
	ActDownloadTemplate Action = "download templates"
)

// rule is who may perform an action.
type rule int

const (
	anyone       rule = iota // the public included
	adminOnly                // administrators
	ownCountry               // administrators, and a ministry for its own country
	ownCountryRO             // as ownCountry, but another country's resource reads as absent
)

// policy is the one table of who may do what.
var policy = map[Action]rule{
	ActReadFigures:      anyone,
	ActDownloadTemplate: anyone,
	ActUpload:           ownCountry,
	ActListUploads:      ownCountry,
	ActReadUpload:       ownCountryRO,
	ActReadUnpublished:  ownCountry,
	ActDecideUpload:     adminOnly,
	ActManageKeys:       adminOnly,
	ActReadAudit:        adminOnly,
	ActChangeSettings:   adminOnly,
	ActManageSchedules:  adminOnly,
	ActManageJobs:       adminOnly,
	ActManageWebhooks:   adminOnly,
}

// Authorize decides whether who may perform act on data of country (ISO3;
// "" when the action concerns no one country, or many). It answers nil,
// or an Unauthorized error (no key, for an action that needs one), a
// Forbidden error, or — for a ministry asking for another country's
// resource that is hidden from it — a NotFound error, so that its existence
// is not revealed.
func Authorize(who Principal, act Action, country string) error {
	r, ok := policy[act]
	if !ok {
		return Errorf(Internal, "Authorize", "no policy for %q", act)
	}
	if r == anyone {
		return nil
	}
	if who.Role == "" {
		return Errorf(Unauthorized, "", "to %s you need an API key", act)
	}
	if who.IsAdmin() {
		return nil
	}
	if r == adminOnly || who.Role != RoleMinistry {
		return Errorf(Forbidden, "", "a%s %s key may not %s", article(string(who.Role)), who.Role, act)
	}
	// A ministry: its own country only; "" (every country) means the
	// caller must narrow the request to its country.
	if country == "" || country == who.Country {
		return nil
	}
	if r == ownCountryRO {
		return Errorf(NotFound, "", "no such resource")
	}
	return Errorf(Forbidden, "", "a ministry key for %s may not %s for %s", who.Country, act, country)
}

// ScopeOf is the country a listing is narrowed to for who: a ministry sees
// its own country only; everyone else what they asked for.
func ScopeOf(who Principal, asked string) string {
	if who.Role == RoleMinistry {
		return who.Country
	}
	return asked
}

func article(word string) string {
	if word != "" && (word[0] == 'a' || word[0] == 'e' || word[0] == 'i' || word[0] == 'o' || word[0] == 'u') {
		return "n"
	}
	return ""
}

// String names an action in messages.
func (a Action) String() string { return fmt.Sprint(string(a)) }
