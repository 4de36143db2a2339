package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// "reliefgap import" refuses a file over --max-upload-bytes (or
// RELIEFGAP_MAX_UPLOAD_BYTES) and takes it under a larger limit.
func TestImportMaxUploadBytes(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "r.db")
	file := filepath.Join(dir, "k.csv")
	// 32 bytes of header and 23 of one row: 55 bytes.
	if err := os.WriteFile(file, []byte("iso3,year,drug,consumption,unit\nKEN,2020,morphine,5,kg\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCmd(t, nil, "import", "--db", db, "--max-upload-bytes", "40", file)
	if code != 1 || !strings.Contains(out+errOut, "the limit is 40 bytes") {
		t.Fatalf("over the limit: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runCmd(t, map[string]string{"RELIEFGAP_MAX_UPLOAD_BYTES": "40"}, "import", "--db", db, file)
	if code != 1 || !strings.Contains(out+errOut, "the limit is 40 bytes") {
		t.Fatalf("over the limit from the environment: exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code = runCmd(t, nil, "import", "--db", db, "--max-upload-bytes", "0", file); code != 2 {
		t.Fatalf("a zero limit: exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code = runCmd(t, nil, "import", "--db", db, "--max-upload-bytes", "100", file); code != 0 || !strings.Contains(out, "published") {
		t.Fatalf("under the limit: exit %d\n%s%s", code, out, errOut)
	}
}
