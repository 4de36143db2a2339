package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/reliefgap/reliefgap/internal/store"
)

// envAnnotation names the environment variable a flag defaults from.
const envAnnotation = "reliefgap_env"

// bindEnv records that flag name reads its default from the environment
// variable key (the default itself is set where the flag is defined).
func bindEnv(fs *pflag.FlagSet, name, key string) {
	_ = fs.SetAnnotation(name, envAnnotation, []string{key})
}

// buildVersion is the version set with -ldflags, or else what the Go
// toolchain recorded: the module version, or the VCS revision.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		return "dev-" + rev + dirty
	}
	return version
}

func (c *cli) configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "list every setting with its value and where it came from (flag, environment, default)",
		Long: `List every setting of the service with its value and its source: a flag given on
this command line, an environment variable, or the default. Secrets in database
URLs are masked. Accepts the same flags as serve.`,
		Example: `  reliefgap config
  RELIEFGAP_ADDR=0.0.0.0:9000 reliefgap config --log-format json`,
		Args: noArgs,
	}
	serve := c.serveCmd()
	cmd.Flags().AddFlagSet(serve.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		// The same validation as serve: a bad value is an error here too.
		if err := serve.PreRunE(cmd, args); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SETTING\tVALUE\tSOURCE\tENVIRONMENT")
		show := func(f *pflag.Flag) {
			env := ""
			if e := f.Annotations[envAnnotation]; len(e) > 0 {
				env = e[0]
			}
			if env == "" {
				return
			}
			src := "default"
			switch {
			case f.Changed:
				src = "flag"
			case c.getenv(env) != "":
				src = "environment"
			}
			val := f.Value.String()
			if f.Name == "db" {
				val = store.Redact(val)
			}
			fmt.Fprintf(tw, "--%s\t%s\t%s\t%s\n", f.Name, val, src, env)
		}
		cmd.InheritedFlags().VisitAll(show)
		cmd.LocalFlags().VisitAll(show)
		// The key that seals webhook secrets: from the environment only,
		// and never shown.
		for _, k := range []struct{ label, env, unset string }{
			{"(secret key)", secretKeyEnv, "not set (webhook secrets stored as they are)"},
			{"(previous secret key)", previousKeyEnv, "not set"},
		} {
			val, src := k.unset, "default"
			if c.getenv(k.env) != "" {
				val, src = "set", "environment"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.label, val, src, k.env)
		}
		return tw.Flush()
	}
	return cmd
}

func (c *cli) healthcheckCmd() *cobra.Command {
	var addr string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "ask a running service whether it is ready (exit 0) or not (exit 1); for container health checks",
		Long: `Ask the service at --addr for /readyz: exit 0 when it answers 200, 1 otherwise.
An unspecified listen address (0.0.0.0 or [::]) is asked on the loopback address.`,
		Example: "  reliefgap healthcheck --addr 127.0.0.1:8080",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.healthcheck(c.ctx, addr, timeout)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", or(c.getenv("RELIEFGAP_ADDR"), "127.0.0.1:8080"), "the service's listen address (RELIEFGAP_ADDR)")
	cmd.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "how long to wait for the answer")
	return cmd
}

func (c *cli) healthcheck(ctx context.Context, addr string, timeout time.Duration) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErr("--addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &exitError{code: 1, msg: "not ready: " + err.Error()}
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &exitError{code: 1, msg: fmt.Sprintf("not ready: %s answered %s", url, resp.Status)}
	}
	fmt.Fprintln(c.stdout, "ready:", strings.TrimPrefix(url, "http://"))
	return nil
}
