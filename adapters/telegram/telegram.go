package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"teamsbot/bot"
	"teamsbot/internal/chatutil"
	"teamsbot/internal/webhook"
)

// Channel is the channel name of Telegram conversations.
const Channel = "telegram"

// WebhookPath is where Telegram posts updates.
const WebhookPath = "/webhooks/telegram"

// MaxBody bounds a webhook request. Telegram's updates are a few KB; a
// bigger body is not an update.
const MaxBody = 1 << 20

// AllowedUpdates are the update types the bot asks for.
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// Handler processes one inbound message (bot.Service.Handle).
type Handler func(ctx context.Context, in bot.Inbound) error

// Config configures the adapter.
type Config struct {
	Token string
	// WebhookSecret is the secret_token given to setWebhook; Telegram sends
	// it back in X-Telegram-Bot-Api-Secret-Token.
	WebhookSecret string
	// APIURL is the Bot API server (default: Telegram's).
	APIURL string
	// PerChat and Global are the sending rates (messages per second);
	// defaults 1 and 25, under Telegram's limits of about 1 and 30.
	PerChat, Global float64
	// PaidBroadcast lets Global go above FreeRate, up to 1,000: a message
	// that the free pace has no room for is sent with allow_paid_broadcast
	// (Telegram takes 0.1 Stars from the bot's balance for it); the
	// messages within the free pace are sent as usual, and cost nothing.
	PaidBroadcast bool
	// MaxConnections is what SetWebhook asks Telegram to open at most at
	// once (1-100; default 100: the webhook answers as soon as a turn is
	// saved, so it can take Telegram's most).
	MaxConnections int
	// Shared, when set, paces Global across every replica (the bot's limit
	// is the bot's, not a process's); without it each process paces
	// itself.
	Shared chatutil.SharedLimiter
	// HTTPClient makes the API calls (default: a client with timeouts).
	HTTPClient *http.Client
	// PollTimeout is the long-polling timeout (default 30 s).
	PollTimeout time.Duration
}

// Adapter is the Telegram channel.
type Adapter struct {
	api *tg.Bot
	// opts build the API client; Poll adds its handler to them.
	opts  []tg.Option
	cfg   Config
	log   *slog.Logger
	pace  *pacer
	sleep func(ctx context.Context, d time.Duration) error
}

var _ bot.Sender = (*Adapter)(nil)

// New builds the adapter; it makes no network call. It sends from the
// start; updates reach a handler given when it starts taking them
// (Endpoints, Poll), since the service that handles them is built with
// the adapter as its sender.
func New(cfg Config, log *slog.Logger) (*Adapter, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if cfg.WebhookSecret != "" && !secretRE.MatchString(cfg.WebhookSecret) {
		return nil, errors.New("telegram: the webhook secret must be 1-256 characters A-Z a-z 0-9 _ -")
	}
	if cfg.PerChat <= 0 {
		cfg.PerChat = 1
	}
	if cfg.Global <= 0 {
		cfg.Global = 25
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.PollTimeout + 10*time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxConnections <= 0 || cfg.MaxConnections > 100 {
		cfg.MaxConnections = 100
	}
	a := &Adapter{cfg: cfg, log: log.With("comp", "telegram"), pace: newPacer(cfg.PerChat, cfg.Global, cfg.PaidBroadcast, cfg.Shared), sleep: chatutil.Sleep}
	opts := []tg.Option{
		tg.WithSkipGetMe(),
		tg.WithHTTPClient(cfg.PollTimeout, cfg.HTTPClient),
		// One worker and synchronous handlers: a chat's updates are handled
		// in order (the library runs handlers in goroutines otherwise).
		tg.WithWorkers(1),
		tg.WithNotAsyncHandlers(),
		tg.WithAllowedUpdates(AllowedUpdates),
		tg.WithErrorsHandler(func(err error) { a.log.Warn("telegram api", "error", redact(err.Error(), cfg.Token)) }),
	}
	if cfg.APIURL != "" {
		opts = append(opts, tg.WithServerURL(strings.TrimRight(cfg.APIURL, "/")))
	}
	api, err := tg.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram: %s", redact(err.Error(), cfg.Token))
	}
	a.api, a.opts = api, opts
	return a, nil
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "REDACTED")
}

// Endpoints is the webhook, served under package webhook's policy: the
// secret header first, then the update (one that cannot be decoded is
// acknowledged and dropped, so Telegram does not hold the chat's later
// updates behind it); only a failure of our own (the store) asks for a
// retry. Updates go to handle.
func (a *Adapter) Endpoints(handle Handler) []webhook.Endpoint {
	return []webhook.Endpoint{{Pattern: "POST " + WebhookPath, Route: Channel, Limit: MaxBody,
		Request: func(r *http.Request) bool {
			got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
			return a.cfg.WebhookSecret != "" && subtle.ConstantTimeCompare([]byte(got), []byte(a.cfg.WebhookSecret)) == 1
		},
		Handle: func(ctx context.Context, _ *http.Request, body []byte) (webhook.Answer, error) {
			var upd models.Update
			if err := json.Unmarshal(body, &upd); err != nil {
				return webhook.Answer{}, fmt.Errorf("%w: not an update", webhook.ErrMalformed)
			}
			if err := a.process(ctx, &upd, handle); errors.Is(err, errRetry) {
				return webhook.Answer{}, err
			}
			return webhook.Answer{}, nil
		}}}
}

// Routes registers the webhook on mux (without metrics: serve mounts
// Endpoints with them).
func (a *Adapter) Routes(mux *http.ServeMux, handle Handler) {
	webhook.Mount(mux, nil, a.log, a.Endpoints(handle)...)
}

// errRetry marks a failure worth a redelivery.
var errRetry = errors.New("retry")

// Poll takes updates by long polling until ctx ends, when no webhook URL is
// configured. It first deletes any webhook (Telegram refuses getUpdates
// while one is set). Updates go to handle.
func (a *Adapter) Poll(ctx context.Context, handle Handler) error {
	if _, err := a.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("telegram: delete webhook before polling: %s", redact(err.Error(), a.cfg.Token))
	}
	poller, err := tg.New(a.cfg.Token, append(slices.Clone(a.opts), tg.WithDefaultHandler(func(ctx context.Context, _ *tg.Bot, upd *models.Update) {
		if err := a.process(ctx, upd, handle); err != nil {
			a.log.Warn("update not handled", "error", err)
		}
	}))...)
	if err != nil {
		return fmt.Errorf("telegram: %s", redact(err.Error(), a.cfg.Token))
	}
	a.log.Info("long polling")
	poller.Start(ctx)
	return nil
}

// SetWebhook registers url with the secret and the update types the bot
// uses.
func (a *Adapter) SetWebhook(ctx context.Context, url string) error {
	if a.cfg.WebhookSecret == "" {
		return errors.New("telegram: set TELEGRAM_WEBHOOK_SECRET first")
	}
	_, err := a.api.SetWebhook(ctx, &tg.SetWebhookParams{URL: url, SecretToken: a.cfg.WebhookSecret, AllowedUpdates: AllowedUpdates, MaxConnections: a.cfg.MaxConnections})
	if err != nil {
		return fmt.Errorf("telegram: set webhook: %s", redact(err.Error(), a.cfg.Token))
	}
	return nil
}

// process turns one update into zero or one inbound message and handles it.
func (a *Adapter) process(ctx context.Context, upd *models.Update, handle Handler) error {
	if cq := upd.CallbackQuery; cq != nil {
		// Always answer, so the button stops spinning.
		if _, err := a.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}); err != nil {
			a.log.Warn("answerCallbackQuery failed", "error", redact(err.Error(), a.cfg.Token))
		}
	}
	in, chat, kind := convert(upd)
	switch kind {
	case kindIgnore:
		a.log.Debug("update ignored", "update_id", upd.ID)
		return nil
	case kindGroup:
		// The bot talks one to one: say so when addressed in a group.
		_, err := a.api.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: privateOnly})
		return err
	}
	if err := handle(ctx, in); err != nil {
		if errors.Is(err, bot.ErrUnavailable) {
			return fmt.Errorf("%w: %v", errRetry, err)
		}
		return err
	}
	return nil
}

// privateOnly is said in a group, in the languages of the launch set.
const privateOnly = "🙂 Scrivimi in privato · Write to me in a private chat · Écrivez-moi en privé · راسلني في محادثة خاصة · Më shkruaj në privat · 请私聊我"

type updateKind int

const (
	kindMessage updateKind = iota
	kindIgnore
	kindGroup
)

var payloadRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// convert maps an update to an inbound message.
func convert(upd *models.Update) (bot.Inbound, int64, updateKind) {
	// update_id is Telegram's order of updates ("to restore the correct
	// update sequence, should they get out of order").
	in := bot.Inbound{Channel: Channel, ID: "u" + strconv.FormatInt(upd.ID, 10), Seq: upd.ID}
	switch {
	case upd.Message != nil:
		m := upd.Message
		if m.Chat.Type != models.ChatTypePrivate {
			if strings.HasPrefix(m.Text, "/") {
				return in, m.Chat.ID, kindGroup
			}
			return in, 0, kindIgnore
		}
		if m.From == nil {
			return in, 0, kindIgnore
		}
		in.UserID = strconv.FormatInt(m.Chat.ID, 10)
		in.LangHint = m.From.LanguageCode
		in.Time = time.Unix(int64(m.Date), 0)
		in.Text = m.Text
		if in.Text == "" {
			in.Text = m.Caption
		}
		if rest, ok := strings.CutPrefix(m.Text, "/start"); ok && (rest == "" || rest[0] == ' ') {
			if p := strings.TrimSpace(rest); payloadRE.MatchString(p) {
				in.Payload = p
			}
			in.Text = "/start"
		}
		switch {
		case m.Location != nil:
			in.Location = &bot.Location{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
		case len(m.Photo) > 0:
			in.Media = &bot.Media{Kind: bot.MediaImage, Ref: m.Photo[len(m.Photo)-1].FileID, MIME: "image/jpeg"}
		case m.Voice != nil:
			in.Media = &bot.Media{Kind: bot.MediaAudio, Ref: m.Voice.FileID, MIME: m.Voice.MimeType}
		case m.Audio != nil:
			in.Media = &bot.Media{Kind: bot.MediaAudio, Ref: m.Audio.FileID, MIME: m.Audio.MimeType, Filename: m.Audio.FileName}
		case m.Video != nil:
			in.Media = &bot.Media{Kind: bot.MediaVideo, Ref: m.Video.FileID, MIME: m.Video.MimeType}
		case m.VideoNote != nil:
			in.Media = &bot.Media{Kind: bot.MediaVideo, Ref: m.VideoNote.FileID}
		case m.Document != nil:
			in.Media = &bot.Media{Kind: bot.MediaDocument, Ref: m.Document.FileID, MIME: m.Document.MimeType, Filename: m.Document.FileName}
		case m.Sticker != nil:
			in.Media = &bot.Media{Kind: bot.MediaSticker, Ref: m.Sticker.FileID}
		}
		if in.Text == "" && in.Location == nil && in.Media == nil {
			return in, 0, kindIgnore // a service message: pinned, joined...
		}
		return in, m.Chat.ID, kindMessage
	case upd.CallbackQuery != nil:
		cq := upd.CallbackQuery
		chat := cq.From.ID
		if m := cq.Message.Message; m != nil {
			if m.Chat.Type != models.ChatTypePrivate {
				return in, 0, kindIgnore
			}
			chat = m.Chat.ID
		}
		if chat == 0 {
			return in, 0, kindIgnore
		}
		in.UserID = strconv.FormatInt(chat, 10)
		in.LangHint = cq.From.LanguageCode
		in.Option = cq.Data
		if in.Option == "" {
			in.Option = "c:retry"
		}
		return in, chat, kindMessage
	case upd.MyChatMember != nil:
		mc := upd.MyChatMember
		if mc.Chat.Type != models.ChatTypePrivate {
			return in, 0, kindIgnore
		}
		in.UserID = strconv.FormatInt(mc.Chat.ID, 10)
		switch mc.NewChatMember.Type {
		case models.ChatMemberTypeBanned:
			in.Status = bot.StatusBlocked
		case models.ChatMemberTypeMember:
			in.Status = bot.StatusUnblocked
		default:
			return in, 0, kindIgnore
		}
		return in, mc.Chat.ID, kindMessage
	}
	// edited_message (already answered in its first form), and every other
	// type: nothing to do.
	return in, 0, kindIgnore
}
