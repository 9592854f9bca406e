package whatsapp_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"teamsbot/adapters/whatsapp"
	"teamsbot/bot"
	"teamsbot/store/memory"
)

// TestRepliesMetaRefusedGoOutFirstNextTime: Meta throttles every attempt of
// a reply (130429, four tries). Meta still gets 200 for its notification —
// the turn is saved, the reply kept in the outbox — and the kept reply goes
// out first when the user writes again, then the new one.
func TestRepliesMetaRefusedGoOutFirstNextTime(t *testing.T) {
	st := memory.New()
	r := newRig(t, st, whatsapp.Config{})
	r.graph.mu.Lock()
	r.graph.throttle = 4
	r.graph.mu.Unlock()
	r.deliver(t, load(t, "text_ar")) // answered 200
	conv := "whatsapp:MA.13491208655302741918"
	var sess *bot.Session
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		raw, err := st.Load(context.Background(), conv)
		if err != nil {
			t.Fatal(err)
		}
		if sess, _ = bot.UnmarshalSession(raw); sess != nil && sess.Outbox != nil && sess.Outbox.Attempts == 1 {
			break
		}
	}
	if sess == nil || sess.Outbox == nil || sess.Outbox.Attempts != 1 || !strings.Contains(sess.Outbox.Error, "130429") {
		t.Fatalf("outbox after four refusals: %+v", sess.Outbox)
	}
	kept := sess.Outbox.Replies[0].Text
	r.deliver(t, load(t, "text_ar", "wamid.HBgLMjEyNjEyMzQ1Njc4FQIAEhggQTE1NjQ3MDEA", "wamid.second", "1780041600", "1780041660", "السلام عليكم", "1"))
	r.graph.mu.Lock()
	var ok []string
	for _, s := range r.graph.got {
		if s.Status < 300 && s.Payload["status"] != "read" {
			b, _ := json.Marshal(s.Payload)
			ok = append(ok, string(b))
		}
	}
	r.graph.mu.Unlock()
	if len(ok) < 2 || !strings.Contains(ok[0], firstLine(kept)) {
		t.Fatalf("delivered after the next message: %d, first %.200s; want the kept reply first", len(ok), ok)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestAnotherReplicaKnowsTheWindow: the user wrote through replica A; a
// message to them from replica B (an operator's answer, a reminder, an
// outbox retry) goes free-form, not as the template, because the session
// says when they last wrote. Once that is over 24 hours ago, the template.
func TestAnotherReplicaKnowsTheWindow(t *testing.T) {
	st := memory.New()
	r := newRig(t, st, whatsapp.Config{Template: "teamsbot_reminder"})
	r.deliver(t, load(t, "text_ar", "1780041600", strconv.FormatInt(time.Now().Unix(), 10))) // through replica A, just now
	r.graph.messages()

	sender, err := whatsapp.NewSender(whatsapp.Config{Template: "teamsbot_reminder", Token: apiToken, PhoneNumberID: phoneID,
		APIURL: r.graph.srv.URL, Rate: 1000, PairInterval: time.Millisecond}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b := bot.NewService(r.eng, st, bot.ServiceConfig{PseudonymKey: []byte("k")}, bot.WithSender(whatsapp.Channel, sender))
	ctx := context.Background()
	conv := "whatsapp:MA.13491208655302741918"
	if err := b.Notify(ctx, conv, bot.Notice{MessageID: "menu.ask"}); err != nil {
		t.Fatal(err)
	}
	if got := r.graph.messages(); len(got) != 1 || got[0].Payload["type"] == "template" {
		t.Fatalf("replica B, user wrote a minute ago: %s", all(got))
	}
	// The user last wrote 25 hours ago.
	raw, _ := st.Load(ctx, conv)
	sess, err := bot.UnmarshalSession(raw)
	if err != nil {
		t.Fatal(err)
	}
	sess.In = time.Now().Add(-25 * time.Hour).Unix()
	raw, _ = sess.Marshal()
	if err := st.Save(ctx, conv, raw, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := b.Notify(ctx, conv, bot.Notice{MessageID: "menu.ask"}); err != nil {
		t.Fatal(err)
	}
	got := r.graph.messages()
	if len(got) != 1 || got[0].Payload["type"] != "template" {
		t.Fatalf("replica B, user wrote 25 hours ago: %s", all(got))
	}
	// Replica B never saw the user's phone number: it addresses them by
	// their BSUID, in the field Meta reads it from.
	if got[0].Payload["recipient"] != "MA.13491208655302741918" || got[0].Payload["to"] != nil {
		t.Errorf("replica B addressed the user as %v / %v", got[0].Payload["to"], got[0].Payload["recipient"])
	}
}
