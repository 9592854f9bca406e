package nlu

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
)

// A saved model and detector, read back, answer exactly as the trained
// ones; a damaged or foreign file is refused, never half read.
func TestSavedModelAnswersTheSame(t *testing.T) {
	opts := Options{Concepts: map[string][]string{"renew": {"renew*", "rinnov*", "续签"}}}
	m, err := Train(tiny, opts)
	if err != nil {
		t.Fatal(err)
	}
	l := TrainLangID(map[string][]string{
		"en": {"how do I renew my residence permit", "I need a family doctor for my children"},
		"it": {"come rinnovo il permesso di soggiorno", "mi serve un medico di famiglia per i miei figli"},
	})
	var buf bytes.Buffer
	if err := WriteSaved(&buf, m, l); err != nil {
		t.Fatal(err)
	}
	saved := buf.Bytes()
	m2, l2, err := ReadSaved(bytes.NewReader(saved), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"renew permit", "permmit renewal", "I need a doctor", "续签居留", "parlare con una persona", "xqzv"} {
		if a, b := fmt.Sprint(m.Classify(text)), fmt.Sprint(m2.Classify(text)); a != b {
			t.Errorf("Classify(%q): trained %s, read back %s", text, a, b)
		}
		if a, b := fmt.Sprint(l.Detect(text)), fmt.Sprint(l2.Detect(text)); a != b {
			t.Errorf("Detect(%q): trained %s, read back %s", text, a, b)
		}
	}
	// Damage anywhere, a cut, another file: refused.
	for name, data := range map[string][]byte{
		"a flipped byte": func() []byte { d := bytes.Clone(saved); d[len(d)/2] ^= 1; return d }(),
		"cut short":      saved[:len(saved)-100],
		"empty":          nil,
		"another file":   []byte("{\"not\": \"a model\"}"),
	} {
		if _, _, err := ReadSaved(bytes.NewReader(data), opts); !errors.Is(err, ErrSaved) {
			t.Errorf("%s: %v, want ErrSaved", name, err)
		}
	}
}

// FuzzReadSaved gives ReadSaved files whose checksum is right but whose
// body is anything: it must refuse them, never panic or allocate without
// bound.
func FuzzReadSaved(f *testing.F) {
	m, err := Train(tiny, Options{})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteSaved(&buf, m, nil); err != nil {
		f.Fatal(err)
	}
	saved := buf.Bytes()
	f.Add(saved[len(magic) : len(saved)-sha256.Size])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append(bytes.Clone(magic), body...)
		sum := sha256.Sum256(data)
		_, _, _ = ReadSaved(bytes.NewReader(append(data, sum[:]...)), Options{})
	})
}
