package telegram

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"teamsbot/bot"
	"teamsbot/internal/chatutil"
)

// MaxText is the longest text sent in one message. Telegram allows 4096
// characters after entity parsing; texts are split below that, at paragraph
// (else line, else word) boundaries.
const MaxText = 4000

// maxAttempts bounds the retries of one API call.
const maxAttempts = 4

// The keyboards are our own JSON shapes: go-telegram's InlineKeyboardButton
// always sends "copy_text":{"text":""}, which Telegram may reject.
type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

type replyKeyboard struct {
	Keyboard        [][]keyboardButton `json:"keyboard"`
	ResizeKeyboard  bool               `json:"resize_keyboard"`
	OneTimeKeyboard bool               `json:"one_time_keyboard"`
}

type keyboardButton struct {
	Text            string `json:"text"`
	RequestLocation bool   `json:"request_location,omitempty"`
}

// Send implements bot.Sender. Each reply becomes one or more messages:
// the text split at MaxText, HTML-escaped, with the options as an inline
// keyboard (one button per row, numbered as the user may type them) under
// the last part, or a "share my location" keyboard.
func (a *Adapter) Send(ctx context.Context, userID string, replies []bot.Reply) error {
	chat, err := strconv.ParseInt(userID, 10, 64)
	if err != nil {
		return fmt.Errorf("telegram: bad chat id")
	}
	for i, r := range replies {
		for _, p := range render(r) {
			if err := a.sendOne(ctx, chat, p, r.Notice); err != nil {
				// The outbox tries again from the first reply not sent whole.
				return bot.PartialSend(i, err)
			}
		}
	}
	return nil
}

// render turns a reply into the messages to send.
func render(r bot.Reply) []*tg.SendMessageParams {
	text := r.Text
	var parts []string
	for _, chunk := range chatutil.Split(text, MaxText) {
		parts = append(parts, html.EscapeString(chunk))
	}
	if r.FromOperator != "" {
		head := "<b>👤 " + html.EscapeString(r.FromOperator) + "</b>\n"
		if len(parts) == 0 {
			parts = []string{""}
		}
		parts[0] = head + parts[0]
	}
	if len(parts) == 0 {
		if len(r.Options) == 0 && !r.AskLocation {
			return nil
		}
		parts = []string{"👇"}
	}
	out := make([]*tg.SendMessageParams, len(parts))
	for i, p := range parts {
		out[i] = &tg.SendMessageParams{Text: p, ParseMode: models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()}}
	}
	last := out[len(out)-1]
	switch {
	case len(r.Options) > 0:
		kb := inlineKeyboard{}
		for i, o := range r.Options {
			data := o.ID
			if len(data) > 64 || data == "" {
				// Never the label: a short token, or the option's number.
				data = "n:" + strconv.Itoa(i+1)
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, []inlineButton{{Text: strconv.Itoa(i+1) + ". " + o.Label, CallbackData: data}})
		}
		last.ReplyMarkup = kb
	case r.AskLocation:
		label := r.LocationLabel
		if label == "" {
			label = "📍"
		}
		last.ReplyMarkup = replyKeyboard{Keyboard: [][]keyboardButton{{{Text: label, RequestLocation: true}}}, ResizeKeyboard: true, OneTimeKeyboard: true}
	}
	return out
}

// sendOne sends one message at the paced rate, retrying what Telegram allows
// to be retried.
func (a *Adapter) sendOne(ctx context.Context, chat int64, p *tg.SendMessageParams, notice bool) error {
	p.ChatID = chat
	backoff := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		paid, err := a.pace.wait(ctx, chat, notice)
		if err != nil {
			return err
		}
		p.AllowPaidBroadcast = paid
		_, err = a.api.SendMessage(ctx, p)
		if err == nil {
			return nil
		}
		var tooMany *tg.TooManyRequestsError
		switch {
		case errors.Is(err, tg.ErrorForbidden):
			return fmt.Errorf("telegram: %w", bot.ErrBlocked)
		case errors.As(err, &tooMany):
			wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
			a.log.Warn("telegram asked to slow down", "retry_after_s", tooMany.RetryAfter)
			if attempt >= maxAttempts {
				return fmt.Errorf("telegram: still rate limited after %d attempts", attempt)
			}
			if err := a.sleep(ctx, wait); err != nil {
				return err
			}
		case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorUnauthorized), errors.Is(err, tg.ErrorNotFound):
			return fmt.Errorf("telegram: send: %s", redact(err.Error(), a.cfg.Token))
		default: // 5xx, network: retry with backoff
			if attempt >= maxAttempts || ctx.Err() != nil {
				return fmt.Errorf("telegram: send after %d attempts: %s", attempt, redact(err.Error(), a.cfg.Token))
			}
			if err := a.sleep(ctx, backoff); err != nil {
				return err
			}
			backoff *= 2
		}
	}
}

// pacer keeps sending under Telegram's limits: a rate per chat and a rate
// overall (golang.org/x/time/rate token buckets). Idle chats' limiters are
// dropped now and then, so memory follows the active chats.
type pacer struct {
	mu      sync.Mutex
	perChat rate.Limit
	chats   map[int64]*chatLimiter
	global  *chatutil.Pace
	// free, with paid broadcasts on, is Telegram's free pace: a message it
	// has no room for goes out as a paid broadcast.
	free  *chatutil.Pace
	sweep time.Time
}

// FreeRate is the overall pace this adapter keeps to without paid
// broadcasts: under Telegram's ~30 messages/s, with room for the burst.
const FreeRate = 25

type chatLimiter struct {
	l    *rate.Limiter
	used time.Time
}

func newPacer(perChat, global float64, paid bool, shared chatutil.SharedLimiter) *pacer {
	p := &pacer{perChat: rate.Limit(perChat), chats: map[int64]*chatLimiter{},
		// A small burst: within any second at most rate+burst messages go
		// out, never twice the rate as a full-second bucket would allow.
		global: chatutil.NewPace("telegram:global", global, max(1, int(global/10)), shared), sweep: time.Now()}
	if paid && global > FreeRate {
		p.free = chatutil.NewPace("telegram:free", FreeRate, FreeRate/10, shared)
	}
	return p
}

// wait waits for the chat's pace and the bot's; it reports whether the
// message must go as a paid broadcast (the free pace had no room).
func (p *pacer) wait(ctx context.Context, chat int64, notice bool) (paid bool, err error) {
	now := time.Now()
	p.mu.Lock()
	c, ok := p.chats[chat]
	if !ok {
		// A burst of 3 lets one turn's two or three messages out at once.
		c = &chatLimiter{l: rate.NewLimiter(p.perChat, 3)}
		p.chats[chat] = c
	}
	c.used = now
	if now.Sub(p.sweep) > time.Minute {
		for id, cl := range p.chats {
			if now.Sub(cl.used) > time.Minute {
				delete(p.chats, id)
			}
		}
		p.sweep = now
	}
	p.mu.Unlock()
	ctx, cancel := chatutil.ForPacing(ctx)
	defer cancel()
	if err := c.l.Wait(ctx); err != nil {
		return false, fmt.Errorf("telegram: %w: %w", bot.ErrDeferred, err)
	}
	wait := p.global.Wait
	if notice {
		wait = p.global.WaitNotice
	}
	if err := wait(ctx); err != nil {
		return false, fmt.Errorf("telegram: %w: %w", bot.ErrDeferred, err)
	}
	return p.free != nil && !p.free.Try(ctx), nil
}
