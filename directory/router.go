package directory

import (
	"strconv"

	"teamsbot/bot"
)

// Flows the router leads to.
const (
	FindFlow       = "find_service"
	ProceduresFlow = "procedures"
)

var _ bot.Router = (*Service)(nil)

// Route implements bot.Router: words about a procedure lead to its guide,
// words about a kind of office (and maybe a comune) to the nearest ones.
// One clear winner is followed at once; close candidates become a "did you
// mean" question.
func (s *Service) Route(lang, text string) []bot.Route {
	a := s.dir.Search(text)
	type cand struct {
		route bot.Route
		score float64
	}
	var cands []cand
	for _, k := range a.Kinds {
		vars := map[string]string{"kind": k.Kind, "offset": "0"}
		if m := a.Municipality; m != nil {
			vars["place_lat"] = strconv.FormatFloat(m.Lat, 'f', 5, 64)
			vars["place_lon"] = strconv.FormatFloat(m.Lon, 'f', 5, 64)
			vars["place_municipality"] = m.Name
		}
		label := s.dir.KindName(k.Kind, lang)
		if a.Municipality != nil {
			label += " – " + a.Municipality.Name
		}
		// A kind with a place named ("questura prato") is a strong signal.
		score := k.Score
		if a.Municipality != nil {
			score *= 1.5
		}
		cands = append(cands, cand{bot.Route{Label: label, Flow: FindFlow, Vars: vars}, score})
	}
	for _, g := range a.Guides {
		cands = append(cands, cand{bot.Route{Label: g.Guide.TitleIn(lang), Flow: ProceduresFlow, Vars: map[string]string{"guide": g.Guide.ID}}, g.Score})
	}
	if len(cands) == 0 {
		return nil
	}
	// Best first.
	for i := 1; i < len(cands); i++ {
		for j := i; j > 0 && cands[j].score > cands[j-1].score; j-- {
			cands[j], cands[j-1] = cands[j-1], cands[j]
		}
	}
	best := cands[0].score
	if len(cands) == 1 || best >= 1.5*cands[1].score {
		return []bot.Route{cands[0].route}
	}
	var out []bot.Route
	for _, c := range cands {
		if c.score >= 0.6*best && len(out) < 3 {
			out = append(out, c.route)
		}
	}
	return out
}
