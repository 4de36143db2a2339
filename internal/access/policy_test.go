package access

import "testing"

// The whole policy, role × action × own/other country: every cell says
// what the caller gets.
func TestAuthorizeMatrix(t *testing.T) {
	public := Principal{}
	advocate := Principal{KeyID: 2, Role: RoleAdvocate}
	admin := Principal{KeyID: 1, Role: RoleAdmin}
	ken := Principal{KeyID: 3, Role: RoleMinistry, Country: "KEN"}
	const ok Code = ""
	type cell struct {
		who     Principal
		country string
		want    Code
	}
	matrix := map[Action][]cell{
		ActReadFigures:      {{public, "KEN", ok}, {advocate, "", ok}, {ken, "UGA", ok}, {admin, "", ok}},
		ActDownloadTemplate: {{public, "", ok}, {ken, "KEN", ok}},
		ActUpload: {{public, "KEN", Unauthorized}, {advocate, "KEN", Forbidden}, {ken, "KEN", ok}, {ken, "UGA", Forbidden},
			{ken, "", ok}, {admin, "UGA", ok}, {admin, "", ok}},
		ActListUploads:     {{public, "", Unauthorized}, {advocate, "", Forbidden}, {ken, "KEN", ok}, {ken, "UGA", Forbidden}, {admin, "", ok}},
		ActReadUpload:      {{public, "KEN", Unauthorized}, {advocate, "KEN", Forbidden}, {ken, "KEN", ok}, {ken, "UGA", NotFound}, {admin, "UGA", ok}},
		ActReadUnpublished: {{public, "KEN", Unauthorized}, {advocate, "KEN", Forbidden}, {ken, "KEN", ok}, {ken, "UGA", Forbidden}, {admin, "KEN", ok}},
	}
	for _, act := range []Action{ActDecideUpload, ActManageKeys, ActReadAudit, ActChangeSettings, ActManageSchedules, ActManageJobs, ActManageWebhooks} {
		matrix[act] = []cell{{public, "", Unauthorized}, {advocate, "", Forbidden}, {ken, "KEN", Forbidden}, {ken, "", Forbidden}, {admin, "", ok}, {admin, "KEN", ok}}
	}
	if len(matrix) != len(policy) {
		t.Fatalf("the matrix covers %d actions, the policy has %d", len(matrix), len(policy))
	}
	for act, cells := range matrix {
		for _, c := range cells {
			err := Authorize(c.who, act, c.country)
			if got := ErrorCode(err); (err == nil) != (c.want == ok) || (err != nil && got != c.want) {
				t.Errorf("%s by %q/%s for %q: %v, want %q", act, c.who.Role, c.who.Country, c.country, err, c.want)
			}
		}
	}
	if err := Authorize(admin, Action("fly"), ""); ErrorCode(err) != Internal {
		t.Errorf("an action without a policy: %v", err)
	}
	if ScopeOf(ken, "UGA") != "KEN" || ScopeOf(admin, "UGA") != "UGA" || ScopeOf(public, "") != "" {
		t.Error("ScopeOf")
	}
}
