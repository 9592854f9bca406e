package bot

import (
	"strconv"
	"strings"

	"teamsbot/bot/flow"
)

// routesVar holds the routes offered by a "did you mean" question.
const routesVar = "_routes"

// maxRoutes bounds a "did you mean" question.
const maxRoutes = 3

// route tries to lead free words to a flow. It reports whether the turn is
// done.
func (t *turn) route() (bool, error) {
	if t.e.router == nil || len([]rune(strings.TrimSpace(t.in.Text))) < 3 {
		return false, nil
	}
	routes := t.e.router.Route(t.lang(), t.in.Text)
	switch {
	case len(routes) == 0:
		return false, nil
	case len(routes) == 1:
		return true, t.follow(routes[0])
	}
	if len(routes) > maxRoutes {
		routes = routes[:maxRoutes]
	}
	var b strings.Builder
	opts := make([]Option, 0, len(routes)+1)
	for i, r := range routes {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(encodeRoute(r))
		opts = append(opts, Option{ID: "r:" + strconv.Itoa(i+1), Label: r.Label})
	}
	t.s.setVar(routesVar, b.String())
	t.s.Pending = PendingRoute
	t.say("route.did_you_mean", nil)
	opts = append(opts, t.cmdOption("retry", "route.none"))
	t.offer(opts...)
	return true, nil
}

// pickRoute handles the answer to a "did you mean" question.
func (t *turn) pickRoute() (bool, error) {
	routes := decodeRoutes(t.s.Vars[routesVar])
	delete(t.s.Vars, routesVar)
	k := -1
	if rest, ok := strings.CutPrefix(t.in.Option, "r:"); ok {
		k, _ = strconv.Atoi(rest)
	} else if n, ok := smallInt(t.in.Text); ok {
		k = n
	}
	if k < 1 || k > len(routes) {
		return false, nil
	}
	return true, t.follow(routes[k-1])
}

func (t *turn) follow(r Route) error {
	f, ok := t.e.prog.Flow(r.Flow)
	if !ok {
		return t.goMenu()
	}
	for k, v := range r.Vars {
		t.s.setVar(k, v)
	}
	if n, ok := t.current(); ok {
		t.pushBack(n)
	}
	return t.advance(f.Start)
}

// Routes are stored one per line: flow, label, then k=v pairs, tab-separated.
func encodeRoute(r Route) string {
	parts := []string{clean(r.Flow), clean(r.Label)}
	for k, v := range r.Vars {
		parts = append(parts, clean(k)+"="+clean(v))
	}
	return strings.Join(parts, "\t")
}

func decodeRoutes(s string) []Route {
	var out []Route
	for _, line := range strings.Split(s, "\n") {
		parts := strings.Split(line, "\t")
		if len(parts) < 2 {
			continue
		}
		r := Route{Flow: parts[0], Label: parts[1], Vars: map[string]string{}}
		for _, kv := range parts[2:] {
			k, v, _ := strings.Cut(kv, "=")
			r.Vars[k] = v
		}
		out = append(out, r)
	}
	return out
}

// choices returns the run-time options of an ask: choice step.
func (t *turn) choices(n *flow.Node) []Choice {
	return DecodeChoices(t.s.Vars[n.From])
}

// matchChoice finds the run-time choice the user picked, as matchOption does
// for written options.
func (t *turn) matchChoice(n *flow.Node, cs []Choice) int {
	if id := t.in.Option; id != "" {
		rest, ok := strings.CutPrefix(id, "o:"+n.Hash+":")
		if k, err := strconv.Atoi(rest); ok && err == nil && k >= 1 && k <= len(cs) {
			return k - 1
		}
		return -1
	}
	if k, ok := smallInt(t.in.Text); ok {
		if k >= 1 && k <= len(cs) {
			return k - 1
		}
		return -1
	}
	labels := make([]string, len(cs))
	for i, c := range cs {
		labels[i] = c.Label
	}
	return matchLabel(t.in.Text, labels)
}
