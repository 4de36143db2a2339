package importers

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

// readVersionedCSV reads an embedded, versioned data table: "#" comments,
// one "version,N" line, a header line starting "publisher", and rows of
// width fields (header names them, for errors). It returns the version
// and the data rows.
func readVersionedCSV(text string, width int, header string) (version int, rows [][]string, err error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	all, err := r.ReadAll()
	if err != nil {
		return 0, nil, err
	}
	for _, row := range all {
		switch {
		case len(row) == 2 && row[0] == "version":
			if version, err = strconv.Atoi(row[1]); err != nil {
				return 0, nil, fmt.Errorf("version %q", row[1])
			}
		case len(row) != width:
			return 0, nil, fmt.Errorf("row %q: want %s", row, header)
		case row[0] == "publisher":
		default:
			rows = append(rows, row)
		}
	}
	if version == 0 {
		return 0, nil, fmt.Errorf("no version line")
	}
	return version, rows, nil
}
