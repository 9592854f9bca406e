package app

import (
	"context"
	"slices"
	"strings"

	"net/http"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"teamsbot/internal/fold"

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

// DeskAnswers is what operators can send from a thread, in the operators'
// language lang: the guides, found by their id or by the words of the
// query as the bot understands users (the same classifier), and the saved
// replies (reply.* locale messages), found by id or by a word of theirs.
func DeskAnswers(l *Loaded, lang string) slackdesk.Answers {
	var guides, replies []slackdesk.Answer
	for _, g := range l.Directory.Guides() {
		guides = append(guides, slackdesk.Answer{What: "guide:" + g.ID, Title: g.TitleIn(lang)})
	}
	for _, id := range l.Catalog.IDs(l.Catalog.Settings().Reference) {
		if r, ok := strings.CutPrefix(id, "reply."); ok {
			title := l.Catalog.Text(lang, id, nil)
			if n := []rune(title); len(n) > 70 {
				title = string(n[:70]) + "…"
			}
			replies = append(replies, slackdesk.Answer{What: "reply:" + r, Title: title})
		}
	}
	all := slices.Concat(guides, replies)
	return func(ctx context.Context, q string) ([]slackdesk.Answer, bool) {
		if q == "" {
			return all, false
		}
		for _, a := range all {
			if _, id, _ := strings.Cut(a.What, ":"); q == a.What || q == id {
				return []slackdesk.Answer{a}, true
			}
		}
		var found []slackdesk.Answer
		sure := false
		if l.Understander != nil {
			u := l.Understander.Understand(ctx, lang, q)
			for i, r := range u.Ranked {
				id, ok := strings.CutPrefix(r.Intent, "guides.")
				// Words the classifier does not know, or a weak guess, are
				// not a guide.
				if !ok || u.Known < 0.5 || r.P < 0.1 {
					continue
				}
				for _, g := range guides {
					if g.What == "guide:"+id {
						found = append(found, g)
						sure = sure || i == 0 && u.Sure
					}
				}
			}
		}
		words := strings.Fields(fold.String(q))
		for _, r := range replies {
			key := fold.String(r.What + " " + r.Title)
			for _, w := range words {
				if len(w) >= 4 && strings.Contains(key, w) {
					found = append(found, r)
					break
				}
			}
		}
		return found, sure && len(found) > 0
	}
}

// DeskTopics are what a case can be about, as operators record it: the
// guides and the kinds of office, the intents the bot understands, named
// in the operators' language lang.
func DeskTopics(l *Loaded, lang string) []slackdesk.Answer {
	var out []slackdesk.Answer
	for _, g := range l.Directory.Guides() {
		out = append(out, slackdesk.Answer{What: "guides." + g.ID, Title: g.TitleIn(lang)})
	}
	seen := map[string]bool{}
	for _, p := range l.Directory.Places() {
		if !seen[p.Kind] {
			seen[p.Kind] = true
			out = append(out, slackdesk.Answer{What: "kinds." + p.Kind, Title: l.Directory.KindName(p.Kind, lang)})
		}
	}
	slices.SortStableFunc(out[len(l.Directory.Guides()):], func(a, b slackdesk.Answer) int { return strings.Compare(a.What, b.What) })
	return out
}
