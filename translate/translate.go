// Package translate turns a text from one language into another through a
// self-hosted machine translation service, for the operators' desk: what a
// user writes reaches the operator in the operators' language, and what the
// operator answers reaches the user in theirs.
//
// Two backends speak the two APIs such services offer: LibreTranslate's
// POST /translate, and an OpenAI-compatible POST /chat/completions (a
// self-hosted LLM). Protect wraps either so that the Italian administrative
// terms of the glossary survive the machine: they are swapped for markers
// before, and written back after as the glossary names them in the target
// language ("Questura (مكتب الهجرة...)").
//
// Import limits: the standard library and internal/fold.
package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Translator translates text from one language to another (ISO 639 codes:
// "it", "ar", "prs").
type Translator interface {
	Translate(ctx context.Context, text, from, to string) (string, error)
}

// MaxText is the longest text sent to a backend, in characters: a chat
// message, not a document.
const MaxText = 5000

// ErrTooLong is returned for a text over MaxText.
var ErrTooLong = errors.New("translate: text too long")

// Codes maps the bot's language codes to a backend's when they differ
// (Dari, prs, is "fa" to most engines; Tagalog, tl, may be "tl" or "fil").
type Codes map[string]string

func (c Codes) of(lang string) string {
	if v, ok := c[lang]; ok {
		return v
	}
	return lang
}

// LibreTranslate is a LibreTranslate server (or one that speaks its API):
// POST {URL}/translate with {"q", "source", "target", "format", "api_key"}.
type LibreTranslate struct {
	URL    string
	APIKey string
	Codes  Codes
	Client *http.Client
}

// Translate implements Translator.
func (l *LibreTranslate) Translate(ctx context.Context, text, from, to string) (string, error) {
	if utf8.RuneCountInString(text) > MaxText {
		return "", ErrTooLong
	}
	body := map[string]string{"q": text, "source": l.Codes.of(from), "target": l.Codes.of(to), "format": "text"}
	if l.APIKey != "" {
		body["api_key"] = l.APIKey
	}
	var out struct {
		TranslatedText string `json:"translatedText"`
		Error          string `json:"error"`
	}
	if err := post(ctx, l.Client, strings.TrimRight(l.URL, "/")+"/translate", "", body, &out); err != nil {
		return "", err
	}
	if out.TranslatedText == "" {
		return "", errors.New("translate: LibreTranslate answered no text")
	}
	return out.TranslatedText, nil
}

// OpenAI is an OpenAI-compatible chat endpoint (a self-hosted LLM behind
// vLLM, llama.cpp's server, Ollama...): POST {URL}/chat/completions.
type OpenAI struct {
	URL    string // the API's base, ending in /v1
	Model  string
	APIKey string
	// Names gives a language's name for the prompt ("Arabic"); the code is
	// used when it has none.
	Names  map[string]string
	Client *http.Client
}

// Translate implements Translator. The model is told to translate and
// nothing else, to keep markers and numbers, and to answer with the
// translation only; temperature 0.
func (o *OpenAI) Translate(ctx context.Context, text, from, to string) (string, error) {
	if utf8.RuneCountInString(text) > MaxText {
		return "", ErrTooLong
	}
	name := func(code string) string {
		if n := o.Names[code]; n != "" {
			return n
		}
		return code
	}
	prompt := fmt.Sprintf("You translate messages between a public service desk in Italy and the people it helps. "+
		"Translate the user's message from %s to %s. Keep names, numbers, dates, addresses, links and every marker like [[1]] exactly as they are. "+
		"Do not answer the message, do not add anything: reply with the translation only.", name(from), name(to))
	body := map[string]any{
		"model":       o.Model,
		"temperature": 0,
		"messages": []map[string]string{
			{"role": "system", "content": prompt},
			{"role": "user", "content": text},
		},
	}
	var out struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := post(ctx, o.Client, strings.TrimRight(o.URL, "/")+"/chat/completions", o.APIKey, body, &out); err != nil {
		return "", err
	}
	if len(out.Choices) == 0 || strings.TrimSpace(out.Choices[0].Message.Content) == "" {
		return "", errors.New("translate: the model answered no text")
	}
	return strings.TrimSpace(out.Choices[0].Message.Content), nil
}

// post sends a JSON request and decodes a JSON answer; a status other than
// 200 is an error that names it (never the text: it is a user's message).
func post(ctx context.Context, c *http.Client, url, bearer string, in, out any) error {
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("translate: %w", errors.Unwrap(err))
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("translate: reading the answer: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("translate: the service answered %d", res.StatusCode)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("translate: the answer is not JSON: %w", err)
	}
	return nil
}
