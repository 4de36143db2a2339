package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/reliefgap/reliefgap/internal/access"
)

// defaultRetention is how long the bytes of dry runs and rejected uploads
// are kept.
const defaultRetention = 90 * 24 * time.Hour

func (c *cli) pruneCmd() *cobra.Command {
	var olderThan time.Duration
	cmd := &cobra.Command{
		Use:   "prune [--older-than DURATION]",
		Short: "apply the retention rule: remove the stored bytes of old dry runs and rejected uploads",
		Long: `Remove the stored bytes of dry runs and rejected uploads received longer ago than
--older-than (default 90 days, 2160h). Upload records, their problems and the audit
log stay; bytes shared with a kept upload stay. "reliefgap serve" applies the same
rule once a day (RELIEFGAP_RETENTION).`,
		Example: "  reliefgap prune --older-than 720h",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if olderThan <= 0 {
				return usageErr("--older-than must be positive")
			}
			a, err := openApp(c.ctx, &c.g, c.stderr, false)
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.store.PruneBlobs(c.ctx, time.Now().UTC().Add(-olderThan),
				access.AuditEntry{Actor: access.Operator.Name, Role: access.Operator.Role, RemoteAddr: "cli"})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "removed the bytes of %d files (%d bytes)\n", res.Files, res.Bytes)
			return nil
		},
	}
	cmd.Flags().DurationVar(&olderThan, "older-than", defaultRetention, "remove what was received longer ago than this")
	return cmd
}
