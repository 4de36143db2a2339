// Package migrations holds the reviewed, forward-only SQL migrations of the
// reliefgap schema, one folder per dialect, embedded in the binary.
package migrations

import "embed"

// Postgres holds postgres/NNNN_name.sql.
//
//go:embed postgres/*.sql
var Postgres embed.FS

// SQLite holds sqlite/NNNN_name.sql.
//
//go:embed sqlite/*.sql
var SQLite embed.FS
