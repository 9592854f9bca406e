package slack

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// ActivityForm is what a coordinator fills in to add an activity: the
// form `/teams nuova` opens in the desk's channel.
type ActivityForm struct {
	Association                             string
	Title, Description                      string // in Italian
	OtherLang, OtherTitle, OtherDescription string
	Kind, Audience                          string
	Municipality                            string
	When                                    string
	From, Until                             string // YYYY-MM-DD
	// Seats is -1 when the field was not a whole number.
	Seats                     int
	Signup, WaitingList, Free bool
	Cost                      string
	Languages                 []string
}

// ActivityChoices are the form's menus, labelled in the operators'
// language: kinds of activity, audiences, and the users' languages.
type ActivityChoices struct {
	Kinds, Audiences, Languages []Answer
}

// The form's blocks, one per field (a field's problems are shown under
// its block).
var formFields = []string{"association", "title", "description", "kind", "audience", "municipality", "when", "from", "until",
	"seats", "options", "cost", "languages", "other_lang", "other_title", "other_description"}

const formCallback = "activity_add"

// isAddVerb says whether the words of /teams ask for the form.
func isAddVerb(w string) bool {
	switch strings.ToLower(w) {
	case "nuova", "nuovo", "aggiungi", "new", "add":
		return true
	}
	return false
}

// openActivityForm opens the form for the operator who typed /teams nuova.
func (d *Desk) openActivityForm(ctx context.Context, trigger, channel string) string {
	if channel != d.cfg.Channel {
		return d.t("desk.activity.cmd.not_here", nil)
	}
	if _, err := d.api.OpenViewContext(ctx, trigger, d.activityView(channel)); err != nil {
		d.log.Warn("activity form not opened", "error", err)
		return d.t("desk.list.unavailable", nil)
	}
	return ""
}

func (d *Desk) activityView(channel string) slack.ModalViewRequest {
	plain := func(id string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, d.t(id, nil), false, false)
	}
	options := func(as []Answer) []*slack.OptionBlockObject {
		var out []*slack.OptionBlockObject
		for _, a := range as {
			label := a.Title
			if r := []rune(label); len(r) > 75 {
				label = string(r[:74]) + "…"
			}
			out = append(out, slack.NewOptionBlockObject(a.What, slack.NewTextBlockObject(slack.PlainTextType, label, false, false), nil))
		}
		return out
	}
	var ch ActivityChoices
	if d.ActivityChoices != nil {
		ch = d.ActivityChoices()
	}
	text := func(action string, max int, multiline bool) *slack.PlainTextInputBlockElement {
		e := slack.NewPlainTextInputBlockElement(nil, action)
		e.MaxLength, e.Multiline = max, multiline
		return e
	}
	input := func(block, label string, el slack.BlockElement, optional bool, hint string) *slack.InputBlock {
		var h *slack.TextBlockObject
		if hint != "" {
			h = plain(hint)
		}
		b := slack.NewInputBlock(block, plain(label), h, el)
		b.Optional = optional
		return b
	}
	seats := slack.NewNumberInputBlockElement(nil, "seats", false)
	seats.InitialValue, seats.MinValue, seats.MaxValue = "0", "0", "10000"
	free := slack.NewOptionBlockObject("free", plain("desk.activity.form.free"), nil)
	flags := slack.NewCheckboxGroupsBlockElement("options",
		slack.NewOptionBlockObject("signup", plain("desk.activity.form.signup"), nil),
		slack.NewOptionBlockObject("waiting_list", plain("desk.activity.form.waiting_list"), nil), free)
	flags.InitialOptions = []*slack.OptionBlockObject{free}
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, d.t("desk.activity.form.intro", nil), false, false), nil, nil),
		input("association", "desk.activity.form.association", text("association", 80, false), false, ""),
		input("title", "desk.activity.form.title_it", text("title", 24, false), false, ""),
		input("description", "desk.activity.form.description_it", text("description", 280, true), false, ""),
		input("kind", "desk.activity.form.kind", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "kind", options(ch.Kinds)...), false, ""),
		input("audience", "desk.activity.form.audience", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "audience", options(ch.Audiences)...), false, ""),
		input("municipality", "desk.activity.form.municipality", text("municipality", 60, false), false, ""),
		input("when", "desk.activity.form.when", text("when", 60, false), false, "desk.activity.form.when_hint"),
		input("from", "desk.activity.form.from", slack.NewDatePickerBlockElement("from"), false, ""),
		input("until", "desk.activity.form.until", slack.NewDatePickerBlockElement("until"), false, ""),
		input("seats", "desk.activity.form.seats", seats, false, ""),
		input("options", "desk.activity.form.options", flags, true, ""),
		input("cost", "desk.activity.form.cost", text("cost", 280, false), true, ""),
		input("languages", "desk.activity.form.languages", slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, nil, "languages", options(ch.Languages)...), false, ""),
		input("other_lang", "desk.activity.form.other_lang", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "other_lang", options(ch.Languages)...), true, ""),
		input("other_title", "desk.activity.form.title_other", text("other_title", 24, false), true, ""),
		input("other_description", "desk.activity.form.description_other", text("other_description", 280, true), true, ""),
	}
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: formCallback, PrivateMetadata: channel,
		Title: plain("desk.activity.form.title"), Submit: plain("desk.activity.form.submit"), Close: plain("desk.activity.form.close"),
		Blocks: slack.Blocks{BlockSet: blocks}}
}

// readActivityForm reads what the coordinator submitted.
func readActivityForm(v slack.View) ActivityForm {
	get := func(block string) slack.BlockAction { return v.State.Values[block][block] }
	str := func(block string) string { return strings.TrimSpace(get(block).Value) }
	f := ActivityForm{Association: str("association"), Title: str("title"), Description: str("description"),
		OtherLang: get("other_lang").SelectedOption.Value, OtherTitle: str("other_title"), OtherDescription: str("other_description"),
		Kind: get("kind").SelectedOption.Value, Audience: get("audience").SelectedOption.Value, Municipality: str("municipality"),
		When: str("when"), From: get("from").SelectedDate, Until: get("until").SelectedDate, Cost: str("cost"), Seats: -1}
	if n, err := strconv.Atoi(str("seats")); err == nil {
		f.Seats = n
	}
	for _, o := range get("options").SelectedOptions {
		switch o.Value {
		case "signup":
			f.Signup = true
		case "waiting_list":
			f.WaitingList = true
		case "free":
			f.Free = true
		}
	}
	for _, o := range get("languages").SelectedOptions {
		f.Languages = append(f.Languages, o.Value)
	}
	return f
}

// submitActivityForm adds the activity, or answers with what to fix under
// each field (the form stays open). Once added, the desk's channel is told.
func (d *Desk) submitActivityForm(ctx context.Context, v slack.View) (*slack.ViewSubmissionResponse, error) {
	if d.OnActivityAdd == nil {
		return nil, nil
	}
	problems, done, err := d.OnActivityAdd(ctx, readActivityForm(v))
	if err != nil {
		d.log.Warn("activity not added", "error", err)
		return slack.NewErrorsViewSubmissionResponse(map[string]string{"association": d.t("desk.activity.form.err.unavailable", nil)}), nil
	}
	if len(problems) > 0 {
		shown := map[string]string{}
		for field, msg := range problems {
			if !slices.Contains(formFields, field) {
				field = "association" // a field the form does not have: said at the top
			}
			shown[field] = strings.TrimSpace(shown[field] + " " + msg)
		}
		return slack.NewErrorsViewSubmissionResponse(shown), nil
	}
	channel := v.PrivateMetadata
	if channel == "" {
		channel = d.cfg.Channel
	}
	if _, _, err := d.api.PostMessageContext(ctx, channel, slack.MsgOptionText(done, false)); err != nil {
		d.log.Warn("activity added, not posted", "error", err)
	}
	return nil, nil
}
