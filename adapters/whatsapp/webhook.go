package whatsapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"teamsbot/bot"
	"teamsbot/internal/webhook"
)

// Channel is the channel name of WhatsApp conversations.
const Channel = "whatsapp"

// WebhookPath is where Meta sends notifications and the verification.
const WebhookPath = "/webhooks/whatsapp"

// MaxNotification bounds a notification's body.
const MaxNotification = 1 << 20

// Handler processes one inbound message (bot.Service.Handle).
type Handler func(ctx context.Context, in bot.Inbound) error

// notification is the shape of a webhook POST.
type notification struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value value  `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		PhoneNumberID string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		WaID   string `json:"wa_id"`
		UserID string `json:"user_id"`
	} `json:"contacts"`
	Messages []message `json:"messages"`
	Statuses []status  `json:"statuses"`
}

type message struct {
	From       string `json:"from"`
	FromUserID string `json:"from_user_id"`
	UserID     string `json:"user_id"`
	ID         string `json:"id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
	Text       *struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	} `json:"location"`
	Image    *media `json:"image"`
	Audio    *media `json:"audio"`
	Video    *media `json:"video"`
	Document *media `json:"document"`
	Sticker  *media `json:"sticker"`
}

type media struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	Filename string `json:"filename"`
	Caption  string `json:"caption"`
}

type status struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	RecipientID string `json:"recipient_id"`
	Errors      []struct {
		Code int `json:"code"`
	} `json:"errors"`
}

// Webhook receives Meta's notifications.
type Webhook struct {
	appSecret   []byte
	verifyToken string
	handle      Handler
	sender      *Sender
	countries   map[string]string
	log         *slog.Logger
}

// NewWebhook returns the webhook; sender (may be nil) is told about inbound
// messages (the 24-hour window, read receipts) and statuses. countries maps
// calling codes ("212") to the language a user from there most likely reads
// (locales/languages.yaml), the first guess of a new user's language.
func NewWebhook(appSecret, verifyToken string, handle Handler, sender *Sender, countries map[string]string, log *slog.Logger) *Webhook {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Webhook{appSecret: []byte(appSecret), verifyToken: verifyToken, handle: handle, sender: sender, countries: countries, log: log.With("comp", "whatsapp")}
}

// Endpoints are the webhook, served under package webhook's policy: Meta's
// handshake (GET: echo hub.challenge when the mode is subscribe and the
// token matches), and the notifications (POST): the signature over the raw
// body first, then every message of every change of every entry.
func (h *Webhook) Endpoints() []webhook.Endpoint {
	return []webhook.Endpoint{{Pattern: "GET " + WebhookPath, Route: Channel + "_verify",
		Request: func(r *http.Request) bool {
			q := r.URL.Query()
			tok := q.Get("hub.verify_token")
			return q.Get("hub.mode") == "subscribe" && h.verifyToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(h.verifyToken)) == 1
		},
		Handle: func(_ context.Context, r *http.Request, _ []byte) (webhook.Answer, error) {
			return webhook.Answer{ContentType: "text/plain", Body: []byte(r.URL.Query().Get("hub.challenge"))}, nil
		}}, {Pattern: "POST " + WebhookPath, Route: Channel, Limit: MaxNotification,
		Body: func(hd http.Header, body []byte) bool { return h.signed(hd.Get("X-Hub-Signature-256"), body) },
		Handle: func(ctx context.Context, _ *http.Request, body []byte) (webhook.Answer, error) {
			var n notification
			if err := json.Unmarshal(body, &n); err != nil {
				return webhook.Answer{}, fmt.Errorf("%w: a signed notification that is not JSON", webhook.ErrMalformed)
			}
			var failed error
			for _, e := range n.Entry {
				for _, c := range e.Changes {
					if c.Field != "messages" {
						continue
					}
					if err := h.change(ctx, c.Value); err != nil {
						failed = err
					}
				}
			}
			// Only a failure of ours: Meta redelivers, and deduplication
			// makes the messages already handled no-ops.
			return webhook.Answer{}, failed
		}}}
}

// Routes registers the endpoints on mux (without metrics: serve mounts
// Endpoints with them).
func (h *Webhook) Routes(mux *http.ServeMux) { webhook.Mount(mux, nil, h.log, h.Endpoints()...) }

func (h *Webhook) signed(header string, body []byte) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(h.appSecret) == 0 {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, h.appSecret)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

func (h *Webhook) change(ctx context.Context, v value) error {
	for _, st := range v.Statuses {
		code := 0
		if len(st.Errors) > 0 {
			code = st.Errors[0].Code
		}
		if h.sender != nil {
			h.sender.status(ctx, st.ID, st.Status, code)
		}
	}
	userOf := map[string]string{}
	for _, c := range v.Contacts {
		if c.UserID != "" && c.WaID != "" {
			userOf[c.WaID] = c.UserID
		}
	}
	var failed error
	for i, m := range v.Messages {
		in, phone, ok := convert(m, userOf, h.countries)
		if !ok {
			h.log.Debug("message ignored", "type", m.Type)
			continue
		}
		if !in.Time.IsZero() {
			// Meta's order: the timestamp (seconds), then the order in the
			// notification.
			in.Seq = in.Time.UnixMilli() + int64(min(i, 999))
		}
		if h.sender != nil {
			h.sender.seen(in.UserID, phone)
		}
		if err := h.handle(ctx, in); err != nil {
			if errors.Is(err, bot.ErrUnavailable) {
				failed = err
				continue
			}
			h.log.Warn("message not handled", "error", err)
		}
		if h.sender != nil {
			h.sender.markRead(ctx, m.ID)
		}
	}
	return failed
}

// convert maps a message to an inbound message. Users are keyed by their
// business-scoped user id when present (the phone may be missing since
// 2026), else by phone number.
func convert(m message, userOf, countries map[string]string) (bot.Inbound, string, bool) {
	user := m.FromUserID
	if user == "" {
		user = m.UserID
	}
	if user == "" {
		user = userOf[m.From]
	}
	if user == "" {
		user = m.From
	}
	if user == "" || m.ID == "" {
		return bot.Inbound{}, "", false
	}
	in := bot.Inbound{Channel: Channel, UserID: user, ID: m.ID, LangHint: LangForPhone(m.From, countries)}
	if ts, err := strconv.ParseInt(m.Timestamp, 10, 64); err == nil {
		in.Time = time.Unix(ts, 0)
	}
	switch m.Type {
	case "text":
		if m.Text == nil {
			return in, "", false
		}
		in.Text = m.Text.Body
	case "interactive":
		switch {
		case m.Interactive == nil:
			return in, "", false
		case m.Interactive.ButtonReply != nil:
			in.Option = m.Interactive.ButtonReply.ID
		case m.Interactive.ListReply != nil:
			in.Option = m.Interactive.ListReply.ID
		default:
			return in, "", false
		}
	case "button":
		if m.Button == nil {
			return in, "", false
		}
		if isOptionID(m.Button.Payload) {
			in.Option = m.Button.Payload
		} else {
			in.Text = m.Button.Text
		}
	case "location":
		if m.Location == nil {
			return in, "", false
		}
		in.Location = &bot.Location{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	case "image", "audio", "video", "document", "sticker":
		md := map[string]*media{"image": m.Image, "audio": m.Audio, "video": m.Video, "document": m.Document, "sticker": m.Sticker}[m.Type]
		if md == nil {
			return in, "", false
		}
		kind := map[string]bot.MediaKind{"image": bot.MediaImage, "audio": bot.MediaAudio, "video": bot.MediaVideo, "document": bot.MediaDocument, "sticker": bot.MediaSticker}[m.Type]
		in.Media = &bot.Media{Kind: kind, Ref: md.ID, MIME: md.MIMEType, Filename: md.Filename}
		in.Text = md.Caption
	case "reaction":
		return in, "", false
	default: // unsupported, contacts, order, system, and types to come
		in.Media = &bot.Media{Kind: bot.MediaUnsupported}
	}
	return in, m.From, true
}

func isOptionID(s string) bool {
	return strings.HasPrefix(s, "o:") || strings.HasPrefix(s, "c:") || strings.HasPrefix(s, "r:")
}

// LangForPhone maps a phone number's country calling code (the longest
// prefix of one to four digits found in countries) to a language, or "".
func LangForPhone(phone string, countries map[string]string) string {
	phone = strings.TrimPrefix(phone, "+")
	for n := min(4, len(phone)); n >= 1; n-- {
		if l, ok := countries[phone[:n]]; ok {
			return l
		}
	}
	return ""
}
