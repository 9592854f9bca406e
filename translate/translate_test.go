package translate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"teamsbot/internal/translatetest"
)

func backends(fake *translatetest.Server) map[string]Translator {
	return map[string]Translator{
		"libretranslate": &LibreTranslate{URL: fake.URL, Codes: Codes{"prs": "fa"}},
		"openai":         &OpenAI{URL: fake.URL + "/v1", Model: "local-model", Names: map[string]string{"ar": "ar", "it": "it", "prs": "prs"}},
	}
}

// Both backends translate, send the language codes the service knows, and
// turn what the service refuses into an error that holds no text.
func TestBackends(t *testing.T) {
	fake := translatetest.New()
	defer fake.Close()
	for name, tr := range backends(fake) {
		got, err := tr.Translate(context.Background(), "Ho bisogno di aiuto", "it", "ar")
		if err != nil || got != "[it>ar] Ho bisogno di aiuto" {
			t.Errorf("%s: %q, %v", name, got, err)
		}
		if _, err := tr.Translate(context.Background(), strings.Repeat("a", MaxText+1), "it", "ar"); !errors.Is(err, ErrTooLong) {
			t.Errorf("%s: a text too long: %v", name, err)
		}
		fake.Fail(503)
		_, err = tr.Translate(context.Background(), "segreto personale", "it", "ar")
		fake.Fail(0)
		if err == nil || strings.Contains(err.Error(), "segreto") {
			t.Errorf("%s: a failing service: %v", name, err)
		}
	}
	lt := backends(fake)["libretranslate"]
	if got, _ := lt.Translate(context.Background(), "سلام", "prs", "it"); got != "[fa>it] سلام" {
		t.Errorf("Dari is sent as fa: %q", got)
	}
	if _, err := lt.Translate(context.Background(), "x", "xx", "it"); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("an unknown language: %v", err)
	}
	bad := &OpenAI{URL: fake.URL + "/v1", Model: "no-such-model"}
	if _, err := bad.Translate(context.Background(), "x", "it", "ar"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("an unknown model: %v", err)
	}
}

// A slow service is cut by the caller's deadline.
func TestDeadline(t *testing.T) {
	fake := translatetest.New()
	defer fake.Close()
	fake.Slow(2 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := backends(fake)["libretranslate"].Translate(ctx, "ciao", "it", "ar")
	if err == nil || time.Since(start) > time.Second {
		t.Errorf("slow service: %v after %v", err, time.Since(start))
	}
}

var terms = []Term{
	{Italian: "permesso di soggiorno", Name: map[string]string{"it": "permesso di soggiorno", "ar": "permesso di soggiorno (تصريح الإقامة)", "en": "permesso di soggiorno (residence permit)"}},
	{Italian: "Questura", Name: map[string]string{"it": "Questura", "ar": "Questura (مكتب الهجرة في الشرطة)"}},
}

// Glossary terms never reach the machine: they come back as the glossary
// names them in the target language, in either direction, whatever their
// case; a marker the machine loses means a plain translation.
func TestProtect(t *testing.T) {
	fake := translatetest.New()
	defer fake.Close()
	p := &Protect{T: backends(fake)["libretranslate"], Terms: terms}
	got, err := p.Translate(context.Background(), "Vada in questura con il Permesso di Soggiorno.", "it", "ar")
	want := "[it>ar] Vada in Questura (مكتب الهجرة في الشرطة) con il permesso di soggiorno (تصريح الإقامة)."
	if err != nil || got != want {
		t.Errorf("it>ar:\n got %q\nwant %q", got, want)
	}
	if r := fake.Received(); len(r) == 0 || strings.Contains(strings.ToLower(r[len(r)-1].Text), "questura") {
		t.Errorf("the machine saw the term: %+v", r)
	}
	got, _ = p.Translate(context.Background(), "متى أذهب إلى Questura لأجل permesso di soggiorno (تصريح الإقامة)؟", "ar", "it")
	if got != "[ar>it] متى أذهب إلى Questura لأجل permesso di soggiorno؟" {
		t.Errorf("ar>it: %q", got)
	}
	// "questurale" is not the term.
	if got, _ := p.Translate(context.Background(), "ufficio questurale", "it", "ar"); got != "[it>ar] ufficio questurale" {
		t.Errorf("part of a word: %q", got)
	}
	lossy := &Protect{T: dropMarkers{backends(fake)["libretranslate"]}, Terms: terms}
	if got, _ := lossy.Translate(context.Background(), "la Questura", "it", "ar"); got != "[it>ar] la Questura" {
		t.Errorf("a lost marker: %q", got)
	}
}

// dropMarkers is a machine that loses the markers.
type dropMarkers struct{ Translator }

func (d dropMarkers) Translate(ctx context.Context, text, from, to string) (string, error) {
	out, err := d.Translator.Translate(ctx, text, from, to)
	return marker.ReplaceAllString(out, ""), err
}
