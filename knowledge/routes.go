package knowledge

import (
	"io/fs"
	"net/url"
	"slices"
	"strings"
)

// Route is how to reach an office of a kind when no office of that kind is
// known near the user: the office finder, the official list, the Comune.
// Its text may name {{.municipality}}.
type Route struct {
	Kind    string
	Text    map[string]string
	Sources []Source
	Line    int
}

// KindRoute returns the route of a kind, if the content has one.
func (d *Directory) KindRoute(kind string) (*Route, bool) {
	r, ok := d.routes[kind]
	return r, ok
}

// TextIn is the route's text in lang (English, then Italian, when missing),
// with the user's comune.
func (r *Route) TextIn(lang, municipality string) string {
	t := pick(r.Text, lang)
	if municipality == "" {
		municipality = pick(map[string]string{"it": "il tuo comune", "en": "your comune"}, lang)
	}
	return strings.ReplaceAll(t, "{{.municipality}}", municipality)
}

// loadRoutes reads routes.yaml, if it exists.
func loadRoutes(fsys fs.FS, langs Languages, file string, kinds map[string]*Kind) (map[string]*Route, []error) {
	routes, is, ok := section(fsys, langs, file, "routes", true)
	if !ok {
		return nil, is.list
	}
	out := map[string]*Route{}
	for i := 0; i+1 < len(routes.Content); i += 2 {
		kind, n := routes.Content[i].Value, routes.Content[i+1]
		if _, ok := kinds[kind]; !ok {
			is.at(routes.Content[i].Line, "route for unknown kind %q", kind)
			continue
		}
		is.checkKeys(n, "route "+kind, "text", "sources")
		r := &Route{Kind: kind, Text: is.texts(field(n, "text"), "route "+kind, 400), Line: n.Line}
		if src := field(n, "sources"); src != nil {
			var list []struct {
				URL      string `yaml:"url"`
				Read     string `yaml:"read"`
				Supports string `yaml:"supports"`
			}
			if err := src.Decode(&list); err != nil {
				is.at(src.Line, "route %s: sources: %v", kind, strings.TrimPrefix(err.Error(), "yaml: "))
			}
			for k, s := range list {
				ln := src.Line
				if k < len(src.Content) {
					ln = src.Content[k].Line
				}
				if u, err := url.Parse(s.URL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
					is.at(ln, "route %s: source %q is not a web address", kind, s.URL)
				}
				if !dateRE.MatchString(s.Read) {
					is.at(ln, "route %s: source %s: read %q: write the day the page was read, YYYY-MM-DD", kind, s.URL, s.Read)
				}
				r.Sources = append(r.Sources, Source{URL: s.URL, Read: s.Read, Supports: s.Supports})
			}
		}
		if len(r.Sources) == 0 {
			is.at(n.Line, "route %s has no source: every link must be an official page, with the day it was read", kind)
		}
		if !slices.ContainsFunc(is.list, func(e error) bool { return !e.(Issue).Warning }) {
			out[kind] = r
		}
	}
	return out, is.list
}
