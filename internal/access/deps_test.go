package access_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainImportsOnlyTheStandardLibrary keeps the domain free of the
// adapters' dependencies: gin, gorm and excelize belong to httpapi, store
// and importers/reports.
func TestDomainImportsOnlyTheStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/reliefgap/reliefgap/internal/access" {
			t.Errorf("internal/access depends on %s; the domain may import only the standard library", dep)
		}
		for _, banned := range []string{"gin-gonic", "gorm.io", "excelize"} {
			if strings.Contains(dep, banned) {
				t.Errorf("internal/access must not depend on %s", dep)
			}
		}
	}
}
