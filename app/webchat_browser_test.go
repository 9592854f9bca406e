package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserTools finds Chromium and axe-core, or skips the test; with
// TEAMSBOT_BROWSER_TESTS=required (.ci/run sets it) a missing one fails it.
func browserTools(t *testing.T) (chromium, axe string) {
	t.Helper()
	miss := func(what string) {
		if os.Getenv("TEAMSBOT_BROWSER_TESTS") == "required" {
			t.Fatalf("%s is missing (.ci/run installs it)", what)
		}
		t.Skipf("%s is missing: browser tests skipped (.ci/run installs it)", what)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		miss("Chromium")
	}
	axe = os.Getenv("TEAMSBOT_AXE")
	if axe == "" {
		miss("axe-core (TEAMSBOT_AXE, the path of axe.min.js)")
	}
	if _, err := os.Stat(axe); err != nil {
		miss("axe-core at " + axe)
	}
	return chromium, axe
}

// serveForBrowser runs `teamsbot serve` on a free port with the embedded
// content and store, and returns its address.
func serveForBrowser(t *testing.T) string {
	t.Helper()
	addr := freeAddr(t)
	e, _, _ := env([]string{"serve"}, "", map[string]string{"TEAMSBOT_ADDR": addr, "TEAMSBOT_DATA": t.TempDir(), "TEAMSBOT_PSEUDONYM_KEY": "k"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, e) }()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			return base
		}
	}
	t.Fatal("serve did not come up")
	return ""
}

// axeCheck runs axe-core on the page and fails on any violation of WCAG
// 2.x A and AA (2.2 included).
func axeCheck(t *testing.T, ctx context.Context, axeJS, state string) {
	t.Helper()
	var violations []struct {
		ID, Impact, Help string
		Nodes            []struct{ Target []string } `json:"nodes"`
	}
	run := `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}}).then(r => JSON.stringify(r.violations))`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](axeJS)); err != nil {
		t.Fatalf("%s: loading axe: %v", state, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	if err == nil {
		err = json.Unmarshal([]byte(raw), &violations)
	}
	if err != nil {
		t.Fatalf("%s: axe: %v", state, err)
	}
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: accessibility: %s (%s): %s at %s", state, v.ID, v.Impact, v.Help, strings.Join(where, "; "))
	}
}

// screenshot saves the page under TEAMSBOT_TEST_OUTPUT (default: the
// test's temporary folder).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("TEAMSBOT_TEST_OUTPUT")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err == nil {
		os.WriteFile(filepath.Join(dir, name), png, 0o644)
	}
}

// waitText waits until the chat log contains s.
func waitText(t *testing.T, ctx context.Context, s, state string) {
	t.Helper()
	js := fmt.Sprintf(`document.getElementById('chat-log').textContent.includes(%q)`, s)
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		log, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.ID("chat-log")))
		t.Fatalf("%s: %q never appeared; the log reads:\n%s", state, s, log)
	}
}

func typeAndSend(ctx context.Context, text string) error {
	return chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("chat-input")),
		chromedp.SetValue(chromedp.ID("chat-input"), text),
		chromedp.Click(chromedp.ID("chat-send")),
	)
}

// clickOption presses the option button whose label contains label.
func clickOption(ctx context.Context, label string) error {
	js := fmt.Sprintf(`(() => { const b = [...document.querySelectorAll('#chat-log button:not([disabled])')].reverse().find(b => b.textContent.includes(%q)); if (!b) return false; b.click(); return true })()`, label)
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no button %q", label)
	}
	return nil
}

// TestWebChatInABrowser: a whole journey in Chromium on a phone-sized
// screen, in Italian (left to right) and Arabic (right to left): a question
// in free text before anything else, the privacy notice, the question
// answered by its guide, the menu, booking at a PUA; axe-core finds no
// WCAG violation in any state; screenshots are saved.
func TestWebChatInABrowser(t *testing.T) {
	chromium, axePath := browserTools(t)
	axeJS, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	base := serveForBrowser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(390, 844),
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()

	t.Run("it", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(actx)
		defer cancel()
		ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(base+"/chat?lang=it"), chromedp.WaitVisible(chromedp.ID("chat-input"))); err != nil {
			t.Fatal(err)
		}
		axeCheck(t, ctx, string(axeJS), "it, empty")
		if err := typeAndSend(ctx, "come rinnovo il permesso di soggiorno?"); err != nil {
			t.Fatal(err)
		}
		waitText(t, ctx, "Va bene, continua", "it, privacy notice")
		axeCheck(t, ctx, string(axeJS), "it, privacy notice")
		if err := clickOption(ctx, "Va bene, continua"); err != nil {
			t.Fatal(err)
		}
		// The first question is answered once the notice is accepted.
		waitText(t, ctx, "Rinnovo del permesso", "it, the guide")
		axeCheck(t, ctx, string(axeJS), "it, a guide")
		screenshot(t, ctx, "webchat-it.png")
		if err := typeAndSend(ctx, "vorrei prenotare un appuntamento al PUA"); err != nil {
			t.Fatal(err)
		}
		waitText(t, ctx, "appuntamento", "it, booking")
		axeCheck(t, ctx, string(axeJS), "it, booking")
		lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		dir, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dir`))
		if lang != "it" || dir != "ltr" {
			t.Errorf("page lang=%q dir=%q", lang, dir)
		}
	})

	t.Run("ar", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(actx)
		defer cancel()
		ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(base+"/chat?lang=ar"), chromedp.WaitVisible(chromedp.ID("chat-input"))); err != nil {
			t.Fatal(err)
		}
		axeCheck(t, ctx, string(axeJS), "ar, empty")
		if err := typeAndSend(ctx, "كيف أجدد تصريح الإقامة؟"); err != nil {
			t.Fatal(err)
		}
		waitText(t, ctx, "موافق، متابعة", "ar, privacy notice")
		dirs, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.documentElement.dir, ...[...document.querySelectorAll('#chat-log [dir]')].map(e => e.dir)]`))
		if len(dirs) < 2 || dirs[0] != "rtl" || !slices.Contains(dirs[1:], "rtl") {
			t.Errorf("right to left: page and bubbles dir = %v", dirs)
		}
		axeCheck(t, ctx, string(axeJS), "ar, privacy notice")
		if err := clickOption(ctx, "موافق، متابعة"); err != nil {
			t.Fatal(err)
		}
		waitText(t, ctx, "تجديد تصريح الإقامة", "ar, the guide")
		axeCheck(t, ctx, string(axeJS), "ar, a guide")
		screenshot(t, ctx, "webchat-ar.png")
	})
}
