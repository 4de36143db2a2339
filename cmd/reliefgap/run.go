package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// cli is what every command shares: the process's context, environment,
// streams and the global settings.
type cli struct {
	ctx    context.Context
	getenv env
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	g      globals
}

// env reads configuration from the environment.
type env func(string) string

// globals are the settings every command shares (persistent flags).
type globals struct {
	db        string
	logLevel  string
	logFormat string
	// dbMaxConns bounds the PostgreSQL connection pool.
	dbMaxConns int
	// secretKey seals webhook secrets at rest (RELIEFGAP_SECRET_KEY, from
	// the environment only: a flag's value shows in the process list).
	secretKey []byte
	// previousKey opens the secrets an earlier key sealed, to seal them
	// again with secretKey (RELIEFGAP_SECRET_KEY_PREVIOUS).
	previousKey []byte
	// envErr is a bad value found in the environment, reported when a
	// command opens the database.
	envErr error
}

func (g *globals) register(fs *pflag.FlagSet, getenv env) {
	fs.StringVar(&g.db, "db", or(getenv("RELIEFGAP_DB"), "sqlite:reliefgap.db"), "database: sqlite:PATH or postgres://… (RELIEFGAP_DB)")
	fs.StringVar(&g.logLevel, "log-level", or(getenv("RELIEFGAP_LOG_LEVEL"), "info"), "log level: debug, info, warn, error (RELIEFGAP_LOG_LEVEL)")
	fs.StringVar(&g.logFormat, "log-format", or(getenv("RELIEFGAP_LOG_FORMAT"), "text"), "log format: text or json (RELIEFGAP_LOG_FORMAT)")
	maxConns := 20
	if v := strings.TrimSpace(getenv("RELIEFGAP_DB_MAX_CONNS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			g.envErr = usageErr("RELIEFGAP_DB_MAX_CONNS=%q is not a positive whole number", v)
		}
		maxConns = n
	}
	fs.IntVar(&g.dbMaxConns, "db-max-conns", maxConns, "PostgreSQL connection pool size (RELIEFGAP_DB_MAX_CONNS)")
	for _, e := range []struct {
		name string
		key  *[]byte
	}{{secretKeyEnv, &g.secretKey}, {previousKeyEnv, &g.previousKey}} {
		if v := getenv(e.name); v != "" {
			k, err := store.ParseSecretKey(v)
			if err != nil && g.envErr == nil {
				g.envErr = usageErr("%s: %v", e.name, err)
			}
			*e.key = k
		}
	}
	bindEnv(fs, "db-max-conns", "RELIEFGAP_DB_MAX_CONNS")
	bindEnv(fs, "db", "RELIEFGAP_DB")
	bindEnv(fs, "log-level", "RELIEFGAP_LOG_LEVEL")
	bindEnv(fs, "log-format", "RELIEFGAP_LOG_FORMAT")
}

// secretKeyEnv holds the key webhook secrets are sealed with: the base64
// of 32 random bytes (openssl rand -base64 32).
const secretKeyEnv = "RELIEFGAP_SECRET_KEY"

// previousKeyEnv holds the key the secrets were sealed with before
// secretKeyEnv changed.
const previousKeyEnv = "RELIEFGAP_SECRET_KEY_PREVIOUS"

func (g *globals) logger(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, usageErr("unknown log level %q", g.logLevel)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch g.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageErr("unknown log format %q: use text or json", g.logFormat)
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// run is the whole program, testable: args without the program name.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := &cli{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	root := c.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	_, err := root.ExecuteContextC(ctx)
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	// cobra's own errors (an unknown command or flag, a bad flag value, a
	// missing argument) are usage errors: exit 2.
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "invalid argument", "flag needs an argument", "accepts ", "requires at least", "required flag", "if any flags in the group"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, p) {
			return usageErr("%s", msg)
		}
	}
	return err
}

// rootCmd builds the command tree. Flags may come before or after
// arguments; the global flags work with every command.
func (c *cli) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "reliefgap",
		Short: "the gap between the supply of controlled pain medicines and medical need",
		Long: `reliefgap shows, country by country, how far the supply of controlled pain and
palliative-care medicines falls short of medical need, and helps health ministries
estimate what to request next year.`,
		Example: `  reliefgap serve --demo
  reliefgap import --dry-run statistics-2023.xlsx
  reliefgap gaps --country KEN --from 2015 --to 2022`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       buildVersion(),
	}
	root.SetVersionTemplate("reliefgap {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErr("%v (see %s --help)", err, cmd.CommandPath())
	})
	c.g.register(root.PersistentFlags(), c.getenv)
	root.AddCommand(c.serveCmd(), c.migrateCmd(), c.versionCmd(), c.importCmd(), c.templateCmd(), c.gapsCmd(), c.estimateCmd(), c.sourcesCmd(), c.validateCmd(), c.keysCmd(),
		c.configCmd(), c.healthcheckCmd(), c.backupCmd(), c.restoreCmd(), c.auditCmd(), c.pruneCmd(), c.reportCmd())
	root.AddCommand(c.availabilityCmd())
	return root
}

// noArgs refuses positional arguments, naming the first.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr("%s takes no arguments, got %q (see %s --help)", cmd.CommandPath(), args[0], cmd.CommandPath())
	}
	return nil
}

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(c.stdout, "reliefgap", buildVersion())
			return nil
		},
	}
}

// app is the wired program: the store and the services over it.
type app struct {
	store   *store.Store
	imports *access.ImportService
	gaps    *access.GapService
	keys    *access.KeyService
	log     *slog.Logger
}

func openApp(ctx context.Context, g *globals, stderr io.Writer, migrate bool) (*app, error) {
	log, err := g.logger(stderr)
	if err != nil {
		return nil, err
	}
	if g.envErr != nil {
		return nil, g.envErr
	}
	if g.dbMaxConns <= 0 {
		return nil, usageErr("--db-max-conns must be positive, got %d", g.dbMaxConns)
	}
	s, err := store.Open(ctx, g.db, store.Options{Logger: log, Migrate: migrate, MaxOpenConns: g.dbMaxConns,
		SecretKey: g.secretKey, PreviousSecretKey: g.previousKey})
	if err != nil {
		return nil, err
	}
	return &app{
		store:   s,
		imports: &access.ImportService{Store: s, Parser: importers.New(), Annotate: importers.Annotate},
		gaps:    &access.GapService{Store: s},
		keys:    &access.KeyService{Store: s},
		log:     log,
	}, nil
}

func (a *app) Close() error { return a.store.Close() }

func (c *cli) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "migrate",
		Short:   "apply pending database migrations (needed once for PostgreSQL, and after each upgrade)",
		Example: "  RELIEFGAP_DB=postgres://reliefgap@db:5432/reliefgap reliefgap migrate",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.migrate(c.ctx, &c.g, c.stdout, c.stderr)
		},
	}
}

func (c *cli) migrate(ctx context.Context, g *globals, stdout, stderr io.Writer) error {
	log, err := g.logger(stderr)
	if err != nil {
		return err
	}
	s, err := store.Open(ctx, g.db, store.Options{Logger: log, Manual: true})
	if err != nil {
		return err
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	v, _ := s.SchemaVersion(ctx)
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "%s is up to date at schema version %d\n", store.Redact(g.db), v)
		return nil
	}
	names := make([]string, len(applied))
	for i, a := range applied {
		names[i] = a.Name
	}
	fmt.Fprintf(stdout, "applied %s; schema version %d\n", strings.Join(names, ", "), v)
	return nil
}
