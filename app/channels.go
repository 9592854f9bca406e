package app

import (
	"net/http"

	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"teamsbot/adapters/webchat"
	"teamsbot/store"

	"teamsbot/adapters/telegram"
	"teamsbot/adapters/whatsapp"
	"teamsbot/bot"
	"teamsbot/internal/chatutil"
	"teamsbot/internal/webhook"
	"teamsbot/knowledge"
	"teamsbot/locales"
	"teamsbot/store/embedded"
	redisstore "teamsbot/store/redis"
)

// handler is the service's Handle. A channel's sender is built first (the
// service is built with it); what takes the users' messages is given the
// service's Handle once the service exists, never a variable filled later.
type handler = func(context.Context, bot.Inbound) error

// A channel is a platform users write on, as serve sees it: where replies
// go, the webhook endpoints it serves (under package webhook's policy, with
// metrics), and, for a channel that fetches its updates itself (Telegram
// without a webhook URL), a poller; each given the service's Handle.
type channel struct {
	name      string
	sender    bot.Sender
	endpoints func(handler) []webhook.Endpoint
	poll      func(context.Context, handler) error
	// mount adds routes that are not webhooks (the web chat's page and
	// API); run is a loop serve runs beside (listening to other replicas).
	mount  func(*http.ServeMux, handler)
	run    func(context.Context) error
	keeper bot.Keeper
	// stop ends long requests (event streams) when the server shuts down.
	stop func()
}

// channelDeps is what a channel is built from.
type channelDeps struct {
	cfg     Config
	cat     *locales.Catalog
	langs   locales.Settings
	store   Store
	metrics *metrics
	log     *slog.Logger
}

// channels are the user channels serve can run. Each maker returns
// ok=false when its channel is not configured. A new channel is its package
// (a sender and its endpoints), its maker and one line here.
var channels = []func(channelDeps) (channel, bool, error){telegramChannel, whatsappChannel, webchatChannel}

func webchatChannel(d channelDeps) (channel, bool, error) {
	if !d.cfg.WebChat {
		return channel{}, false, nil
	}
	a, err := webchat.New(webchat.Config{
		Store: d.store, Origins: d.cfg.WebChatOrigins,
		Languages: d.cat.Languages(), Match: d.cat.Match,
		Texts:     func(lang, id string) string { return d.cat.Text(lang, id, nil) },
		Retention: time.Duration(d.cfg.RetentionDays) * 24 * time.Hour, Log: d.log,
	})
	if err != nil {
		return channel{}, false, err
	}
	mount := func(mux *http.ServeMux, h handler) { a.Mount(mux, h) }
	return channel{name: webchat.Channel, sender: a, mount: mount, run: a.Run, keeper: a, stop: a.Stop}, true, nil
}

func telegramChannel(d channelDeps) (channel, bool, error) {
	if d.cfg.Telegram.Token == "" {
		return channel{}, false, nil
	}
	a, err := newTelegram(d.cfg, d.store, d.log)
	if err != nil {
		return channel{}, false, err
	}
	ch := channel{name: telegram.Channel, sender: a, endpoints: func(h handler) []webhook.Endpoint { return a.Endpoints(h) }}
	if d.cfg.Telegram.WebhookURL == "" {
		ch.poll = func(ctx context.Context, h handler) error { return a.Poll(ctx, h) }
		if d.cfg.RedisURL != "" {
			d.log.Warn("telegram long polling with REDIS_URL: Telegram serves updates to one poller, so run one replica or set TELEGRAM_WEBHOOK_URL")
		}
	}
	return ch, true, nil
}

func whatsappChannel(d channelDeps) (channel, bool, error) {
	if d.cfg.WhatsApp.Token == "" {
		return channel{}, false, nil
	}
	snd, hook, err := newWhatsApp(d.cfg, d.langs, d.store, d.metrics, d.log)
	if err != nil {
		return channel{}, false, err
	}
	return channel{name: whatsapp.Channel, sender: snd, endpoints: func(h handler) []webhook.Endpoint { return hook(h).Endpoints() }}, true, nil
}

// newTelegram builds the Telegram adapter from the configuration.
// With several replicas (st on Redis) the bot's overall pace is shared.
func newTelegram(cfg Config, st Store, log *slog.Logger) (*telegram.Adapter, error) {
	return telegram.New(telegram.Config{
		Token:          string(cfg.Telegram.Token),
		WebhookSecret:  string(cfg.Telegram.WebhookSecret),
		APIURL:         cfg.Telegram.APIURL,
		Global:         cfg.Telegram.Rate,
		PaidBroadcast:  cfg.Telegram.PaidBroadcast,
		MaxConnections: cfg.Telegram.MaxConnections,
		Shared:         sharedPace(st),
	}, log)
}

// sharedPace is the store's cross-replica limiter, if it has one (Redis).
func sharedPace(st Store) chatutil.SharedLimiter {
	if sl, ok := st.(chatutil.SharedLimiter); ok {
		return sl
	}
	return nil
}

// telegramCmd is `teamsbot telegram set-webhook`: register the webhook URL
// with the secret and the update types the bot uses.
func telegramCmd(ctx context.Context, env Env, args []string) error {
	if len(args) != 1 || args[0] != "set-webhook" {
		fmt.Fprintln(env.Stderr, "usage: teamsbot telegram set-webhook   (reads TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET)")
		return ErrUsage
	}
	cfg, err := FromEnv(env.Getenv)
	if err != nil {
		return err
	}
	if cfg.Telegram.Token == "" || cfg.Telegram.WebhookURL == "" {
		return fmt.Errorf("set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_URL (the public https address ending in %s)", telegram.WebhookPath)
	}
	a, err := newTelegram(cfg, nil, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	if err := a.SetWebhook(ctx, cfg.Telegram.WebhookURL); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "webhook set: %s (updates: %v)\n", cfg.Telegram.WebhookURL, telegram.AllowedUpdates)
	return nil
}

// newWhatsApp builds the WhatsApp sender and webhook.
// WhatsAppLanguages reads languages.yaml for WhatsApp: each language's
// code in message templates, and the language of each calling code.
func WhatsAppLanguages(langs locales.Settings) (templates, countries map[string]string) {
	templates, countries = map[string]string{}, map[string]string{}
	for _, code := range langs.Languages {
		a := langs.About[code]
		templates[code] = cmp.Or(a.WhatsApp, code)
		for _, cc := range a.Countries {
			countries[cc] = code
		}
	}
	return templates, countries
}

// newWhatsApp builds the WhatsApp sender, and the webhook that hands the
// messages it receives to a handler.
func newWhatsApp(cfg Config, langs locales.Settings, st Store, m *metrics, log *slog.Logger) (*whatsapp.Sender, func(handler) *whatsapp.Webhook, error) {
	w := cfg.WhatsApp
	templates, countries := WhatsAppLanguages(langs)
	wc := whatsapp.Config{Token: string(w.Token), PhoneNumberID: w.PhoneNumberID, APIURL: w.APIURL, Rate: w.Rate, Template: w.Template,
		TemplateLangs: templates, Shared: sharedPace(st)}
	if m != nil {
		wc.OnStatus = func(status string, code int) {
			m.platformStatus.WithLabelValues(whatsapp.Channel, status, fmt.Sprint(code)).Inc()
		}
	}
	snd, err := whatsapp.NewSender(wc, log)
	if err != nil {
		return nil, nil, err
	}
	hook := func(h handler) *whatsapp.Webhook {
		return whatsapp.NewWebhook(string(w.AppSecret), string(w.VerifyToken), h, snd, countries, log)
	}
	return snd, hook, nil
}

// operatorHours turns SLACK_HOURS into the desk's "are operators at work"
// function, closed on public holidays (the regional calendar).
func operatorHours(spec string, dir *knowledge.Directory) func(time.Time) (bool, time.Time) {
	if spec == "" {
		return nil
	}
	h, err := knowledge.ParseHours(spec)
	if err != nil {
		return nil // FromEnv already refused it
	}
	closed := func(day time.Time) bool { c, _ := dir.Calendar.Closed(day, ""); return c }
	return func(now time.Time) (bool, time.Time) {
		now = now.In(knowledge.Rome)
		if open, _ := h.OpenAt(now, closed); open {
			return true, time.Time{}
		}
		next, _ := h.NextOpening(now, closed)
		return false, next.From
	}
}

// contentAndStore loads the content and opens the deployment's store, for
// the commands a desk runs (bookings, activities): Redis when REDIS_URL is
// set, so they see what every replica wrote, else the embedded store.
func contentAndStore(env Env) (Config, *Loaded, Store, error) {
	cfg, err := FromEnv(env.Getenv)
	if err != nil {
		return cfg, nil, nil, err
	}
	c, err := content(env, "")
	if err != nil {
		return cfg, nil, nil, err
	}
	l, err := loadOrExplain(env, c, false, LoadOptions{})
	if err != nil {
		return cfg, nil, nil, err
	}
	st, err := openStore(cfg)
	if err != nil {
		return cfg, nil, nil, err
	}
	return cfg, l, st, nil
}

// Store is what a deployment's store offers (package store).
type Store = store.Store

// openStore opens the configured store: Redis with REDIS_URL (several
// replicas can share it), else the embedded store in TEAMSBOT_DATA.
func openStore(cfg Config) (Store, error) {
	if cfg.RedisURL != "" {
		return redisstore.Open(string(cfg.RedisURL), cfg.RedisPrefix)
	}
	return embedded.Open(cfg.Data)
}
