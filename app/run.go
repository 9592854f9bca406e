package app

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome in any image, distroless included

	"teamsbot/adapters/console"
	"teamsbot/bot"
	"teamsbot/bot/convtest"
	"teamsbot/bot/flow"
	"teamsbot/store/embedded"
	"teamsbot/store/memory"
)

// Version is stamped at build time with -ldflags "-X teamsbot/app.Version=...";
// unstamped, it is the module's version or the commit Go recorded in the
// build ("dev-1a2b3c4d"), else "dev".
var Version = "dev"

func init() {
	if Version != "dev" {
		return
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		Version = v
		return
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 8 {
			Version = "dev-" + s.Value[:8]
		}
	}
}

// ErrUsage marks a command line that is wrong; main exits 2 on it.
var ErrUsage = errors.New("usage")

// ExitError carries an exit code for a command that ran and failed (lint
// found errors, a conversation test failed).
type ExitError struct{ Code int }

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Env is everything a command touches in the world, so tests can run
// commands as functions.
type Env struct {
	Args   []string
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

const usage = `teamsbot — the TEAMS assistant for migrants in Tuscany

Usage:
  teamsbot serve                   run the HTTP server (health, metrics, channels)
  teamsbot chat [--lang xx]        talk to the bot in the terminal (stdin, works from a pipe)
  teamsbot lint [DIR]              check flows, texts and knowledge; exit 1 on errors
  teamsbot test [DIR]              run the conversation tests of the content
  teamsbot eval [--lang xx] [--min 0.9] [DIR]
                                   how well the bot understands held-out real questions
  teamsbot train [--out DIR] [CONTENT]
                                   train the classifier now and save it where serve reads it (TEAMSBOT_DATA)
  teamsbot misunderstood [--lang xx] [--since 7d] [--format csv]
                                   what users wrote that the bot did not understand
  teamsbot content report [--format csv] [DIR]
                                   stale, unsourced or untranslated facts, offices missing per province
  teamsbot i18n export --lang xx [--format po|xliff|csv] | check FILE | import FILE
                                   one language's texts for translators, and back
  teamsbot graph [--dir DIR] FLOW  print a flow as a Mermaid diagram
  teamsbot telegram set-webhook    register TELEGRAM_WEBHOOK_URL with Telegram
  teamsbot report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format html|csv|json]
                                   the programme's figures (counted as they happen, no cell under 5)
  teamsbot bookings --place ID [--date YYYY-MM-DD] [--format csv]
                                   a PUA's agenda for the day
  teamsbot activities --id ID | --proposals
                                   an activity's participants and waiting list, or the proposals
  teamsbot outbox --failed | --retry CODE|all
                                   replies the channels refused after every retry; send them again
  teamsbot loadtest [--rate 200] [--seconds 10] [--chats 500]
                                   serve against a local fake Telegram at a fixed rate: webhook and reply-delay figures
  teamsbot healthcheck             exit 0 when the local server is ready (/readyz), for container health checks
  teamsbot version                 print the version

DIR is a content folder with flows/, locales/ and knowledge/ (default: the
content built into the binary, or TEAMSBOT_CONTENT). Configuration is read
from the environment: see the README.
`

// commands are teamsbot's commands but help and version, by name (a
// function: loadtest runs commands itself).
func commands() map[string]func(context.Context, Env, []string) error {
	return map[string]func(context.Context, Env, []string) error{
		"serve":         serve,
		"chat":          chat,
		"lint":          func(_ context.Context, env Env, args []string) error { return lint(env, args) },
		"test":          test,
		"eval":          evalCmd,
		"i18n":          func(_ context.Context, env Env, args []string) error { return i18n(env, args) },
		"healthcheck":   func(ctx context.Context, env Env, _ []string) error { return healthcheck(ctx, env) },
		"misunderstood": misunderstoodCmd,
		"content":       func(_ context.Context, env Env, args []string) error { return contentCmd(env, args) },
		"graph":         func(_ context.Context, env Env, args []string) error { return graph(env, args) },
		"telegram":      telegramCmd,
		"bookings":      bookingsCmd,
		"report":        figuresCmd,
		"loadtest":      loadtestCmd,
		"activities":    activitiesCmd,
		"outbox":        outboxCmd,
		"train":         trainCmd,
	}
}

// Run runs one teamsbot command.
func Run(ctx context.Context, env Env) error {
	if len(env.Args) < 2 {
		fmt.Fprint(env.Stderr, usage)
		return ErrUsage
	}
	cmd, args := env.Args[1], env.Args[2:]
	switch cmd {
	case "version":
		fmt.Fprintln(env.Stdout, "teamsbot", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	}
	if run, ok := commands()[cmd]; ok {
		return run(ctx, env, args)
	}
	fmt.Fprintf(env.Stderr, "teamsbot: unknown command %q\n\n%s", cmd, usage)
	return ErrUsage
}

func newFlagSet(env Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("teamsbot "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// content picks the content: a DIR argument, else TEAMSBOT_CONTENT, else the
// embedded defaults.
func content(env Env, dir string) (Content, error) {
	if dir == "" {
		dir = env.Getenv("TEAMSBOT_CONTENT")
	}
	if dir == "" {
		return EmbeddedContent(), nil
	}
	return DirContent(dir)
}

// loadOrExplain loads content and prints its issues; broken content is an
// error (serve and chat refuse to start on it).
// loadDir loads the content of dir (the command's argument; "" is
// TEAMSBOT_CONTENT or the embedded content) for a command, explaining
// errors on stderr.
func loadDir(env Env, dir string, demo bool) (Content, *Loaded, error) {
	c, err := content(env, dir)
	if err != nil {
		return c, nil, err
	}
	l, err := loadOrExplain(env, c, false, LoadOptions{Demo: demo, SavedIn: modelCache(env)})
	return c, l, err
}

// modelCache is where the terminal commands (chat, test, eval, report) keep
// the trained classifier between runs, as go build keeps its cache:
// TEAMSBOT_CACHE ("off": nowhere), else $XDG_CACHE_HOME/teamsbot or
// ~/.cache/teamsbot. serve keeps it in TEAMSBOT_DATA.
func modelCache(env Env) string {
	switch v := env.Getenv("TEAMSBOT_CACHE"); v {
	case "off":
		return ""
	case "":
	default:
		return v
	}
	if x := env.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "teamsbot")
	}
	if h := env.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "teamsbot")
	}
	return ""
}

func loadOrExplain(env Env, c Content, showWarnings bool, opts LoadOptions) (*Loaded, error) {
	l, issues := Load(c, opts)
	for _, i := range issues {
		if i.Severity == flow.Error || showWarnings {
			fmt.Fprintln(env.Stderr, i.Error())
		}
	}
	if l == nil {
		return nil, fmt.Errorf("content in %s has %d errors: fix them (teamsbot lint shows them all)", c.Root, len(issues.Errors()))
	}
	return l, nil
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serviceConfig is the Service's part of the configuration: sessions are
// kept as long as the privacy notice says (TEAMSBOT_RETENTION_DAYS).
func serviceConfig(cfg Config, log *slog.Logger) bot.ServiceConfig {
	return bot.ServiceConfig{PseudonymKey: pseudonymKey(cfg, log), LockTTL: cfg.LockTTL, OrderWindow: cfg.OrderWindow,
		Retention: time.Duration(cfg.RetentionDays) * 24 * time.Hour}
}

func pseudonymKey(cfg Config, log *slog.Logger) []byte {
	if cfg.PseudonymKey != "" {
		return []byte(cfg.PseudonymKey)
	}
	// Without a configured key, a random one per process: pseudonyms cannot
	// be linked across restarts, which is safe but less useful.
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	if log != nil {
		log.Warn("TEAMSBOT_PSEUDONYM_KEY is not set: log pseudonyms change at every restart")
	}
	return k
}

func engineFor(d *Domain, cfg Config, operators bool) (*bot.Engine, error) {
	return d.Engine(bot.Config{
		SessionTimeout:     cfg.SessionTimeout,
		RetentionDays:      cfg.RetentionDays,
		Operators:          operators,
		KeepsMisunderstood: cfg.Misunderstood,
		Controller:         cfg.Controller,
		// Translation happens at the desk: only with operators.
		TranslatesHandoffs: operators && cfg.Translate.URL != "",
	})
}

func chat(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "chat")
	lang := fs.String("lang", "", "the user's language (it, en, fr, ar, sq, zh, uk, es, ur, bn, prs, tl); without it the bot asks")
	dir := fs.String("dir", "", "content folder (default: embedded content or TEAMSBOT_CONTENT)")
	persist := fs.Bool("persist", false, "keep the conversation in the embedded store (TEAMSBOT_DATA), so it goes on after a restart")
	demo := fs.Bool("demo", true, "let the example calendars and activities be booked and joined (--demo=false: as users see it)")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	cfg, err := FromEnv(env.Getenv)
	if err != nil {
		return err
	}
	c, err := content(env, *dir)
	if err != nil {
		return err
	}
	l, err := loadOrExplain(env, c, false, LoadOptions{Demo: *demo, SavedIn: modelCache(env)})
	if err != nil {
		return err
	}
	if *lang != "" {
		if _, ok := l.Catalog.Match(*lang); !ok {
			return fmt.Errorf("--lang %s: not a language of the content (have: %s)", *lang, langCodes(l))
		}
	}
	var st Store = memory.New()
	if *persist {
		if st, err = embedded.Open(cfg.Data); err != nil {
			return err
		}
	}
	defer st.Close()
	d := l.Domain(Deps{Store: st})
	// Without --persist nothing outlives the chat, what was not understood
	// included.
	cfg.Misunderstood = cfg.Misunderstood && *persist
	eng, err := engineFor(d, cfg, false)
	if err != nil {
		return err
	}
	out := console.New(env.Stdout)
	opts := []bot.ServiceOption{bot.WithSender(console.Channel, out), bot.WithLogger(newLogger(cfg, env.Stderr)), bot.WithKeepers(d.Keepers()...)}
	if o := notUnderstood(cfg, st, nil); o != nil {
		opts = append(opts, o)
	}
	svc := bot.NewService(eng, st, serviceConfig(cfg, nil), opts...)
	userName := "local"
	if u, err := user.Current(); err == nil {
		userName = u.Username
	}
	if *demo {
		fmt.Fprintln(env.Stdout, "(demo: the example PUA calendars and activities can be booked and joined; --demo=false shows what users see)")
	}
	if isTerminal(env.Stdin) {
		// Nothing on the screen until the user types is a dead end too.
		fmt.Fprintln(env.Stderr, "teamsbot chat: write to the assistant as you would on Telegram (\"hello\", a question, a number); Ctrl-D ends.")
	}
	n := 0
	return console.Run(ctx, env.Stdin, func(ctx context.Context, line string) error {
		n++
		in := out.Inbound(userName, line, *lang)
		in.Time = time.Now()
		// A failed turn has already apologised to the user; keep chatting.
		_ = svc.Handle(ctx, in)
		return nil
	})
}

func langCodes(l *Loaded) string {
	var codes []string
	for _, x := range l.Catalog.Languages() {
		codes = append(codes, x.Code)
	}
	return strings.Join(codes, ", ")
}

func lint(env Env, args []string) error {
	fs := newFlagSet(env, "lint")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	c, err := content(env, fs.Arg(0))
	if err != nil {
		return err
	}
	l, issues := Load(c, LoadOptions{Lint: true})
	for _, i := range issues {
		fmt.Fprintln(env.Stdout, i.Error())
	}
	if l != nil {
		gate, err := printCoverage(env.Stdout, c, l)
		if err != nil {
			return err
		}
		issues = append(issues, gate...)
		nflows, nsteps := 0, 0
		for _, f := range l.Program.Flows() {
			nflows++
			nsteps += len(f.Nodes())
		}
		samples := l.Directory.Samples()
		if len(samples) > 0 {
			fmt.Fprintf(env.Stdout, "\nsample places, to verify before they are presented as facts (%d):\n", len(samples))
			for _, p := range samples {
				fmt.Fprintf(env.Stdout, "  knowledge/%s:%d: %s (%s)\n", p.File, p.Line, p.Name, p.ID)
			}
		}
		fmt.Fprintf(env.Stdout, "\n%d flows, %d steps, %d places (%d samples), %d guides, %d municipalities, %d languages\n",
			nflows, nsteps, len(l.Directory.Places()), len(samples), len(l.Directory.Guides()), l.Places.Len(), len(l.Catalog.Languages()))
	}
	errs, warns := len(issues.Errors()), len(issues)-len(issues.Errors())
	fmt.Fprintf(env.Stdout, "%d errors, %d warnings\n", errs, warns)
	if errs > 0 {
		return ExitError{Code: 1}
	}
	return nil
}

func test(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "test")
	verbose := fs.Bool("v", false, "list every test")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	c, l, err := loadDir(env, fs.Arg(0), true)
	if err != nil {
		return err
	}
	files, issues := convtest.Load(c.Flows)
	for _, i := range issues {
		fmt.Fprintln(env.Stdout, "flows/"+i.Error())
	}
	fresh := func() (*bot.Engine, error) { return engineFor(l.Domain(Deps{Store: memory.New()}), Default(), false) }
	eng, err := fresh()
	if err != nil {
		return err
	}
	res := convtest.Runner{Engine: eng, Fresh: fresh}.Run(ctx, files)
	if *verbose {
		for _, f := range files {
			for _, t := range f.Tests {
				fmt.Fprintf(env.Stdout, "flows/%s:%d: %s\n", f.Path, t.Line, t.Name)
			}
		}
	}
	for _, f := range res.Failures {
		f.File = "flows/" + f.File
		fmt.Fprintln(env.Stdout, "FAIL "+f.Error())
	}
	fmt.Fprintf(env.Stdout, "%d passed, %d failed\n", res.Runs-len(res.Failures), len(res.Failures))
	if len(res.Failures) > 0 || len(issues) > 0 {
		return ExitError{Code: 1}
	}
	return nil
}

func graph(env Env, args []string) error {
	fs := newFlagSet(env, "graph")
	dir := fs.String("dir", "", "content folder")
	lang := fs.String("lang", "", "label edges with the texts of this language instead of message ids")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.Stderr, "usage: teamsbot graph [--dir DIR] [--lang xx] FLOW")
		return ErrUsage
	}
	c, err := content(env, *dir)
	if err != nil {
		return err
	}
	l, err := loadOrExplain(env, c, false, LoadOptions{})
	if err != nil {
		return err
	}
	f, ok := l.Program.Flow(fs.Arg(0))
	if !ok {
		var ids []string
		for _, f := range l.Program.Flows() {
			ids = append(ids, f.ID)
		}
		slices.Sort(ids)
		return fmt.Errorf("no flow %q (flows: %s)", fs.Arg(0), strings.Join(ids, ", "))
	}
	var label func(string) string
	if *lang != "" {
		label = func(id string) string { return l.Catalog.Text(*lang, id, nil) }
	}
	fmt.Fprint(env.Stdout, flow.Mermaid(f, label))
	return nil
}

// Main is cmd/teamsbot's main, as a function of the process's world.
func Main(ctx context.Context) int {
	err := Run(ctx, Env{Args: os.Args, Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	var exit ExitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrUsage):
		return 2
	case errors.As(err, &exit):
		return exit.Code
	}
	fmt.Fprintln(os.Stderr, "teamsbot:", err)
	return 1
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
