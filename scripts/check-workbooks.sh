#!/usr/bin/env bash
# Re-opens every workbook the report tests generate with excelize (the tests
# themselves), with Python openpyxl and with LibreOffice, converting each to
# PDF; fails if any of them cannot open a workbook.
#
#   scripts/check-workbooks.sh [DIR]
#
# DIR keeps the workbooks and PDFs (a temporary directory by default).
# Needs python3-openpyxl and libreoffice-calc (Debian); .ci/run installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-}"
if [ -z "$out" ]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# Debian's openpyxl lives in the system interpreter, not in a pyenv one.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

echo "== generating workbooks (excelize re-opens each in the tests)"
RELIEFGAP_REPORTS_OUT="$out" go test -count=1 -run 'ReportXLSX|DataSet|ReportDownloads' ./reports ./internal/httpapi

shopt -s nullglob
books=("$out"/*.xlsx)
if [ "${#books[@]}" -eq 0 ]; then
  echo "no workbooks were generated in $out" >&2
  exit 1
fi

echo "== openpyxl"
"$py" - "${books[@]}" <<'PY'
import sys
import openpyxl

failed = False
for path in sys.argv[1:]:
    try:
        wb = openpyxl.load_workbook(path)
        cells = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        raise ValueError(f"{ws.title}!{c.coordinate} holds a formula: {c.value!r}")
                    if c.value is not None:
                        cells += 1
        print(f"ok  {path}: {len(wb.worksheets)} sheets, {cells} cells, no formulas")
    except Exception as e:  # report every workbook, then fail
        failed = True
        print(f"FAIL {path}: {e}", file=sys.stderr)
sys.exit(1 if failed else 0)
PY

echo "== LibreOffice headless → PDF"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"; [ -n "${1:-}" ] || rm -rf "$out"' EXIT
status=0
for book in "${books[@]}"; do
  pdf="${book%.xlsx}.pdf"
  rm -f "$pdf"
  if ! timeout 180 soffice --headless --norestore -env:UserInstallation="file://$profile" \
      --convert-to pdf --outdir "$out" "$book" >/dev/null 2>&1 || [ ! -s "$pdf" ]; then
    echo "FAIL LibreOffice could not convert $book" >&2
    status=1
  else
    echo "ok  $pdf ($(stat -c %s "$pdf") bytes)"
  fi
done
exit $status
