package slack_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	deskpkg "teamsbot/adapters/slack"
)

// submitView sends the activity form as Slack does when the coordinator
// presses Add, and returns the answer.
func submitView(t *testing.T, r *rig, values map[string]map[string]any) (int, string) {
	t.Helper()
	state := map[string]any{}
	for block, v := range values {
		state[block] = map[string]any{block: v}
	}
	payload, _ := json.Marshal(map[string]any{"type": "view_submission", "user": map[string]any{"id": "UGIULIA"},
		"view": map[string]any{"id": "V123", "callback_id": "activity_add", "private_metadata": "COPS", "state": map[string]any{"values": state}}})
	body := []byte("payload=" + url.QueryEscape(string(payload)))
	rec := r.signedRecorder(deskpkg.InteractivityPath, "application/x-www-form-urlencoded", body)
	return rec.Code, rec.Body.String()
}

// A coordinator types /teams nuova in the desk's channel: a form opens
// (nowhere else); a form with mistakes stays open with the problem under
// its field; a right one is added and the channel told.
func TestActivityFormAddsAnActivity(t *testing.T) {
	r := newRig(t)
	var got []deskpkg.ActivityForm
	r.hooks.ActivityChoices = func() deskpkg.ActivityChoices {
		return deskpkg.ActivityChoices{Kinds: []deskpkg.Answer{{What: "sport", Title: "Sport"}}, Audiences: []deskpkg.Answer{{What: "women", Title: "Donne"}},
			Languages: []deskpkg.Answer{{What: "it", Title: "Italiano"}, {What: "zh", Title: "中文"}}}
	}
	r.hooks.OnActivityAdd = func(_ context.Context, f deskpkg.ActivityForm) (map[string]string, string, error) {
		got = append(got, f)
		if len(got) == 1 {
			return map[string]string{"title": "Al massimo 24 caratteri.", "nonsense": "Da compilare."}, "", nil
		}
		return nil, "✅ Nuova attività: «" + f.Title + "»", nil
	}
	rec := slashCommand(r, "nuova", "CPRATO")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "canale dei coordinatori") {
		t.Errorf("/teams nuova outside the desk's channel: %d %s", rec.Code, rec.Body.String())
	}
	if opened := r.fake.take("views.open"); len(opened) != 0 {
		t.Fatalf("a form opened outside the desk's channel")
	}
	rec = slashCommand(r, "nuova", "COPS")
	if rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("/teams nuova: %d %q (want an empty answer: the form speaks)", rec.Code, rec.Body.String())
	}
	opened := r.fake.take("views.open")
	if len(opened) != 1 {
		t.Fatalf("views.open called %d times", len(opened))
	}
	var req struct {
		TriggerID string `json:"trigger_id"`
		View      struct {
			CallbackID string `json:"callback_id"`
			Title      struct{ Text string }
			Blocks     []struct {
				BlockID  string `json:"block_id"`
				Optional bool
				Element  struct {
					Type    string
					Options []struct{ Value string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(opened[0].Form.Get("json")), &req); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(req.TriggerID, "13345224609.") || req.View.CallbackID != "activity_add" || req.View.Title.Text != "Nuova attività" {
		t.Errorf("views.open: trigger %q, callback %q, title %q", req.TriggerID, req.View.CallbackID, req.View.Title.Text)
	}
	required := map[string]bool{}
	for _, b := range req.View.Blocks {
		if b.BlockID != "" {
			required[b.BlockID] = !b.Optional
		}
		if b.BlockID == "languages" && (b.Element.Type != "multi_static_select" || len(b.Element.Options) != 2) {
			t.Errorf("languages menu: %+v", b.Element)
		}
	}
	for _, f := range []string{"association", "title", "description", "kind", "audience", "municipality", "when", "from", "until", "seats", "languages"} {
		if !required[f] {
			t.Errorf("the form's %s field is missing or optional", f)
		}
	}
	values := map[string]map[string]any{
		"association":  {"type": "plain_text_input", "value": "Donne in cammino"},
		"title":        {"type": "plain_text_input", "value": "Camminata in città"},
		"description":  {"type": "plain_text_input", "value": "Una passeggiata insieme."},
		"kind":         {"type": "static_select", "selected_option": map[string]any{"value": "sport"}},
		"audience":     {"type": "static_select", "selected_option": map[string]any{"value": "women"}},
		"municipality": {"type": "plain_text_input", "value": "Prato"},
		"when":         {"type": "plain_text_input", "value": "Sa 10:00-12:00"},
		"from":         {"type": "datepicker", "selected_date": "2026-12-12"},
		"until":        {"type": "datepicker", "selected_date": "2027-03-27"},
		"seats":        {"type": "number_input", "value": "12"},
		"options":      {"type": "checkboxes", "selected_options": []map[string]any{{"value": "signup"}, {"value": "free"}}},
		"languages":    {"type": "multi_static_select", "selected_options": []map[string]any{{"value": "it"}, {"value": "zh"}}},
	}
	code, body := submitView(t, r, values)
	if code != 200 || !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, `"title":"Al massimo 24 caratteri."`) ||
		!strings.Contains(body, `"association":"Da compilare."`) {
		t.Errorf("a form with mistakes: %d %s (want the problems under their fields; an unknown field's at the top)", code, body)
	}
	if posted := r.fake.take("chat.postMessage"); len(posted) != 0 {
		t.Errorf("a form with mistakes was announced: %v", posted)
	}
	code, body = submitView(t, r, values)
	if code != 200 || body != "" {
		t.Errorf("a right form: %d %q (want an empty answer, which closes it)", code, body)
	}
	f := got[1]
	if f.Association != "Donne in cammino" || f.Kind != "sport" || f.Audience != "women" || f.From != "2026-12-12" || f.Seats != 12 ||
		!f.Signup || f.WaitingList || !f.Free || strings.Join(f.Languages, ",") != "it,zh" || f.Municipality != "Prato" || f.When != "Sa 10:00-12:00" {
		t.Errorf("the form as read: %+v", f)
	}
	var announced bool
	eventuallyFor(t, 2*time.Second, func() bool {
		for _, c := range r.fake.take("chat.postMessage") {
			announced = announced || c.Form.Get("channel") == "COPS" && strings.Contains(c.Form.Get("text"), "Camminata in città")
		}
		return announced
	})
	// Seats that are not a whole number reach the domain as -1 (it says so).
	values["seats"] = map[string]any{"type": "number_input", "value": "dodici"}
	submitView(t, r, values)
	if got[2].Seats != -1 {
		t.Errorf("seats %q read as %d", "dodici", got[2].Seats)
	}
}

func eventuallyFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Error("the added activity was not announced in the desk's channel")
}

// /teams modifica ID opens the form filled with the activity as it is;
// pressing Save changes that activity (not a new one).
func TestActivityFormEditsAnActivity(t *testing.T) {
	r := newRig(t)
	r.hooks.ActivityChoices = func() deskpkg.ActivityChoices {
		return deskpkg.ActivityChoices{Kinds: []deskpkg.Answer{{What: "sport", Title: "Sport"}, {What: "cultural", Title: "Cultura"}},
			Audiences: []deskpkg.Answer{{What: "women", Title: "Donne"}}, Languages: []deskpkg.Answer{{What: "it", Title: "Italiano"}, {What: "ar", Title: "العربية"}}}
	}
	r.hooks.OnActivityAdd = func(context.Context, deskpkg.ActivityForm) (map[string]string, string, error) {
		t.Error("an edit added an activity")
		return nil, "", nil
	}
	var editedID string
	r.hooks.OnActivityEdit = func(_ context.Context, id string, f deskpkg.ActivityForm) (map[string]string, string, error) {
		editedID = id
		return nil, "✏️ " + f.Title, nil
	}
	r.hooks.ActivityFormOf = func(id string) (deskpkg.ActivityForm, bool) {
		return deskpkg.ActivityForm{Association: "Amici", Title: "Calcetto", Description: "Ogni giovedì.", Kind: "cultural", Audience: "women",
			Municipality: "Prato", When: "Th 18:00-20:00", From: "2026-12-03", Until: "2027-05-27", Seats: 14, Signup: true, Free: true,
			Languages: []string{"it", "ar"}, OtherLang: "ar", OtherTitle: "كرة قدم"}, id == "calcetto-prato"
	}
	if rec := slashCommand(r, "modifica nessuna", "COPS"); !strings.Contains(rec.Body.String(), "nessuna") || len(r.fake.take("views.open")) != 0 {
		t.Errorf("/teams modifica of an unknown activity: %s", rec.Body.String())
	}
	if rec := slashCommand(r, "modifica calcetto-prato", "COPS"); rec.Code != 200 || rec.Body.Len() != 0 {
		t.Fatalf("/teams modifica: %d %s", rec.Code, rec.Body.String())
	}
	opened := r.fake.take("views.open")
	if len(opened) != 1 {
		t.Fatalf("views.open called %d times", len(opened))
	}
	js := opened[0].Form.Get("json")
	for _, want := range []string{`"text":"Modifica attività"`, `"text":"Salva"`, `"private_metadata":"COPS\ncalcetto-prato"`, `"initial_value":"Calcetto"`,
		`"initial_value":"Th 18:00-20:00"`, `"initial_value":"14"`, `"initial_date":"2027-05-27"`, `"initial_option":{"text":{"type":"plain_text","text":"Cultura"`,
		`"initial_value":"كرة قدم"`} {
		if !strings.Contains(js, want) {
			t.Errorf("the edit form lacks %s", want)
		}
	}
	payload := map[string]any{"type": "view_submission", "user": map[string]any{"id": "UGIULIA"},
		"view": map[string]any{"id": "V123", "callback_id": "activity_add", "private_metadata": "COPS\ncalcetto-prato", "state": map[string]any{"values": map[string]any{
			"title": map[string]any{"title": map[string]any{"type": "plain_text_input", "value": "Calcetto serale"}}}}}}
	raw, _ := json.Marshal(payload)
	rec := r.signedRecorder(deskpkg.InteractivityPath, "application/x-www-form-urlencoded", []byte("payload="+url.QueryEscape(string(raw))))
	if rec.Code != 200 || editedID != "calcetto-prato" {
		t.Errorf("Save: %d, edited %q", rec.Code, editedID)
	}
}
