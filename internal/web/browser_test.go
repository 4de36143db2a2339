package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's Chromium; the browser test skips without it.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir is where the browser test leaves its screenshots:
// RELIEFGAP_SCREENSHOTS, or reliefgap-screenshots in the temporary folder.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("RELIEFGAP_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "reliefgap-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserJourney drives headless Chromium through what an advocate and
// a ministry do: the world page, a country from it, a comparison, signing
// in with a ministry key, and sending a workbook with a known problem,
// which must then be listed. Screenshots are saved; the browser's console
// must show no error (a CSP violation would be one).
func TestBrowserJourney(t *testing.T) {
	exe := chromium()
	if exe == "" {
		t.Skip("no Chromium installed (apt-get install chromium)")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	e := newEnv(t)
	srv := httptest.NewServer(e.h) // 127.0.0.1 only
	defer srv.Close()
	shots := screenshotDir(t)
	workbook := filepath.Join(t.TempDir(), "kenya-2023.xlsx")
	if err := os.WriteFile(workbook, brokenWorkbook(t), 0o600); err != nil {
		t.Fatal(err)
	}

	// A fresh profile, removed after the browser has gone: Chromium's
	// helper processes may still write to it for a moment after the
	// browser exits, so this is not t.TempDir, whose cleanup fails then.
	profile, err := os.MkdirTemp("", "reliefgap-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1024, 1280),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelTimeout()

	var mu sync.Mutex
	var consoleErrors []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				consoleErrors = append(consoleErrors, fmt.Sprintf("console.error %v", ev.Args))
			}
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, "exception "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError {
				consoleErrors = append(consoleErrors, fmt.Sprintf("%s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})

	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.CaptureScreenshot(&buf).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name), buf, 0o644)
		})
	}
	var path, problems, status string
	step := func(name string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	step("open the world page", log.Enable(), chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`#h-map`, chromedp.ByQuery), shot("1-home.png"))
	step("follow a country link", chromedp.Click(`p.countries a[href="/countries/KEN"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#fig-need-met`, chromedp.ByQuery), chromedp.Location(&path), shot("2-country.png"))
	if !strings.HasSuffix(path, "/countries/KEN") {
		t.Errorf("the link led to %s", path)
	}
	step("compare", chromedp.Navigate(srv.URL+"/compare"), chromedp.WaitVisible(`#c`, chromedp.ByQuery),
		chromedp.SendKeys(`#c`, "UGA,KEN,IND", chromedp.ByQuery), chromedp.Submit(`#c`, chromedp.ByQuery),
		chromedp.WaitVisible(`#compare-table`, chromedp.ByQuery), chromedp.Location(&path), shot("3-compare.png"))
	if !strings.Contains(path, "c=UGA%2CKEN%2CIND") {
		t.Errorf("compare went to %s", path)
	}
	step("sign in with a ministry key", chromedp.Navigate(srv.URL+"/ministry"), chromedp.WaitVisible(`#key`, chromedp.ByQuery),
		chromedp.SendKeys(`#key`, e.secret["KEN"], chromedp.ByQuery), chromedp.Click(`#login-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#upload-submit`, chromedp.ByQuery), shot("4-ministry.png"))
	step("send a workbook with a known problem", chromedp.SetUploadFiles(`#file`, []string{workbook}, chromedp.ByQuery),
		chromedp.Click(`#upload-submit`, chromedp.ByQuery), chromedp.WaitVisible(`#problems`, chromedp.ByQuery),
		chromedp.Text(`#problems tbody`, &problems, chromedp.ByQuery), chromedp.Text(`#upload-status`, &status, chromedp.ByQuery),
		shot("5-problems.png"))
	if !strings.Contains(problems, "Form C statistics") || !strings.Contains(problems, "twelve") || status != "rejected" {
		t.Errorf("status %q, problems listed: %q", status, problems)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(consoleErrors) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(consoleErrors, "\n"))
	}
	t.Logf("screenshots in %s", shots)
}
