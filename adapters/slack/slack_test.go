package slack_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	deskpkg "teamsbot/adapters/slack"
	"teamsbot/app"
	"teamsbot/bot"
	"teamsbot/store/memory"
)

const signing = "8f742231b10e8888abcd99yyyzzz85a5"

// apiCall is one Slack Web API call the fake received.
type apiCall struct {
	Method string
	Form   url.Values
}

// fakeSlack is a local Slack Web API: it records calls and answers like
// Slack (chat.update included, which slacktest lacks).
type fakeSlack struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []apiCall
	ts    int
	// Socket Mode: frames to push to the client, acks received.
	frames chan string
	acks   chan string
	// uploaded is the last file uploaded.
	uploaded string
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{frames: make(chan string, 16), acks: make(chan string, 16)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ws" {
			f.socket(w, r)
			return
		}
		if r.URL.Path == "/upload" {
			_ = r.ParseMultipartForm(1 << 20)
			file, _, err := r.FormFile("file")
			var content []byte
			if err == nil {
				content, _ = io.ReadAll(file)
			}
			f.mu.Lock()
			f.uploaded = string(content)
			f.mu.Unlock()
			fmt.Fprint(w, "OK")
			return
		}
		method := strings.TrimPrefix(r.URL.Path, "/")
		if strings.HasPrefix(method, "views.") {
			// views.open and the like post JSON: kept whole.
			body, _ := io.ReadAll(r.Body)
			f.mu.Lock()
			f.calls = append(f.calls, apiCall{method, url.Values{"json": {string(body)}}})
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":true,"view":{"id":"V123"}}`)
			return
		}
		_ = r.ParseForm()
		f.mu.Lock()
		f.calls = append(f.calls, apiCall{method, r.PostForm})
		f.ts++
		ts := fmt.Sprintf("1780041%03d.000%d00", f.ts, f.ts)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch method {
		case "auth.test":
			fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team_id":"T1"}`)
		case "chat.postMessage":
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.PostForm.Get("channel"), ts)
		case "chat.update":
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q,"text":""}`, r.PostForm.Get("channel"), r.PostForm.Get("ts"))
		case "apps.connections.open":
			if r.Header.Get("Authorization") != "Bearer xapp-1-test" {
				fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
				return
			}
			fmt.Fprintf(w, `{"ok":true,"url":"ws://%s/ws"}`, r.Host)
		case "conversations.replies":
			fmt.Fprintf(w, `{"ok":true,"has_more":false,"messages":[{"type":"message","ts":%q,"bot_id":"BBOT","text":"case"},{"type":"message","ts":"1780041700.000100","bot_id":"BBOT","user":"UBOT","text":"👤 مرحبا &lt;3"},{"type":"message","ts":"1780041800.000100","user":"UGIULIA","text":"Buongiorno, come posso aiutarla?"}]}`, r.PostForm.Get("ts"))
		case "files.getUploadURLExternal":
			fmt.Fprintf(w, `{"ok":true,"upload_url":"http://%s/upload","file_id":"F123"}`, r.Host)
		case "files.completeUploadExternal":
			fmt.Fprint(w, `{"ok":true,"files":[{"id":"F123","title":"Trascrizione"}]}`)
		case "users.info":
			name := map[string]string{"UGIULIA": "Giulia", "UMARCO": "Marco"}[r.PostForm.Get("user")]
			fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"real_name":"%s Rossi","profile":{"first_name":%q}}}`, r.PostForm.Get("user"), name, name)
		default:
			fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) take(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out, rest []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		} else {
			rest = append(rest, c)
		}
	}
	f.calls = rest
	return out
}

type recorder struct {
	mu      sync.Mutex
	replies []bot.Reply
}

func (r *recorder) Send(_ context.Context, _ string, rs []bot.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replies = append(r.replies, rs...)
	return nil
}

func (r *recorder) take() []bot.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.replies
	r.replies = nil
	return out
}

type rig struct {
	fake *fakeSlack
	desk *deskpkg.Desk
	// hooks are what the desk was started with: a test may change a hook
	// before it sends the event that calls it.
	hooks *deskpkg.Hooks
	svc   *bot.Service
	user  *recorder
	mux   *http.ServeMux
	st    app.Store
	seq   int
	// texts are the locale messages (the desk's among them).
	texts bot.Translator
	// hint is the user's language as the channel says it (default ar).
	hint string
	// option, when set, is pressed instead of typing (the next say).
	option string
}

func newRig(t *testing.T) *rig { return newRigOn(t, memory.New()) }

// newRigOn builds the rig on st; opts adjust the desk's configuration.
func newRigOn(t *testing.T, st app.Store, opts ...func(*deskpkg.Config)) *rig {
	l, issues := app.Load(app.EmbeddedContent(), app.LoadOptions{Demo: true})
	if l == nil {
		t.Fatal(issues)
	}
	r := &rig{fake: newFakeSlack(t), user: &recorder{}, mux: http.NewServeMux(), st: st, texts: l.Catalog}
	// The operators' language is left to its default (TEAMSBOT_OPERATOR_LANG's,
	// Italian) unless an option sets it.
	cfg := deskpkg.Config{BotToken: "xoxb-test", SigningSecret: signing, Channel: "COPS", APIURL: r.fake.srv.URL, Languages: l.Catalog.Languages(), Texts: l.Catalog,
		Answers: app.DeskAnswers(l, "it")}
	for _, o := range opts {
		o(&cfg)
	}
	var err error
	r.desk, err = deskpkg.New(cfg, r.st, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	// In serve's order: the desk, the domain over the store and the desk,
	// the engine, the service, then the desk takes events into it.
	dom := l.Domain(app.Deps{Store: r.st, Callback: r.desk.Callback, OnProposal: app.DeskProposals(r.desk)})
	eng, err := dom.Engine(bot.Config{Operators: true})
	if err != nil {
		t.Fatal(err)
	}
	r.svc = bot.NewService(eng, r.st, bot.ServiceConfig{PseudonymKey: []byte("k")}, bot.WithSender("whatsapp", r.user), bot.WithDesk(r.desk))
	r.hooks = &deskpkg.Hooks{Operators: r.svc, OnContact: app.ProposalContact(dom, r.svc)}
	r.desk.Routes(r.mux, r.hooks)
	return r
}

// waiting brings the user to a handoff waiting for an operator.
func (r *rig) waiting(t *testing.T) {
	t.Helper()
	for _, text := range []string{"hi", "1", "operator"} {
		r.say(t, text)
	}
}

// say sends a user message on the (recorded) WhatsApp channel.
func (r *rig) say(t *testing.T, text string) []bot.Reply {
	t.Helper()
	r.seq++
	hint := r.hint
	if hint == "" {
		hint = "ar"
	}
	in := bot.Inbound{Channel: "whatsapp", UserID: "393331234567", ID: fmt.Sprint("m", r.seq), Text: text, LangHint: hint}
	if r.option != "" {
		in.Text, in.Option, r.option = "", r.option, ""
	}
	if err := r.svc.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return r.user.take()
}

// signedRecorder posts a body to path, signed now, and returns the answer.
func (r *rig) signedRecorder(path, contentType string, body []byte) *httptest.ResponseRecorder {
	return r.signedAt(path, contentType, body, time.Now(), signing)
}

// signed posts a body to path with Slack's v0 signature at time at.
func (r *rig) signed(path, contentType string, body []byte, at time.Time, secret string, extra ...string) int {
	return r.signedAt(path, contentType, body, at, secret, extra...).Code
}

func (r *rig) signedAt(path, contentType string, body []byte, at time.Time, secret string, extra ...string) *httptest.ResponseRecorder {
	ts := fmt.Sprint(at.Unix())
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%s:%s", ts, body)
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	rec := httptest.NewRecorder()
	r.mux.ServeHTTP(rec, req)
	return rec
}

func (r *rig) event(t *testing.T, id string, ev map[string]any, extra ...string) int {
	body, _ := json.Marshal(map[string]any{"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": id, "event_time": time.Now().Unix(), "event": ev})
	return r.signed(deskpkg.EventsPath, "application/json", body, time.Now(), signing, extra...)
}

func (r *rig) press(t *testing.T, user, action, token string) int {
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": user},
		"actions": []map[string]any{{"action_id": action, "block_id": "case:" + token, "value": token, "type": "button", "action_ts": "1780042000.1"}}, "container": map[string]any{"type": "message", "channel_id": "COPS"}})
	body := []byte("payload=" + url.QueryEscape(string(payload)))
	return r.signed(deskpkg.InteractivityPath, "application/x-www-form-urlencoded", body, time.Now(), signing)
}

// caseToken is the handle the buttons of a case message carry.
func caseToken(blocks string) string {
	var parsed []map[string]any
	_ = json.Unmarshal([]byte(blocks), &parsed)
	for _, b := range parsed {
		if els, ok := b["elements"].([]any); ok && b["type"] == "actions" {
			return els[0].(map[string]any)["value"].(string)
		}
	}
	return ""
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestHandoffRelayTakeAndGiveBack(t *testing.T) {
	r := newRig(t)
	r.say(t, "مرحبا")
	r.say(t, "1")
	r.say(t, "7") // school
	r.say(t, "8")
	got := r.say(t, "5") // talk to a person
	if !strings.Contains(strings.Join(got[0].MessageIDs, " "), "operator.waiting") {
		t.Fatalf("user side: %+v", got)
	}
	posts := r.fake.take("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "COPS" {
		t.Fatalf("handoff posts: %+v", posts)
	}
	blocks := posts[0].Form.Get("blocks")
	for _, want := range []string{"In attesa", "arabo", "whatsapp", "school", "child_age: 8", `"action_id":"take"`, `"action_id":"giveback"`, `"action_id":"close"`} {
		if !strings.Contains(blocks, want) {
			t.Errorf("case message lacks %q:\n%s", want, blocks)
		}
	}
	if strings.Contains(blocks, "393331234567") {
		t.Error("the user's phone number reached Slack")
	}
	token := caseToken(blocks)
	if token == "" {
		t.Fatal("no token on the buttons")
	}
	// The user writes something that would ping the channel and forge a link.
	r.say(t, "<!channel> help <http://evil.example|gov.it> & more")
	posts = r.fake.take("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("thread_ts") == "" {
		t.Fatalf("relay: %+v", posts)
	}
	if txt := posts[0].Form.Get("text"); strings.Contains(txt, "<!channel>") || !strings.Contains(txt, "&lt;!channel&gt;") || !strings.Contains(txt, "&amp; more") {
		t.Errorf("user text not escaped: %q", txt)
	}
	thread := posts[0].Form.Get("thread_ts")
	// Giulia takes the case.
	if code := r.press(t, "UGIULIA", "take", token); code != 200 {
		t.Fatalf("take: %d", code)
	}
	eventually(t, "the joined message", func() bool {
		rs := r.user.take()
		return len(rs) == 1 && strings.Contains(rs[0].Text, "Giulia")
	})
	eventually(t, "the case message update", func() bool {
		ups := r.fake.take("chat.update")
		return len(ups) == 1 && strings.Contains(ups[0].Form.Get("blocks"), "Presa in carico da Giulia") && !strings.Contains(ups[0].Form.Get("blocks"), `"action_id":"take"`)
	})
	// Marco presses Take too late.
	r.press(t, "UMARCO", "take", token)
	eventually(t, "the already-taken note", func() bool {
		ps := r.fake.take("chat.postMessage")
		return len(ps) == 1 && strings.Contains(ps[0].Form.Get("text"), "già presa in carico da Giulia")
	})
	// Giulia answers in the thread; Slack delivers it twice (a retry).
	ev := map[string]any{"type": "message", "channel": "COPS", "user": "UGIULIA", "text": "Ciao! a &lt; b &amp; c", "ts": "1780042000.000100", "thread_ts": thread, "channel_type": "channel"}
	r.event(t, "Ev01", ev)
	r.event(t, "Ev01", ev, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	eventually(t, "the operator's message", func() bool {
		r.user.mu.Lock()
		defer r.user.mu.Unlock()
		return len(r.user.replies) >= 1
	})
	time.Sleep(100 * time.Millisecond)
	rs := r.user.take()
	if len(rs) != 1 || rs[0].FromOperator != "Giulia" || rs[0].Text != "Ciao! a < b & c" {
		t.Fatalf("operator message: %+v", rs)
	}
	// The desk's own messages and other bots' are never relayed.
	r.event(t, "Ev02", map[string]any{"type": "message", "channel": "COPS", "user": "UBOT", "bot_id": "BBOT", "text": "loop?", "ts": "1780042001.000100", "thread_ts": thread})
	r.event(t, "Ev03", map[string]any{"type": "message", "channel": "COPS", "subtype": "message_changed", "text": "edit", "ts": "1780042002.000100", "thread_ts": thread})
	time.Sleep(150 * time.Millisecond)
	if rs := r.user.take(); len(rs) != 0 {
		t.Errorf("bot or edit relayed: %+v", rs)
	}
	// Give back to the bot: the user is told, the case closes.
	r.press(t, "UGIULIA", "giveback", token)
	eventually(t, "the give back", func() bool {
		rs := r.user.take()
		return len(rs) > 0 && strings.Contains(strings.Join(rs[0].MessageIDs, " "), "operator.gave_back")
	})
	eventually(t, "the closed case", func() bool {
		ups := r.fake.take("chat.update")
		return len(ups) == 1 && strings.Contains(ups[0].Form.Get("text"), "Chiusa")
	})
	// Writing after the close: a note, nothing to the user.
	r.fake.take("chat.postMessage")
	r.event(t, "Ev04", map[string]any{"type": "message", "channel": "COPS", "user": "UGIULIA", "text": "ancora?", "ts": "1780042003.000100", "thread_ts": thread})
	eventually(t, "the closed note", func() bool {
		ps := r.fake.take("chat.postMessage")
		return len(ps) == 1 && strings.Contains(ps[0].Form.Get("text"), "chiusa")
	})
	if rs := r.user.take(); len(rs) != 0 {
		t.Errorf("a message after close reached the user: %+v", rs)
	}
}

func TestUserLeavesOrDeletesWhileWaiting(t *testing.T) {
	r := newRig(t)
	r.waiting(t)
	r.fake.take("chat.postMessage")
	r.say(t, "delete my data")
	r.say(t, "1") // yes, delete
	eventually(t, "the deletion note", func() bool {
		ps := r.fake.take("chat.postMessage")
		return len(ps) == 1 && strings.Contains(ps[0].Form.Get("text"), "cancellato i suoi dati")
	})
	ups := r.fake.take("chat.update")
	if len(ups) != 1 || !strings.Contains(ups[0].Form.Get("text"), "Chiusa") {
		t.Errorf("case not closed: %+v", ups)
	}
	// /teams lists nothing open now.
	body := []byte("command=%2Fteams&text=&user_id=UGIULIA&channel_id=COPS")
	req := httptest.NewRequest("POST", deskpkg.CommandsPath, bytes.NewReader(body))
	_ = req
	if code := r.signed(deskpkg.CommandsPath, "application/x-www-form-urlencoded", body, time.Now(), signing); code != 200 {
		t.Errorf("/teams: %d", code)
	}
}

// TestDeleteAfterAClosedHandoff: "delete my data" after an operator closed
// the case leaves no record at the desk that names the user (the case
// record's conversation key holds their WhatsApp number).
func TestDeleteAfterAClosedHandoff(t *testing.T) {
	r := newRig(t)
	r.waiting(t)
	token := caseToken(r.fake.take("chat.postMessage")[0].Form.Get("blocks"))
	r.press(t, "UGIULIA", "take", token)
	eventually(t, "joined", func() bool { return len(r.user.take()) == 1 })
	r.press(t, "UGIULIA", "close", token)
	eventually(t, "the feedback question", func() bool { return len(r.user.take()) > 0 })
	r.say(t, "4")
	ctx := context.Background()
	before, err := r.st.Load(ctx, "desk:token:"+token)
	if err != nil || !strings.Contains(string(before), "393331234567") {
		t.Fatalf("the closed case's record: %q %v", before, err)
	}
	r.fake.take("chat.postMessage")
	r.say(t, "delete my data")
	if got := r.say(t, "1"); len(got) != 1 || !slices.Contains(got[0].MessageIDs, "forget.done") {
		t.Fatalf("delete: %+v", got)
	}
	after, err := r.st.Load(ctx, "desk:token:"+token)
	if err != nil || strings.Contains(string(after), "393331234567") {
		t.Errorf("the closed case still names the user after deletion: %q %v", after, err)
	}
	for _, key := range []string{"desk:conv:whatsapp:393331234567", "desk:cases:whatsapp:393331234567"} {
		if _, err := r.st.Load(ctx, key); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("%s after deletion: %v", key, err)
		}
	}
	if ps := r.fake.take("chat.postMessage"); len(ps) != 0 {
		t.Errorf("a closed case got a note: %+v", ps)
	}
}

func TestSlashCommandListsOpenCases(t *testing.T) {
	r := newRig(t)
	r.waiting(t)
	rec := slashCommand(r, "", "COPS")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "*1 conversazione aperta*") || !strings.Contains(rec.Body.String(), "https://slack.com/archives/COPS/p") {
		t.Errorf("/teams: %d %s", rec.Code, rec.Body.String())
	}
	// A calendar command goes to OnCalendar, with the channel it was typed
	// in; other words still list the cases.
	var gotChannel string
	var gotWords []string
	r.hooks.OnCalendar = func(_ context.Context, channel, _ string, words []string) (string, bool) {
		if words[0] != "chiudi" {
			return "", false
		}
		gotChannel, gotWords = channel, words
		return "chiuso", true
	}
	for text, want := range map[string]string{"chiudi po-pua 24/12": `"text":"chiuso"`, "boh": "conversazione aperta"} {
		rec := slashCommand(r, text, "CPRATO")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/teams %s: %d %s", text, rec.Code, rec.Body.String())
		}
	}
	if gotChannel != "CPRATO" || strings.Join(gotWords, " ") != "chiudi po-pua 24/12" {
		t.Errorf("OnCalendar got %q %q", gotChannel, gotWords)
	}
}

// slashCommand sends /teams text, typed by Giulia in channel, signed.
func slashCommand(r *rig, text, channel string) *httptest.ResponseRecorder {
	body := []byte("command=%2Fteams&text=" + url.QueryEscape(text) + "&user_id=UGIULIA&channel_id=" + channel + "&trigger_id=13345224609.738474920.8088930838d88f008e0")
	ts := fmt.Sprint(time.Now().Unix())
	m := hmac.New(sha256.New, []byte(signing))
	fmt.Fprintf(m, "v0:%s:%s", ts, body)
	req := httptest.NewRequest("POST", deskpkg.CommandsPath, bytes.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
	rec := httptest.NewRecorder()
	r.mux.ServeHTTP(rec, req)
	return rec
}

func TestRequestsMustBeSignedAndFresh(t *testing.T) {
	r := newRig(t)
	body := []byte(`{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","token":"x"}`)
	if code := r.signed(deskpkg.EventsPath, "application/json", body, time.Now(), "wrong-secret"); code != 401 {
		t.Errorf("bad signature: %d", code)
	}
	if code := r.signed(deskpkg.EventsPath, "application/json", body, time.Now().Add(-6*time.Minute), signing); code != 401 {
		t.Errorf("replayed (6 minutes old): %d", code)
	}
	req := httptest.NewRequest("POST", deskpkg.EventsPath, bytes.NewReader(body))
	rec := httptest.NewRecorder()
	r.mux.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("unsigned: %d", rec.Code)
	}
	if code := r.press(t, "UGIULIA", "take", "whatever"); code != 200 {
		t.Errorf("signed button of an unknown case: %d", code)
	}
	rec = httptest.NewRecorder()
	ts := fmt.Sprint(time.Now().Unix())
	m := hmac.New(sha256.New, []byte(signing))
	fmt.Fprintf(m, "v0:%s:%s", ts, body)
	req = httptest.NewRequest("POST", deskpkg.EventsPath, bytes.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
	r.mux.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification: %d %q", rec.Code, rec.Body.String())
	}
	time.Sleep(50 * time.Millisecond)
	if ps := r.fake.take("chat.postMessage"); len(ps) != 0 {
		t.Errorf("rejected requests caused posts: %+v", ps)
	}
}

func TestThreadOfNoConversation(t *testing.T) {
	r := newRig(t)
	// Under the desk's own message, but not a case: a note.
	body, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": "Ev9", "event": map[string]any{
		"type": "message", "channel": "COPS", "user": "UGIULIA", "text": "chi è?", "ts": "1780049000.000200", "thread_ts": "1780049000.000100", "parent_user_id": "UBOT"}})
	r.signed(deskpkg.EventsPath, "application/json", body, time.Now(), signing)
	eventually(t, "the note", func() bool {
		ps := r.fake.take("chat.postMessage")
		return len(ps) == 1 && strings.Contains(ps[0].Form.Get("text"), "non corrisponde a nessuna conversazione")
	})
	// Under someone else's message: nothing (operators talk among themselves).
	body, _ = json.Marshal(map[string]any{"type": "event_callback", "event_id": "Ev10", "event": map[string]any{
		"type": "message", "channel": "COPS", "user": "UGIULIA", "text": "pausa caffè?", "ts": "1780049001.000200", "thread_ts": "1780049001.000100", "parent_user_id": "UMARCO"}})
	r.signed(deskpkg.EventsPath, "application/json", body, time.Now(), signing)
	time.Sleep(100 * time.Millisecond)
	if ps := r.fake.take("chat.postMessage"); len(ps) != 0 {
		t.Errorf("a note under another's message: %+v", ps)
	}
}

func TestQueuePositionAndHours(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	open := true
	d, err := deskpkg.New(deskpkg.Config{BotToken: "xoxb-test", SigningSecret: signing, Channel: "COPS", APIURL: r.fake.srv.URL,
		Hours: func(time.Time) (bool, time.Time) { return open, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }}, memory.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var tickets []bot.Ticket
	for i, conv := range []string{"whatsapp:1", "telegram:2", "whatsapp:3"} {
		if i == 2 {
			open = false
		}
		tk, err := d.Handoff(ctx, bot.Handoff{Conversation: conv, Channel: "whatsapp", Lang: "it", Reason: "user_request", Since: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	if tickets[0].Position != 1 || tickets[1].Position != 2 || tickets[2].Position != 3 {
		t.Errorf("positions: %+v", tickets)
	}
	if tickets[1].Closed || !tickets[2].Closed || tickets[2].Opens.IsZero() {
		t.Errorf("hours: %+v", tickets)
	}
	// Handing off the same conversation again keeps its place and thread.
	tk, _ := d.Handoff(ctx, bot.Handoff{Conversation: "telegram:2", Channel: "telegram", Lang: "it", Since: time.Now()})
	if tk.Position != 2 {
		t.Errorf("again: %+v", tk)
	}
	if n := len(r.fake.take("chat.postMessage")); n != 3 {
		t.Errorf("%d case messages for 3 conversations", n)
	}
}

func TestCloseAsksHowItWent(t *testing.T) {
	r := newRig(t)
	r.waiting(t)
	posts := r.fake.take("chat.postMessage")
	token := caseToken(posts[0].Form.Get("blocks"))
	r.press(t, "UGIULIA", "take", token)
	eventually(t, "joined", func() bool { return len(r.user.take()) == 1 })
	r.press(t, "UGIULIA", "close", token)
	var got []bot.Reply
	eventually(t, "the feedback question", func() bool { got = r.user.take(); return len(got) > 0 })
	last := got[len(got)-1]
	if !strings.Contains(strings.Join(last.MessageIDs, " "), "feedback.ask") || len(last.Options) != 5 || last.Options[4].ID != "c:rate:5" {
		t.Fatalf("after close: %+v", got)
	}
	got = r.say(t, "4")
	if !strings.Contains(strings.Join(got[0].MessageIDs, " "), "feedback.thanks") {
		t.Errorf("rating: %+v", got)
	}
}

func TestTimeoutOffersACallBack(t *testing.T) {
	r := newRig(t)
	r.waiting(t)
	r.fake.take("chat.postMessage")
	r.desk.ExpireWaiting(context.Background(), time.Nanosecond, r.svc)
	got := r.user.take()
	if len(got) != 1 || !strings.Contains(strings.Join(got[0].MessageIDs, " "), "operator.timeout") {
		t.Fatalf("timeout: %+v", got)
	}
	var ids []string
	for _, o := range got[0].Options {
		ids = append(ids, o.ID)
	}
	if strings.Join(ids, " ") != "c:operator c:flow:callback c:menu" {
		t.Fatalf("timeout options: %v", ids)
	}
	if ps := r.fake.take("chat.postMessage"); len(ps) != 1 || !strings.Contains(ps[0].Form.Get("text"), "richiamata") {
		t.Errorf("timeout note: %+v", ps)
	}
	r.seq++
	if err := r.svc.Handle(context.Background(), bot.Inbound{Channel: "whatsapp", UserID: "393331234567", ID: "cb", Option: "c:flow:callback"}); err != nil {
		t.Fatal(err)
	}
	if got := r.user.take(); !strings.Contains(strings.Join(got[0].MessageIDs, " "), "callback.ask_phone") {
		t.Fatalf("callback: %+v", got)
	}
	got = r.say(t, "333 123 4567")
	if !strings.Contains(strings.Join(got[0].MessageIDs, " "), "callback.done") || !strings.Contains(got[0].Text, "+393331234567") {
		t.Errorf("callback: %+v", got)
	}
	if ps := r.fake.take("chat.postMessage"); len(ps) != 1 || !strings.Contains(ps[0].Form.Get("text"), "+393331234567") || !strings.Contains(ps[0].Form.Get("text"), "arabo") {
		t.Errorf("callback post: %+v", ps)
	}
}

// socket is a Socket Mode endpoint: hello, then the queued frames; acks are
// collected.
func (f *fakeSlack) socket(w http.ResponseWriter, r *http.Request) {
	conn, err := (&websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1,"connection_info":{"app_id":"A1"},"debug_info":{"host":"fake"}}`))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			f.acks <- string(msg)
		}
	}()
	for {
		select {
		case fr := <-f.frames:
			if err := conn.WriteMessage(websocket.TextMessage, []byte(fr)); err != nil {
				return
			}
		case <-done:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// TestSocketMode: over the socket, an operator's message in a case thread
// reaches the user and /teams answers, each envelope acknowledged.
func TestSocketMode(t *testing.T) {
	r := newRig(t)
	r.waiting(t)
	r.fake.take("chat.postMessage")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.desk.RunSocketMode(ctx, "xapp-1-test", r.hooks) }()
	parent := firstTS(t, r)
	ev := fmt.Sprintf(`{"envelope_id":"env-1","type":"events_api","accepts_response_payload":false,"retry_attempt":0,"payload":{"type":"event_callback","event_id":"EvS1","team_id":"T1","event":{"type":"message","channel":"COPS","user":"UGIULIA","text":"Ciao dal socket","ts":"1780043000.000100","thread_ts":%q}}}`, parent)
	r.fake.frames <- ev
	select {
	case ack := <-r.fake.acks:
		if !strings.Contains(ack, `"envelope_id":"env-1"`) {
			t.Errorf("ack: %s", ack)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no ack")
	}
	eventually(t, "the operator's message over the socket", func() bool {
		rs := r.user.take()
		for _, x := range rs {
			if x.FromOperator == "Giulia" && x.Text == "Ciao dal socket" {
				return true
			}
		}
		return false
	})
	r.fake.frames <- `{"envelope_id":"env-2","type":"slash_commands","accepts_response_payload":true,"payload":{"token":"x","team_id":"T1","channel_id":"COPS","user_id":"UGIULIA","command":"/teams","text":""}}`
	select {
	case ack := <-r.fake.acks:
		if !strings.Contains(ack, `"envelope_id":"env-2"`) || !strings.Contains(ack, "1 conversazione aperta") {
			t.Errorf("slash ack: %s", ack)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no slash ack")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("socket mode did not stop")
	}
	if err := r.desk.RunSocketMode(context.Background(), "xoxb-not-app-level", r.hooks); err == nil {
		t.Error("a bot token was accepted as an app-level token")
	}
}

// openTokens are the tokens of the open cases, waiting first (the
// desk's queues in the store).
func openTokens(t *testing.T, r *rig) []string {
	t.Helper()
	var out []string
	for _, q := range []string{"desk:waiting", "desk:taken"} {
		toks, err := r.st.QueueList(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, toks...)
	}
	if len(out) == 0 {
		t.Fatal("no open case")
	}
	return out
}

// firstTS is the ts of the case message the desk posted (the open case).
func firstTS(t *testing.T, r *rig) string {
	t.Helper()
	rec, err := r.st.Load(context.Background(), "desk:token:"+openTokens(t, r)[0])
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		TS string `json:"ts"`
	}
	_ = json.Unmarshal(rec, &v)
	return v.TS
}

// BenchmarkRelay measures the desk's two paths with the fakes: a user's
// message to its post in the case thread, and an operator's message in the
// thread (a signed event) to the user; it reports p50/p99 and the Slack API
// calls one handoff costs (post, take, one message each way, close).
func BenchmarkRelay(b *testing.B) {
	t := &testing.T{}
	r := newRig(t)
	r.waiting(t)
	token := openTokens(t, r)[0]
	parent := firstTS(t, r)
	r.press(t, "UGIULIA", "take", token)
	eventually(t, "joined", func() bool { return len(r.user.take()) == 1 })
	r.fake.mu.Lock()
	r.fake.calls = nil
	r.fake.mu.Unlock()
	var up, down []time.Duration
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		r.say(t, fmt.Sprintf("messaggio %d", i))
		up = append(up, time.Since(t0))
		t1 := time.Now()
		r.event(t, fmt.Sprintf("EvB%d", i), map[string]any{"type": "message", "channel": "COPS", "user": "UGIULIA", "text": "ok", "ts": fmt.Sprintf("1780050000.%06d", i), "thread_ts": parent})
		for {
			r.user.mu.Lock()
			n := len(r.user.replies)
			r.user.replies = nil
			r.user.mu.Unlock()
			if n > 0 {
				break
			}
			time.Sleep(50 * time.Microsecond)
		}
		down = append(down, time.Since(t1))
	}
	b.StopTimer()
	slices.Sort(up)
	slices.Sort(down)
	b.ReportMetric(float64(up[len(up)/2].Microseconds()), "user→slack-p50-µs")
	b.ReportMetric(float64(up[len(up)*99/100].Microseconds()), "user→slack-p99-µs")
	b.ReportMetric(float64(down[len(down)/2].Microseconds()), "operator→user-p50-µs")
	b.ReportMetric(float64(down[len(down)*99/100].Microseconds()), "operator→user-p99-µs")
}

// TestAPICallsPerHandoff counts the Slack calls of one whole handoff.
func TestAPICallsPerHandoff(t *testing.T) {
	r := newRig(t)
	r.waiting(t)
	open := openTokens(t, r)
	parent := firstTS(t, r)
	r.press(t, "UGIULIA", "take", open[0])
	eventually(t, "joined", func() bool { return len(r.user.take()) == 1 })
	r.say(t, "grazie")
	r.event(t, "EvC1", map[string]any{"type": "message", "channel": "COPS", "user": "UGIULIA", "text": "prego", "ts": "1780060000.000100", "thread_ts": parent})
	eventually(t, "the reply", func() bool { return len(r.user.take()) == 1 })
	r.press(t, "UGIULIA", "close", open[0])
	eventually(t, "closed", func() bool { return len(r.user.take()) > 0 })
	time.Sleep(50 * time.Millisecond)
	r.fake.mu.Lock()
	counts := map[string]int{}
	for _, c := range r.fake.calls {
		counts[c.Method]++
	}
	r.fake.mu.Unlock()
	total := 0
	for _, n := range counts {
		total += n
	}
	t.Logf("Slack API calls for one handoff (post, take, 1 message each way, close): %d %v", total, counts)
	if total > 10 {
		t.Errorf("%d calls: %v", total, counts)
	}
}

func TestTranscriptExport(t *testing.T) {
	r := newRig(t)
	r.waiting(t)
	open := openTokens(t, r)
	r.press(t, "UGIULIA", "transcript", open[0])
	eventually(t, "the transcript upload", func() bool {
		r.fake.mu.Lock()
		defer r.fake.mu.Unlock()
		return r.fake.uploaded != ""
	})
	r.fake.mu.Lock()
	got := r.fake.uploaded
	r.fake.mu.Unlock()
	for _, want := range []string{"Trascrizione della conversazione", "arabo", "utente: مرحبا <3", "Giulia: Buongiorno, come posso aiutarla?", "esportata da Giulia"} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, ": case") {
		t.Errorf("the case message is in the transcript:\n%s", got)
	}
	done := r.fake.take("files.completeUploadExternal")
	if len(done) != 1 || done[0].Form.Get("channel_id") != "COPS" || done[0].Form.Get("thread_ts") != firstTS(t, r) {
		t.Errorf("complete upload: %+v", done)
	}
}

func TestDailyAgendaAndAttendance(t *testing.T) {
	st := &flakySessions{Store: memory.New()}
	r := newRigOn(t, st)
	var mu sync.Mutex
	var marks []string
	r.hooks.OnAttendance = func(s string) { mu.Lock(); marks = append(marks, s); mu.Unlock() }
	items := []deskpkg.AgendaItem{{Code: "K7M-Q4P", Time: "09:00", Service: "first_reception", Lang: "ar", Mediator: true}, {Code: "ZZ2-AB3", Time: "09:30", Service: "documents", Lang: "zh"}}
	if err := r.desk.PostAgenda(context.Background(), "CPRATO", "📅 PUA Prato — oggi", items); err != nil {
		t.Fatal(err)
	}
	posts := r.fake.take("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "CPRATO" {
		t.Fatalf("agenda post: %+v", posts)
	}
	blocks := posts[0].Form.Get("blocks")
	for _, want := range []string{"K7M-Q4P", "mediatore arabo", "ZZ2-AB3", `"action_id":"attended"`, `"action_id":"noshow"`} {
		if !strings.Contains(blocks, want) {
			t.Errorf("agenda lacks %q", want)
		}
	}
	press := func(action, code string) int {
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "UGIULIA"},
			"channel":   map[string]any{"id": "CPRATO"},
			"container": map[string]any{"type": "message", "message_ts": "1780041001.000100", "channel_id": "CPRATO"},
			"actions":   []map[string]any{{"action_id": action, "block_id": "att:" + code, "value": code, "type": "button", "action_ts": "1"}}})
		return r.signed(deskpkg.InteractivityPath, "application/x-www-form-urlencoded", []byte("payload="+url.QueryEscape(string(payload))), time.Now(), signing)
	}
	// The store fails on the first press: Slack shows the error, nothing
	// is counted, the operator presses again.
	st.failSeen.Store(true)
	if code := press("noshow", "K7M-Q4P"); code == 200 {
		t.Fatal("a press that could not be recorded answered 200")
	}
	press("noshow", "K7M-Q4P")
	press("noshow", "K7M-Q4P") // twice: counted once
	press("attended", "ZZ2-AB3")
	eventually(t, "two marks", func() bool { mu.Lock(); defer mu.Unlock(); return len(marks) == 2 })
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(marks) != 2 {
		t.Errorf("marks: %v", marks)
	}
	notes := r.fake.take("chat.postMessage")
	if len(notes) != 2 || notes[0].Form.Get("thread_ts") != "1780041001.000100" {
		t.Errorf("notes: %+v", notes)
	}
}

// TestCalendarProblemsAndConflicts: the office reads in its channel that
// its calendar feed broke (and why, in its language, never the address)
// and which appointments a closure now covers, each with "Cancel and
// tell"; a press cancels once, however many presses, and notes who did it.
func TestCalendarProblemsAndConflicts(t *testing.T) {
	st := &flakySessions{Store: memory.New()}
	r := newRigOn(t, st)
	ctx := context.Background()
	if err := r.desk.PostCalendarProblem(ctx, "CPRATO", "PUA Prato", "status:404", "05/12/2026 08:00"); err != nil {
		t.Fatal(err)
	}
	if err := r.desk.PostCalendarProblem(ctx, "", "PUA Prato", "", ""); err != nil {
		t.Fatal(err)
	}
	posts := r.fake.take("chat.postMessage")
	if len(posts) != 2 || posts[0].Form.Get("channel") != "CPRATO" || posts[1].Form.Get("channel") != "COPS" ||
		!strings.Contains(posts[0].Form.Get("text"), "il server risponde 404") || !strings.Contains(posts[0].Form.Get("text"), "05/12/2026 08:00") ||
		!strings.Contains(posts[1].Form.Get("text"), "si legge di nuovo") {
		t.Fatalf("problem posts: %+v", posts)
	}
	var mu sync.Mutex
	var cancelled []string
	r.hooks.OnOfficeCancel = func(_ context.Context, place, code string) error {
		mu.Lock()
		defer mu.Unlock()
		cancelled = append(cancelled, place+" "+code)
		if code == "ZZ2-AB3" {
			return errors.New("the person could not be told")
		}
		return nil
	}
	items := []deskpkg.CalendarConflict{
		{Place: "po-pua", Day: "10/12/2026", AgendaItem: deskpkg.AgendaItem{Code: "K7M-Q4P", Time: "09:00", Service: "first_reception", Lang: "ar"}},
		{Place: "po-pua", Day: "10/12/2026", AgendaItem: deskpkg.AgendaItem{Code: "ZZ2-AB3", Time: "11:30", Service: "documents", Lang: "zh"}},
	}
	if err := r.desk.PostCalendarConflicts(ctx, "CPRATO", "PUA Prato", items); err != nil {
		t.Fatal(err)
	}
	posts = r.fake.take("chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].Form.Get("text"), "chiude orari già prenotati (2)") {
		t.Fatalf("conflicts post: %+v", posts)
	}
	for _, want := range []string{"K7M-Q4P", "ZZ2-AB3", "10/12/2026 09:00", `"action_id":"office_cancel"`, `"value":"po-pua K7M-Q4P"`, "Annulla e avvisa"} {
		if !strings.Contains(posts[0].Form.Get("blocks"), want) {
			t.Errorf("conflicts lack %q", want)
		}
	}
	if !strings.Contains(posts[0].Form.Get("blocks"), `"action_id":"office_move"`) || !strings.Contains(posts[0].Form.Get("blocks"), "Chiedi di spostare") {
		t.Errorf("conflicts lack the ask-to-move button")
	}
	pressAction := func(action, value string) int {
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "UGIULIA"},
			"channel":   map[string]any{"id": "CPRATO"},
			"container": map[string]any{"type": "message", "message_ts": "1780041001.000100", "channel_id": "CPRATO"},
			"actions":   []map[string]any{{"action_id": action, "block_id": "calcancel:x", "value": value, "type": "button", "action_ts": "1"}}})
		return r.signed(deskpkg.InteractivityPath, "application/x-www-form-urlencoded", []byte("payload="+url.QueryEscape(string(payload))), time.Now(), signing)
	}
	press := func(value string) int { return pressAction("office_cancel", value) }
	// "Ask to move", pressed twice: the person is asked once.
	var moves []string
	r.hooks.OnOfficeMove = func(_ context.Context, place, code string) error {
		mu.Lock()
		defer mu.Unlock()
		moves = append(moves, place+" "+code)
		return nil
	}
	pressAction("office_move", "po-pua K7M-Q4P")
	pressAction("office_move", "po-pua K7M-Q4P")
	eventually(t, "the ask-to-move note", func() bool {
		ps := r.fake.take("chat.postMessage")
		return len(ps) == 1 && strings.Contains(ps[0].Form.Get("text"), "Giulia ha chiesto alla persona di scegliere un altro orario")
	})
	mu.Lock()
	if strings.Join(moves, ",") != "po-pua K7M-Q4P" {
		t.Errorf("asked to move: %v", moves)
	}
	mu.Unlock()
	press("po-pua K7M-Q4P")
	press("po-pua K7M-Q4P")
	press("po-pua ZZ2-AB3")
	eventually(t, "two cancellations", func() bool { mu.Lock(); defer mu.Unlock(); return len(cancelled) == 2 })
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(cancelled, ",") != "po-pua K7M-Q4P,po-pua ZZ2-AB3" {
		t.Errorf("cancelled: %v", cancelled)
	}
	notes := r.fake.take("chat.postMessage")
	if len(notes) != 2 || notes[0].Form.Get("thread_ts") != "1780041001.000100" || !strings.Contains(notes[0].Form.Get("text"), "annullato da Giulia, la persona è stata avvisata") ||
		!strings.Contains(notes[1].Form.Get("text"), "contattatela voi") {
		t.Errorf("notes: %+v", notes)
	}
}

// TestSlackRateLimitIsWaitedOut: Slack answers 429 with Retry-After to a
// busy channel; the desk waits as told and the post goes through.
func TestSlackRateLimitIsWaitedOut(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true,"channel":"COPS","ts":"1.1"}`)
	}))
	defer srv.Close()
	d, err := deskpkg.New(deskpkg.Config{BotToken: "xoxb-1", SigningSecret: "s", Channel: "COPS", APIURL: srv.URL}, memory.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := d.PostCalendarProblem(ctx, "", "PUA Prato", "", ""); err != nil {
		t.Fatalf("a post after a 429: %v", err)
	}
	if calls != 2 || time.Since(start) < 900*time.Millisecond {
		t.Errorf("%d calls in %v: the Retry-After was not waited out", calls, time.Since(start))
	}
}

// TestDeskSpeaksTheOperatorsLanguage: the case message, its buttons, a
// thread note and /teams are in the operators' language
// (TEAMSBOT_OPERATOR_LANG), whatever the user's (Arabic here).
func TestDeskSpeaksTheOperatorsLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang string
		// want in the case message, in the note when the user leaves, in
		// /teams; never the other language's words.
		caseMsg, note, list, never []string
	}{
		{lang: "en",
			caseMsg: []string{"Waiting for less than a minute", `"text":"Take"`, `"text":"Give back to the bot"`, "*Language*", "العربية (ar)", "Answers given to the bot"},
			note:    []string{"The user went back to the bot (menu)."},
			list:    []string{"No conversations waiting."},
			never:   []string{"In attesa", "Prendi in carico", "arabo", "utente", "Nessuna"}},
		{lang: "it",
			caseMsg: []string{"In attesa da meno di un minuto", `"text":"Prendi in carico"`, `"text":"Restituisci al bot"`, "*Lingua*", "arabo / العربية", "Risposte date al bot"},
			note:    []string{"L'utente è tornato al bot (menu)."},
			list:    []string{"Nessuna conversazione in attesa."},
			never:   []string{"Waiting", "Take", "Reply in the thread", "user went back"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			r := newRigOn(t, memory.New(), func(c *deskpkg.Config) { c.Lang = tc.lang })
			r.say(t, "مرحبا")
			r.say(t, "1")
			r.say(t, "7") // school
			r.say(t, "8")
			r.say(t, "5") // talk to a person
			posts := r.fake.take("chat.postMessage")
			if len(posts) != 1 {
				t.Fatalf("handoff posts: %+v", posts)
			}
			seen := posts[0].Form.Get("text") + posts[0].Form.Get("blocks")
			for _, want := range tc.caseMsg {
				if !strings.Contains(seen, want) {
					t.Errorf("case message lacks %q:\n%s", want, seen)
				}
			}
			r.say(t, "menu") // the user leaves: a note in the thread
			posts = r.fake.take("chat.postMessage")
			if len(posts) != 1 || posts[0].Form.Get("thread_ts") == "" {
				t.Fatalf("the note: %+v", posts)
			}
			note := posts[0].Form.Get("text")
			for _, want := range tc.note {
				if !strings.Contains(note, want) {
					t.Errorf("note %q lacks %q", note, want)
				}
			}
			body := []byte("command=%2Fteams&text=&user_id=UGIULIA&channel_id=COPS")
			ts := fmt.Sprint(time.Now().Unix())
			m := hmac.New(sha256.New, []byte(signing))
			fmt.Fprintf(m, "v0:%s:%s", ts, body)
			req := httptest.NewRequest("POST", deskpkg.CommandsPath, bytes.NewReader(body))
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
			rec := httptest.NewRecorder()
			r.mux.ServeHTTP(rec, req)
			list := rec.Body.String()
			for _, want := range tc.list {
				if !strings.Contains(list, want) {
					t.Errorf("/teams %s lacks %q", list, want)
				}
			}
			for _, no := range tc.never {
				if strings.Contains(seen+note+list, no) {
					t.Errorf("the %s desk says %q:\n%s\n%s\n%s", tc.lang, no, seen, note, list)
				}
			}
		})
	}
}

// TestMessagesListsTheDesksTexts: every message id in the desk's source is
// in deskpkg.Messages (what lint checks), every one listed is used, and
// each exists in every offered language.
func TestMessagesListsTheDesksTexts(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	id := regexp.MustCompile(`"(desk\.[a-z_]+(?:\.[a-z_]+)*)"`)
	list := regexp.MustCompile(`(?s)\nvar Messages = \[\]string\{.*?\n\}\n`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = list.ReplaceAll(src, nil) // the list itself is not a use
		for _, m := range id.FindAllSubmatch(src, -1) {
			used[string(m[1])] = true
		}
	}
	if len(used) == 0 {
		t.Fatal("no desk.* id found in the source: the test no longer sees how the desk names its texts")
	}
	listed := map[string]bool{}
	for _, x := range deskpkg.Messages {
		if listed[x] {
			t.Errorf("%s is listed twice", x)
		}
		listed[x] = true
		if !used[x] {
			t.Errorf("slack.Messages lists %s, which the desk never says", x)
		}
	}
	for x := range used {
		if !listed[x] {
			t.Errorf("the desk says %s, which slack.Messages does not list (lint would not check it)", x)
		}
	}
	l, issues := app.Load(app.EmbeddedContent())
	if l == nil {
		t.Fatal(issues)
	}
	for _, x := range deskpkg.Messages {
		for _, lang := range l.Catalog.Languages() {
			if !l.Catalog.HasIn(lang.Code, x) {
				t.Errorf("%s is missing in %s", x, lang.Code)
			}
		}
	}
}

// pressOn presses a button of a message the desk posted (its ts), as Slack
// sends it: the note goes in that message's thread.
func (r *rig) pressOn(t *testing.T, user, action, value, msgTS string) int {
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": user},
		"actions":   []map[string]any{{"action_id": action, "block_id": "proposal:" + value, "value": value, "type": "button", "action_ts": "1780042000.1"}},
		"container": map[string]any{"type": "message", "channel_id": "COPS", "message_ts": msgTS}})
	body := []byte("payload=" + url.QueryEscape(string(payload)))
	return r.signed(deskpkg.InteractivityPath, "application/x-www-form-urlencoded", body, time.Now(), signing)
}

// propose makes a proposal through the menu, in Arabic, answering the
// "may a coordinator write to you?" question with answer ("1" yes, "2" no),
// and returns the desk's post of it.
func (r *rig) propose(t *testing.T, answer string) apiCall {
	t.Helper()
	for _, text := range []string{"5", "4", "ورشة طبخ مغربي للعائلات", "Prato", "السبت صباحا", "العربية والإيطالية"} {
		r.say(t, text)
	}
	r.fake.take("chat.postMessage")
	got := r.say(t, answer)
	if len(got) == 0 || !slices.Contains(got[0].MessageIDs, "propose.thanks") {
		t.Fatalf("after the contact question: %+v", got)
	}
	posts := r.fake.take("chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].Form.Get("text"), "ورشة طبخ مغربي") {
		t.Fatalf("the proposal's post: %+v", posts)
	}
	return posts[0]
}

// TestProposalReachesCoordinatorsWhoCanWriteBack: a proposal reaches the
// coordinators' channel; with the person's consent a button opens a case
// for them (they are told why, in their language, once however many
// presses); without it there is no button; after "delete my data" the
// button opens nothing and says the proposal is gone.
func TestProposalReachesCoordinatorsWhoCanWriteBack(t *testing.T) {
	r := newRig(t)
	r.say(t, "مرحبا")
	r.say(t, "1")
	post := r.propose(t, "1")
	blocks := post.Form.Get("blocks")
	if !strings.Contains(blocks, `"action_id":"proposal_contact"`) || !strings.Contains(blocks, "Scrivi alla persona") {
		t.Fatalf("no contact button though the person agreed:\n%s", blocks)
	}
	if strings.Contains(blocks, "393331234567") {
		t.Error("the person's phone number reached the coordinators")
	}
	id := caseToken(blocks)
	if code := r.pressOn(t, "UGIULIA", "proposal_contact", id, "1780041001.000100"); code != 200 {
		t.Fatalf("press: %d", code)
	}
	eventually(t, "the person told a coordinator will write", func() bool {
		rs := r.user.take()
		return len(rs) > 0 && slices.Contains(rs[0].MessageIDs, "propose.contacted") && strings.Contains(rs[0].Text, "منسق")
	})
	var caseMsg, note string
	eventually(t, "a case in the queue and a note on the proposal", func() bool {
		for _, p := range r.fake.take("chat.postMessage") {
			if strings.Contains(p.Form.Get("blocks"), `"action_id":"take"`) {
				caseMsg = p.Form.Get("blocks")
			}
			if p.Form.Get("thread_ts") == "1780041001.000100" {
				note = p.Form.Get("text")
			}
		}
		return caseMsg != "" && note != ""
	})
	if !strings.Contains(note, "Giulia") || !strings.Contains(caseMsg, "proposal") {
		t.Errorf("note %q, case:\n%s", note, caseMsg)
	}
	r.pressOn(t, "UMARCO", "proposal_contact", id, "1780041001.000100")
	time.Sleep(50 * time.Millisecond)
	if rs, ps := r.user.take(), r.fake.take("chat.postMessage"); len(rs) != 0 || len(ps) != 0 {
		t.Errorf("a second press did something: %+v %+v", rs, ps)
	}
	// The person's next message goes to the case.
	r.say(t, "مرحبا، أنا هنا")
	if ps := r.fake.take("chat.postMessage"); len(ps) != 1 || !strings.Contains(ps[0].Form.Get("text"), "أنا هنا") {
		t.Errorf("the person's answer did not reach the case: %+v", ps)
	}

	// Without consent: no button.
	r.say(t, "menu")
	post = r.propose(t, "2")
	if blocks := post.Form.Get("blocks"); strings.Contains(blocks, "proposal_contact") || !strings.Contains(blocks, "non ha chiesto") {
		t.Errorf("a proposal without consent:\n%s", blocks)
	}

	// With consent, then "delete my data": the button finds nothing.
	id = caseToken(r.propose(t, "1").Form.Get("blocks"))
	r.say(t, "delete my data")
	r.say(t, "1")
	r.user.take()
	r.pressOn(t, "UGIULIA", "proposal_contact", id, "1780041009.000100")
	eventually(t, "the gone note", func() bool {
		ps := r.fake.take("chat.postMessage")
		return len(ps) == 1 && strings.Contains(ps[0].Form.Get("text"), "non c'è più")
	})
	if rs := r.user.take(); len(rs) != 0 {
		t.Errorf("a deleted person was written to: %+v", rs)
	}
	if _, err := r.st.Load(context.Background(), "whatsapp:393331234567"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("the press brought the deleted session back: %v", err)
	}
}
