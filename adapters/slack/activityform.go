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

// formVerb says whether the words of /teams ask for the form: to add an
// activity, or to edit one (its id follows).
func formVerb(w string) (edit, ok bool) {
	switch strings.ToLower(w) {
	case "nuova", "nuovo", "aggiungi", "new", "add":
		return false, true
	case "modifica", "edit":
		return true, true
	}
	return false, false
}

// openActivityForm opens the form for the operator who typed /teams nuova,
// or /teams modifica ID (the form then shows the activity as it is).
func (d *events) openActivityForm(ctx context.Context, trigger, channel string, words []string) string {
	if channel != d.cfg.Channel {
		return d.t("desk.activity.cmd.not_here", nil)
	}
	var prefill *ActivityForm
	id := ""
	if edit, _ := formVerb(words[0]); edit {
		if len(words) < 2 || d.ActivityFormOf == nil {
			return d.t("desk.activity.cmd.unknown", map[string]string{"activity": "", "activities": "`/teams attività`"})
		}
		f, ok := d.ActivityFormOf(words[1])
		if !ok {
			return d.t("desk.activity.cmd.unknown", map[string]string{"activity": escape(words[1]), "activities": "`/teams attività`"})
		}
		prefill, id = &f, words[1]
	}
	if _, err := d.api.OpenViewContext(ctx, trigger, d.activityView(channel, id, prefill)); err != nil {
		d.log.Warn("activity form not opened", "error", err)
		return d.t("desk.list.unavailable", nil)
	}
	return ""
}

func (d *events) activityView(channel, id string, prefill *ActivityForm) slack.ModalViewRequest {
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
	title, submit := "desk.activity.form.title", "desk.activity.form.submit"
	if prefill != nil {
		title, submit = "desk.activity.form.edit_title", "desk.activity.form.save"
		fill(blocks, *prefill)
	}
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: formCallback, PrivateMetadata: channel + "\n" + id,
		Title: plain(title), Submit: plain(submit), Close: plain("desk.activity.form.close"),
		Blocks: slack.Blocks{BlockSet: blocks}}
}

// fill sets the form's fields to an activity's values.
func fill(blocks []slack.Block, f ActivityForm) {
	texts := map[string]string{"association": f.Association, "title": f.Title, "description": f.Description, "municipality": f.Municipality,
		"when": f.When, "cost": f.Cost, "other_title": f.OtherTitle, "other_description": f.OtherDescription, "seats": strconv.Itoa(max(f.Seats, 0))}
	option := func(opts []*slack.OptionBlockObject, value string) *slack.OptionBlockObject {
		for _, o := range opts {
			if o.Value == value {
				return o
			}
		}
		return nil
	}
	flags := map[string]bool{"signup": f.Signup, "waiting_list": f.WaitingList, "free": f.Free}
	for _, b := range blocks {
		in, ok := b.(*slack.InputBlock)
		if !ok {
			continue
		}
		switch el := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			el.InitialValue = texts[in.BlockID]
		case *slack.NumberInputBlockElement:
			el.InitialValue = texts[in.BlockID]
		case *slack.DatePickerBlockElement:
			el.InitialDate = map[string]string{"from": f.From, "until": f.Until}[in.BlockID]
		case *slack.SelectBlockElement:
			el.InitialOption = option(el.Options, map[string]string{"kind": f.Kind, "audience": f.Audience, "other_lang": f.OtherLang}[in.BlockID])
		case *slack.MultiSelectBlockElement:
			el.InitialOptions = nil
			for _, l := range f.Languages {
				if o := option(el.Options, l); o != nil {
					el.InitialOptions = append(el.InitialOptions, o)
				}
			}
		case *slack.CheckboxGroupsBlockElement:
			el.InitialOptions = nil
			for _, o := range el.Options {
				if flags[o.Value] {
					el.InitialOptions = append(el.InitialOptions, o)
				}
			}
		}
	}
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
func (d *events) submitActivityForm(ctx context.Context, v slack.View) (*slack.ViewSubmissionResponse, error) {
	if d.OnActivityAdd == nil {
		return nil, nil
	}
	channel, id, _ := strings.Cut(v.PrivateMetadata, "\n")
	var problems map[string]string
	var done string
	var err error
	if id != "" && d.OnActivityEdit != nil {
		problems, done, err = d.OnActivityEdit(ctx, id, readActivityForm(v))
	} else {
		problems, done, err = d.OnActivityAdd(ctx, readActivityForm(v))
	}
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
	if channel == "" {
		channel = d.cfg.Channel
	}
	if _, _, err := d.api.PostMessageContext(ctx, channel, slack.MsgOptionText(done, false)); err != nil {
		d.log.Warn("activity added, not posted", "error", err)
	}
	return nil, nil
}
