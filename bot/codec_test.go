package bot

import (
	"reflect"
	"testing"
)

func TestSessionRoundTrip(t *testing.T) {
	for _, s := range []Session{
		{State: StateNew},
		{State: StateFlow, Lang: "zh", Flow: "school", Step: "topics", Misses: 2, Pending: PendingForget, Link: "school",
			Consent: 1780000000, Updated: 1780000500, Since: -5, Blocked: true,
			Vars: map[string]string{"child_age": "8", "città": "Sesto Fiorentino", "empty": "", "rtl": "مرحبا 🙂"},
			Back: []Place{{"school", "age"}, {"menu", "main"}}},
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
