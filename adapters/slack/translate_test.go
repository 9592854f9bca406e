package slack_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	deskpkg "teamsbot/adapters/slack"
	"teamsbot/bot"
	"teamsbot/internal/translatetest"
	"teamsbot/store/memory"
	"teamsbot/translate"
)

// translatedRig is a desk whose operators read Italian, translating
// through the fake service with the glossary's Questura protected.
func translatedRig(t *testing.T, fake *translatetest.Server, hint string) *rig {
	t.Helper()
	tr := &translate.Protect{T: &translate.LibreTranslate{URL: fake.URL}, Terms: []translate.Term{
		{Italian: "Questura", Name: map[string]string{"it": "Questura", "ar": "Questura (مكتب الهجرة في الشرطة)", "zh": "Questura（警察局）"}},
	}}
	r := newRigOn(t, memory.New(), func(c *deskpkg.Config) { c.Translate, c.TranslateTimeout = tr, 300*time.Millisecond })
	r.hint = hint
	return r
}

// threadPost waits for the next post in the case's thread and returns its
// text and thread.
func (r *rig) threadPost(t *testing.T) (text, thread string) {
	t.Helper()
	eventually(t, "a post in the thread", func() bool {
		for _, p := range r.fake.take("chat.postMessage") {
			if p.Form.Get("thread_ts") != "" {
				text, thread = p.Form.Get("text"), p.Form.Get("thread_ts")
				return true
			}
		}
		return false
	})
	return text, thread
}

func (r *rig) threadText(t *testing.T) string {
	t.Helper()
	text, _ := r.threadPost(t)
	return text
}

// operatorReply has the operator write in the thread and returns what the
// user received.
func (r *rig) operatorReply(t *testing.T, thread, id, text string) bot.Reply {
	t.Helper()
	r.event(t, id, map[string]any{"type": "message", "channel": "COPS", "user": "UGIULIA", "text": text, "ts": "1780042" + id[2:] + ".000100", "thread_ts": thread, "channel_type": "channel"})
	var got bot.Reply
	eventually(t, "the operator's message", func() bool {
		for _, rep := range r.user.take() {
			if rep.FromOperator != "" {
				got = rep
				return true
			}
		}
		return false
	})
	return got
}

// startHandoff brings the user to a waiting handoff and returns the
// handle of its case.
func (r *rig) startHandoff(t *testing.T) string {
	t.Helper()
	r.say(t, "hi")
	r.say(t, "1")
	r.say(t, "operator")
	posts := r.fake.take("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("no case message: %+v", posts)
	}
	return caseToken(posts[0].Form.Get("blocks"))
}

// A handoff in Arabic with an Italian desk, both ways: the operator reads
// the translation first and the user's words below; the user reads the
// operator's answer translated, marked as such, with its Questura glossed
// as the glossary says and the original one tap away; the thread shows
// what was sent. Then the translator fails and times out: nothing is held,
// the originals go through with a note on both sides.
func TestTranslatedHandoffBothWays(t *testing.T) {
	for _, lang := range []struct{ code, user, gloss string }{
		{"ar", "أحتاج موعدا في Questura", "Questura (مكتب الهجرة في الشرطة)"},
		{"zh", "我需要去Questura预约", "Questura（警察局）"},
	} {
		t.Run(lang.code, func(t *testing.T) {
			fake := translatetest.New()
			defer fake.Close()
			r := translatedRig(t, fake, lang.code)
			r.startHandoff(t)
			r.say(t, lang.user)
			line, thread := r.threadPost(t)
			// Slack text escapes ">": the fake's tag reads "[ar&gt;it]".
			want := strings.ReplaceAll(translatetest.Translation("", lang.code, "it"), ">", "&gt;")
			if !strings.Contains(line, "Traduzione automatica da") || !strings.Contains(line, want) || !strings.Contains(line, "Originale:") || !strings.Contains(line, lang.user) {
				t.Errorf("thread line:\n%s", line)
			}
			if i, j := strings.Index(line, want), strings.Index(line, "Originale:"); i < 0 || j < i {
				t.Errorf("the translation must come first:\n%s", line)
			}

			got := r.operatorReply(t, thread, "Ev11", "Deve andare in Questura martedì.")
			if !strings.HasPrefix(got.Text, translatetest.Translation("Deve andare in "+lang.gloss+" martedì.", "it", lang.code)) {
				t.Errorf("the user read: %q", got.Text)
			}
			if !strings.Contains(strings.Join(got.MessageIDs, " "), "operator.machine_translated") || len(got.Options) != 1 || got.Options[0].ID != "c:original" {
				t.Errorf("not marked as a machine translation, or no way to the original: %+v", got)
			}
			if note := r.threadText(t); !strings.Contains(note, "Inviato in") {
				t.Errorf("the thread does not say what was sent: %q", note)
			}
			r.option = "c:original"
			orig := r.say(t, "")
			if len(orig) < 2 || orig[len(orig)-1].Text != "Deve andare in Questura martedì." {
				t.Errorf("show the original: %+v", orig)
			}
			if posts := r.fake.take("chat.postMessage"); len(posts) != 0 {
				t.Errorf("asking for the original was relayed to the operator: %+v", posts)
			}

			// The translator fails, then is too slow: the messages go as written.
			for i, breakIt := range []func(){func() { fake.Fail(500) }, func() { fake.Fail(0); fake.Slow(10 * time.Second) }} {
				breakIt()
				start := time.Now()
				r.say(t, lang.user)
				if took := time.Since(start); took > 5*time.Second {
					t.Errorf("case %d: the user's message waited %v for the translator", i, took)
				}
				line := r.threadText(t)
				if !strings.Contains(line, lang.user) || !strings.Contains(line, "Traduzione non riuscita") {
					t.Errorf("case %d: thread line without translation:\n%s", i, line)
				}
				got := r.operatorReply(t, thread, "Ev2"+string(rune('0'+i)), "Va bene.")
				if !strings.HasPrefix(got.Text, "Va bene.") || !strings.Contains(strings.Join(got.MessageIDs, " "), "operator.translation_failed") {
					t.Errorf("case %d: the user got %+v", i, got)
				}
				if note := r.threadText(t); !strings.Contains(note, "non riuscita") {
					t.Errorf("case %d: the thread does not say the translation failed: %q", i, note)
				}
			}
		})
	}
}

// BenchmarkRelayTranslated is a user's message relayed to the desk's thread during a
// handoff, without translation and with a translator that takes 200 ms:
// the difference is what translation adds to each message.
func BenchmarkRelayTranslated(b *testing.B) {
	for _, tc := range []struct {
		name  string
		delay time.Duration
		on    bool
	}{{"plain", 0, false}, {"translated-200ms", 200 * time.Millisecond, true}} {
		b.Run(tc.name, func(b *testing.B) {
			t := &testing.T{}
			fake := translatetest.New()
			defer fake.Close()
			fake.Slow(tc.delay)
			var r *rig
			if tc.on {
				r = translatedRig(t, fake, "ar")
			} else {
				r = newRigOn(t, memory.New())
				r.hint = "ar"
			}
			r.startHandoff(t)
			b.ResetTimer()
			for range b.N {
				r.say(t, "أحتاج موعدا")
			}
			b.StopTimer()
			r.fake.take("chat.postMessage")
		})
	}
}

// Operators send reviewed texts from the thread with "!": the list, a
// guide found by the words an Italian operator types, a saved reply by its
// id; the user reads each in Arabic, with no machine involved, and the
// thread says what went. Words that find nothing, or too much, get a note.
func TestOperatorSendsAGuideOrASavedReply(t *testing.T) {
	r := newRigOn(t, memory.New())
	r.hint = "ar"
	r.startHandoff(t)
	r.say(t, "مرحبا")
	_, thread := r.threadPost(t)
	send := func(id, text string) {
		r.event(t, id, map[string]any{"type": "message", "channel": "COPS", "user": "UGIULIA", "text": text, "ts": "1780043" + id[2:] + ".000100", "thread_ts": thread, "channel_type": "channel"})
	}
	send("Ev31", "!")
	if list := r.threadText(t); !strings.Contains(list, "`!guide:permit_renewal` Rinnovo del permesso") || !strings.Contains(list, "`!reply:bring_documents`") {
		t.Errorf("the list:\n%s", list)
	}
	for _, tc := range []struct{ id, cmd, user, thread string }{
		{"Ev32", "!rinnovo del permesso di soggiorno", "تجديد تصريح الإقامة", "Inviato: Rinnovo del permesso"},
		{"Ev33", "!bring_documents", "أحضر جواز سفرك", "Inviato:"},
	} {
		send(tc.id, tc.cmd)
		var got bot.Reply
		eventually(t, "the text sent", func() bool {
			for _, rep := range r.user.take() {
				if rep.FromOperator != "" {
					got = rep
					return true
				}
			}
			return false
		})
		if !strings.Contains(got.Text, tc.user) || strings.Contains(strings.Join(got.MessageIDs, " "), "machine_translated") {
			t.Errorf("%s: the user got %q", tc.cmd, got.Text)
		}
		if note := r.threadText(t); !strings.Contains(note, tc.thread) || !strings.Contains(note, "arabo") {
			t.Errorf("%s: the thread says %q", tc.cmd, note)
		}
	}
	send("Ev34", "!xyzzy plugh")
	if note := r.threadText(t); !strings.Contains(note, "Niente trovato") {
		t.Errorf("nothing found: %q", note)
	}
	if rs := r.user.take(); len(rs) != 0 {
		t.Errorf("an answer not found reached the user: %+v", rs)
	}
}

// selectIn chooses value in a case message's menu (topic or outcome).
func (r *rig) selectIn(t *testing.T, action, token, value string) int {
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "UGIULIA"},
		"actions": []map[string]any{{"action_id": action, "block_id": "record:" + token, "type": "static_select",
			"selected_option": map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": value}}, "action_ts": "1780042000.1"}},
		"container": map[string]any{"type": "message", "channel_id": "COPS"}})
	body := []byte("payload=" + url.QueryEscape(string(payload)))
	return r.signed(deskpkg.InteractivityPath, "application/x-www-form-urlencoded", body, time.Now(), signing)
}

// Operators record a case's topic and outcome from two menus on its
// message; the choice shows on the message and is counted (no text, no
// user); a value not on the menus is ignored.
func TestOperatorsRecordTopicAndOutcome(t *testing.T) {
	var mu sync.Mutex
	var counted []string
	r := newRigOn(t, memory.New(), func(c *deskpkg.Config) {
		c.Topics = []deskpkg.Answer{{What: "guides.permit_renewal", Title: "Rinnovo del permesso"}}
		c.OnCase = func(field, value string) { mu.Lock(); counted = append(counted, field+"="+value); mu.Unlock() }
	})
	token := r.startHandoff(t)
	if token == "" {
		t.Fatal("no case token")
	}
	for _, tc := range []struct{ field, value string }{{"topic", "guides.permit_renewal"}, {"outcome", "booked"}} {
		if code := r.selectIn(t, tc.field, token, tc.value); code != 200 {
			t.Fatalf("%s: %d", tc.field, code)
		}
		eventually(t, "the case message showing "+tc.value, func() bool {
			for _, u := range r.fake.take("chat.update") {
				if regexp.MustCompile(`"initial_option":\{"text":\{[^}]*\},"value":"` + regexp.QuoteMeta(tc.value) + `"\}`).MatchString(u.Form.Get("blocks")) {
					return true
				}
			}
			return false
		})
	}
	r.selectIn(t, "outcome", token, "<script>")
	time.Sleep(100 * time.Millisecond)
	if ups := r.fake.take("chat.update"); len(ups) != 0 {
		t.Errorf("a forged outcome changed the case: %+v", ups)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(counted, " ") != "topic=guides.permit_renewal outcome=booked" {
		t.Errorf("counted: %v", counted)
	}
}
