package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/reliefgap/reliefgap/internal/access"
)

func (c *cli) keysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "create, list and revoke API keys",
		Long: `API keys identify administrators, advocates and ministries (scoped to one
country). A key is printed once when created; only its hash is stored.`,
		Example: `  reliefgap keys create --role admin --name "operations"
  reliefgap keys create --role ministry --country KEN --name "Kenya PPB"
  reliefgap keys list
  reliefgap keys revoke 3`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("keys needs a subcommand: create, list or revoke")
			}
			return usageErr("unknown keys subcommand %q: use create, list or revoke", args[0])
		},
		RunE: func(cmd *cobra.Command, args []string) error { return nil },
	}
	var role, country, name string
	var expiresIn time.Duration
	create := &cobra.Command{
		Use:     "create --role admin|advocate|ministry [--country ISO3] [--name NAME]",
		Short:   "create a key and print it once",
		Example: "  reliefgap keys create --role ministry --country KEN --name \"Kenya PPB\"",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.keysCreate(role, country, name, expiresIn)
		},
	}
	create.Flags().StringVar(&role, "role", "", "admin, advocate or ministry")
	create.Flags().StringVar(&country, "country", "", "the ministry's country, ISO3")
	create.Flags().StringVar(&name, "name", "", "who holds the key")
	create.Flags().DurationVar(&expiresIn, "expires-in", 0, "the key stops working after this long, e.g. 2160h (90 days); default never")
	var grace, rotExpires time.Duration
	rotate := &cobra.Command{
		Use:   "rotate ID [--grace DURATION]",
		Short: "replace a key with a new one for the same holder; print the new key once",
		Long: `Replace key ID with a new key of the same holder, role and country, and print the
new key once. The old key stops working after --grace (at once by default).`,
		Example: "  reliefgap keys rotate 3 --grace 72h",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("keys rotate needs one key ID")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return c.keysRotate(args[0], grace, rotExpires) },
	}
	rotate.Flags().DurationVar(&grace, "grace", 0, "how long the old key keeps working, e.g. 72h")
	rotate.Flags().DurationVar(&rotExpires, "expires-in", 0, "the new key stops working after this long; default never")
	list := &cobra.Command{
		Use:   "list",
		Short: "list keys (never their secrets)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return c.keysList() },
	}
	revoke := &cobra.Command{
		Use:     "revoke ID",
		Short:   "revoke a key",
		Example: "  reliefgap keys revoke 3",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("keys revoke needs one key ID")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return c.keysRevoke(args[0]) },
	}
	cmd.AddCommand(create, list, revoke, rotate)
	return cmd
}

func (c *cli) keysCreate(role, country, name string, expiresIn time.Duration) error {
	if role == "" {
		return usageErr("keys create needs --role")
	}
	if expiresIn < 0 {
		return usageErr("--expires-in cannot be negative")
	}
	a, err := openApp(c.ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	req := access.KeyRequest{Role: access.Role(role), Country: country, Name: name}
	if expiresIn > 0 {
		at := time.Now().UTC().Add(expiresIn)
		req.ExpiresAt = &at
	}
	secret, k, err := a.keys.CreateKey(c.ctx, access.Operator, req, "cli")
	if err != nil {
		if access.ErrorCode(err) == access.Invalid {
			return usageErr("%s", access.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(c.stdout, "created key %d (%s%s, %q); it is shown only now — keep it safe:\n", k.ID, k.Role, suffix(k.Country), k.Name)
	fmt.Fprintln(c.stdout, secret)
	return nil
}

func (c *cli) keysList() error {
	a, err := openApp(c.ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	keys, err := a.keys.List(c.ctx, access.Operator)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tCOUNTRY\tNAME\tPREFIX\tCREATED\tLAST USED\tEXPIRES\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s…\t%s\t%s\t%s\t%s\n", k.ID, k.Role, k.Country, k.Name, k.Prefix,
			k.CreatedAt.Format(time.RFC3339), when(k.LastUsedAt), when(k.ExpiresAt), when(k.RevokedAt))
	}
	return tw.Flush()
}

func (c *cli) keysRevoke(arg string) error {
	id, err := strconv.ParseInt(strings.TrimSpace(arg), 10, 64)
	if err != nil {
		return usageErr("key ID %q is not a number", arg)
	}
	a, err := openApp(c.ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.keys.Revoke(c.ctx, access.Operator, id, "cli"); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "revoked key %d\n", id)
	return nil
}

func suffix(country string) string {
	if country == "" {
		return ""
	}
	return " " + country
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func (c *cli) keysRotate(arg string, grace, expiresIn time.Duration) error {
	id, err := strconv.ParseInt(strings.TrimSpace(arg), 10, 64)
	if err != nil {
		return usageErr("key ID %q is not a number", arg)
	}
	if grace < 0 || expiresIn < 0 {
		return usageErr("--grace and --expires-in cannot be negative")
	}
	a, err := openApp(c.ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	var exp *time.Time
	if expiresIn > 0 {
		at := time.Now().UTC().Add(expiresIn)
		exp = &at
	}
	secret, k, err := a.keys.Rotate(c.ctx, access.Operator, id, grace, exp, "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "key %d replaces key %d (%s%s, %q); it is shown only now — keep it safe:\n", k.ID, id, k.Role, suffix(k.Country), k.Name)
	fmt.Fprintln(c.stdout, secret)
	return nil
}

func (c *cli) auditCmd() *cobra.Command {
	var limit int
	var format string
	cmd := &cobra.Command{
		Use:     "audit [--limit N]",
		Short:   "show the newest audit entries: who wrote what, when and from where",
		Example: "  reliefgap audit --limit 20",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 || limit > 1000 {
				return usageErr("--limit must be between 1 and 1000")
			}
			if format != "table" && format != "json" {
				return usageErr("unknown format %q: use table or json", format)
			}
			a, err := openApp(c.ctx, &c.g, c.stderr, false)
			if err != nil {
				return err
			}
			defer a.Close()
			es, err := a.keys.Audit(c.ctx, access.Operator, limit)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(c.stdout, es)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tAT\tACTOR\tROLE\tACTION\tTARGET\tFROM\tDETAIL")
			for _, e := range es {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.At.Format(time.RFC3339), e.Actor, e.Role, e.Action, e.Target, e.RemoteAddr, e.Detail)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 100, "how many entries, newest first (at most 1000)")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	return cmd
}
