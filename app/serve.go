package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"teamsbot/booking"
	"teamsbot/booking/feed"
	"teamsbot/booking/ledger"
	"teamsbot/knowledge"
	"teamsbot/report"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"teamsbot/activities"
	slackdesk "teamsbot/adapters/slack"
	"teamsbot/bot"
	"teamsbot/internal/embeddings"
	"teamsbot/internal/webhook"
)

// Server is the HTTP side of teamsbot: health, readiness, metrics, and the
// routes the channels add.
type Server struct {
	store   Store
	metrics *metrics
	log     *slog.Logger
	mux     *http.ServeMux
	started time.Time
}

func newServer(st Store, m *metrics, log *slog.Logger) *Server {
	s := &Server{store: st, metrics: m, log: log, mux: http.NewServeMux(), started: time.Now()}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	s.mux.HandleFunc("GET /readyz", s.ready)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	return s
}

// ready answers 200 when the store answers within a second, else 503.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("not ready: store unreachable", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "store unreachable")
		return
	}
	fmt.Fprintln(w, "ready")
}

// ServeHTTP recovers panics into a 500, so one bad request never stops the
// server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(v))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	// The route is the pattern the request matched (bounded: never the
	// path itself, which may hold anything).
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	s.metrics.http.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
}

// statusWriter remembers the status a handler answered. It unwraps, so a
// handler that flushes (the web chat's event stream) still can.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// configChecker is a store that can say what in its server's configuration
// puts data at risk (the Redis store).
type configChecker interface {
	Check(ctx context.Context) []string
}

func serve(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "serve")
	addr := fs.String("addr", "", "listen address (default TEAMSBOT_ADDR or :8080)")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	cfg, err := FromEnv(env.Getenv)
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	log := newLogger(cfg, env.Stderr)
	c, err := content(env, "")
	if err != nil {
		return err
	}
	// 1. Content: broken content refuses to start.
	m := newMetrics()
	l, err := loadOrExplain(env, c, false, LoadOptions{Demo: cfg.Demo, SavedIn: cfg.Data,
		OnMissing: func(lang, _ string) { m.fallbacks.WithLabelValues(lang).Inc() }})
	if err != nil {
		return err
	}
	if err := cfg.CheckOperatorLang(l.Catalog.Languages()); err != nil {
		return err
	}
	// 2. Store.
	st, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if d, ok := st.(interface {
		OutboxDepth(context.Context) (int, int, error)
	}); ok {
		m.outboxDepth(d.OutboxDepth)
	}
	// The programme's figures, counted as things happen (teamsbot report).
	if rs, ok := st.(report.Store); ok {
		m.stats = report.NewRecorder(rs, knowledge.Rome)
	}
	// The background loops run under one group: shutdown stops them and
	// waits for them before the store closes (deferred above, so it runs
	// after).
	loopCtx, stopLoops := context.WithCancel(ctx)
	var loops sync.WaitGroup
	defer func() { stopLoops(); loops.Wait() }()
	if c, ok := st.(configChecker); ok {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		for _, w := range c.Check(cctx) {
			log.Warn(w)
		}
		cancel()
	}
	// 3. Understanding, the operators' desk, the offices' calendars, the
	// domain services over the store, the engine, the service and the
	// channels: each built once, from what was built before it.
	log.Info("understanding", "model", l.Understander.Describe())
	if cfg.EmbeddingsURL != "" {
		l.Understander = l.Understander.WithEmbedder(embeddings.New(cfg.EmbeddingsURL, cfg.EmbeddingsModel, string(cfg.EmbeddingsKey), &http.Client{Timeout: time.Minute}))
		u := l.Understander
		loops.Go(func() {
			if err := u.Warm(loopCtx); err != nil {
				log.Warn("embeddings endpoint: the classifier answers alone", "error", err)
				return
			}
			log.Info("embeddings endpoint ready")
		})
	}
	srv := newServer(st, m, log)
	// One translator (off without TEAMSBOT_TRANSLATE_URL) for the desk's
	// relays and the activities coordinators add from it.
	translator := newTranslator(cfg.Translate, l)
	var desk *slackdesk.Desk
	if cfg.Slack.BotToken != "" {
		desk, err = slackdesk.New(slackdesk.Config{BotToken: string(cfg.Slack.BotToken), SigningSecret: string(cfg.Slack.SigningSecret),
			Channel: cfg.Slack.Channel, APIURL: cfg.Slack.APIURL, Retention: time.Duration(cfg.RetentionDays) * 24 * time.Hour,
			Hours: operatorHours(cfg.Slack.Hours, l.Directory), Languages: l.Catalog.Languages(), Texts: l.Catalog, Lang: cfg.OperatorLang,
			// A PUA with its own channel (knowledge/schedules.yaml) gets the
			// handoffs of its users: the one being booked, or in its province.
			Route:     func(h bot.Handoff) string { return l.Directory.OperatorsChannel(h.Context) },
			Translate: translator, TranslateTimeout: cfg.Translate.Timeout,
			Answers: DeskAnswers(l, cfg.OperatorLang), Topics: DeskTopics(l, cfg.OperatorLang),
			OnCase: func(field, value string) {
				if field != "wait" {
					m.DeskCases.WithLabelValues(field, value).Inc()
				}
				m.stats.Count(time.Now(), "cases."+field, value)
			}}, st, log)
		if err != nil {
			return err
		}
		m.handoffs(desk.Open)
	}
	// The offices' own calendars: busy time there hides the slots under it.
	feeds := feed.New(calendarFeeds(cfg, l, st, desk, log))
	loops.Go(func() { feeds.Run(loopCtx) })
	sc := serviceConfig(cfg, log)
	deps := Deps{Store: st, Busy: feeds, OnCancel: func(ctx context.Context, b ledger.Booking) {
		m.stats.Count(time.Now(), "appointments", "cancelled")
		if desk != nil {
			tellCancelled(ctx, desk, l.Directory, b, log)
		}
	}}
	if cfg.PublicURL != "" {
		deps.Calendar = &booking.Calendar{Base: cfg.PublicURL, Key: sc.PseudonymKey}
		srv.mux.HandleFunc("GET /calendar.ics", calendarFile(deps.Calendar))
	}
	if desk != nil {
		deps.Callback = desk.Callback
		deps.OnProposal = DeskProposals(desk)
		if translator != nil {
			deps.Translator = translator // texts added from Slack, into the other languages
		}
	}
	d := l.Domain(deps)
	eng, err := engineFor(d, cfg, desk != nil)
	if err != nil {
		return err
	}
	opts := []bot.ServiceOption{bot.WithLogger(log), bot.WithMetrics(m), bot.WithKeepers(d.Keepers()...)}
	if desk != nil {
		opts = append(opts, bot.WithDesk(desk))
	}
	if cfg.Controller == "" {
		log.Warn("TEAMSBOT_CONTROLLER is not set: the privacy notice names no data controller")
	}
	if o := notUnderstood(cfg, st, log); o != nil {
		opts = append(opts, o)
	}
	var polls, runs []func(context.Context) error
	var stops []func()
	cd := channelDeps{cfg: cfg, cat: l.Catalog, langs: l.Catalog.Settings(), store: st, metrics: m, log: log}
	var chans []channel
	for _, build := range channels {
		ch, ok, err := build(cd)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		chans = append(chans, ch)
		opts = append(opts, bot.WithSender(ch.name, ch.sender))
		if ch.keeper != nil {
			opts = append(opts, bot.WithKeepers(ch.keeper))
		}
	}
	// A webhook is answered as soon as its turn is durable (state, message
	// id and replies saved): sending follows from the outbox, at the
	// platform's pace, without holding the platform's connection.
	sc.AnswerWithin = cfg.AnswerWithin
	svc := bot.NewService(eng, st, sc, opts...)
	// The channels take messages into the service, now that it exists.
	for _, ch := range chans {
		m.replyDelay.WithLabelValues(ch.name) // shown at zero from the start
		if ch.endpoints != nil {
			webhook.Mount(srv.mux, m.Webhook, log, ch.endpoints(svc.Handle)...)
		}
		if ch.mount != nil {
			ch.mount(srv.mux, svc.Handle)
		}
		if ch.poll != nil {
			polls = append(polls, func(ctx context.Context) error { return ch.poll(ctx, svc.Handle) })
		}
		if ch.run != nil {
			runs = append(runs, ch.run)
		}
		if ch.stop != nil {
			stops = append(stops, ch.stop)
		}
		log.Info(ch.name+" on", "mode", map[bool]string{true: "polling", false: "webhook"}[ch.poll != nil])
	}
	if desk != nil {
		// The desk takes events once the conversations it acts on exist.
		hooks := deskHooks(cfg, d, desk, feeds, svc, m)
		webhook.Mount(srv.mux, m.Webhook, log, desk.Endpoints(hooks)...)
		loops.Go(func() { desk.WatchWaiting(loopCtx, cfg.Slack.Wait, svc) })
		loops.Go(func() { runAgendas(loopCtx, desk, l.Directory, st, log) })
		if cfg.Slack.AppToken != "" {
			loops.Go(func() {
				if err := desk.RunSocketMode(loopCtx, string(cfg.Slack.AppToken), hooks); err != nil {
					log.Error("slack socket mode stopped", "error", err)
				}
			})
		}
		log.Info("slack operators' desk on", "translation", cfg.Translate.URL != "")
	}
	loops.Go(func() { runActivityReminders(loopCtx, d, svc, log) })
	// The associations' changes (cancelled sessions) made at any replica.
	loops.Go(func() {
		d.Activities.RunChanges(loopCtx, func(err error) { log.Warn("activity changes", "error", err) })
	})
	// Replies a replica could not deliver (a failure, or a replica that
	// died while sending): every replica sweeps, the store shares them out.
	loops.Go(func() { svc.RunOutbox(loopCtx, cfg.OutboxEvery) })
	// Appointment reminders, the day before; each marked in the store before
	// it is sent, so it goes out once.
	loops.Go(func() {
		d.Booking.RunReminders(loopCtx, svc, time.Minute, func(err error) { log.Warn("reminders", "error", err) })
	})
	loops.Go(func() { runPurge(loopCtx, d, time.Duration(cfg.RetentionDays)*24*time.Hour, log) })
	loops.Go(func() {
		m.stats.Run(loopCtx, 10*time.Second, func(err error) { log.Warn("figures not saved yet", "error", err) })
	})
	// 4. HTTP.
	hs := &http.Server{
		Addr:              cfg.Addr,
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	for _, stop := range stops {
		hs.RegisterOnShutdown(stop)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	storeName := "embedded " + cfg.Data
	if cfg.RedisURL != "" {
		storeName = "redis"
	}
	log.Info("teamsbot serving", "addr", ln.Addr().String(), "version", Version, "content", c.Root, "store", storeName)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var pollers sync.WaitGroup
	pollCtx, stopPoll := context.WithCancel(ctx)
	defer stopPoll()
	for _, run := range runs {
		loops.Go(func() {
			if err := run(loopCtx); err != nil {
				log.Error("channel loop stopped", "error", err)
			}
		})
	}
	for _, poll := range polls {
		pollers.Go(func() {
			if err := poll(pollCtx); err != nil {
				log.Error("polling stopped", "error", err)
			}
		})
	}
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	// Stop in reverse: stop taking requests, let the running ones finish,
	// then the store closes (deferred).
	log.Info("shutting down")
	stopPoll()
	pollers.Wait()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Replies still going out (a platform's pacing) finish within the
	// same budget; any left stay in the outbox for the next start or
	// another replica.
	if err := svc.Wait(sctx); err != nil {
		log.Warn("replies still being sent at shutdown: left in the outbox")
	}
	log.Info("stopped")
	return nil
}

// deskHooks are what the desk calls as operators act: the conversations
// (svc), the calendar and activity commands of /teams, the forms, the
// agenda's buttons.
func deskHooks(cfg Config, d *Domain, desk *slackdesk.Desk, feeds *feed.Feeds, svc *bot.Service, m *metrics) *slackdesk.Hooks {
	langs := languageCodes(d.Catalog)
	return &slackdesk.Hooks{
		Operators: svc,
		OnCalendar: slashCommands(calendarCommand(feeds, d.Directory, desk, cfg.Slack.Channel, time.Now),
			activityCommand(d.Activities, svc, desk, cfg.Slack.Channel, time.Now)),
		OnActivityAdd:   activityForm(d.Activities, d.Directory, desk, langs, time.Now),
		ActivityChoices: activityChoices(d.Catalog, cfg.OperatorLang),
		OnActivityEdit:  activityEdit(d.Activities, svc, d.Directory, desk, langs, time.Now),
		ActivityFormOf: func(id string) (slackdesk.ActivityForm, bool) {
			f, ok := d.Activities.FormOf(id)
			return slackdesk.ActivityForm(f), ok
		},
		OnOfficeCancel: func(ctx context.Context, place, code string) error {
			_, err := d.Booking.CancelByOffice(ctx, svc, place, code, time.Now())
			return err
		},
		OnOfficeMove: func(ctx context.Context, place, code string) error {
			_, err := d.Booking.AskToMove(ctx, svc, place, code, time.Now())
			return err
		},
		OnAttendance: func(status string) {
			m.attendance.WithLabelValues(status).Inc()
			m.stats.Count(time.Now(), "appointments", status)
		},
		OnContact: ProposalContact(d, svc),
	}
}

// DeskProposals posts users' proposals to the desk (Deps.OnProposal).
func DeskProposals(desk *slackdesk.Desk) func(ctx context.Context, p activities.Proposal) error {
	return func(ctx context.Context, p activities.Proposal) error {
		return desk.PostProposal(ctx, p.ID, p.Lang, p.Channel, p.What, p.Where, p.When, p.Languages, p.Contact)
	}
}

// ProposalContact lets the desk's "write to the person" open a case for
// the one who made a proposal, when they agreed to be contacted
// (Hooks.OnContact).
func ProposalContact(d *Domain, svc *bot.Service) func(ctx context.Context, id string) error {
	return func(ctx context.Context, id string) error {
		return d.Activities.Contact(ctx, id, func(ctx context.Context, conv string) error {
			return svc.Reach(ctx, conv, "proposal", "propose.contacted")
		})
	}
}
