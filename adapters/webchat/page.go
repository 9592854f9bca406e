package webchat

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed static
var staticFS embed.FS

// pageTexts are the ids of the page's own texts (webchat.<key>).
var pageTexts = []string{"title", "input", "send", "language", "operator", "location", "offline", "online", "slow", "error", "you", "bot", "operator_name", "close", "open", "new"}

// Messages are the locale messages the web chat needs.
func Messages() []string {
	out := make([]string, len(pageTexts))
	for i, k := range pageTexts {
		out[i] = "webchat." + k
	}
	return out
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<link rel="stylesheet" href="/chat/static/chat.css">
<script src="/chat/static/chat.js" defer></script>
</head>
<body{{if .Embed}} class="embed"{{end}}>
<script type="application/json" id="chat-config">{{.Config}}</script>
<header id="chat-header"><h1 id="chat-title">{{.Title}}</h1><nav id="chat-tools"></nav></header>
<main id="chat-log" tabindex="0"></main>
<form id="chat-form" autocomplete="off"><label for="chat-input" id="chat-input-label" class="visually-hidden">{{.Input}}</label>
<textarea id="chat-input" rows="1" maxlength="4000"></textarea><button id="chat-send" type="submit">{{.Send}}</button></form>
<div id="chat-status" role="status" aria-live="polite"></div>
</body>
</html>
`))

// pageConfig is what the page's script reads.
type pageConfig struct {
	Lang  string                       `json:"lang"`
	Start string                       `json:"start"`
	Embed bool                         `json:"embed"`
	RTL   []string                     `json:"rtl"`
	Texts map[string]map[string]string `json:"texts"`
}

// pageLang picks the page's language: ?lang=, the browser's, the first.
func (a *Adapter) pageLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); a.offered(l) {
		return l
	}
	if a.cfg.Match != nil {
		for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
			tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
			if l, ok := a.cfg.Match(tag); ok {
				return l
			}
		}
	}
	return a.cfg.Languages[0].Code
}

// securityHeaders are those of every page and script: no inline script or
// style, nothing from elsewhere, framed only by the configured origins.
func (a *Adapter) securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	ancestors := "'self'"
	for _, o := range a.cfg.Origins {
		ancestors += " " + o
	}
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors "+ancestors)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
}

func (a *Adapter) page(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lang := a.pageLang(r)
	start := q.Get("start")
	if len(start) > maxStart || strings.Trim(start, "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
		start = ""
	}
	cfg := pageConfig{Lang: lang, Start: start, Embed: q.Get("embed") == "1", Texts: map[string]map[string]string{}}
	for _, l := range a.cfg.Languages {
		if a.rtl[l.Code] {
			cfg.RTL = append(cfg.RTL, l.Code)
		}
		t := map[string]string{}
		for _, k := range pageTexts {
			t[k] = a.cfg.Texts(l.Code, "webchat."+k)
		}
		cfg.Texts[l.Code] = t
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		http.Error(w, "unavailable", http.StatusInternalServerError)
		return
	}
	dir := "ltr"
	if a.rtl[lang] {
		dir = "rtl"
	}
	a.securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	pageTmpl.Execute(w, map[string]any{
		"Lang": lang, "Dir": dir, "Embed": cfg.Embed,
		// The JSON is escaped by html/template for a <script> element of
		// a non-JavaScript type: it stays data, whatever a text holds.
		"Config": template.JS(raw),
		"Title":  cfg.Texts[lang]["title"], "Input": cfg.Texts[lang]["input"], "Send": cfg.Texts[lang]["send"],
	})
}

// asset is a static file, with its gzip form.
type asset struct {
	body, gz []byte
	ctype    string
}

var (
	assetsOnce sync.Once
	assets     map[string]asset
)

func loadAssets() {
	assets = map[string]asset{}
	fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if e := path.Ext(p); e != ".js" && e != ".css" {
			return nil
		}
		body, _ := staticFS.ReadFile(p)
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		ctype := "application/octet-stream"
		switch path.Ext(p) {
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		}
		assets[path.Base(p)] = asset{body, gz.Bytes(), ctype}
		return nil
	})
}

func (a *Adapter) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	assetsOnce.Do(loadAssets)
	as, ok := assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	a.securityHeaders(w)
	h := w.Header()
	h.Set("Content-Type", as.ctype)
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Vary", "Accept-Encoding")
	body := as.body
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = as.gz
	}
	w.Write(body)
}

func (a *Adapter) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name == "widget.js" {
		http.NotFound(w, r)
		return
	}
	a.serveAsset(w, r, name)
}

// widget serves the script a site embeds. Any site may load it (a script
// tag needs no CORS); only the configured origins may frame the chat.
func (a *Adapter) widget(w http.ResponseWriter, r *http.Request) {
	a.serveAsset(w, r, "widget.js")
}
