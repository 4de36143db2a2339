package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/reliefgap/reliefgap/internal/access"
)

const keysUsage = `keys create --role admin|advocate|ministry [--country ISO3] [--name NAME]
       reliefgap keys list
       reliefgap keys revoke ID`

func cmdKeys(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stderr, "Usage: reliefgap %s\n", keysUsage)
		if len(args) == 0 {
			return usageErr("keys needs a subcommand: create, list or revoke")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	var g globals
	fs := newFlags("keys "+sub, keysUsage, stderr)
	g.register(fs, getenv)
	role := fs.String("role", "", "admin, advocate or ministry (create)")
	country := fs.String("country", "", "the ministry's country, ISO3 (create)")
	name := fs.String("name", "", "who holds the key (create)")
	if help, err := parseFlags(fs, rest); help || err != nil {
		return err
	}
	switch sub {
	case "create", "list", "revoke":
	default:
		return usageErr("unknown keys subcommand %q: use create, list or revoke", sub)
	}
	if sub == "revoke" && fs.NArg() != 1 {
		return usageErr("keys revoke needs one key ID")
	}
	a, err := openApp(ctx, &g, stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	switch sub {
	case "create":
		if *role == "" {
			return usageErr("keys create needs --role")
		}
		secret, k, err := a.keys.Create(ctx, access.Operator, access.Role(*role), *country, *name, "cli")
		if err != nil {
			if access.ErrorCode(err) == access.Invalid {
				return usageErr("%s", access.ErrorMessage(err))
			}
			return err
		}
		fmt.Fprintf(stdout, "created key %d (%s%s, %q); it is shown only now — keep it safe:\n", k.ID, k.Role, suffix(k.Country), k.Name)
		fmt.Fprintln(stdout, secret)
		return nil
	case "list":
		keys, err := a.keys.List(ctx, access.Operator)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tROLE\tCOUNTRY\tNAME\tPREFIX\tCREATED\tLAST USED\tREVOKED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s…\t%s\t%s\t%s\n", k.ID, k.Role, k.Country, k.Name, k.Prefix,
				k.CreatedAt.Format(time.RFC3339), when(k.LastUsedAt), when(k.RevokedAt))
		}
		return tw.Flush()
	}
	id, err := strconv.ParseInt(strings.TrimSpace(fs.Arg(0)), 10, 64)
	if err != nil {
		return usageErr("key ID %q is not a number", fs.Arg(0))
	}
	if err := a.keys.Revoke(ctx, access.Operator, id, "cli"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked key %d\n", id)
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
