package telegram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"teamsbot/adapters/telegram"
	"teamsbot/bot"
	"teamsbot/store/memory"
)

// TestRepliesTelegramRefusedGoOutFirstNextTime: Telegram answers 502 to
// every attempt of a reply (after the adapter's four tries). The webhook
// still answers 200 — the turn is saved, its reply kept in the outbox with
// the failure's kind (no token) — and when the user writes again the kept
// reply goes out first, then the new ones: nothing lost, nothing reordered.
func TestRepliesTelegramRefusedGoOutFirstNextTime(t *testing.T) {
	st := memory.New()
	r := newRig(t, st, telegram.Config{PerChat: 100, Global: 1000})
	r.fake.mu.Lock()
	r.fake.failures = 4
	r.fake.mu.Unlock()
	if code := r.post(t, fixture(t, "message_text", nil), secret); code != 200 {
		t.Fatalf("webhook answered %d; the turn is saved, so 200", code)
	}
	var sess *bot.Session
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		raw, err := st.Load(context.Background(), "telegram:5123456789")
		if err != nil {
			t.Fatal(err)
		}
		if sess, _ = bot.UnmarshalSession(raw); sess != nil && sess.Outbox != nil && sess.Outbox.Attempts == 1 {
			break
		}
	}
	if sess == nil || sess.Outbox == nil || sess.Outbox.Attempts != 1 || !strings.HasPrefix(sess.Outbox.Error, "telegram: send after 4 attempts") || strings.Contains(sess.Outbox.Error, "TEST-token") {
		t.Fatalf("outbox after four 502s: %+v", sess.Outbox)
	}
	refused := r.sent()
	if len(refused) != 4 {
		t.Fatalf("%d attempts, want 4", len(refused))
	}
	r.post(t, fixture(t, "message_text", map[string]any{"update_id": 734001002, "message.message_id": 52, "message.text": "1"}), secret)
	got := r.sent()
	if len(got) < 2 || got[0].Form["text"] != refused[0].Form["text"] {
		t.Fatalf("after the next message: %d sends, first %q, want the kept reply %q first", len(got), got[0].Form["text"], refused[0].Form["text"])
	}
	if strings.Count(joined(got), refused[0].Form["text"]) != 1 {
		t.Errorf("the kept reply went out more than once:\n%s", joined(got))
	}
}

// TestABatchCutShortResumesAfterWhatWentOut: a reply kept from a failed
// turn and the next turn's reply go as one batch; the first goes out, the
// second is refused four times; the next attempt sends the second only
// (the adapter reports how many replies of a batch went out).
func TestABatchCutShortResumesAfterWhatWentOut(t *testing.T) {
	st := memory.New()
	r := newRig(t, st, telegram.Config{PerChat: 100, Global: 1000})
	attempts := func(n int) *bot.Session {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			raw, _ := st.Load(context.Background(), "telegram:5123456789")
			if s, _ := bot.UnmarshalSession(raw); s != nil && s.Outbox != nil && s.Outbox.Attempts == n {
				return s
			}
		}
		t.Fatalf("no outbox with %d failed attempts", n)
		return nil
	}
	say := func(update int, text string) {
		r.post(t, fixture(t, "message_text", map[string]any{"update_id": 734001000 + update, "message.message_id": 50 + update, "message.text": text}), secret)
	}
	r.fake.mu.Lock()
	r.fake.failures = 4
	r.fake.mu.Unlock()
	say(1, "مرحبا") // the privacy notice: refused, kept
	attempts(1)
	refused := r.sent()
	r.fake.mu.Lock()
	r.fake.okFirst, r.fake.failures = 1, 4
	r.fake.mu.Unlock()
	say(2, "1") // the kept notice goes out, the welcome is refused
	kept := attempts(2)
	batch := r.sent()
	if len(batch) != 5 || batch[0].Form["text"] != refused[0].Form["text"] || len(kept.Outbox.Replies) != 1 {
		t.Fatalf("second turn: %d calls, first %q; %d replies kept", len(batch), batch[0].Form["text"], len(kept.Outbox.Replies))
	}
	say(3, "menu")
	again := r.sent()
	if len(again) < 2 || again[0].Form["text"] != batch[1].Form["text"] {
		t.Fatalf("resumed with %d sends; want the refused welcome first", len(again))
	}
	if strings.Contains(joined(again), refused[0].Form["text"]) {
		t.Errorf("the notice that went out was sent again:\n%s", joined(again))
	}
}
