package access

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every Flag… constant of the package has a glossary entry, and every
// entry has a meaning of one sentence and a known severity.
func TestGlossaryCoversEveryFlag(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var flags []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range vs.Names {
				if !strings.HasPrefix(id.Name, "Flag") || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					flags = append(flags, v)
				}
			}
			return true
		})
	}
	if len(flags) < 20 {
		t.Fatalf("found only %d flags: %v", len(flags), flags)
	}
	for _, f := range flags {
		e, ok := ExplainFlag(f)
		if !ok || e.Code != f {
			t.Errorf("flag %q has no glossary entry", f)
		}
	}
	if e, ok := ExplainFlag("drug_not_reported:morphine"); !ok || e.Code != FlagDrugNotReported {
		t.Errorf("drug_not_reported:morphine → %+v", e)
	}
	for _, e := range Glossary() {
		if e.Kind == "" || e.Meaning == "" || strings.Count(e.Meaning, ". ") > 0 || !strings.HasSuffix(e.Meaning, ".") {
			t.Errorf("entry %+v: want a kind and a one-sentence meaning", e)
		}
		switch e.Severity {
		case SeverityInfo, SeverityCaution, SeverityMissing:
		default:
			t.Errorf("entry %s: severity %q", e.Code, e.Severity)
		}
	}
}
