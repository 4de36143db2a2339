package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `reliefgap: the gap between the supply of controlled pain medicines and medical need

Usage: reliefgap <command> [flags]

Commands:
  serve      run the HTTP service (--demo loads illustrative data into an empty database)
  migrate    apply pending database migrations (needed once for PostgreSQL)
  version    print the version
  import     import spreadsheets (consumption, estimates, population, deaths, countries)
  template   write a blank Form B (estimates) or Form C (consumption) template
  gaps       compute access-gap figures for a country, region, income group or the world
  keys       create, list and revoke API keys

Global configuration (flag, or environment variable):
  --db          RELIEFGAP_DB          database: sqlite:PATH (default sqlite:reliefgap.db) or postgres://…
  --log-level   RELIEFGAP_LOG_LEVEL   debug, info, warn, error (default info)
  --log-format  RELIEFGAP_LOG_FORMAT  text or json (default text)

Run "reliefgap <command> --help" for a command's flags.
`

// env reads configuration from the environment.
type env func(string) string

// globals are the settings every command shares.
type globals struct {
	db        string
	logLevel  string
	logFormat string
}

func (g *globals) register(fs *flag.FlagSet, getenv env) {
	fs.StringVar(&g.db, "db", or(getenv("RELIEFGAP_DB"), "sqlite:reliefgap.db"), "database: sqlite:PATH or postgres://…")
	fs.StringVar(&g.logLevel, "log-level", or(getenv("RELIEFGAP_LOG_LEVEL"), "info"), "log level: debug, info, warn, error")
	fs.StringVar(&g.logFormat, "log-format", or(getenv("RELIEFGAP_LOG_FORMAT"), "text"), "log format: text or json")
}

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
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageErr("")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version", "--version":
		fmt.Fprintln(stdout, "reliefgap", version)
		return nil
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, getenv, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, getenv, stdout, stderr)
	case "template":
		return cmdTemplate(ctx, rest, getenv, stdout, stderr)
	case "gaps":
		return cmdGaps(ctx, rest, getenv, stdout, stderr)
	case "keys":
		return cmdKeys(ctx, rest, getenv, stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return usageErr("unknown command %q", cmd)
}

// newFlags makes a flag set that reports errors as usage errors.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: reliefgap %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning -h into a clean exit and errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return true, nil
		}
		return false, usageErr("%v", err)
	}
	return false, nil
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
	s, err := store.Open(ctx, g.db, store.Options{Logger: log, Migrate: migrate})
	if err != nil {
		return nil, err
	}
	return &app{
		store:   s,
		imports: &access.ImportService{Store: s, Parser: importers.New()},
		gaps:    &access.GapService{Store: s},
		keys:    &access.KeyService{Store: s},
		log:     log,
	}, nil
}

func (a *app) Close() error { return a.store.Close() }

func cmdMigrate(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	var g globals
	fs := newFlags("migrate", "migrate [--db DSN]", stderr)
	g.register(fs, getenv)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
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
