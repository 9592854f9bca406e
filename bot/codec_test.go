package bot

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestSessionRoundTrip(t *testing.T) {
	for _, s := range []Session{
		{State: StateNew},
		{State: StateFlow, Lang: "zh", Flow: "school", Step: "topics", Misses: 2, Pending: PendingForget, Link: "school",
			Consent: 1780000000, Updated: 1780000500, Since: -5, Blocked: true,
			Vars: map[string]string{"child_age": "8", "città": "Sesto Fiorentino", "empty": "", "rtl": "مرحبا 🙂"},
			Back: []Place{{"school", "age"}, {"menu", "main"}},
			Seen: []SeenID{{Hash: 1<<63 + 5, At: 1780000000}, {Hash: 7, At: 1780000500}}},
		{State: StateFlow, Lang: "ar", Updated: 1780000500,
			Outbox: &Outbox{Attempts: 2, Next: 1780000600, Error: "telegram: 502", Replies: []Reply{
				{Text: "مرحبا 🙂\n1. نعم", Lang: "ar", ChooseLabel: "اختر", Options: []Option{{ID: "o:1a2b3c4d:1", Label: "نعم", MessageID: "common.yes"}, {ID: "c:menu", Label: "Menu"}},
					MessageIDs: []string{"school.age", "common.choose"}},
				{Text: "", AskLocation: true, LocationLabel: "📍", FromOperator: "Giulia"},
				{Text: "reminder", Notice: true}, {Text: "both", AskLocation: true, Notice: true},
			}},
			Failed: &Outbox{Attempts: 6, Failed: 1780000000, Replies: []Reply{{Text: "x"}}}, In: 1780000400},
	} {
		b, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got, err := UnmarshalSession(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, s) {
			t.Errorf("round trip:\n got %+v\nwant %+v", *got, s)
		}
	}
}

// TestReadsOldFormats: sessions stored before the seen ids (format 1),
// before the outbox (format 2) and before the outbox's sender (format 3)
// still load.
func TestReadsOldFormats(t *testing.T) {
	s := Session{State: StateFlow, Lang: "sq", Flow: "school", Step: "age", Updated: 1780000500, Vars: map[string]string{"a": "b"}}
	b4, _ := s.Marshal()
	if b4[0] != 4 || string(b4[len(b4)-5:]) != "\x00\x00\x00\x00\x00" {
		t.Fatalf("format 4 ends with an empty seen list, no outbox, no failed, no last message, no sender: % x", b4)
	}
	b := append([]byte{3}, b4[1:len(b4)-1]...)
	if got, err := UnmarshalSession(b); err != nil || !reflect.DeepEqual(*got, s) {
		t.Fatalf("format 3: %+v, %v", got, err)
	}
	if got, err := UnmarshalSession(b[:len(b)-1]); err != nil || !reflect.DeepEqual(*got, s) {
		t.Fatalf("format 3 without the last message time: %+v, %v", got, err)
	}
	v2 := append([]byte{2}, b[1:len(b)-3]...)
	if got, err := UnmarshalSession(v2); err != nil || !reflect.DeepEqual(*got, s) {
		t.Fatalf("format 2: %+v, %v", got, err)
	}
	v1 := append([]byte{1}, b[1:len(b)-4]...)
	if got, err := UnmarshalSession(v1); err != nil || !reflect.DeepEqual(*got, s) {
		t.Fatalf("format 1: %+v, %v", got, err)
	}
	if _, err := UnmarshalSession(append([]byte{5}, b4[1:]...)); err == nil {
		t.Error("a future format was read")
	}
}

// TestFirstSeenInSession: an id is new once within the window; expired and
// surplus ids are dropped, so the session stays small.
func TestFirstSeenInSession(t *testing.T) {
	var s Session
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	if !s.firstSeen("wamid.A", now, 48*time.Hour) || s.firstSeen("wamid.A", now.Add(47*time.Hour), 48*time.Hour) {
		t.Fatal("an id within the window")
	}
	if !s.firstSeen("wamid.A", now.Add(49*time.Hour), 48*time.Hour) {
		t.Fatal("an id past the window is new again")
	}
	for i := range 100 {
		if !s.firstSeen(fmt.Sprint("id", i), now.Add(50*time.Hour), 48*time.Hour) {
			t.Fatalf("id%d was not new", i)
		}
	}
	if len(s.Seen) != maxSeen || s.firstSeen("id99", now.Add(50*time.Hour), 48*time.Hour) {
		t.Errorf("%d ids kept; the latest must be among them", len(s.Seen))
	}
	s.Updated = now.Add(50 * time.Hour).Unix()
	b, _ := s.Marshal()
	if len(b) > 400 {
		t.Errorf("a session with %d ids is %d bytes", len(s.Seen), len(b))
	}
}

func TestUnmarshalSessionRejectsGarbage(t *testing.T) {
	good, _ := (&Session{State: StateFlow, Vars: map[string]string{"a": "b"}}).Marshal()
	for name, b := range map[string][]byte{
		"empty":      nil,
		"json":       []byte(`{"st":"flow"}`),
		"truncated":  good[:len(good)-2],
		"trailing":   append(append([]byte{}, good...), 0),
		"huge count": {1, 4, 'f', 'l', 'o', 'w', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"bad state":  append([]byte{1, 3}, []byte("odd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")...),
	} {
		if _, err := UnmarshalSession(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func FuzzUnmarshalSession(f *testing.F) {
	good, _ := (&Session{State: StateFlow, Lang: "ar", Vars: map[string]string{"a": "b"}, Back: []Place{{"f", "s"}}}).Marshal()
	f.Add(good)
	withOutbox, _ := (&Session{State: StateFlow, Lang: "zh", In: 1780000000, Outbox: &Outbox{Attempts: 1, Next: 1780000030, Error: "x",
		Replies: []Reply{{Text: "你好", Options: []Option{{ID: "c:menu", Label: "菜单"}}, MessageIDs: []string{"menu.ask"}}}},
		Failed: &Outbox{Failed: 1, Replies: []Reply{{Text: "t", AskLocation: true}}}}).Marshal()
	f.Add(withOutbox)
	f.Add([]byte{1})
	f.Add([]byte(`{"st":"new"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := UnmarshalSession(b)
		if err != nil {
			return
		}
		again, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		s2, err := UnmarshalSession(again)
		if err != nil || !reflect.DeepEqual(s, s2) {
			t.Fatalf("re-encoding changed the session: %v", err)
		}
	})
}
