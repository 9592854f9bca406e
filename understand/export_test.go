package understand

// ForgetTrained empties this process's models, as if it had just started:
// the tests of the saved models need the next Build to look on disk.
func ForgetTrained() {
	models.Lock()
	models.byKey, models.order = nil, nil
	models.Unlock()
}

// WithAnswers returns an Understander that reads answers with the given
// examples of each meaning (language "xx"), and nothing else.
func WithAnswers(meanings map[string][]string) *Understander {
	f := &languageFile{}
	for m, exs := range meanings {
		for _, e := range exs {
			f.Answers = append(f.Answers, Example{Intent: m, Lang: "xx", Text: e})
		}
	}
	return &Understander{answers: newAnswerVocab(map[string]*languageFile{"xx": f})}
}

// Parts cuts text into the questions it may hold (parts.go).
func (u *Understander) Parts(text string) []string { return u.joins.parts(text) }
