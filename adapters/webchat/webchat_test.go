package webchat

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/bot"
	"teamsbot/store/memory"
	redisstore "teamsbot/store/redis"
)

var langs = []bot.Language{{Code: "it", Name: "Italiano"}, {Code: "en", Name: "English"}, {Code: "ar", Name: "العربية"}}

// echo is a bot: it answers each message with its text and two options,
// in Arabic when the text starts with "ar ".
type echo struct {
	mu   sync.Mutex
	a    *Adapter
	seen []bot.Inbound
}

func (e *echo) handle(ctx context.Context, in bot.Inbound) error {
	e.mu.Lock()
	e.seen = append(e.seen, in)
	e.mu.Unlock()
	lang := "it"
	if strings.HasPrefix(in.Text, "ar ") {
		lang = "ar"
	}
	return e.a.Send(ctx, in.UserID, []bot.Reply{{Text: "echo: " + in.Text + in.Option, Lang: lang,
		Options: []bot.Option{{ID: "o:1", Label: "Sì"}, {ID: "o:2", Label: "<b>No</b>"}}}})
}

func newChat(t *testing.T, st Store, tweak func(*Config)) (*Adapter, *echo, *httptest.Server) {
	t.Helper()
	e := &echo{}
	cfg := Config{Store: st, Languages: langs, Origins: []string{"https://www.example.org"},
		Texts: func(lang, id string) string { return lang + ":" + id }, Poll: 50 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.a = a
	srv := httptest.NewServer(a.Handler(e.handle))
	t.Cleanup(srv.Close)
	t.Cleanup(a.Stop)
	return a, e, srv
}

// browser is what the page does, over HTTP.
type browser struct {
	t     *testing.T
	base  string
	token string
}

func (b *browser) do(method, path, body string, hdr map[string]string) *http.Response {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.base+path, strings.NewReader(body))
	req.Header.Set("X-Teamsbot-Chat", "1")
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

func (b *browser) start() {
	b.t.Helper()
	res := b.do("POST", "/chat/api/start", "", nil)
	defer res.Body.Close()
	var out struct{ Token string }
	if res.StatusCode != 200 || json.NewDecoder(res.Body).Decode(&out) != nil || len(out.Token) != 43 {
		b.t.Fatalf("start: %d", res.StatusCode)
	}
	b.token = out.Token
}

func (b *browser) send(id, text string) int {
	b.t.Helper()
	body, _ := json.Marshal(map[string]string{"id": id, "text": text})
	res := b.do("POST", "/chat/api/send", string(body), nil)
	res.Body.Close()
	return res.StatusCode
}

type event struct {
	ID   string
	Data reply
}

// events reads the stream from after last until n events came.
func (b *browser) events(last string, n int) []event {
	b.t.Helper()
	res := b.do("GET", "/chat/api/events", "", map[string]string{"Last-Event-ID": last})
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		b.t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var out []event
	var cur event
	sc := bufio.NewScanner(res.Body)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				cur.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.Data)
			case line == "" && cur.ID != "":
				out = append(out, cur)
				cur = event{}
				if len(out) == n {
					return
				}
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		b.t.Fatalf("waited for %d events, got %d", n, len(out))
	}
	return out
}

// A browser starts, writes, and reads the replies as events; reconnecting
// with Last-Event-ID it gets what came after, nothing twice; the same
// message sent twice (a retry after a lost answer) is handled once.
func TestChatJourney(t *testing.T) {
	_, e, srv := newChat(t, memory.New(), nil)
	b := &browser{t: t, base: srv.URL}
	b.start()
	if got := b.send("m1", "ciao"); got != http.StatusAccepted {
		t.Fatalf("send: %d", got)
	}
	evs := b.events("", 1)
	if evs[0].ID != "1" || evs[0].Data.Text != "echo: ciao" || evs[0].Data.Dir != "ltr" || len(evs[0].Data.Options) != 2 || evs[0].Data.Options[1].Label != "<b>No</b>" {
		t.Errorf("first event: %+v", evs[0])
	}
	b.send("m2", "ar مرحبا")
	b.send("m3", "tre")
	evs = b.events("1", 2)
	if evs[0].ID != "2" || evs[0].Data.Dir != "rtl" || evs[0].Data.Lang != "ar" || evs[1].ID != "3" || evs[1].Data.Text != "echo: tre" {
		t.Errorf("after 1: %+v", evs)
	}
	// The whole history from the start, for a reloaded page.
	if evs := b.events("", 3); evs[2].ID != "3" {
		t.Errorf("history: %+v", evs)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, in := range e.seen {
		if in.Channel != Channel || len(in.UserID) != 32 || strings.Contains(in.UserID, b.token) {
			t.Errorf("inbound %+v: the user id must be the token's hash", in)
		}
	}
}

// What the API refuses, and how: never a panic, never a 500.
func TestChatRefuses(t *testing.T) {
	_, _, srv := newChat(t, memory.New(), func(c *Config) { c.Burst = 100 })
	b := &browser{t: t, base: srv.URL}
	b.start()
	long := strings.Repeat("ب", MaxText+1)
	for name, tc := range map[string]struct {
		body string
		hdr  map[string]string
		want int
	}{
		"no header":     {`{"id":"x","text":"a"}`, map[string]string{"X-Teamsbot-Chat": ""}, 403},
		"other site":    {`{"id":"x","text":"a"}`, map[string]string{"Origin": "https://evil.example"}, 403},
		"cross-site":    {`{"id":"x","text":"a"}`, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		"no token":      {`{"id":"x","text":"a"}`, map[string]string{"Authorization": ""}, 401},
		"unknown token": {`{"id":"x","text":"a"}`, map[string]string{"Authorization": "Bearer " + strings.Repeat("A", 43)}, 401},
		"not json":      {`{"id":`, nil, 400},
		"no id":         {`{"text":"a"}`, nil, 400},
		"empty":         {`{"id":"x"}`, nil, 400},
		"too long":      {`{"id":"x","text":"` + long + `"}`, nil, 413},
		"huge body":     {`{"id":"x","text":"` + strings.Repeat("a", MaxBody) + `"}`, nil, 413},
		"bad position":  {`{"id":"x","location":{"lat":999,"lon":11}}`, nil, 400},
	} {
		res := b.do("POST", "/chat/api/send", tc.body, tc.hdr)
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", name, res.StatusCode, tc.want)
		}
	}
	// Two messages pass (the burst), the third is told to slow down.
	_, _, srv2 := newChat(t, memory.New(), func(c *Config) { c.PerClient, c.Burst = 0.01, 2 })
	b2 := &browser{t: t, base: srv2.URL}
	b2.start()
	codes := []int{b2.send("a", "1"), b2.send("b", "2"), b2.send("c", "3")}
	if codes[0] != 202 || codes[1] != 202 || codes[2] != http.StatusTooManyRequests {
		t.Errorf("rate limit: %v", codes)
	}
	res := b.do("GET", "/chat/api/events", "", map[string]string{"Last-Event-ID": "x"})
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Errorf("bad Last-Event-ID: %d", res.StatusCode)
	}
}

// The page: its language and direction, texts as data (escaped), a
// Content-Security-Policy without inline code, framed only by the
// configured origins; static files compressed.
func TestChatPage(t *testing.T) {
	_, _, srv := newChat(t, memory.New(), func(c *Config) {
		c.Texts = func(lang, id string) string { return "</script><script>alert(1)</script>" + lang }
	})
	res, err := http.Get(srv.URL + "/chat?lang=ar&start=school")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(body, `<html lang="ar" dir="rtl">`) || !strings.Contains(body, `"start":"school"`) {
		t.Errorf("page:\n%s", body)
	}
	if strings.Contains(body, "<script>alert(1)") || strings.Count(body, "</script>") != 2 {
		t.Errorf("a text broke out of the data:\n%s", body)
	}
	if strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'self' https://www.example.org") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP: %s", csp)
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Error("the page sets a cookie")
	}
	res, _ = http.Get(srv.URL + "/chat?lang=xx&start=<x>")
	if body := readAll(t, res); !strings.Contains(body, `lang="it"`) || strings.Contains(body, "<x>") {
		t.Errorf("unknown language or bad start:\n%s", body)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String()
}

// Two replicas on one Redis: a browser streaming from replica A receives
// the reply replica B wrote, through pub/sub (A's own look at the feed is
// set to an hour, so only the notification can bring it).
func TestRepliesCrossReplicas(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL is not set")
	}
	prefix := fmt.Sprintf("webchat-test-%d", time.Now().UnixNano())
	open := func() *redisstore.Store {
		st, err := redisstore.Open(url, prefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	slow := func(c *Config) { c.Poll = time.Hour }
	a, _, srvA := newChat(t, open(), slow)
	b, _, srvB := newChat(t, open(), slow)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.Run(ctx)
	time.Sleep(200 * time.Millisecond) // A subscribed
	onA := &browser{t: t, base: srvA.URL}
	onA.start()
	onB := &browser{t: t, base: srvB.URL, token: onA.token}
	got := make(chan []event, 1)
	go func() { got <- onA.events("", 1) }()
	time.Sleep(200 * time.Millisecond) // A streaming
	if code := onB.send("m1", "da B"); code != 202 {
		t.Fatalf("send on B: %d", code)
	}
	select {
	case evs := <-got:
		if evs[0].Data.Text != "echo: da B" {
			t.Errorf("A got %+v", evs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reply written on B never reached the browser on A")
	}
	// An operator's message, relayed from Slack by replica B (the desk
	// calls the service, which sends through this channel on B).
	go func() { got <- onA.events("1", 1) }()
	time.Sleep(200 * time.Millisecond)
	if err := b.Send(context.Background(), userOf(onA.token), []bot.Reply{{Text: "Sono Giulia, ti aiuto io.", Lang: "it", FromOperator: "Giulia"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case evs := <-got:
		if evs[0].ID != "2" || !evs[0].Data.Operator || evs[0].Data.Text != "Sono Giulia, ti aiuto io." {
			t.Errorf("A got %+v", evs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the operator's message relayed on B never reached the browser on A")
	}
}
