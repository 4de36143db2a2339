package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/reliefgap/reliefgap/importers"
	"github.com/reliefgap/reliefgap/internal/access"
	"github.com/reliefgap/reliefgap/internal/jobs"
)

// importSummary is the JSON form of one file's import.
type importSummary struct {
	File      string           `json:"file"`
	UploadID  int64            `json:"upload_id"`
	SHA256    string           `json:"sha256"`
	Kind      string           `json:"kind"`
	Layout    string           `json:"layout,omitempty"`
	Status    string           `json:"status"`
	Duplicate bool             `json:"duplicate,omitempty"`
	Rows      int              `json:"rows"`
	Stored    int              `json:"stored"`
	Unchanged int              `json:"unchanged"`
	Warnings  int              `json:"warnings"`
	Errors    int              `json:"errors"`
	Diff      access.Diff      `json:"diff"`
	Matches   []access.Match   `json:"matches,omitempty"`
	Problems  []access.Problem `json:"problems,omitempty"`
	Error     string           `json:"error,omitempty"`
}

// importOptions are the flags of "reliefgap import".
type importOptions struct {
	kind, country, format, annotate, locale string
	dryRun, draft, replace                  bool
	supplement                              int
	maxBytes                                int64
	terms                                   access.Terms
}

func (c *cli) importCmd() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "import spreadsheets (consumption, estimates, population, deaths, countries)",
		Long: `Import spreadsheets as the local operator (an administrator): what is imported is
published at once unless --draft is given. Every problem is printed with the sheet,
row and column it was found in; a file with errors stores nothing but its bytes.
Exit status 1 when a file has errors, 2 on a usage error.`,
		Example: `  reliefgap import --dry-run statistics-2023.xlsx
  reliefgap import population.csv deaths.csv
  reliefgap import --country KEN --draft estimates-2025.xlsx --annotate out/
  reliefgap import --replace incb-consumption-2023.xlsx`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("import needs at least one FILE (see reliefgap import --help)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("max-upload-bytes") {
				n, err := envPositive(c.getenv, "RELIEFGAP_MAX_UPLOAD_BYTES", o.maxBytes)
				if err != nil {
					return err
				}
				o.maxBytes = n
			}
			if o.maxBytes <= 0 {
				return usageErr("--max-upload-bytes must be a positive number of bytes, got %d", o.maxBytes)
			}
			return c.importFiles(c.ctx, o, args)
		},
	}
	fs := cmd.Flags()
	fs.Int64Var(&o.maxBytes, "max-upload-bytes", access.DefaultLimits.MaxBytes, "largest file accepted, in bytes (RELIEFGAP_MAX_UPLOAD_BYTES); files are read as a stream, so a larger limit costs disk, not memory")
	fs.StringVar(&o.kind, "kind", "", "consumption, estimates, population, deaths, countries, availability or ccs (default: detected from the headers)")
	fs.StringVar(&o.country, "country", "", "the one country the files are for (ISO3)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "validate everything and store nothing but the file's bytes")
	fs.BoolVar(&o.draft, "draft", false, "store as submitted, not published (an administrator publishes later)")
	fs.BoolVar(&o.replace, "replace", false, "a multi-country table withdraws the published rows of the countries and years it covers that it leaves out (a file for one --country always does)")
	fs.IntVar(&o.supplement, "supplement", 0, "the number of the supplementary estimate the files hold (default 1); re-importing number n replaces it")
	fs.StringVar(&o.format, "format", "text", "output: text or json")
	fs.StringVar(&o.annotate, "annotate", "", "with problems, write the workbook annotated with them to this directory")
	fs.StringVar(&o.terms.Source, "source", "", "the data's source, publisher and vintage, e.g. \"UN WPP 2024\": the series of population and deaths values (default: from the publisher the importer recognises)")
	fs.StringVar(&o.terms.Licence, "licence", "", "the licence the data are published under (default: the recognised publisher's)")
	fs.StringVar(&o.terms.Citation, "citation", "", "how to cite the data (default: the recognised publisher's)")
	fs.StringVar(&o.locale, "locale", "", "how the files write numbers: dot (1,234.5) or comma (1.234,5) (default: the file's own numbers decide)")
	return cmd
}

func (c *cli) importFiles(ctx context.Context, o importOptions, files []string) error {
	stdout, stderr := c.stdout, c.stderr
	kind, country, dryRun, draft, format, annotate := &o.kind, &o.country, &o.dryRun, &o.draft, &o.format, &o.annotate
	if *format != "text" && *format != "json" {
		return usageErr("unknown format %q: use text or json", *format)
	}
	k := access.ImportKind(*kind)
	if _, err := importers.ParseLocale(o.locale); err != nil {
		return usageErr("%v", err)
	}
	if o.supplement < 0 {
		return usageErr("--supplement is 1 or more")
	}
	if k != "" && !k.Valid() {
		return usageErr("unknown kind %q: use consumption, estimates, population, deaths, countries, availability or ccs", *kind)
	}
	a, err := openApp(ctx, &c.g, stderr, false)
	if err != nil {
		return err
	}
	defer a.Close()
	a.imports.Limits.MaxBytes = o.maxBytes
	runner, err := c.newRunner(a)
	if err != nil {
		return err
	}
	reportInterrupted(ctx, a, stderr, false)

	var summaries []importSummary
	failed := false
	for _, path := range files {
		sum := importFile(ctx, a, runner, path, access.ImportOptions{Kind: k, Country: strings.ToUpper(*country), DryRun: *dryRun, Publish: !*draft,
			Replace: o.replace, Supplement: o.supplement, Locale: o.locale, Terms: o.terms}, stderr)
		if sum.Error != "" || sum.Errors > 0 {
			failed = true
			if *annotate != "" && len(sum.Problems) > 0 {
				if err := writeAnnotated(path, sum.Problems, *annotate, stderr); err != nil {
					fmt.Fprintf(stderr, "%s: cannot write the annotated workbook: %v\n", path, err)
				}
			}
		}
		summaries = append(summaries, sum)
		if *format == "text" {
			printSummary(stdout, sum)
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(summaries); err != nil {
			return err
		}
	}
	if failed {
		return &exitError{code: 1}
	}
	return nil
}

func importFile(ctx context.Context, a *app, runner *jobs.Runner, path string, opt access.ImportOptions, stderr io.Writer) importSummary {
	sum := importSummary{File: path}
	st, err := os.Stat(path)
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", path)
	}
	if err != nil {
		sum.Error = err.Error()
		return sum
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && st.Size() > 1<<20 {
		bar := progressbar.Default(-1, "importing "+filepath.Base(path)+" (rows)")
		opt.Progress = func(done, _ int64) { _ = bar.Set64(done) }
		defer bar.Finish()
	}
	res, err := importAsJob(ctx, a, runner, filepath.Base(path), path, opt)
	u := res.Upload
	sum.UploadID, sum.SHA256, sum.Kind, sum.Layout, sum.Status = u.ID, u.SHA256, string(u.Kind), u.Layout, string(u.Status)
	sum.Duplicate = res.Duplicate
	sum.Rows, sum.Stored, sum.Unchanged = u.Counts.Rows, u.Counts.Stored, u.Counts.Unchanged
	sum.Warnings, sum.Errors = u.Counts.Warnings, u.Counts.Errors
	sum.Diff, sum.Matches, sum.Problems = u.Diff, u.Matches, u.Problems
	if err != nil {
		sum.Error = access.ErrorMessage(err)
		if access.ErrorCode(err) == access.Internal {
			sum.Error = err.Error()
		}
	}
	return sum
}

func printSummary(w io.Writer, s importSummary) {
	if s.Error != "" && s.UploadID == 0 {
		fmt.Fprintf(w, "%s: %s\n", s.File, s.Error)
		return
	}
	if s.Duplicate {
		fmt.Fprintf(w, "%s: already imported as upload %d (%s, %s); nothing changed\n", s.File, s.UploadID, s.Kind, s.Status)
		return
	}
	fmt.Fprintf(w, "%s: upload %d, kind %s", s.File, s.UploadID, s.Kind)
	if s.Layout != "" {
		fmt.Fprintf(w, " (%s)", s.Layout)
	}
	fmt.Fprintf(w, ", %s\n", s.Status)
	fmt.Fprintf(w, "  rows read %d, stored %d (added %d, changed %d), unchanged %d, removed %d, warnings %d, errors %d\n",
		s.Rows, s.Stored, s.Diff.Added, s.Diff.Changed, s.Unchanged, s.Diff.Removed, s.Warnings, s.Errors)
	for _, m := range s.Matches {
		switch {
		case m.Resolved != "" && m.Method != "iso3" && m.Method != "inn":
			fmt.Fprintf(w, "  matched %s %q → %s (by %s)\n", m.What, m.Value, m.Resolved, m.Method)
		case m.Resolved == "" && m.Method == "": // not aggregates: those are summed up among the problems
			fmt.Fprintf(w, "  unmatched %s %q", m.What, m.Value)
			if len(m.Suggestions) > 0 {
				fmt.Fprintf(w, "; did you mean %s?", strings.Join(m.Suggestions, ", "))
			}
			fmt.Fprintln(w)
		}
	}
	// A repeated problem is shown once, with its count and first cells, so
	// that no kind crowds out another; --format json and --annotate give
	// every one.
	for _, g := range access.GroupProblems(s.Problems, 5) {
		if g.Count == 1 {
			fmt.Fprintf(w, "  %s\n", formatProblem(g.First))
			continue
		}
		refs := strings.Join(g.Refs, ", ")
		if len(g.Refs) < g.Count {
			refs += ", …"
		}
		fmt.Fprintf(w, "  %s %s ×%s: %s; first: %s\n", g.Severity, g.Code, groupThousands(g.Count), refs, formatProblem(g.First))
	}
	if len(s.Problems) > 0 && len(s.Problems) > len(access.GroupProblems(s.Problems, 0)) {
		fmt.Fprintln(w, "  (every problem: --format json or --annotate DIR)")
	}
	if s.Error != "" {
		fmt.Fprintf(w, "  %s\n", s.Error)
	}
}

// formatProblem writes a problem the way a spreadsheet user finds it:
// "error Sheet1!C7 (value "abc"): message".
func formatProblem(p access.Problem) string {
	var at string
	switch {
	case p.Sheet != "" && p.Row > 0:
		at = fmt.Sprintf("%s!%s%d", p.Sheet, p.Column, p.Row)
	case p.Row > 0 && p.Column != "":
		at = fmt.Sprintf("line %d, column %s", p.Row, p.Column)
	case p.Row > 0:
		at = fmt.Sprintf("line %d", p.Row)
	}
	s := string(p.Severity)
	if at != "" {
		s += " " + at
	}
	if p.Value != "" {
		s += fmt.Sprintf(" (value %q)", p.Value)
	}
	return s + ": " + p.Message
}

func writeAnnotated(path string, problems []access.Problem, dir string, stderr io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := importers.Annotate(filepath.Base(path), data, problems)
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ".problems.xlsx"
	dest := filepath.Join(dir, name)
	if err := os.WriteFile(dest, out, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: problems marked in %s\n", path, dest)
	return nil
}

func (c *cli) templateCmd() *cobra.Command {
	var kind, out, country string
	cmd := &cobra.Command{
		Use:     "template",
		Short:   "write a blank Form B (estimates) or Form C (consumption) template",
		Example: "  reliefgap template --kind estimates -o estimates.xlsx\n  reliefgap template --kind consumption --country KEN -o ken-statistics.xlsx",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.template(kind, out, strings.ToUpper(country))
		},
	}
	cmd.Flags().StringVar(&country, "country", "", "fill the country column in for this ISO3 code")
	cmd.Flags().StringVar(&kind, "kind", "", "estimates (Form B) or consumption (Form C)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "where to write the .xlsx")
	return cmd
}

func (c *cli) template(kindName, outPath, country string) error {
	kind, out, stdout := &kindName, &outPath, c.stdout
	k := access.ImportKind(*kind)
	if k != access.KindEstimates && k != access.KindConsumption && k != access.KindAvailability && k != access.KindCCS {
		return usageErr("template needs --kind estimates, consumption, availability or ccs")
	}
	if *out == "" {
		return usageErr("template needs -o FILE.xlsx")
	}
	data, err := importers.CountryTemplate(k, country)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s template to %s\n", k, *out)
	return nil
}

// importAsJob receives a file (hashed and stored a part at a time, never
// all in memory) and runs its job in this process, as a running serve
// would: on SQLite it waits while serve runs another job, so that the two
// never write at once. Interrupted (Ctrl-C, SIGTERM), the job goes back to
// the queue and "reliefgap serve" resumes it.
func importAsJob(ctx context.Context, a *app, runner *jobs.Runner, filename, path string, opt access.ImportOptions) (access.ImportResult, error) {
	res, err := a.imports.ReceiveFile(ctx, access.Operator, filename, path, opt)
	if err != nil || res.Duplicate {
		return res, err
	}
	if opt.Progress != nil {
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if n, ok := runner.Progress(res.Job); ok {
						opt.Progress(n, 0)
					}
				}
			}
		}()
	}
	j, _, runErr := runner.RunNow(ctx, res.Job, 0)
	bg := context.WithoutCancel(ctx)
	u, err := a.store.Upload(bg, res.Upload.ID)
	if err != nil {
		return res, err
	}
	res.Upload = u
	switch {
	case runErr != nil && ctx.Err() != nil:
		return res, fmt.Errorf("interrupted; the upload waits in the queue and \"reliefgap serve\" resumes it")
	case runErr != nil:
		return res, runErr
	case u.Status == access.StatusFailed:
		return res, access.Errorf(access.Internal, "", "%s", u.Reason)
	case u.Status == access.StatusRejected && u.Counts.Errors > 0:
		return res, nil // the problems say why
	case j.Status == access.JobFailed:
		return res, access.Errorf(access.Internal, "", "%s", j.Error)
	}
	return res, nil
}

// groupThousands writes n with thousands commas: 4812 → "4,812".
func groupThousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
