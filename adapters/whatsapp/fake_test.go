package whatsapp_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"unicode/utf8"

	"teamsbot/internal/sentat"
)

const (
	phoneID   = "106540352242922"
	apiToken  = "EAAG-test-token"
	appSecret = "app-secret-for-tests"
)

// sent is one request the fake Graph API received.
type sent struct {
	Payload map[string]any
	At      time.Time
	Status  int
}

// fakeGraph is a local Graph API: it checks each outbound payload against
// the limits Meta enforces, rejects what Meta would reject (recording it),
// and answers like Meta.
type fakeGraph struct {
	t        testing.TB
	srv      *httptest.Server
	mu       sync.Mutex
	got      []sent
	rejected []string
	// closed lists users outside the 24-hour window: free-form messages to
	// them fail with 131047.
	closed map[string]bool
	// throttle makes the next n sends fail with 130429.
	throttle int
	// limit, when set, answers 130429 when more than limit messages arrive
	// within one second.
	limit  int
	window []time.Time
	over   int
}

func newGraph(t testing.TB) *fakeGraph {
	g := &fakeGraph{t: t, closed: map[string]bool{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGraph) fail(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"OAuthException","code":%d,"fbtrace_id":"Atest"}}`, msg, code)
}

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/"+phoneID+"/messages" || r.Method != "POST" {
		g.fail(w, 404, 100, "Unknown path")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+apiToken {
		g.fail(w, 401, 190, "Invalid OAuth access token")
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		g.fail(w, 400, 100, "Invalid JSON")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := sentat.Of(r) // the adapter's pace, not how a busy machine bunched the requests
	rec := sent{Payload: p, At: now, Status: 200}
	defer func() { g.got = append(g.got, rec) }()
	if p["status"] == "read" {
		fmt.Fprint(w, `{"success":true}`)
		return
	}
	if problem := validate(p); problem != "" {
		g.rejected = append(g.rejected, problem)
		rec.Status = 400
		g.fail(w, 400, 100, "(#100) Invalid parameter: "+problem)
		return
	}
	if g.limit > 0 {
		keep := g.window[:0]
		for _, t := range g.window {
			if now.Sub(t) < time.Second {
				keep = append(keep, t)
			}
		}
		g.window = append(keep, now)
		if len(g.window) > g.limit {
			g.over++
			rec.Status = 400
			g.fail(w, 400, 130429, "Rate limit hit")
			return
		}
	}
	if g.throttle > 0 {
		g.throttle--
		rec.Status = 400
		g.fail(w, 400, 130429, "Rate limit hit")
		return
	}
	if (g.closed[fmt.Sprint(p["to"])] || g.closed[fmt.Sprint(p["recipient"])]) && p["type"] != "template" {
		rec.Status = 400
		g.fail(w, 400, 131047, "Re-engagement message")
		return
	}
	fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":"wamid.out%d"}]}`, p["to"], p["to"], len(g.got))
}

// validate returns what Meta would reject in a payload, or "".
func validate(p map[string]any) string {
	n := func(v any) int { s, _ := v.(string); return utf8.RuneCountInString(s) }
	m := func(v any) map[string]any { x, _ := v.(map[string]any); return x }
	if p["messaging_product"] != "whatsapp" {
		return "messaging_product"
	}
	to, _ := p["to"].(string)
	rcpt, _ := p["recipient"].(string)
	if to == "" && rcpt == "" {
		return "to"
	}
	if to != "" && strings.Contains(to, ".") {
		return "to: a BSUID goes in recipient" // Meta takes only phone numbers in to
	}
	switch p["type"] {
	case "text":
		if b := n(m(p["text"])["body"]); b < 1 || b > 4096 {
			return fmt.Sprintf("text.body length %d", b)
		}
	case "template":
		t := m(p["template"])
		if t["name"] == "" || m(t["language"])["code"] == "" {
			return "template name/language"
		}
	case "interactive":
		in := m(p["interactive"])
		if b := n(m(in["body"])["text"]); b < 1 || b > 1024 {
			return fmt.Sprintf("interactive body length %d", b)
		}
		act := m(in["action"])
		switch in["type"] {
		case "button":
			bs, _ := act["buttons"].([]any)
			if len(bs) < 1 || len(bs) > 3 {
				return fmt.Sprintf("%d buttons", len(bs))
			}
			for _, b := range bs {
				rep := m(m(b)["reply"])
				if t := n(rep["title"]); t < 1 || t > 20 {
					return fmt.Sprintf("button title %q", rep["title"])
				}
				if id := n(rep["id"]); id < 1 || id > 256 {
					return "button id"
				}
			}
		case "list":
			if b := n(act["button"]); b < 1 || b > 20 {
				return fmt.Sprintf("list button %q", act["button"])
			}
			secs, _ := act["sections"].([]any)
			rows := 0
			for _, s := range secs {
				rs, _ := m(s)["rows"].([]any)
				for _, r := range rs {
					rows++
					if t := n(m(r)["title"]); t < 1 || t > 24 {
						return fmt.Sprintf("row title %q", m(r)["title"])
					}
					if n(m(r)["description"]) > 72 {
						return "row description"
					}
				}
				if len(secs) > 1 && (n(m(s)["title"]) < 1 || n(m(s)["title"]) > 24) {
					return "section title"
				}
			}
			if rows < 1 || rows > 10 {
				return fmt.Sprintf("%d rows", rows)
			}
		case "location_request_message":
			if act["name"] != "send_location" {
				return "location request action"
			}
		default:
			return fmt.Sprintf("interactive type %v", in["type"])
		}
	default:
		return fmt.Sprintf("type %v", p["type"])
	}
	return ""
}

// messages returns and clears the recorded sends (read receipts apart).
func (g *fakeGraph) messages() []sent {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out, rest []sent
	for _, s := range g.got {
		if s.Payload["status"] == "read" {
			rest = append(rest, s)
		} else {
			out = append(out, s)
		}
	}
	g.got = rest
	return out
}

func (g *fakeGraph) reads() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := 0
	for _, s := range g.got {
		if s.Payload["status"] == "read" {
			k++
		}
	}
	return k
}

// text is the visible text of a payload.
func text(p map[string]any) string {
	switch p["type"] {
	case "text":
		return p["text"].(map[string]any)["body"].(string)
	case "interactive":
		in := p["interactive"].(map[string]any)
		return in["body"].(map[string]any)["text"].(string)
	}
	b, _ := json.Marshal(p)
	return string(b)
}

func all(ss []sent) string {
	var out []string
	for _, s := range ss {
		out = append(out, text(s.Payload))
	}
	return strings.Join(out, "\n---\n")
}
