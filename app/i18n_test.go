package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"teamsbot/booking"

	"teamsbot/flows"
	"teamsbot/knowledge"
	"teamsbot/locales"
)

// contentCopy writes the shipped content into a temporary folder, the way
// a content team's checkout holds it.
func contentCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for sub, fsys := range map[string]fs.FS{"locales": locales.FS, "knowledge": knowledge.FS, "flows": flows.FS} {
		if err := os.CopyFS(filepath.Join(dir, sub), fsys); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// snapshot is every content file's bytes, by path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[strings.TrimPrefix(p, dir)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	e, out, errOut := env(args, "", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("%s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out.String()
}

// TestExportImportRoundTrip: exporting a language and importing the file
// untouched changes no byte of the content, in every format.
func TestExportImportRoundTrip(t *testing.T) {
	dir := contentCopy(t)
	before := snapshot(t, dir)
	for _, format := range []string{"po", "xliff", "csv"} {
		file := filepath.Join(t.TempDir(), "fr."+format)
		out := runOK(t, "i18n", "export", "--lang", "fr", "--format", format, "--out", file, dir)
		if !strings.Contains(out, "texts in fr") {
			t.Errorf("export says %q", out)
		}
		out = runOK(t, "i18n", "import", file, dir)
		if !strings.Contains(out, "0 texts written in 0 files") {
			t.Errorf("%s: import of an untouched export wrote:\n%s", format, out)
		}
	}
	after := snapshot(t, dir)
	for name, b := range before {
		if after[name] != b {
			t.Errorf("%s changed", name)
		}
	}
}

// fill sets every translation of a CSV export with fn(key, source).
func fill(t *testing.T, file string, fn func(key, source string) string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	for _, r := range rows[1:] {
		r[col["translation"]] = fn(r[col["key"]], r[col["source"]])
	}
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(out)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	out.Close()
}

// TestImportRefusesBrokenTexts: a broken placeholder, a text over a
// channel limit, a missing plural form, a changed link, a bidi override, a
// language the content does not have, a file mixing languages, a text that
// does not exist: each is named with its rule, and nothing is written.
func TestImportRefusesBrokenTexts(t *testing.T) {
	dir := contentCopy(t)
	addLanguage(t, dir, "pt", "Português")
	before := snapshot(t, dir)
	row := func(lang, key, text string) string {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write([]string{key, lang, "", "", text, "", ""})
		w.Flush()
		return b.String()
	}
	head := "key,lang,source,italian,translation,limit,where\n"
	for name, tc := range map[string]struct{ rows, want string }{
		"placeholder": {row("fr", "locales:school.age_is#other", "Un enfant de {{.age}} ans."), "placeholders: the source has {{.count}}"},
		"limit":       {row("fr", "locales:menu.procedures", "Informations sur les démarches"), "limit: 30 characters, the most is 20"},
		"plural":      {row("pt", "locales:school.age_is#one", "Uma criança de {{.count}} ano."), `form "other" is missing while one are given`},
		"link":        {row("fr", "knowledge/routes.yaml:routes.post_office.text", "Demandez à la poste de {{.municipality}}."), "link: https://poste.it/"},
		"bidi":        {row("fr", "locales:menu.ask", "\u202eQue voulez-vous ?"), "bidi: control U+202E"},
		"unknown key": {row("fr", "locales:no.such.text", "Bonjour"), "unknown: no such text"},
		"language":    {row("xx", "locales:menu.ask", "Xx?"), `language "xx" is not in locales/languages.yaml`},
		"mixed":       {row("fr", "locales:menu.ask", "Que voulez-vous ?") + row("it", "locales:menu.ask", "Cosa vuoi?"), "one language per file"},
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "t.csv")
			if err := os.WriteFile(file, []byte(head+tc.rows), 0o644); err != nil {
				t.Fatal(err)
			}
			e, out, _ := env([]string{"i18n", "import", file, dir}, "", nil)
			err := Run(context.Background(), e)
			if err == nil || !strings.Contains(err.Error()+out.String(), tc.want) {
				t.Errorf("import: %v\n%s\nwant %q", err, out, tc.want)
			}
		})
	}
	after := snapshot(t, dir)
	for name, b := range before {
		if after[name] != b {
			t.Errorf("%s was written by a refused import", name)
		}
	}
}

// addLanguage lists a language under preparing: in dir's languages.yaml,
// with only its name, as a content team starts one.
func addLanguage(t *testing.T, dir, code, name string) {
	t.Helper()
	path := filepath.Join(dir, "locales", "languages.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "\npreparing: [", "\npreparing: ["+code+", ", 1)
	s = strings.Replace(s, "["+code+", ]", "["+code+"]", 1)
	if s == string(b) {
		t.Fatal("languages.yaml has no preparing: list")
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "locales", code+".yaml"), []byte("language.name: \""+name+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHealthcheck: the container's health check says ready when serve
// answers /readyz, and fails when nothing listens.
func TestHealthcheck(t *testing.T) {
	closed := freeAddr(t)
	e, _, errOut := env([]string{"healthcheck"}, "", map[string]string{"TEAMSBOT_ADDR": closed})
	if err := Run(context.Background(), e); err == nil || !strings.Contains(errOut.String(), "not ready") {
		t.Errorf("nothing listening: %v %s", err, errOut)
	}
	base := serveForBrowser(t)
	e, out, _ := env([]string{"healthcheck"}, "", map[string]string{"TEAMSBOT_ADDR": strings.TrimPrefix(base, "http://")})
	if err := Run(context.Background(), e); err != nil || !strings.Contains(out.String(), "ready") {
		t.Errorf("serve running: %v %s", err, out)
	}
}

// TestEnvExampleListsEverySetting: .env.example (for docker compose) names
// every variable the configuration reads, but those compose or the image
// set themselves and the tests' API addresses.
func TestEnvExampleListsEverySetting(t *testing.T) {
	read := map[string]bool{}
	FromEnv(func(k string) string { read[k] = true; return "" })
	raw, err := os.ReadFile(filepath.Join("..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if k, _, ok := strings.Cut(line, "="); ok && !strings.Contains(k, " ") {
			listed[k] = true
		}
	}
	for k := range read {
		switch k {
		case "TEAMSBOT_ADDR", "TEAMSBOT_DATA", "REDIS_URL", "TELEGRAM_API_URL", "WHATSAPP_API_URL", "SLACK_API_URL":
			continue
		}
		if !listed[k] {
			t.Errorf(".env.example does not list %s", k)
		}
	}
}

// TestDeployReferencesExistingMetrics: every metric the alert rules and
// the dashboard in deploy/ query is one the bot exports.
func TestDeployReferencesExistingMetrics(t *testing.T) {
	src, err := os.ReadFile("metrics.go")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`Name: "(teamsbot_[a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		known[m[1]] = true
	}
	if len(known) < 10 {
		t.Fatalf("found only %d metric names in metrics.go", len(known))
	}
	for _, file := range []string{"alerts.yaml", "grafana-dashboard.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "deploy", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range regexp.MustCompile(`teamsbot_[a-z_]+`).FindAllString(string(raw), -1) {
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
			if !known[base] {
				t.Errorf("deploy/%s queries %s, which teamsbot does not export", file, name)
			}
		}
	}
}

// TestFiguresFromServe: what happens in serve is counted as it happens and
// saved when it stops; `teamsbot report` reads it from the same store, with
// small counts suppressed.
func TestFiguresFromServe(t *testing.T) {
	data := t.TempDir()
	addr := freeAddr(t)
	vars := map[string]string{"TEAMSBOT_ADDR": addr, "TEAMSBOT_DATA": data, "TEAMSBOT_PSEUDONYM_KEY": "k"}
	e, _, _ := env([]string{"serve"}, "", vars)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, e) }()
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
	}
	// Six people write on the web chat, in Italian.
	for i := range 6 {
		post := func(path, token, body string) *http.Response {
			req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
			req.Header.Set("X-Teamsbot-Chat", "1")
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		res := post("/chat/api/start", "", "")
		var out struct{ Token string }
		json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		for j, text := range []string{"ciao", "1", "1"} {
			res := post("/chat/api/send", out.Token, fmt.Sprintf(`{"id":"m%d-%d","text":%q}`, i, j, text))
			res.Body.Close()
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e, out, errOut := env([]string{"report", "--format", "csv"}, "", map[string]string{"TEAMSBOT_DATA": data})
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("report: %v\n%s", err, errOut)
	}
	csv := out.String()
	if !strings.Contains(csv, ",messages,webchat,18,false") || !strings.Contains(csv, ",languages,it,6,false") {
		t.Errorf("figures:\n%s", csv)
	}
}

// TestStaffLists: staff find the ids they need without reading YAML, and
// counts read as Italian does ("1 proposta", "0 iscritti").
func TestStaffLists(t *testing.T) {
	data := t.TempDir()
	vars := map[string]string{"TEAMSBOT_DATA": data}
	e, out, errOut := env([]string{"bookings", "--places"}, "", vars)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("%v %s", err, errOut)
	}
	if !strings.Contains(out.String(), "po-pua") || !strings.Contains(out.String(), "Prato") || strings.Contains(out.String(), "fi-questura-immigrazione") {
		t.Errorf("bookings --places:\n%s", out)
	}
	e, out, _ = env([]string{"activities", "--list"}, "", vars)
	if err := Run(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "conversazione-italiano-prato") || !strings.Contains(out.String(), "in attesa") {
		t.Errorf("activities --list:\n%s", out)
	}
	for n, want := range map[int]string{0: "0 proposte", 1: "1 proposta", 2: "2 proposte"} {
		if got := plural(n, "proposta", "proposte"); got != want {
			t.Errorf("plural(%d) = %q", n, got)
		}
	}
}

// TestReportBadInput: a period backwards or in the future is an error that
// says so; a period without figures is a report that says so (exit 0).
func TestReportBadInput(t *testing.T) {
	vars := map[string]string{"TEAMSBOT_DATA": t.TempDir()}
	for args, want := range map[string]string{
		"--from 2026-12-10 --to 2026-12-01": "comes after --to",
		"--from 2099-01-01 --to 2099-02-01": "in the future",
		"--from 2026-13-01":                 "write YYYY-MM-DD",
		"--format pdf":                      "html, csv or json",
	} {
		e, _, _ := env(append([]string{"report"}, strings.Fields(args)...), "", vars)
		if err := Run(context.Background(), e); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("report %s: %v, want %q", args, err, want)
		}
	}
	e, out, errOut := env([]string{"report", "--from", "2026-01-01", "--to", "2026-01-31"}, "", vars)
	if err := Run(context.Background(), e); err != nil || !strings.Contains(out.String(), "No figures were recorded") || !strings.Contains(errOut.String(), "no figures were recorded") {
		t.Errorf("an empty period: %v\n%s", err, errOut)
	}
}

// TestCalendarFile: the link of a confirmation serves its calendar file;
// a link not made here is refused.
func TestCalendarFile(t *testing.T) {
	cal := &booking.Calendar{Base: "https://bot.example.org", Key: []byte("k")}
	link := cal.Link(booking.Event{Code: "K7M-Q4P", Start: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), Minutes: 30, Title: "Prima accoglienza", Location: "Prato"})
	u, _ := url.Parse(link)
	h := calendarFile(cal)
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest("GET", "/calendar.ics?"+u.RawQuery, nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/calendar; charset=utf-8" || !strings.Contains(rec.Body.String(), "DTSTART:20261202T080000Z") {
		t.Errorf("%d %s\n%s", rec.Code, rec.Header(), rec.Body)
	}
	rec = httptest.NewRecorder()
	h(rec, httptest.NewRequest("GET", "/calendar.ics?d=eyJjIjoiWCJ9&s=forged", nil))
	if rec.Code != 404 {
		t.Errorf("a forged link: %d", rec.Code)
	}
}

// TestLoadtestRuns: the load test runs serve against its fake Telegram and
// prints its figures (a short, gentle run: the figures themselves come
// from longer runs, in the README).
func TestLoadtestRuns(t *testing.T) {
	e, out, errOut := env([]string{"loadtest", "--rate", "20", "--seconds", "1", "--chats", "10"}, "", nil)
	if err := Run(context.Background(), e); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "embedded") || strings.Fields(lines[1])[3] != "0" {
		t.Errorf("loadtest printed:\n%s", out)
	}
}

// TestTelegramRate: the bot's Telegram pace is configurable within
// Telegram's limit, and refused beyond it.
func TestTelegramRate(t *testing.T) {
	c, err := FromEnv(func(k string) string { return map[string]string{"TELEGRAM_RATE": "30"}[k] })
	if err != nil || c.Telegram.Rate != 30 {
		t.Errorf("TELEGRAM_RATE=30: %v %v", c.Telegram.Rate, err)
	}
	if c, _ := FromEnv(func(string) string { return "" }); c.Telegram.Rate != 25 {
		t.Errorf("default %v", c.Telegram.Rate)
	}
	if _, err := FromEnv(func(k string) string { return map[string]string{"TELEGRAM_RATE": "1000"}[k] }); err == nil || !strings.Contains(err.Error(), "TELEGRAM_RATE") {
		t.Errorf("TELEGRAM_RATE=1000: %v", err)
	}
}
