package app

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"net/http"
	"time"

	slackdesk "teamsbot/adapters/slack"
	"teamsbot/translate"
)

// newTranslator builds the desk's machine translation from the
// configuration: LibreTranslate at TEAMSBOT_TRANSLATE_URL, or an
// OpenAI-compatible API when TEAMSBOT_TRANSLATE_MODEL is set; the
// glossary's terms protected either way. Nil (off) without a URL.
func newTranslator(cfg TranslateConfig, l *Loaded) slackdesk.Translator {
	if cfg.URL == "" {
		return nil
	}
	client := &http.Client{Timeout: max(cfg.Timeout, time.Second) + time.Second}
	// Most engines call Dari "fa" (Persian) and Tagalog "tl".
	codes := translate.Codes{"prs": "fa"}
	var t translate.Translator
	if cfg.Model != "" {
		names := map[string]string{}
		for _, lang := range l.Catalog.All() {
			// The prompt names languages in English (CLDR's name, else
			// the Italian one) and in themselves: "Arabic (العربية)".
			n := englishName(lang.Code)
			if n == lang.Code && lang.Italian != "" {
				n = lang.Italian
			}
			names[lang.Code] = n + " (" + lang.Name + ")"
		}
		t = &translate.OpenAI{URL: cfg.URL, Model: cfg.Model, APIKey: string(cfg.Key), Names: names, Client: client}
	} else {
		t = &translate.LibreTranslate{URL: cfg.URL, APIKey: string(cfg.Key), Codes: codes, Client: client}
	}
	var terms []translate.Term
	if l.Glossary != nil {
		for _, term := range l.Glossary.Terms {
			terms = append(terms, translate.Term{Italian: term.Italian, Name: term.Name})
		}
	}
	return &translate.Protect{T: t, Terms: terms}
}

// englishName is a language's name in English, for a model's prompt
// (CLDR's, through x/text: "Dari", "Tagalog").
func englishName(code string) string {
	if n := display.English.Languages().Name(language.Make(code)); n != "" {
		return n
	}
	return code
}
