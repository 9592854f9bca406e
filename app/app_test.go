package app

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/booking/ledger"

	slackdesk "teamsbot/adapters/slack"
	"teamsbot/store/memory"
)

func env(args []string, stdin string, vars map[string]string) (Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return Env{
		Args:   append([]string{"teamsbot"}, args...),
		Getenv: func(k string) string { return vars[k] },
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errOut,
	}, &out, &errOut
}

func TestLintShippedContent(t *testing.T) {
	e, out, _ := env([]string{"lint"}, "", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("lint: %v\n%s", err, out)
	}
	for _, want := range []string{"Italiano", "English", "Français", "العربية", "Shqip", "中文", "100%", "0 errors"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
}

// brokenContent writes a content folder whose school flow points at a step
// that does not exist.
func brokenContent(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "flows"), 0o755); err != nil {
		t.Fatal(err)
	}
	menu := "flow: menu\nstart: main\nsteps:\n  main:\n    say: menu.ask\n    options:\n      - label: menu.school\n        next: oops\n"
	if err := os.WriteFile(filepath.Join(dir, "flows", "menu.yaml"), []byte(menu), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLintReportsFileLine(t *testing.T) {
	dir := brokenContent(t)
	e, out, _ := env([]string{"lint", dir}, "", nil)
	err := Run(context.Background(), e)
	var exit ExitError
	if !errors.As(err, &exit) || exit.Code != 1 {
		t.Fatalf("lint of broken content: err = %v, want exit 1", err)
	}
	want := `flows/menu.yaml:8:15: next: unknown step "oops" in flow "menu"`
	if !strings.Contains(out.String(), want) {
		t.Errorf("lint output lacks %q:\n%s", want, out)
	}
}

func TestChatAndServeRefuseBrokenContent(t *testing.T) {
	dir := brokenContent(t)
	for _, cmd := range [][]string{{"chat"}, {"serve", "--addr", "127.0.0.1:0"}} {
		e, _, errOut := env(cmd, "hi\n", map[string]string{"TEAMSBOT_CONTENT": dir, "TEAMSBOT_DATA": t.TempDir()})
		err := Run(context.Background(), e)
		if err == nil || !strings.Contains(err.Error(), "errors") {
			t.Errorf("%s started on broken content: %v", cmd[0], err)
		}
		if !strings.Contains(errOut.String(), "flows/menu.yaml:8:15") {
			t.Errorf("%s did not say where the content is broken:\n%s", cmd[0], errOut)
		}
	}
}

func TestChatFromAPipe(t *testing.T) {
	e, out, errOut := env([]string{"chat", "--lang", "en"}, "hi\n1\n7\n8\n2\nsesto fiorentino\n", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("chat: %v\n%s", err, errOut)
	}
	got := out.String()
	for _, want := range []string{"Before we start: your privacy.", "  1. OK, continue", "  7. School for my child",
		"primary school", "  2. Where to go", "In Sesto Fiorentino:"} {
		if !strings.Contains(got, want) {
			t.Errorf("chat output lacks %q:\n%s", want, got)
		}
	}
}

func TestChatUnknownLanguage(t *testing.T) {
	e, _, _ := env([]string{"chat", "--lang", "tlh"}, "", nil)
	if err := Run(context.Background(), e); err == nil || !strings.Contains(err.Error(), "not a language") {
		t.Errorf("chat --lang tlh: %v", err)
	}
}

func TestTestCommand(t *testing.T) {
	e, out, _ := env([]string{"test"}, "", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("test: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), " passed, 0 failed") {
		t.Errorf("test output: %s", out)
	}
}

func TestGraph(t *testing.T) {
	e, out, _ := env([]string{"graph", "school"}, "", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"flowchart TD", `school_level[["school.level"]]`, `school_topics -- "school.topic_where" --> school_where`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("graph lacks %q:\n%s", want, out)
		}
	}
	e, _, _ = env([]string{"graph", "nope"}, "", nil)
	if err := Run(context.Background(), e); err == nil || !strings.Contains(err.Error(), "flows: activities, booking, callback, find_service, menu, my_activities, my_bookings, no_operator, procedures, propose, school") {
		t.Errorf("graph nope: %v", err)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"dance"}, {"graph"}} {
		e, _, _ := env(args, "", nil)
		if err := Run(context.Background(), e); !errors.Is(err, ErrUsage) {
			t.Errorf("%v: err = %v, want usage", args, err)
		}
	}
}

// Every command the usage lists runs, and every command that runs is in
// the usage: a user reading `teamsbot help` never meets "unknown command".
func TestUsageListsEveryCommand(t *testing.T) {
	listed := map[string]bool{}
	for _, line := range strings.Split(usage, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "teamsbot" && strings.HasPrefix(line, "  ") {
			listed[f[1]] = true
		}
	}
	for name := range listed {
		if _, ok := commands()[name]; !ok && name != "version" {
			t.Errorf("the usage lists %q, which Run does not know", name)
		}
	}
	for name := range commands() {
		if !listed[name] {
			t.Errorf("command %q is missing from the usage", name)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	c, err := FromEnv(func(k string) string {
		return map[string]string{"TEAMSBOT_SESSION_TIMEOUT": "2h", "TEAMSBOT_RETENTION_DAYS": "7", "TEAMSBOT_LOG_LEVEL": "debug", "TEAMSBOT_LOCK_TTL": "5s",
			"TEAMSBOT_ORDER_WINDOW": "80ms", "TEAMSBOT_OUTBOX_EVERY": "2s", "TEAMSBOT_CALENDAR_EVERY": "1h"}[k]
	})
	if err != nil || c.SessionTimeout != 2*time.Hour || c.RetentionDays != 7 || c.LogLevel != slog.LevelDebug || c.Addr != ":8080" {
		t.Errorf("FromEnv = %+v, %v", c, err)
	}
	// The store keeps sessions as long as the privacy notice says, not the
	// default 30 days.
	if sc := serviceConfig(c, nil); sc.Retention != 7*24*time.Hour || sc.LockTTL != 5*time.Second || sc.OrderWindow != 80*time.Millisecond || c.OutboxEvery != 2*time.Second || c.CalendarEvery != time.Hour {
		t.Errorf("service config: retention %v, lock TTL %v, order window %v, outbox every %v", sc.Retention, sc.LockTTL, sc.OrderWindow, c.OutboxEvery)
	}
	_, err = FromEnv(func(k string) string {
		return map[string]string{"TEAMSBOT_SESSION_TIMEOUT": "soon", "TEAMSBOT_RETENTION_DAYS": "0", "TEAMSBOT_LOG_FORMAT": "xml", "TEAMSBOT_LOCK_TTL": "1h",
			"TEAMSBOT_ORDER_WINDOW": "-1s", "TEAMSBOT_OUTBOX_EVERY": "0", "TEAMSBOT_CALENDAR_EVERY": "10s"}[k]
	})
	for _, want := range []string{"TEAMSBOT_SESSION_TIMEOUT", "TEAMSBOT_RETENTION_DAYS", "TEAMSBOT_LOG_FORMAT", "TEAMSBOT_LOCK_TTL", "TEAMSBOT_ORDER_WINDOW", "TEAMSBOT_OUTBOX_EVERY", "TEAMSBOT_CALENDAR_EVERY"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad %s not reported: %v", want, err)
		}
	}
	// Telegram's pace: above 30/s only with paid broadcasts on.
	tg := func(env map[string]string) (TelegramConfig, error) {
		c, err := FromEnv(func(k string) string { return env[k] })
		return c.Telegram, err
	}
	if c, err := tg(nil); err != nil || c.Rate != 25 || c.PaidBroadcast || c.MaxConnections != 100 {
		t.Errorf("Telegram defaults: %+v %v", c, err)
	}
	if _, err := tg(map[string]string{"TELEGRAM_RATE": "200"}); err == nil || !strings.Contains(err.Error(), "TELEGRAM_PAID_BROADCAST=on") {
		t.Errorf("200/s without paid broadcasts: %v", err)
	}
	if c, err := tg(map[string]string{"TELEGRAM_RATE": "200", "TELEGRAM_PAID_BROADCAST": "on", "TELEGRAM_MAX_CONNECTIONS": "80"}); err != nil || c.Rate != 200 || !c.PaidBroadcast || c.MaxConnections != 80 {
		t.Errorf("paid broadcasts at 200/s: %+v %v", c, err)
	}
	if _, err := tg(map[string]string{"TELEGRAM_PAID_BROADCAST": "maybe", "TELEGRAM_MAX_CONNECTIONS": "500"}); err == nil ||
		!strings.Contains(err.Error(), "TELEGRAM_PAID_BROADCAST") || !strings.Contains(err.Error(), "TELEGRAM_MAX_CONNECTIONS") {
		t.Errorf("bad paid broadcast and max connections not reported: %v", err)
	}
}

// TestOperatorLang: the desk's language is Italian unless
// TEAMSBOT_OPERATOR_LANG names another offered language; serve refuses to
// start on one that is not offered, and says which are.
func TestOperatorLang(t *testing.T) {
	c, err := FromEnv(func(string) string { return "" })
	if err != nil || c.OperatorLang != "it" {
		t.Errorf("default: %q, %v", c.OperatorLang, err)
	}
	c, err = FromEnv(func(k string) string { return map[string]string{"TEAMSBOT_OPERATOR_LANG": "en"}[k] })
	if err != nil || c.OperatorLang != "en" {
		t.Errorf("TEAMSBOT_OPERATOR_LANG=en: %q, %v", c.OperatorLang, err)
	}
	e, _, _ := env([]string{"serve", "--addr", "127.0.0.1:0"}, "", map[string]string{"TEAMSBOT_DATA": t.TempDir(), "TEAMSBOT_OPERATOR_LANG": "xx"})
	err = Run(context.Background(), e)
	if want := "TEAMSBOT_OPERATOR_LANG=xx: not an offered language (it, en, fr, ar, sq, zh, uk, es, ur, bn, prs, tl)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("serve with TEAMSBOT_OPERATOR_LANG=xx: %v, want %q", err, want)
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "redis", Secret("redis://:hunter2@db:6379"))
	if strings.Contains(buf.String(), "hunter2") || fmt.Sprint(Secret("hunter2")) != "REDACTED" {
		t.Errorf("a secret leaked: %s", buf.String())
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeHealthReadinessMetricsAndShutdown(t *testing.T) {
	addr := freeAddr(t)
	e, _, errOut := env([]string{"serve"}, "", map[string]string{"TEAMSBOT_ADDR": addr, "TEAMSBOT_DATA": t.TempDir(), "TEAMSBOT_PSEUDONYM_KEY": "k"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, e) }()
	base := "http://" + addr
	var resp *http.Response
	var err error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err = http.Get(base + "/healthz"); err == nil {
			break
		}
	}
	if err != nil {
		cancel()
		t.Fatalf("server did not come up: %v\n%s", err, errOut)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz = %d", resp.StatusCode)
	}
	for path, want := range map[string]string{"/readyz": "ready", "/metrics": "go_goroutines"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s = %d %.200s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := http.Post(base+"/healthz", "text/plain", nil); resp != nil && resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d", resp.StatusCode)
	}
	http.Get(base + "/no/such/page?secret=1")
	// Requests are counted by the route they matched, never by their path;
	// the running version is reported.
	if resp, err := http.Get(base + "/metrics"); err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{`teamsbot_http_requests_total{route="GET /healthz",status="200"} 1`, `route="unmatched",status="404"`, `teamsbot_build_info{`, `teamsbot_outbox_conversations{state="waiting"} 0`, `# TYPE teamsbot_reply_delay_seconds histogram`} {
			if !strings.Contains(string(body), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(string(body), "secret") {
			t.Error("a request's path reached the metrics")
		}
	}
	cancel() // as SIGTERM does
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after shutdown: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(errOut.String(), "stopped") {
		t.Errorf("no clean stop logged:\n%s", errOut)
	}
}

func TestReadyzFailsWhenStoreIsDown(t *testing.T) {
	srv := newServer(downStore{}, newMetrics(), slog.New(slog.DiscardHandler))
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest("GET", "/readyz", nil)
	srv.ServeHTTP(rec, req)
	if rec.code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the store down = %d", rec.code)
	}
}

// TestServeWithTelegram: with TELEGRAM_* set, serve takes updates on its
// webhook and answers through the (fake) Bot API.
func TestServeWithTelegram(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseMultipartForm(1 << 20)
		mu.Lock()
		if strings.HasSuffix(r.URL.Path, "/sendMessage") {
			sent = append(sent, r.FormValue("text"))
		}
		mu.Unlock()
		fmt.Fprint(w, `{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}}`)
	}))
	defer fake.Close()
	addr := freeAddr(t)
	e, _, errOut := env([]string{"serve"}, "", map[string]string{"TEAMSBOT_ADDR": addr, "TEAMSBOT_DATA": t.TempDir(),
		"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_SECRET": "abc", "TELEGRAM_WEBHOOK_URL": "https://example.org/webhooks/telegram", "TELEGRAM_API_URL": fake.URL})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, e) }()
	defer func() { cancel(); <-done }()
	body := `{"update_id":1,"message":{"message_id":1,"from":{"id":77,"is_bot":false,"first_name":"A","language_code":"fr"},"chat":{"id":77,"type":"private"},"date":1,"text":"bonjour"}}`
	var resp *http.Response
	var err error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		req, _ := http.NewRequest("POST", "http://"+addr+"/webhooks/telegram", strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "abc")
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("webhook: %v\n%s", err, errOut)
	}
	resp.Body.Close()
	// The webhook is answered once the turn is saved; the replies follow.
	waitUntil(t, "the French privacy notice", func() bool { mu.Lock(); defer mu.Unlock(); return len(sent) >= 1 })
	mu.Lock()
	defer mu.Unlock()
	if resp.StatusCode != 200 || len(sent) != 1 || !strings.Contains(sent[0], "vie privée") {
		t.Errorf("status %d, sent %q", resp.StatusCode, sent)
	}
	mu.Unlock()
	// An Arabic user: the number of days in the privacy notice reaches
	// Telegram isolated, so it is not reordered by the right-to-left text.
	body = `{"update_id":2,"message":{"message_id":2,"from":{"id":78,"is_bot":false,"first_name":"B","language_code":"ar"},"chat":{"id":78,"type":"private"},"date":1,"text":"السلام عليكم"}}`
	req, _ := http.NewRequest("POST", "http://"+addr+"/webhooks/telegram", strings.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "abc")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitUntil(t, "the Arabic privacy notice", func() bool { mu.Lock(); defer mu.Unlock(); return len(sent) >= 2 })
	mu.Lock()
	if len(sent) != 2 || !strings.Contains(sent[1], "\u206830\u2069") {
		t.Errorf("Arabic privacy notice sent as %q", sent[1:])
	}
}

// TestServeWithWhatsApp: with WHATSAPP_* set, serve answers Meta's
// handshake and a signed notification through the (fake) Graph API.
func TestServeWithWhatsApp(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		fmt.Fprint(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.x"}]}`)
	}))
	defer fake.Close()
	addr := freeAddr(t)
	e, _, errOut := env([]string{"serve"}, "", map[string]string{"TEAMSBOT_ADDR": addr, "TEAMSBOT_DATA": t.TempDir(),
		"WHATSAPP_TOKEN": "tok", "WHATSAPP_APP_SECRET": "shh", "WHATSAPP_VERIFY_TOKEN": "vt", "WHATSAPP_PHONE_NUMBER_ID": "123", "WHATSAPP_API_URL": fake.URL})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, e) }()
	defer func() { cancel(); <-done }()
	base := "http://" + addr + "/webhooks/whatsapp"
	var resp *http.Response
	var err error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err = http.Get(base + "?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=42"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "42" {
		t.Fatalf("handshake: %d %q", resp.StatusCode, b)
	}
	body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"123"},"contacts":[{"wa_id":"355691234567"}],"messages":[{"from":"355691234567","id":"wamid.1","timestamp":"1780041600","type":"text","text":{"body":"Përshëndetje"}}]}}]}]}`
	mac := hmac.New(sha256.New, []byte("shh"))
	mac.Write([]byte(body))
	req, _ := http.NewRequest("POST", base, strings.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitUntil(t, "the Albanian privacy notice", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(strings.Join(bodies, "\n"), `"to":"355691234567"`)
	})
	mu.Lock()
	defer mu.Unlock()
	joined := strings.Join(bodies, "\n")
	// An Albanian number (+355) gets the privacy notice in Albanian.
	if resp.StatusCode != 200 || !strings.Contains(joined, `"to":"355691234567"`) || !strings.Contains(joined, "privatësi") {
		t.Errorf("status %d, sent:\n%s", resp.StatusCode, joined)
	}
	mu.Unlock()
	// A Moroccan number writing Arabic: the number of days reaches the
	// Graph API isolated.
	body = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"123"},"contacts":[{"wa_id":"212612345678"}],"messages":[{"from":"212612345678","id":"wamid.2","timestamp":"1780041601","type":"text","text":{"body":"السلام عليكم"}}]}}]}]}`
	mac = hmac.New(sha256.New, []byte("shh"))
	mac.Write([]byte(body))
	req, _ = http.NewRequest("POST", base, strings.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitUntil(t, "the Arabic privacy notice", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(strings.Join(bodies, "\n"), `"to":"212612345678"`)
	})
	mu.Lock()
	if joined := strings.Join(bodies, "\n"); !strings.Contains(joined, `"to":"212612345678"`) || !strings.Contains(joined, "\u206830\u2069") {
		t.Errorf("Arabic privacy notice sent as:\n%s", joined)
	}
	mu.Unlock()
	// A forged notification is refused, and /metrics counts every request
	// by route and outcome.
	req, _ = http.NewRequest("POST", base, strings.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", "sha256=00")
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("forged: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`teamsbot_webhook_requests_total{outcome="ok",route="whatsapp",status="200"} 2`,
		`teamsbot_webhook_requests_total{outcome="unauthorized",route="whatsapp",status="401"} 1`,
		`teamsbot_webhook_requests_total{outcome="ok",route="whatsapp_verify",status="200"} 1`,
	} {
		if !strings.Contains(string(m), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	mu.Lock()
}

func TestOperatorHours(t *testing.T) {
	l, _ := Load(EmbeddedContent(), LoadOptions{Demo: true})
	hours := operatorHours("Mo-Fr 09:00-17:00", l.Directory)
	rome := func(s string) time.Time {
		loc, _ := time.LoadLocation("Europe/Rome")
		v, _ := time.ParseInLocation("2006-01-02 15:04", s, loc)
		return v
	}
	if open, _ := hours(rome("2026-11-26 10:00")); !open {
		t.Error("closed on a Thursday morning")
	}
	open, next := hours(rome("2026-12-24 18:00"))
	if open || next.Format("2006-01-02 15:04") != "2026-12-28 09:00" {
		t.Errorf("Christmas Eve evening: open=%v next=%v", open, next)
	}
	if operatorHours("", l.Directory) != nil {
		t.Error("no hours configured should mean no hours said")
	}
}

func TestBookingsAgenda(t *testing.T) {
	data := t.TempDir()
	// Book through a persistent chat, then print the agenda.
	e, out, errOut := env([]string{"chat", "--persist", "--lang", "it"}, "ciao\n1\n3\n1\nPrato\n1\n1\n1\nsì\n1\n", map[string]string{"TEAMSBOT_DATA": data})
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("chat: %v\n%s", err, errOut)
	}
	if !strings.Contains(out.String(), "Prenotato!") {
		t.Fatalf("no booking made:\n%s", out)
	}
	code := ""
	if i := strings.Index(out.String(), "Il tuo codice è "); i >= 0 {
		code = out.String()[i+len("Il tuo codice è ") : i+len("Il tuo codice è ")+7]
	}
	// The first free day is tomorrow or later; look a few days ahead.
	found := false
	for d := range 10 {
		day := time.Now().AddDate(0, 0, d).Format("2006-01-02")
		e, out, _ := env([]string{"bookings", "--place", "po-pua", "--date", day, "--format", "csv"}, "", map[string]string{"TEAMSBOT_DATA": data})
		if err := Run(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), code) {
			found = true
			if !strings.Contains(out.String(), "time,code,service,minutes,language,mediator") || !strings.Contains(out.String(), ",first_reception,30,it,yes") {
				t.Errorf("agenda csv:\n%s", out)
			}
			e, txt, _ := env([]string{"bookings", "--place", "po-pua", "--date", day}, "", map[string]string{"TEAMSBOT_DATA": data})
			_ = Run(context.Background(), e)
			if !strings.Contains(txt.String(), "SÌ (italiano)") || !strings.Contains(txt.String(), code) {
				t.Errorf("agenda text:\n%s", txt)
			}
			break
		}
	}
	if !found {
		t.Errorf("booking %q not in the next 10 days' agendas", code)
	}
	e, _, _ = env([]string{"bookings", "--place", "nowhere"}, "", map[string]string{"TEAMSBOT_DATA": data})
	if err := Run(context.Background(), e); err == nil {
		t.Error("an unknown place was accepted")
	}
}

func TestDailyAgendasOncePerDay(t *testing.T) {
	var mu sync.Mutex
	var posts []string
	down := false
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		defer mu.Unlock()
		if down {
			fmt.Fprint(w, `{"ok":false,"error":"fatal_error"}`)
			return
		}
		if strings.HasSuffix(r.URL.Path, "chat.postMessage") {
			posts = append(posts, r.PostForm.Get("channel")+" "+r.PostForm.Get("text"))
		}
		fmt.Fprint(w, `{"ok":true,"channel":"C","ts":"1.1"}`)
	}))
	defer fake.Close()
	l, _ := Load(EmbeddedContent(), LoadOptions{Demo: true})
	st := memory.New()
	desk, err := slackdesk.New(slackdesk.Config{BotToken: "xoxb-1", SigningSecret: "s", Channel: "COPS", APIURL: fake.URL, Texts: l.Catalog, Lang: Default().OperatorLang}, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Rome")
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, loc)
	if err := st.Book(context.Background(), ledger.Booking{Code: "K7M-Q4P", Conv: "telegram:1", Place: "po-pua", Service: "first_reception", Lang: "ar", Start: at}, 2, 2, at.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, _ := postAgendas(context.Background(), desk, l.Directory, st, time.Date(2026, 12, 2, 7, 0, 0, 0, loc)); n != 0 {
		t.Errorf("agendas posted at 07:00: %d", n)
	}
	// Slack fails at 07:31: nothing is marked posted, so 07:32 posts them.
	mu.Lock()
	down = true
	mu.Unlock()
	if n, err := postAgendas(context.Background(), desk, l.Directory, st, time.Date(2026, 12, 2, 7, 31, 0, 0, loc)); n != 0 || err == nil {
		t.Errorf("with Slack down: %d posted, %v", n, err)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	n, err := postAgendas(context.Background(), desk, l.Directory, st, time.Date(2026, 12, 2, 7, 32, 0, 0, loc))
	if err != nil || n != 10 {
		t.Fatalf("at 07:31: %d posted, %v", n, err)
	}
	if n, _ := postAgendas(context.Background(), desk, l.Directory, st, time.Date(2026, 12, 2, 12, 0, 0, 0, loc)); n != 0 {
		t.Errorf("posted again the same day: %d", n)
	}
	mu.Lock()
	defer mu.Unlock()
	found := false
	for _, p := range posts {
		if strings.Contains(p, "Zona Pratese") && strings.Contains(p, "appuntamenti di oggi 02/12/2026 (1)") {
			found = true
		}
	}
	if !found {
		t.Errorf("Prato's agenda with its booking: %v", posts)
	}
}

func TestActivitiesCommand(t *testing.T) {
	data := t.TempDir()
	vars := map[string]string{"TEAMSBOT_DATA": data, "TEAMSBOT_PSEUDONYM_KEY": "k"}
	// Join the first activity near Prato, then propose one.
	script := "ciao\n1\n5\n1\nPrato\n1\n1\n1\n4\nun laboratorio di cucina\nPrato\nil sabato\narabo, italiano\n1\n"
	e, out, errOut := env([]string{"chat", "--persist", "--lang", "it"}, script, vars)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("chat: %v\n%s", err, errOut)
	}
	if !strings.Contains(out.String(), "Grazie! La tua proposta") {
		t.Fatalf("no proposal made:\n%s", out)
	}
	e, list, _ := env([]string{"activities", "--proposals"}, "", vars)
	if err := Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list.String(), "1 proposta") || !regexp.MustCompile(`sì +un laboratorio di cucina`).MatchString(list.String()) {
		t.Errorf("proposals:\n%s", list)
	}
	// The list says which activity has the one person in; its roster
	// shows them by a pseudonymous code, never their id.
	e, listed, _ := env([]string{"activities", "--list"}, "", vars)
	if err := Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^(\S+)\s.*\s1\s+0\s`).FindStringSubmatch(listed.String())
	if m == nil {
		t.Fatalf("no activity with one person in:\n%s", listed)
	}
	e, roster, _ := env([]string{"activities", "--id", m[1]}, "", vars)
	if err := Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(roster.String(), "iscritto") || !strings.Contains(roster.String(), "console") {
		t.Errorf("the joined user is not in the roster of %s:\n%s", m[1], roster)
	}
	if strings.Contains(roster.String(), "local") || strings.Contains(roster.String(), "root") {
		t.Errorf("the roster shows a user id:\n%s", roster)
	}
	e, _, _ = env([]string{"activities"}, "", vars)
	if err := Run(context.Background(), e); !errors.Is(err, ErrUsage) {
		t.Errorf("no flags: %v", err)
	}
}

// TestProactiveTextsInEveryLanguage: the texts the schedulers send by id
// (not named in any flow, so lint cannot see them used) exist in every
// launch language, with their placeholders filled.
func TestProactiveTextsInEveryLanguage(t *testing.T) {
	l, issues := Load(EmbeddedContent(), LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	data := map[string]string{"time": "09:00", "date": "02/12", "place": "PUA Prato", "code": "K7M-Q4P", "title": "Corso"}
	for _, id := range []string{"booking.reminder", "booking.reminder_soon", "booking.remind_ok", "booking.remind_cancel", "activities.reminder", "activities.leave_it",
		"booking.cancelled_by_office", "booking.office_asks_move", "propose.contacted"} {
		for _, lang := range l.Catalog.Languages() {
			lang := lang.Code
			if !l.Catalog.HasIn(lang, id) {
				t.Errorf("%s has no %s", lang, id)
				continue
			}
			if got := l.Catalog.Text(lang, id, data); strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
				t.Errorf("%s %s: %q", lang, id, got)
			}
		}
	}
}

// waitUntil polls cond for up to 30 s: a webhook is answered once its turn
// is saved, and the replies follow from the outbox.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Errorf("%s: not within 30 s", what)
}

// TestChatKeepsTheModelInTheUserCache: the terminal commands keep the
// trained classifier where go keeps its build cache (~/.cache/teamsbot, or
// TEAMSBOT_CACHE), so the next run reads it instead of training;
// TEAMSBOT_CACHE=off keeps nothing.
func TestChatKeepsTheModelInTheUserCache(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vars  func(home string) map[string]string
		where func(home string) string // "" when nothing may be written
	}{
		{"home", func(h string) map[string]string { return map[string]string{"HOME": h} }, func(h string) string { return filepath.Join(h, ".cache", "teamsbot") }},
		{"TEAMSBOT_CACHE", func(h string) map[string]string {
			return map[string]string{"HOME": h, "TEAMSBOT_CACHE": filepath.Join(h, "models")}
		}, func(h string) string { return filepath.Join(h, "models") }},
		{"off", func(h string) map[string]string { return map[string]string{"HOME": h, "TEAMSBOT_CACHE": "off"} }, func(string) string { return "" }},
	} {
		home := t.TempDir()
		e, out, _ := env([]string{"chat", "--lang", "en"}, "hi\n", tc.vars(home))
		if err := Run(context.Background(), e); err != nil {
			t.Fatalf("%s: chat: %v\n%s", tc.name, err, out)
		}
		var saved []string
		filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".nlu") {
				saved = append(saved, p)
			}
			return nil
		})
		want := tc.where(home)
		switch {
		case want == "" && len(saved) > 0:
			t.Errorf("%s: the model was written to %v", tc.name, saved)
		case want != "" && (len(saved) != 1 || filepath.Dir(saved[0]) != want):
			t.Errorf("%s: saved models %v, want one in %s", tc.name, saved, want)
		}
	}
}

// TestWithTypos: `eval --typos` makes the same phone typos every run, in
// every other long word, never in Han runs or short words.
func TestWithTypos(t *testing.T) {
	in := "come rinnovo il permesso di soggiorno scaduto 税号怎么办"
	got := withTypos(in)
	if got != withTypos(in) {
		t.Fatal("not the same typos twice")
	}
	a, b := strings.Fields(in), strings.Fields(got)
	if len(a) != len(b) {
		t.Fatalf("%q: words changed in number", got)
	}
	changed := 0
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		changed++
		if len([]rune(a[i])) < 5 || strings.ContainsRune(a[i], '税') {
			t.Errorf("%q became %q", a[i], b[i])
		}
		if d := len([]rune(a[i])) - len([]rune(b[i])); d < -1 || d > 1 {
			t.Errorf("%q became %q: more than one letter", a[i], b[i])
		}
	}
	// rinnovo, permesso, soggiorno, scaduto are long: two of them change.
	if changed != 2 {
		t.Errorf("%q: %d words changed, want 2", got, changed)
	}
}
