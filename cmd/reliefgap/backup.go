package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/reliefgap/reliefgap/internal/store"
)

func (c *cli) backupCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "backup -o FILE",
		Short: "write a consistent copy of the SQLite database, stored upload files included",
		Long: `Write a consistent copy of the database to FILE (which must not exist), safe while
the service runs. Uploaded files are kept in the database, so the copy holds them
too. For PostgreSQL use pg_dump, as the message explains.`,
		Example: "  reliefgap backup -o /backups/reliefgap-2026-12-04.db",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErr("backup needs -o FILE")
			}
			a, err := openApp(c.ctx, &c.g, c.stderr, false)
			if err != nil {
				return err
			}
			defer a.Close()
			v, err := a.store.DataVersion(c.ctx)
			if err != nil {
				return err
			}
			if err := a.store.Backup(c.ctx, out); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "backed up %s at data version %d to %s\n", store.Redact(c.g.db), v, out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the backup file to write")
	return cmd
}

func (c *cli) restoreCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "restore a backup made by reliefgap backup into the SQLite database named by --db",
		Long: `Restore a backup made by "reliefgap backup" as the SQLite database named by --db.
The backup is checked (a reliefgap schema and data version) before it replaces
anything; an existing database is replaced only with --force. Stop the service
first. For PostgreSQL use pg_restore.`,
		Example: "  reliefgap restore /backups/reliefgap-2026-12-04.db --db sqlite:/data/reliefgap.db --force",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("restore needs one backup FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return c.restore(args[0], force) },
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing database")
	return cmd
}

func (c *cli) restore(backup string, force bool) error {
	dialect, target, err := store.ParseDSN(c.g.db)
	if err != nil {
		return err
	}
	if dialect != store.SQLite {
		return usageErr("restore writes SQLite databases; restore PostgreSQL with pg_restore --clean --dbname=… FILE")
	}
	if _, err := os.Stat(target); err == nil && !force {
		return usageErr("%s exists: give --force to replace it", target)
	}
	tmp := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".restoring")
	_ = os.Remove(tmp)
	if err := copyFile(backup, tmp); err != nil {
		return err
	}
	schema, data, err := store.CheckBackup(c.ctx, tmp)
	if err != nil {
		removeDB(tmp)
		return err
	}
	removeDB(target)
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	removeDB(tmp)
	fmt.Fprintf(c.stdout, "restored %s (schema version %d, data version %d) to %s\n", backup, schema, data, target)
	return nil
}

// removeDB removes a SQLite database file and its WAL companions.
func removeDB(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p)
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
