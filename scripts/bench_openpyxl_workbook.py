#!/usr/bin/env python3
"""Write the cells of the full data set workbook with openpyxl in write-only
mode, for reliefbench workbook: one sheet per CSV file given (Data.csv,
Drugs.csv), numbers as numbers, empty fields as empty cells, a bold header.
Prints one JSON object: writer, seconds, peak_kib, bytes, note.

    bench_openpyxl_workbook.py --out FILE.xlsx Data.csv Drugs.csv
"""
import argparse
import csv
import json
import os
import resource
import time

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font


def value(field):
    if field == "":
        return None
    try:
        return float(field)
    except ValueError:
        return field


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("csv", nargs="+")
    args = ap.parse_args()

    start = time.perf_counter()
    wb = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    rows = 0
    for path in args.csv:
        ws = wb.create_sheet(os.path.splitext(os.path.basename(path))[0])
        ws.freeze_panes = "A2"
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            cells = []
            for h in header:
                c = WriteOnlyCell(ws, value=h)
                c.font = bold
                cells.append(c)
            ws.append(cells)
            for rec in reader:
                ws.append([value(x) for x in rec])
                rows += 1
    wb.save(args.out)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "writer": "openpyxl write-only",
        "seconds": seconds,
        "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "bytes": os.path.getsize(args.out),
        "note": f"openpyxl {openpyxl.__version__}, {rows} data rows",
    }))


if __name__ == "__main__":
    main()
