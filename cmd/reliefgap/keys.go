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
	create := &cobra.Command{
		Use:     "create --role admin|advocate|ministry [--country ISO3] [--name NAME]",
		Short:   "create a key and print it once",
		Example: "  reliefgap keys create --role ministry --country KEN --name \"Kenya PPB\"",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.keysCreate(role, country, name)
		},
	}
	create.Flags().StringVar(&role, "role", "", "admin, advocate or ministry")
	create.Flags().StringVar(&country, "country", "", "the ministry's country, ISO3")
	create.Flags().StringVar(&name, "name", "", "who holds the key")
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
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func (c *cli) keysCreate(role, country, name string) error {
	if role == "" {
		return usageErr("keys create needs --role")
	}
	a, err := openApp(c.ctx, &c.g, c.stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	secret, k, err := a.keys.Create(c.ctx, access.Operator, access.Role(role), country, name, "cli")
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
	fmt.Fprintln(tw, "ID\tROLE\tCOUNTRY\tNAME\tPREFIX\tCREATED\tLAST USED\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s…\t%s\t%s\t%s\n", k.ID, k.Role, k.Country, k.Name, k.Prefix,
			k.CreatedAt.Format(time.RFC3339), when(k.LastUsedAt), when(k.RevokedAt))
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
