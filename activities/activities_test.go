package activities

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/activities/roster"

	"teamsbot/bot"
	"teamsbot/knowledge"
	"teamsbot/store/memory"
)

func load(t testing.TB) *knowledge.Directory {
	t.Helper()
	d, issues := knowledge.Load(knowledge.FS)
	if d == nil {
		t.Fatal(issues)
	}
	if len(d.Activities()) < 10 {
		t.Fatalf("%d activities in the catalogue", len(d.Activities()))
	}
	return d
}

// notices keeps the notices and, as bot.Service does, refuses a repeat of
// a notice id in a conversation.
type notices struct {
	mu   sync.Mutex
	got  map[string][]bot.Notice
	seen map[string]bool
}

func (n *notices) Notify(_ context.Context, conv string, x bot.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.got == nil {
		n.got, n.seen = map[string][]bot.Notice{}, map[string]bool{}
	}
	if x.ID != "" {
		if n.seen[conv+"|"+x.ID] {
			return bot.ErrNoticeSent
		}
		n.seen[conv+"|"+x.ID] = true
	}
	n.got[conv] = append(n.got[conv], x)
	return nil
}

func (n *notices) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := 0
	for _, v := range n.got {
		k += len(v)
	}
	return k
}

func echo(id string, data map[string]string) string {
	if c, ok := data["count"]; ok {
		return id + ":" + c
	}
	return id
}

var now = time.Date(2026, 11, 26, 10, 0, 0, 0, knowledge.Rome)

const kitchen = "laboratorio-cucina-prato"

// TestJoinUnderContentionAndPromotion: 50 users join a 2-place activity at
// once: 2 are in, 48 wait; when one leaves, the first waiting is in and told.
func TestJoinUnderContentionAndPromotion(t *testing.T) {
	d := load(t)
	st := memory.New()
	s := New(d, Config{Demo: true, Store: st})
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	out := map[string]int{}
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.join(ctx, bot.ActionRequest{Lang: "it", Now: now, T: echo, Conversation: fmt.Sprintf("telegram:%d", i), Args: map[string]string{"activity": kitchen}})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			out[res.Outcome]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if out["joined"] != 2 || out["waiting"] != 48 {
		t.Fatalf("outcomes: %v", out)
	}
	r, _ := st.Roster(ctx, kitchen)
	var in []string
	for _, e := range r {
		if e.Status == roster.Joined {
			in = append(in, e.Conv)
		}
	}
	firstWaiting := r[2].Conv
	res, _ := s.join(ctx, bot.ActionRequest{Now: now, T: echo, Conversation: in[0], Args: map[string]string{"activity": kitchen}})
	if res.Outcome != "already" {
		t.Errorf("joining twice: %s", res.Outcome)
	}
	res, err := s.leave(ctx, bot.ActionRequest{Now: now, T: echo, Conversation: in[0], Args: map[string]string{"activity": kitchen}})
	if err != nil || res.Outcome != "left" {
		t.Fatalf("leave: %s %v", res.Outcome, err)
	}
	// The engine is handed the notice for the first waiting (the Service
	// sends it after the turn, outside the leaver's lock).
	if len(res.Tell) != 1 || res.Tell[0].Conv != firstWaiting || res.Tell[0].Notice.MessageID != "activities.promoted" || res.Tell[0].Notice.ID == "" {
		t.Errorf("the first waiting is not to be told: %+v", res.Tell)
	}
	res, _ = s.leave(ctx, bot.ActionRequest{Now: now, T: echo, Conversation: "telegram:never", Args: map[string]string{"activity": kitchen}})
	if res.Outcome != "not_enrolled" {
		t.Errorf("leaving what one never joined: %s", res.Outcome)
	}
	// The card says it is full with a waiting list.
	card, _ := s.card(ctx, bot.ActionRequest{Lang: "it", Now: now, T: echo, Args: map[string]string{"activity": kitchen}})
	if !strings.Contains(card.Say[0].Raw, "activities.full_waiting") {
		t.Errorf("card: %q", card.Say[0].Raw)
	}
}

func TestListCardAndGone(t *testing.T) {
	d := load(t)
	s := New(d, Config{Demo: true, Store: memory.New()})
	ctx := context.Background()
	prato, _ := d.Municipalities.ByCode("100005")
	res, _ := s.list(ctx, bot.ActionRequest{Lang: "ar", Now: now, T: echo, Args: map[string]string{"filter": "near", "lat": fmt.Sprint(prato.Lat), "lon": fmt.Sprint(prato.Lon)}})
	cs := bot.DecodeChoices(res.Set["activity_choices"])
	if res.Outcome != "found" || len(cs) == 0 || len(cs) > PerPage {
		t.Fatalf("near Prato: %+v", res)
	}
	if a, _ := d.Activity(cs[0].Value); a.Municipality != "100005" {
		t.Errorf("nearest first: %s is in %s", a.ID, a.Municipality)
	}
	res, _ = s.list(ctx, bot.ActionRequest{Lang: "it", Now: now, T: echo, Args: map[string]string{"filter": "kind:sport"}})
	for _, c := range bot.DecodeChoices(res.Set["activity_choices"]) {
		if a, _ := d.Activity(c.Value); a.Kind != "sport" {
			t.Errorf("sport list has %s", a.Kind)
		}
	}
	for _, id := range []string{"no-such-activity", ""} {
		if r, _ := s.card(ctx, bot.ActionRequest{Now: now, T: echo, Args: map[string]string{"activity": id}}); r.Outcome != "gone" {
			t.Errorf("card of %q: %s", id, r.Outcome)
		}
		if r, _ := s.join(ctx, bot.ActionRequest{Now: now, T: echo, Conversation: "t:1", Args: map[string]string{"activity": id}}); r.Outcome != "gone" {
			t.Errorf("join %q: %s", id, r.Outcome)
		}
	}
	// After the catalogue's last date nothing is offered.
	if r, _ := s.list(ctx, bot.ActionRequest{Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), T: echo, Args: map[string]string{"filter": "week"}}); r.Outcome != "none" {
		t.Errorf("in 2030: %s", r.Outcome)
	}
}

func TestProposalsAreKept(t *testing.T) {
	d := load(t)
	st := memory.New()
	var got []Proposal
	s := New(d, Config{Demo: true, Store: st, OnProposal: func(_ context.Context, p Proposal) error { got = append(got, p); return nil }})
	ctx := context.Background()
	for i := range 2 {
		res, err := s.propose(ctx, bot.ActionRequest{Lang: "zh", Now: now.Add(time.Duration(i) * time.Second), Conversation: "whatsapp:1",
			Args: map[string]string{"what": "烹饪课 <@U1>", "where": "Prato", "when": "sabato", "languages": "中文, italiano"}})
		if err != nil || res.Outcome != "sent" {
			t.Fatal(res, err)
		}
	}
	list, err := Proposals(ctx, st)
	if err != nil || len(list) != 2 || list[0].What != "烹饪课 <@U1>" || list[0].Channel != "whatsapp" || len(got) != 2 {
		t.Fatalf("proposals: %+v %v", list, err)
	}
}

func TestActivityRemindersOnce(t *testing.T) {
	d := load(t)
	st := memory.New()
	s := New(d, Config{Demo: true, Store: st})
	n := &notices{}
	ctx := context.Background()
	a, _ := d.Activity(kitchen)
	iv, ok := a.Next(now)
	if !ok {
		t.Fatal("no next session")
	}
	if _, _, err := st.Join(ctx, roster.Enrolment{Activity: kitchen, Conv: "telegram:1", Lang: "fr"}, 2, true); err != nil {
		t.Fatal(err)
	}
	dayBefore := iv.From.Add(-24 * time.Hour)
	for range 3 {
		if _, err := s.SendReminders(ctx, n, dayBefore); err != nil {
			t.Fatal(err)
		}
	}
	if n.count() != 1 || n.got["telegram:1"][0].MessageID != "activities.reminder" {
		t.Errorf("reminders: %+v", n.got)
	}
}

// BenchmarkJoin is joining under contention on one activity (the store's
// atomic join), on the embedded store it would be one fsync each.
func BenchmarkJoin(b *testing.B) {
	d := load(b)
	s := New(d, Config{Demo: true, Store: memory.New()})
	var i int64
	var mu sync.Mutex
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i++
			k := i
			mu.Unlock()
			_, _ = s.join(context.Background(), bot.ActionRequest{Now: now, T: echo, Conversation: fmt.Sprintf("t:%d", k), Args: map[string]string{"activity": kitchen}})
		}
	})
}

func TestRemovedActivityCanStillBeLeft(t *testing.T) {
	d := load(t)
	st := memory.New()
	s := New(d, Config{Demo: true, Store: st})
	ctx := context.Background()
	if _, _, err := st.Join(ctx, roster.Enrolment{Activity: "gone-from-catalogue", Conv: "t:1"}, 0, false); err != nil {
		t.Fatal(err)
	}
	res, _ := s.mine(ctx, bot.ActionRequest{Now: now, T: echo, Conversation: "t:1"})
	cs := bot.DecodeChoices(res.Set["my_activity_choices"])
	if res.Outcome != "some" || cs[0].Label != "activities.removed" {
		t.Fatalf("mine: %+v", res)
	}
	if r, _ := s.leave(ctx, bot.ActionRequest{Now: now, T: echo, Conversation: "t:1", Args: map[string]string{"activity": cs[0].Value}}); r.Outcome != "left" {
		t.Errorf("leave a removed activity: %s", r.Outcome)
	}
}
