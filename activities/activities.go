// Package activities holds the rules of joining associations' activities:
// browsing the catalogue, an activity's card, joining (or the waiting list),
// leaving with promotion of the first waiting, reminders, and proposals
// from users. Joining and promotion are atomic in the store
// (roster.Store).
//
// Import limits: bot, knowledge and the standard library.
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"teamsbot/activities/roster"

	"teamsbot/bot"
	"teamsbot/knowledge"
)

// Store is what the activities keep: enrolments, reminders marked once,
// proposals.
type Store interface {
	roster.Store
	bot.Deduper
	bot.Sessions
	bot.Locker
}

// Notifier sends a proactive message (bot.Service).
type Notifier interface {
	Notify(ctx context.Context, conv string, n bot.Notice) error
}

// Service runs the activity actions.
type Service struct {
	dir *knowledge.Directory
	cfg Config
	mu  sync.RWMutex
	// changes are the associations' changes this replica knows (under mu).
	changes map[string]Changes
	// added are the activities added from the desk this replica knows
	// (under mu).
	added map[string]*knowledge.Activity
}

// Config is what the activities service works with, all given when it is
// built: content first, then the store and the desk, then the services.
type Config struct {
	// Demo lets activities no association has confirmed (sample: true) be
	// offered and joined (TEAMSBOT_DEMO=1); outside a demo they are not.
	Demo bool
	// Store keeps enrolments, proposals and the associations' changes;
	// nil: the actions only declare themselves (content checks) and fail
	// when run.
	Store Store
	// OnProposal passes a proposal to the coordinators (Slack); optional.
	OnProposal func(ctx context.Context, p Proposal) error
	// Translator, when set, translates the texts of activities added or
	// edited from the desk into the languages the coordinator did not
	// write (users are told it is an automatic translation).
	Translator Translator
}

// New returns the service over dir. The notices it sends to users who
// are not in the turn at hand (the next on a waiting list, everyone in a
// cancelled session) go back to the engine as bot.ActionResult.Tell, or
// through the Notifier its desk-side methods and reminders are given.
func New(dir *knowledge.Directory, cfg Config) *Service { return &Service{dir: dir, cfg: cfg} }

// activity returns an activity that can be offered.
func (s *Service) activity(id string) (*knowledge.Activity, bool) {
	a, ok := s.find(id)
	if !ok || a.Sample && !s.cfg.Demo || s.changesOf(id).All {
		return nil, false
	}
	return a, true
}

func (s *Service) get() (Store, error) {
	if s.cfg.Store == nil {
		return nil, errors.New("activities: no store")
	}
	return s.cfg.Store, nil
}

// PerPage bounds a list of activities (a WhatsApp list shows 10 rows).
const PerPage = 9

// Actions returns the activity actions.
func (s *Service) Actions() []bot.Action {
	return []bot.Action{
		{Name: "activities.list", Outcomes: []string{"found", "none"}, Sets: []string{"activity_choices"}, Run: s.list},
		{Name: "activities.card", Outcomes: []string{"open", "drop_in", "gone"}, Run: s.card},
		{Name: "activities.join", Writes: true, Outcomes: []string{"joined", "waiting", "already", "full", "gone"}, Sets: []string{"activity_position"}, Run: s.join},
		{Name: "activities.mine", Outcomes: []string{"some", "none"}, Sets: []string{"my_activity_choices"}, Run: s.mine},
		{Name: "activities.leave", Writes: true, Outcomes: []string{"left", "not_enrolled"}, Run: s.leave},
		{Name: "activities.propose", Writes: true, Outcomes: []string{"sent"}, Run: s.propose},
	}
}

func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	dx := (lon2 - lon1) * math.Cos(lat1*math.Pi/180)
	dy := lat2 - lat1
	return math.Sqrt(dx*dx+dy*dy) * 111.2
}

// list offers activities: by kind ("kind:sport"), nearest to the user
// ("near", with lat/lon), or this week ("week"); only those still to come.
func (s *Service) list(_ context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	filter := req.Args["filter"]
	lat, errLat := strconv.ParseFloat(req.Args["lat"], 64)
	lon, errLon := strconv.ParseFloat(req.Args["lon"], 64)
	type cand struct {
		a    *knowledge.Activity
		next time.Time
		km   float64
	}
	var cs []cand
	for _, a := range s.all() {
		if a.Sample && !s.cfg.Demo {
			continue
		}
		iv, ok := s.next(a, req.Now)
		if !ok {
			continue
		}
		c := cand{a: a, next: iv.From}
		if m, ok := s.dir.Municipalities.ByCode(a.Municipality); ok && errLat == nil && errLon == nil {
			c.km = distanceKm(lat, lon, m.Lat, m.Lon)
		}
		switch {
		case strings.HasPrefix(filter, "kind:") && a.Kind != strings.TrimPrefix(filter, "kind:"):
			continue
		case filter == "week" && iv.From.After(req.Now.Add(7*24*time.Hour)):
			continue
		case filter == "near" && (errLat != nil || errLon != nil):
			continue
		}
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		return bot.ActionResult{Outcome: "none"}, nil
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if filter == "near" || (errLat == nil && errLon == nil && filter != "week") {
			if cs[i].km != cs[j].km {
				return cs[i].km < cs[j].km
			}
		}
		return cs[i].next.Before(cs[j].next)
	})
	var choices []bot.Choice
	for _, c := range cs[:min(len(cs), PerPage)] {
		choices = append(choices, bot.Choice{Value: c.a.ID, Label: c.a.TitleIn(req.Lang)})
	}
	return bot.ActionResult{Outcome: "found", Set: map[string]string{"activity_choices": bot.EncodeChoices(choices)}}, nil
}

func dayName(req bot.ActionRequest, t time.Time) string {
	return req.T("day."+[]string{"su", "mo", "tu", "we", "th", "fr", "sa"}[t.Weekday()], nil)
}

// card says what an activity is, when it next meets, where, in which
// languages, what it costs and whether places are left.
func (s *Service) card(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	a, ok := s.activity(req.Args["activity"])
	if !ok {
		return bot.ActionResult{Outcome: "gone"}, nil
	}
	st, err := s.get()
	if err != nil {
		return bot.ActionResult{}, err
	}
	assoc := a.Association
	if as, ok := s.dir.Association(a.Association); ok {
		assoc = as.Name
	} else if a.By != "" {
		assoc = a.By
	}
	where := a.Municipality
	if m, ok := s.dir.Municipalities.ByCode(a.Municipality); ok {
		where = m.Name
	}
	when := req.T("activities.no_more", nil)
	if iv, ok := s.next(a, req.Now); ok {
		when = fmt.Sprintf("%s %d/%d %s–%s", dayName(req, iv.From), iv.From.Day(), int(iv.From.Month()), iv.From.Format("15:04"), iv.To.Format("15:04"))
	}
	cost := req.T("activities.free", nil)
	if !a.Free {
		cost = pickText(a.Cost, req.Lang)
	}
	places := req.T("activities.no_signup", nil)
	if a.Signup {
		r, err := st.Roster(ctx, a.ID)
		if err != nil {
			return bot.ActionResult{}, err
		}
		joined := 0
		for _, e := range r {
			if e.Status == roster.Joined {
				joined++
			}
		}
		switch {
		case s.Seats(a) == 0:
			places = req.T("activities.open_places", nil)
		case joined < s.Seats(a):
			places = req.T("activities.places_left", map[string]string{"count": strconv.Itoa(s.Seats(a) - joined)})
		case a.WaitingList:
			places = req.T("activities.full_waiting", nil)
		default:
			places = req.T("activities.full", nil)
		}
	}
	langs := strings.ToUpper(strings.Join(a.Languages, " · "))
	text := fmt.Sprintf("🎯 %s\n%s\n👥 %s\n📍 %s\n🕘 %s\n🗣 %s\n💶 %s\n%s", a.TitleIn(req.Lang), a.DescriptionIn(req.Lang), assoc, where, when, langs, cost, places)
	res := bot.ActionResult{Outcome: "open", Say: []bot.Said{{Raw: text}}}
	if a.Sample {
		res.Say = append(res.Say, bot.Said{ID: "activities.sample"})
	}
	if slices.Contains(a.Machine, req.Lang) {
		res.Say = append(res.Say, bot.Said{ID: "activities.machine_translated"})
	}
	if !a.Signup {
		res.Outcome = "drop_in"
	}
	return res, nil
}

func pickText(m map[string]string, lang string) string {
	for _, l := range []string{lang, "en", "it"} {
		if v := m[l]; v != "" {
			return v
		}
	}
	return ""
}

// join enrols the user, or puts them on the waiting list.
func (s *Service) join(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	a, ok := s.activity(req.Args["activity"])
	if !ok || !a.Signup {
		return bot.ActionResult{Outcome: "gone"}, nil
	}
	if _, ok := s.next(a, req.Now); !ok {
		return bot.ActionResult{Outcome: "gone"}, nil
	}
	st, err := s.get()
	if err != nil {
		return bot.ActionResult{}, err
	}
	status, pos, err := st.Join(ctx, roster.Enrolment{Activity: a.ID, Conv: req.Conversation, Lang: req.Lang, At: req.Now}, s.Seats(a), a.WaitingList)
	switch {
	case errors.Is(err, roster.ErrAlreadyEnrolled):
		return bot.ActionResult{Outcome: "already"}, nil
	case errors.Is(err, roster.ErrActivityFull):
		return bot.ActionResult{Outcome: "full"}, nil
	case err != nil:
		return bot.ActionResult{}, err
	case status == roster.Waiting:
		return bot.ActionResult{Outcome: "waiting", Set: map[string]string{"activity_position": strconv.Itoa(pos)}}, nil
	}
	return bot.ActionResult{Outcome: "joined"}, nil
}

// mine lists the user's activities with their status.
func (s *Service) mine(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	st, err := s.get()
	if err != nil {
		return bot.ActionResult{}, err
	}
	es, err := st.Enrolled(ctx, req.Conversation)
	if err != nil {
		return bot.ActionResult{}, err
	}
	var cs []bot.Choice
	for _, e := range es {
		// An activity removed from the catalogue while the user was in it
		// is still listed (so they can leave it), and said to be cancelled.
		title := req.T("activities.removed", nil)
		if a, ok := s.find(e.Activity); ok {
			title = a.TitleIn(req.Lang)
			if s.changesOf(a.ID).All {
				title = "❌ " + title
			}
		}
		if e.Status == roster.Waiting {
			title = "⏳ " + title
		}
		cs = append(cs, bot.Choice{Value: e.Activity, Label: title})
	}
	if len(cs) == 0 {
		return bot.ActionResult{Outcome: "none"}, nil
	}
	return bot.ActionResult{Outcome: "some", Set: map[string]string{"my_activity_choices": bot.EncodeChoices(cs)}}, nil
}

// leave removes the user from an activity; the first waiting is promoted
// and told once the turn is over.
func (s *Service) leave(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	st, err := s.get()
	if err != nil {
		return bot.ActionResult{}, err
	}
	tell, err := s.leaveOne(ctx, st, req.Args["activity"], req.Conversation)
	if errors.Is(err, roster.ErrNotEnrolled) {
		return bot.ActionResult{Outcome: "not_enrolled"}, nil
	}
	if err != nil {
		return bot.ActionResult{}, err
	}
	return bot.ActionResult{Outcome: "left", Tell: tell}, nil
}

// leaveOne takes conv off an activity, and returns the notice for the
// first on its waiting list, who got the place (none when no one waited).
func (s *Service) leaveOne(ctx context.Context, st Store, activity, conv string) ([]bot.Told, error) {
	capacity := 0
	a, known := s.find(activity)
	if known {
		capacity = s.Seats(a)
	}
	promoted, err := st.Leave(ctx, activity, conv, capacity)
	if err != nil || promoted == nil || !known {
		return nil, err
	}
	return []bot.Told{promotedNotice(a, *promoted)}, nil
}

// promotedNotice tells e they got a place in a. Its ID is this promotion's
// (a leave replayed from the memo tells once; a later promotion in the
// same activity is told again).
func promotedNotice(a *knowledge.Activity, e roster.Enrolment) bot.Told {
	return bot.Told{Conv: e.Conv, Notice: bot.Notice{MessageID: "activities.promoted", ID: fmt.Sprintf("act-promoted:%s@%d", a.ID, time.Now().UnixNano()),
		Data: map[string]string{"title": a.TitleIn(e.Lang)}}}
}

// Forget implements bot.Keeper: the user leaves every activity (the
// waiting lists move up), the activities are listed for them, and their
// proposals are deleted.
func (s *Service) Forget(ctx context.Context, conv string, _ time.Time) ([]bot.Said, []bot.Told, error) {
	st, err := s.get()
	if err != nil {
		return nil, nil, err
	}
	es, err := st.Enrolled(ctx, conv)
	if err != nil {
		return nil, nil, fmt.Errorf("activities: forget: %w", err)
	}
	var said []bot.Said
	var tell []bot.Told
	for _, e := range es {
		t, err := s.leaveOne(ctx, st, e.Activity, conv)
		if err != nil && !errors.Is(err, roster.ErrNotEnrolled) {
			return said, tell, fmt.Errorf("activities: forget: %w", err)
		}
		tell = append(tell, t...)
		title := e.Activity
		if a, ok := s.find(e.Activity); ok {
			title = a.TitleIn(e.Lang)
		}
		said = append(said, bot.Said{ID: "forget.activity", Data: map[string]string{"title": title}})
	}
	if err := s.editProposals(ctx, st, func(list []Proposal) []Proposal {
		return slices.DeleteFunc(list, func(p Proposal) bool { return p.Conv == conv })
	}); err != nil {
		return said, tell, fmt.Errorf("activities: forget: %w", err)
	}
	return said, tell, nil
}

// Proposal is an activity proposed, or help offered, by a user.
type Proposal struct {
	ID string `json:"id"`
	// Conv is who proposed it, so "delete my data" deletes it; it is
	// not shown to the coordinators.
	Conv      string    `json:"conv,omitempty"`
	Lang      string    `json:"lang"`
	Channel   string    `json:"channel"`
	What      string    `json:"what"`
	Where     string    `json:"where"`
	When      string    `json:"when"`
	Languages string    `json:"languages"`
	At        time.Time `json:"at"`
	// Contact: the person agreed that a coordinator writes to them.
	Contact bool `json:"contact,omitempty"`
}

const keyProposals = "activities:proposals"

// propose keeps a proposal for the coordinators and passes it on.
func (s *Service) propose(ctx context.Context, req bot.ActionRequest) (bot.ActionResult, error) {
	st, err := s.get()
	if err != nil {
		return bot.ActionResult{}, err
	}
	channel, _, _ := strings.Cut(req.Conversation, ":")
	p := Proposal{ID: fmt.Sprintf("P%d", req.Now.UnixNano()%1e9), Conv: req.Conversation, Lang: req.Lang, Channel: channel, What: req.Args["what"], Where: req.Args["where"], When: req.Args["when"], Languages: req.Args["languages"], At: req.Now, Contact: req.Args["contact"] == "yes"}
	if err := s.editProposals(ctx, st, func(list []Proposal) []Proposal { return append(list, p) }); err != nil {
		return bot.ActionResult{}, err
	}
	if s.cfg.OnProposal != nil {
		_ = s.cfg.OnProposal(ctx, p)
	}
	return bot.ActionResult{Outcome: "sent"}, nil
}

// Contact opens a case at the operators' desk for the person who made a
// proposal, when they agreed to be contacted; bot.ErrNotFound when the
// proposal is gone (deleted with the person's data, or expired) or they
// did not agree.
func (s *Service) Contact(ctx context.Context, id string, reach func(ctx context.Context, conv string) error) error {
	st, err := s.get()
	if err != nil {
		return err
	}
	list, err := Proposals(ctx, st)
	if err != nil {
		return fmt.Errorf("%w: %w", bot.ErrUnavailable, err)
	}
	i := slices.IndexFunc(list, func(p Proposal) bool { return p.ID == id })
	if i < 0 || !list[i].Contact || list[i].Conv == "" {
		return bot.ErrNotFound
	}
	return reach(ctx, list[i].Conv)
}

// ProposalsKeptFor is how long a proposal is kept for the coordinators.
const ProposalsKeptFor = 365 * 24 * time.Hour

// editProposals changes the list of proposals under its lock.
func (s *Service) editProposals(ctx context.Context, st Store, edit func([]Proposal) []Proposal) error {
	unlock, err := st.Lock(ctx, keyProposals, 10*time.Second)
	if err != nil {
		return err
	}
	defer unlock()
	list, err := Proposals(ctx, st)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(edit(list))
	if err != nil {
		return err
	}
	return st.Save(ctx, keyProposals, raw, ProposalsKeptFor)
}

// Proposals lists the proposals kept, oldest first.
func Proposals(ctx context.Context, st bot.Sessions) ([]Proposal, error) {
	raw, err := st.Load(ctx, keyProposals)
	if errors.Is(err, bot.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var list []Proposal
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// SendReminders reminds the joined of an activity the day before a session,
// once per session (a once-only notice: recorded in the user's session with
// its place in their outbox).
func (s *Service) SendReminders(ctx context.Context, n Notifier, now time.Time) (int, error) {
	st, err := s.get()
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, a := range s.all() {
		if !a.Signup {
			continue
		}
		iv, ok := s.next(a, now)
		if !ok || iv.From.Sub(now) > 25*time.Hour || iv.From.Sub(now) < 23*time.Hour {
			continue
		}
		r, err := st.Roster(ctx, a.ID)
		if err != nil {
			return sent, err
		}
		for _, e := range r {
			if e.Status != roster.Joined {
				continue
			}
			if err := n.Notify(ctx, e.Conv, bot.Notice{MessageID: "activities.reminder", ID: "act:" + a.ID + "@" + iv.From.Format("2006-01-02"),
				Data:    map[string]string{"title": a.TitleIn(e.Lang), "time": iv.From.Format("15:04")},
				Options: []bot.NoticeOption{{ID: "c:menu", Label: "booking.remind_ok"}, {ID: "c:flow:my_activities", Label: "activities.leave_it"}}}); err == nil {
				sent++
			}
		}
	}
	return sent, nil
}
