package understand

import (
	"testing"

	"teamsbot/nlu"
)

// TestLongTextsNeedMoreConfidence: a long story whose one detail decides
// is not followed at once on the probability that is enough for a short
// sentence; Chinese, written without spaces, is measured in character
// pairs.
func TestLongTextsNeedMoreConfidence(t *testing.T) {
	th := DefaultThresholds
	ranked := []nlu.Prediction{{Intent: "guides.permit_first", P: 0.9}, {Intent: "guides.reentry_visa", P: 0.05}}
	short := "come faccio il primo permesso di soggiorno"
	long := "Visiterò l'Italia per un mese con mia moglie, per ora ho solo il passaporto e il biglietto: cosa devo fare quando arrivo?"
	if !th.sure(ranked, textLength(short)) {
		t.Errorf("a short sentence at p=0.9 is not followed at once")
	}
	if th.sure(ranked, textLength(long)) {
		t.Errorf("a %d-word story at p=0.9 is followed at once", textLength(long))
	}
	if !th.sure([]nlu.Prediction{{Intent: "guides.permit_first", P: 0.97}}, textLength(long)) {
		t.Errorf("a long story at p=0.97 is not followed at once")
	}
	for text, want := range map[string]int{
		"怎么申请入籍": 3,
		"我有一个学习签证，我想在意大利申请第一次居留，需要准备什么材料？": 15,
		"税号 codice fiscale": 3,
	} {
		if got := textLength(text); got != want {
			t.Errorf("textLength(%q) = %d, want %d", text, got, want)
		}
	}
}

// TestDigestKeysTheEffectiveOptions: saved models are kept by the options
// Train really uses, so a model saved before a default changed (the
// 3-grams, the epochs) is not read as today's, and the same options
// written out or left to the defaults are one model.
func TestDigestKeysTheEffectiveOptions(t *testing.T) {
	ex := []nlu.Example{{Intent: "a", Lang: "it", Text: "ciao"}, {Intent: "b", Lang: "it", Text: "grazie"}}
	if digest(ex, nil, nlu.Options{}) != digest(ex, nil, nlu.Options{}.Effective()) {
		t.Error("the defaults and the same options written out have two keys")
	}
	old := nlu.Options{}.Effective()
	old.Features.MinGram, old.Epochs = 3, 6
	if digest(ex, nil, nlu.Options{}) == digest(ex, nil, old) {
		t.Error("a model of other features has the key of today's")
	}
}
