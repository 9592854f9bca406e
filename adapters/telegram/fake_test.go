package telegram_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/internal/sentat"
)

// call is one Bot API request the fake received.
type call struct {
	Method string
	Form   map[string]string
	// At is when the adapter sent it (package sentat), so that the fake's limits
	// judge the adapter's pace, not how a busy machine bunched the
	// requests on their way.
	At time.Time
}

// fakeAPI is a local Bot API server: it parses the multipart forms
// go-telegram sends, records every call, and answers like Telegram.
type fakeAPI struct {
	t   testing.TB
	srv *httptest.Server
	mu  sync.Mutex
	got []call
	// tooMany makes the next n sendMessage calls fail with 429 retry_after 1.
	tooMany int
	// failures makes the next n sendMessage calls fail with 502 (after
	// okFirst more successful ones).
	failures, okFirst int
	// forbidden makes every sendMessage fail with 403 (the user blocked the bot).
	forbidden bool
	// limit, when set, answers 429 when more than limit sendMessage calls
	// arrive within one second (a stand-in for Telegram's global limit).
	limit int
	// freeLimit, when set, answers 429 when more than freeLimit messages
	// without allow_paid_broadcast arrive within one second (Telegram's
	// free limit, which paid broadcasts go beyond).
	freeLimit int
	window    []time.Time
	rejected  int
	updates   [][]byte // served once by getUpdates
}

const token = "123456:TEST-token-never-real"

func newFake(t testing.TB) *fakeAPI {
	f := &fakeAPI{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	prefix := "/bot" + token + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		http.Error(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, prefix)
	form := map[string]string{}
	if err := r.ParseMultipartForm(1 << 20); err == nil {
		for k, v := range r.MultipartForm.Value {
			form[k] = v[0]
		}
	}
	at := sentat.Of(r)
	f.mu.Lock()
	f.got = append(f.got, call{Method: method, Form: form, At: at})
	var status int
	var body string
	switch method {
	case "getMe":
		body = `{"ok":true,"result":{"id":7000000001,"is_bot":true,"first_name":"TEAMS","username":"teams_toscana_bot"}}`
	case "sendMessage":
		now := at
		if f.limit > 0 {
			keep := f.window[:0]
			for _, t := range f.window {
				if now.Sub(t) < time.Second {
					keep = append(keep, t)
				}
			}
			f.window = append(keep, now)
		}
		switch {
		case f.forbidden:
			status, body = 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`
		case f.tooMany > 0:
			f.tooMany--
			status, body = 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`
		case f.failures > 0 && f.okFirst > 0:
			f.okFirst--
			body = fmt.Sprintf(`{"ok":true,"result":{"message_id":%d,"date":1780041600,"chat":{"id":%s,"type":"private"},"text":"ok"}}`, len(f.got), form["chat_id"])
		case f.failures > 0:
			f.failures--
			status, body = 502, `<html>Bad Gateway</html>`
		case f.freeLimit > 0 && form["allow_paid_broadcast"] != "true" && f.unpaidInLastSecond(now) > f.freeLimit:
			f.rejected++
			status, body = 429, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":1}}`
		case f.limit > 0 && len(f.window) > f.limit:
			f.rejected++
			status, body = 429, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":1}}`
		default:
			body = fmt.Sprintf(`{"ok":true,"result":{"message_id":%d,"date":1780041600,"chat":{"id":%s,"type":"private"},"text":"ok"}}`, len(f.got), form["chat_id"])
		}
	case "answerCallbackQuery", "setWebhook", "deleteWebhook":
		body = `{"ok":true,"result":true}`
	case "getUpdates":
		ups := "[]"
		if len(f.updates) > 0 {
			parts := make([]string, len(f.updates))
			for i, u := range f.updates {
				parts[i] = string(u)
			}
			ups = "[" + strings.Join(parts, ",") + "]"
			f.updates = nil
		}
		body = `{"ok":true,"result":` + ups + `}`
	default:
		status, body = 404, `{"ok":false,"error_code":404,"description":"Not Found: method not found"}`
	}
	f.mu.Unlock()
	if status == 0 {
		status = 200
	}
	if method == "getUpdates" && body == `{"ok":true,"result":[]}` {
		time.Sleep(20 * time.Millisecond) // a short long poll
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// calls returns and clears the recorded calls of a method ("" = all).
func (f *fakeAPI) calls(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out, rest []call
	for _, c := range f.got {
		if method == "" || c.Method == method {
			out = append(out, c)
		} else {
			rest = append(rest, c)
		}
	}
	f.got = rest
	return out
}

// keyboard decodes the inline keyboard of a sendMessage call.
func keyboard(t testing.TB, c call) [][]map[string]any {
	t.Helper()
	var kb struct {
		InlineKeyboard [][]map[string]any `json:"inline_keyboard"`
	}
	if c.Form["reply_markup"] == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(c.Form["reply_markup"]), &kb); err != nil {
		t.Fatalf("reply_markup %q: %v", c.Form["reply_markup"], err)
	}
	return kb.InlineKeyboard
}

// unpaidInLastSecond counts the messages sent without allow_paid_broadcast
// in the second before now (this one included): Telegram's free limit.
func (f *fakeAPI) unpaidInLastSecond(now time.Time) int {
	n := 0
	for _, c := range f.got {
		if c.Method == "sendMessage" && c.Form["allow_paid_broadcast"] != "true" && now.Sub(c.At) < time.Second {
			n++
		}
	}
	return n
}
