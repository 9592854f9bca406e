package app

import (
	"errors"

	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"teamsbot/bot"
	"teamsbot/knowledge"
)

// Secret is a configuration value that must never reach a log.
type Secret string

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// String hides the secret from fmt too.
func (Secret) String() string { return "REDACTED" }

// Config is the whole configuration, read from the environment (see the
// README's table). Flags of the subcommands override some fields.
type Config struct {
	// Addr is the HTTP listen address (TEAMSBOT_ADDR).
	Addr string
	// Data is the folder of the embedded store (TEAMSBOT_DATA).
	Data string
	// Content is a folder with flows/, locales/ and knowledge/ replacing the
	// embedded content (TEAMSBOT_CONTENT); "" means the embedded content.
	Content string
	// RedisURL selects the Redis store (REDIS_URL).
	RedisURL Secret
	// RedisPrefix namespaces the keys of this deployment in Redis
	// (TEAMSBOT_REDIS_PREFIX, default "teamsbot").
	RedisPrefix string
	// SessionTimeout starts a conversation again at the menu after this long
	// without messages (TEAMSBOT_SESSION_TIMEOUT, default 24h).
	SessionTimeout time.Duration
	// LockTTL is how long a conversation stays locked when the replica
	// handling it dies mid-turn (TEAMSBOT_LOCK_TTL, default 30s).
	LockTTL time.Duration
	// OrderWindow (0: off) is how long a message waits for messages of the
	// same user sent just before it, to be handled in the platform's order.
	OrderWindow time.Duration
	// OutboxEvery is how often each replica looks for replies to deliver
	// again (a failure, a replica that died while sending).
	OutboxEvery time.Duration
	// CalendarEvery is how often the offices' calendar feeds (calendar_url
	// in knowledge/schedules.yaml) are read.
	CalendarEvery time.Duration
	// RetentionDays: everything about a user is deleted this many days after
	// their last message (TEAMSBOT_RETENTION_DAYS, default 30).
	RetentionDays int
	// Controller is the data controller named in the privacy notice
	// (TEAMSBOT_CONTROLLER: the public body running the bot, with a way to
	// reach it, like "Regione Toscana, dpo@regione.toscana.it"). serve
	// warns when it is not set.
	Controller string
	// PseudonymKey keys the pseudonyms of user ids in logs
	// (TEAMSBOT_PSEUDONYM_KEY). Set it in production, so pseudonyms are
	// stable across restarts and cannot be recomputed by whoever reads logs.
	PseudonymKey Secret
	// Misunderstood keeps what users wrote that the bot did not understand,
	// masked and without any user id, for `teamsbot misunderstood`
	// (TEAMSBOT_MISUNDERSTOOD, on by default; off turns it off).
	Misunderstood bool
	// Demo (TEAMSBOT_DEMO=1) lets the example calendars and activities be
	// booked and joined; off, they are not offered.
	Demo bool
	// EmbeddingsURL (TEAMSBOT_EMBEDDINGS_URL) is an OpenAI-compatible
	// embeddings endpoint, ".../v1", for a second opinion on free text; off
	// when unset. EmbeddingsModel and EmbeddingsKey go with it.
	EmbeddingsURL   string
	EmbeddingsModel string
	EmbeddingsKey   Secret
	// LogLevel is debug, info, warn or error (TEAMSBOT_LOG_LEVEL).
	LogLevel slog.Level
	// LogFormat is text or json (TEAMSBOT_LOG_FORMAT).
	LogFormat string
	// ShutdownTimeout bounds the graceful shutdown (default 15s).
	ShutdownTimeout time.Duration
	// Telegram is the Telegram channel; off without a token.
	Telegram TelegramConfig
	// WhatsApp is the WhatsApp Cloud API channel; off without a token.
	WhatsApp WhatsAppConfig
	// Slack is the operators' desk; off without a bot token.
	Slack SlackConfig
	// OperatorLang is the language operators read the desk in
	// (TEAMSBOT_OPERATOR_LANG, default "it"): one of the offered languages
	// (CheckOperatorLang, once the content is loaded).
	OperatorLang string
	// Translate translates between users and operators at the desk; off
	// without a URL.
	Translate TranslateConfig
	// PublicURL is the service's public address (TEAMSBOT_PUBLIC_URL,
	// https://bot.example.org): confirmations then carry an "add to
	// calendar" link served there.
	PublicURL string
	// AnswerWithin is how long serve waits for a turn's replies to be sent
	// before answering the platform (TEAMSBOT_ANSWER_WITHIN, default 1ms:
	// at once). The replies are saved in the outbox first, and the
	// conversation is free while they go out, so the platform's
	// connection is never held by its own pace. (The SIGKILL test's one
	// outbox of 60 once left unsent was a send deferred by the pace and
	// counted as a failure, retried after 30 s: fixed.)
	AnswerWithin time.Duration
	// WebChat serves the web chat at /chat and /widget.js
	// (TEAMSBOT_WEBCHAT, default on).
	WebChat bool
	// WebChatOrigins may embed the chat (TEAMSBOT_WEBCHAT_ORIGINS, comma
	// separated: https://www.example.org,https://portal.example.org).
	WebChatOrigins []string
}

// TranslateConfig is the TEAMSBOT_TRANSLATE_* variables.
type TranslateConfig struct {
	// URL is a LibreTranslate server (http://localhost:5000) or, with a
	// Model, an OpenAI-compatible API (http://localhost:8000/v1).
	URL     string
	Model   string // TEAMSBOT_TRANSLATE_MODEL: the model of an OpenAI-compatible API
	Key     Secret // TEAMSBOT_TRANSLATE_KEY: its API key, if it needs one
	Timeout time.Duration
}

// SlackConfig is the SLACK_* variables.
type SlackConfig struct {
	BotToken      Secret // SLACK_BOT_TOKEN (xoxb-...)
	SigningSecret Secret // SLACK_SIGNING_SECRET
	AppToken      Secret // SLACK_APP_TOKEN (xapp-...): Socket Mode instead of HTTP
	Channel       string // SLACK_CHANNEL: the operators' channel id
	APIURL        string // SLACK_API_URL: tests
	// Wait is how long a user waits for an operator before the bot
	// apologises and offers a call back (SLACK_WAIT, default 20m).
	Wait time.Duration
	// Hours is when operators are at work, in OpenStreetMap opening_hours
	// syntax (SLACK_HOURS, e.g. "Mo-Fr 09:00-13:00,14:00-17:00"); public
	// holidays are closed. Unset: the user is not told about hours.
	Hours string
}

// WhatsAppConfig is the WHATSAPP_* variables.
type WhatsAppConfig struct {
	Token         Secret  // WHATSAPP_TOKEN
	AppSecret     Secret  // WHATSAPP_APP_SECRET: signs the webhook's notifications
	VerifyToken   Secret  // WHATSAPP_VERIFY_TOKEN: Meta's verification handshake
	PhoneNumberID string  // WHATSAPP_PHONE_NUMBER_ID
	APIURL        string  // WHATSAPP_API_URL: default the Graph API, v26.0
	Rate          float64 // WHATSAPP_RATE: messages per second (default 80)
	Template      string  // WHATSAPP_TEMPLATE: approved template for messages outside the 24-hour window
}

// TelegramConfig is the TELEGRAM_* variables.
type TelegramConfig struct {
	Token         Secret // TELEGRAM_BOT_TOKEN
	WebhookSecret Secret // TELEGRAM_WEBHOOK_SECRET
	WebhookURL    string // TELEGRAM_WEBHOOK_URL: without it, long polling
	APIURL        string // TELEGRAM_API_URL: another Bot API server
	// Rate is the bot's overall sending pace, messages per second
	// (TELEGRAM_RATE, default 25, at most 30: Telegram's limit for a bot
	// without paid broadcasts; up to 1,000 with PaidBroadcast).
	Rate float64
	// PaidBroadcast (TELEGRAM_PAID_BROADCAST=on) lets Rate go up to 1,000:
	// what the free pace has no room for is sent as a paid broadcast, for
	// 0.1 Telegram Stars a message from the bot's balance.
	PaidBroadcast bool
	// MaxConnections is set-webhook's max_connections
	// (TELEGRAM_MAX_CONNECTIONS, 1-100, default 100).
	MaxConnections int
}

// forever is the largest duration: no upper bound.
const forever = time.Duration(1<<63 - 1)

// Default returns the configuration with no environment set.
func Default() Config {
	return Config{
		Addr:            ":8080",
		Data:            "./data",
		SessionTimeout:  24 * time.Hour,
		RetentionDays:   30,
		LogLevel:        slog.LevelInfo,
		LogFormat:       "text",
		ShutdownTimeout: 15 * time.Second,
		OutboxEvery:     5 * time.Second,
		CalendarEvery:   15 * time.Minute,
		Misunderstood:   true,
		EmbeddingsModel: "text-embedding",
		OperatorLang:    "it",
		WebChat:         true,
		AnswerWithin:    time.Millisecond,
	}
}

// CheckOperatorLang reports a TEAMSBOT_OPERATOR_LANG that is not one of the
// offered languages (those of the content's locales).
func (c Config) CheckOperatorLang(offered []bot.Language) error {
	var codes []string
	for _, l := range offered {
		if l.Code == c.OperatorLang {
			return nil
		}
		codes = append(codes, l.Code)
	}
	return fmt.Errorf("TEAMSBOT_OPERATOR_LANG=%s: not an offered language (%s)", c.OperatorLang, strings.Join(codes, ", "))
}

// FromEnv reads the configuration from getenv over the defaults and
// validates it.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Default()
	var errs []error
	// duration reads name into dst when set: a duration in [lo, hi], else
	// an error saying what is wanted.
	// onOff reads a switch; unset leaves dst as it is.
	onOff := func(name string, dst *bool) {
		switch v := strings.ToLower(strings.TrimSpace(getenv(name))); v {
		case "":
		case "on", "1", "true", "yes":
			*dst = true
		case "off", "0", "false", "no":
			*dst = false
		default:
			errs = append(errs, fmt.Errorf("%s=%q: want on or off", name, v))
		}
	}
	duration := func(name string, dst *time.Duration, lo, hi time.Duration, want string) {
		v := getenv(name)
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			errs = append(errs, fmt.Errorf("%s=%q: %s", name, v, want))
			return
		}
		*dst = d
	}
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	str("TEAMSBOT_ADDR", &c.Addr)
	str("TEAMSBOT_DATA", &c.Data)
	str("TEAMSBOT_CONTENT", &c.Content)
	str("TEAMSBOT_LOG_FORMAT", &c.LogFormat)
	str("TEAMSBOT_OPERATOR_LANG", &c.OperatorLang)
	str("TEAMSBOT_EMBEDDINGS_URL", &c.EmbeddingsURL)
	str("TEAMSBOT_EMBEDDINGS_MODEL", &c.EmbeddingsModel)
	if v := getenv("TEAMSBOT_EMBEDDINGS_KEY"); v != "" {
		c.EmbeddingsKey = Secret(v)
	}
	if c.EmbeddingsURL != "" {
		if u, err := url.Parse(c.EmbeddingsURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("TEAMSBOT_EMBEDDINGS_URL=%q: want the endpoint's base address, like http://localhost:8081/v1", c.EmbeddingsURL))
		}
	}
	onOff("TEAMSBOT_DEMO", &c.Demo)
	str("TEAMSBOT_PUBLIC_URL", &c.PublicURL)
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("TEAMSBOT_PUBLIC_URL=%q: want the service's address, like https://bot.example.org", c.PublicURL))
		}
	}
	str("TEAMSBOT_TRANSLATE_URL", &c.Translate.URL)
	str("TEAMSBOT_TRANSLATE_MODEL", &c.Translate.Model)
	if v := getenv("TEAMSBOT_TRANSLATE_KEY"); v != "" {
		c.Translate.Key = Secret(v)
	}
	if c.Translate.URL != "" {
		if u, err := url.Parse(c.Translate.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("TEAMSBOT_TRANSLATE_URL=%q: want the service's address, like http://localhost:5000", c.Translate.URL))
		}
	}
	c.Translate.Timeout = 5 * time.Second
	duration("TEAMSBOT_TRANSLATE_TIMEOUT", &c.Translate.Timeout, time.Nanosecond, time.Minute, "want a duration up to 1m, like 5s")
	duration("TEAMSBOT_ANSWER_WITHIN", &c.AnswerWithin, time.Nanosecond, 20*time.Second, "want a duration from 1ms to 20s")
	onOff("TEAMSBOT_WEBCHAT", &c.WebChat)
	for _, o := range strings.Split(getenv("TEAMSBOT_WEBCHAT_ORIGINS"), ",") {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("TEAMSBOT_WEBCHAT_ORIGINS: %q is not an origin (https://host[:port])", o))
			continue
		}
		c.WebChatOrigins = append(c.WebChatOrigins, o)
	}
	onOff("TEAMSBOT_MISUNDERSTOOD", &c.Misunderstood)
	if v := getenv("REDIS_URL"); v != "" {
		c.RedisURL = Secret(v)
	}
	if v := getenv("TEAMSBOT_PSEUDONYM_KEY"); v != "" {
		c.PseudonymKey = Secret(v)
	}
	duration("TEAMSBOT_SESSION_TIMEOUT", &c.SessionTimeout, time.Nanosecond, forever, "want a positive duration like 24h")
	duration("TEAMSBOT_LOCK_TTL", &c.LockTTL, time.Second, 10*time.Minute, "want a duration between 1s and 10m, like 30s")
	duration("TEAMSBOT_ORDER_WINDOW", &c.OrderWindow, 0, 2*time.Second, "want a duration between 0 (off) and 2s, like 100ms")
	duration("TEAMSBOT_OUTBOX_EVERY", &c.OutboxEvery, 100*time.Millisecond, 10*time.Minute, "want a duration between 100ms and 10m, like 5s")
	duration("TEAMSBOT_CALENDAR_EVERY", &c.CalendarEvery, time.Minute, 24*time.Hour, "want a duration between 1m and 24h, like 15m")
	if v := getenv("TEAMSBOT_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3650 {
			errs = append(errs, fmt.Errorf("TEAMSBOT_RETENTION_DAYS=%q: want a whole number of days from 1 to 3650", v))
		} else {
			c.RetentionDays = n
		}
	}
	c.Controller = strings.TrimSpace(getenv("TEAMSBOT_CONTROLLER"))
	if len(c.Controller) > 200 || strings.ContainsAny(c.Controller, "\r\n") {
		errs = append(errs, fmt.Errorf("TEAMSBOT_CONTROLLER: want one line of at most 200 characters"))
	}
	if v := getenv("TEAMSBOT_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("TEAMSBOT_LOG_LEVEL=%q: want debug, info, warn or error", v))
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("TEAMSBOT_LOG_FORMAT=%q: want text or json", c.LogFormat))
	}
	c.Telegram = TelegramConfig{Token: Secret(getenv("TELEGRAM_BOT_TOKEN")), WebhookSecret: Secret(getenv("TELEGRAM_WEBHOOK_SECRET")),
		WebhookURL: strings.TrimSpace(getenv("TELEGRAM_WEBHOOK_URL")), APIURL: strings.TrimSpace(getenv("TELEGRAM_API_URL")), Rate: 25}
	onOff("TELEGRAM_PAID_BROADCAST", &c.Telegram.PaidBroadcast)
	if v := getenv("TELEGRAM_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		limit, why := 30.0, "Telegram's limit; up to 1000 with TELEGRAM_PAID_BROADCAST=on"
		if c.Telegram.PaidBroadcast {
			limit, why = 1000, "Telegram's limit with paid broadcasts"
		}
		if err != nil || r < 1 || r > limit {
			errs = append(errs, fmt.Errorf("TELEGRAM_RATE=%q: messages per second, from 1 to %g (%s)", v, limit, why))
		} else {
			c.Telegram.Rate = r
		}
	}
	c.Telegram.MaxConnections = 100
	if v := getenv("TELEGRAM_MAX_CONNECTIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			errs = append(errs, fmt.Errorf("TELEGRAM_MAX_CONNECTIONS=%q: from 1 to 100 (Telegram's limit)", v))
		} else {
			c.Telegram.MaxConnections = n
		}
	}
	c.WhatsApp = WhatsAppConfig{Token: Secret(getenv("WHATSAPP_TOKEN")), AppSecret: Secret(getenv("WHATSAPP_APP_SECRET")),
		VerifyToken: Secret(getenv("WHATSAPP_VERIFY_TOKEN")), PhoneNumberID: strings.TrimSpace(getenv("WHATSAPP_PHONE_NUMBER_ID")),
		APIURL: strings.TrimSpace(getenv("WHATSAPP_API_URL")), Template: strings.TrimSpace(getenv("WHATSAPP_TEMPLATE"))}
	if v := getenv("WHATSAPP_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 || r > 1000 {
			errs = append(errs, fmt.Errorf("WHATSAPP_RATE=%q: messages per second, 1 to 1000", v))
		} else {
			c.WhatsApp.Rate = r
		}
	}
	if c.WhatsApp.Token != "" && (c.WhatsApp.AppSecret == "" || c.WhatsApp.VerifyToken == "" || c.WhatsApp.PhoneNumberID == "") {
		errs = append(errs, errors.New("WHATSAPP_TOKEN is set: WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN and WHATSAPP_PHONE_NUMBER_ID are needed too"))
	}
	c.Slack = SlackConfig{BotToken: Secret(getenv("SLACK_BOT_TOKEN")), SigningSecret: Secret(getenv("SLACK_SIGNING_SECRET")),
		AppToken: Secret(getenv("SLACK_APP_TOKEN")), Channel: strings.TrimSpace(getenv("SLACK_CHANNEL")), APIURL: strings.TrimSpace(getenv("SLACK_API_URL")),
		Hours: strings.TrimSpace(getenv("SLACK_HOURS"))}
	c.Slack.Wait = 20 * time.Minute
	duration("SLACK_WAIT", &c.Slack.Wait, time.Minute, forever, "a duration of at least 1m")
	if c.Slack.Hours != "" {
		if _, err := knowledge.ParseHours(c.Slack.Hours); err != nil {
			errs = append(errs, fmt.Errorf("SLACK_HOURS: %v", err))
		}
	}
	if c.Slack.BotToken != "" && (c.Slack.SigningSecret == "" || c.Slack.Channel == "") {
		errs = append(errs, errors.New("SLACK_BOT_TOKEN is set: SLACK_SIGNING_SECRET and SLACK_CHANNEL are needed too"))
	}
	if c.Slack.AppToken != "" && !strings.HasPrefix(string(c.Slack.AppToken), "xapp-") {
		errs = append(errs, errors.New("SLACK_APP_TOKEN must be an app-level token (xapp-...)"))
	}
	if c.Telegram.Token != "" && c.Telegram.WebhookURL != "" && c.Telegram.WebhookSecret == "" {
		errs = append(errs, errors.New("TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not: the webhook would accept anyone's updates"))
	}
	if v := strings.TrimSpace(getenv("TEAMSBOT_REDIS_PREFIX")); v != "" {
		c.RedisPrefix = v
	}
	return c, errors.Join(errs...)
}
