// Package translatetest fakes the machine translation services the desk
// can use, for tests: a LibreTranslate server and an OpenAI-compatible chat
// endpoint. Each rejects what the real one rejects (missing fields, an
// unknown language or model, a text over its limit) and records what it
// received. A "translation" is the text with a tag naming the two
// languages, markers kept: "[it>ar] ...".
//
// Import limits: the standard library only.
package translatetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Server is a fake translation service.
type Server struct {
	*httptest.Server
	// Languages it knows (LibreTranslate's /languages).
	Languages []string
	// Models it serves (OpenAI).
	Models []string
	// Limit is the longest text it takes, in characters.
	Limit int

	mu    sync.Mutex
	delay time.Duration
	fail  int // answer this status instead of translating
	got   []Request
}

// Request is what the fake received.
type Request struct {
	Text, From, To string
}

// New starts a fake that speaks both APIs: POST /translate and POST
// /v1/chat/completions.
func New() *Server {
	s := &Server{Languages: []string{"it", "en", "fr", "ar", "sq", "zh", "uk", "es", "ur", "bn", "fa", "tl"}, Models: []string{"local-model"}, Limit: 5000}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /translate", s.libre)
	mux.HandleFunc("POST /v1/chat/completions", s.openai)
	s.Server = httptest.NewServer(mux)
	return s
}

// Slow makes every answer wait d.
func (s *Server) Slow(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// Fail makes every answer this HTTP status (0: translate again).
func (s *Server) Fail(status int) { s.mu.Lock(); s.fail = status; s.mu.Unlock() }

// Received lists the requests so far.
func (s *Server) Received() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.got...)
}

func (s *Server) wait(r *http.Request) (int, bool) {
	s.mu.Lock()
	d, fail := s.delay, s.fail
	s.mu.Unlock()
	if d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return 0, false
		}
	}
	return fail, true
}

func (s *Server) knows(lang string) bool {
	for _, l := range s.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Translation is what the fake answers for text from one language to another.
func Translation(text, from, to string) string { return "[" + from + ">" + to + "] " + text }

func errJSON(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (s *Server) libre(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Q, Source, Target, Format string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		errJSON(w, 400, "Invalid request: bad JSON")
		return
	}
	switch {
	case in.Q == "":
		errJSON(w, 400, "Invalid request: missing q parameter")
		return
	case in.Source == "" || in.Target == "":
		errJSON(w, 400, "Invalid request: missing source or target parameter")
		return
	case in.Source != "auto" && !s.knows(in.Source):
		errJSON(w, 400, in.Source+" is not supported")
		return
	case !s.knows(in.Target):
		errJSON(w, 400, in.Target+" is not supported")
		return
	case utf8.RuneCountInString(in.Q) > s.Limit:
		errJSON(w, 400, "Invalid request: request exceeded text limit")
		return
	}
	fail, ok := s.wait(r)
	if !ok {
		return
	}
	if fail != 0 {
		errJSON(w, fail, "failure")
		return
	}
	s.mu.Lock()
	s.got = append(s.got, Request{in.Q, in.Source, in.Target})
	s.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]string{"translatedText": Translation(in.Q, in.Source, in.Target)})
}

func (s *Server) openai(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Model    string
		Messages []struct{ Role, Content string }
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		errJSON(w, 400, "bad JSON")
		return
	}
	known := false
	for _, m := range s.Models {
		known = known || m == in.Model
	}
	if !known {
		errJSON(w, 404, "The model `"+in.Model+"` does not exist")
		return
	}
	var system, user string
	for _, m := range in.Messages {
		switch m.Role {
		case "system":
			system = m.Content
		case "user":
			user = m.Content
		}
	}
	if user == "" {
		errJSON(w, 400, "messages: a user message is required")
		return
	}
	if utf8.RuneCountInString(user) > s.Limit {
		errJSON(w, 400, "This model's maximum context length is exceeded")
		return
	}
	fail, ok := s.wait(r)
	if !ok {
		return
	}
	if fail != 0 {
		errJSON(w, fail, "failure")
		return
	}
	// The prompt says "from X to Y": the fake reads them back.
	from, to := between(system, "from ", " to "), between(system, " to ", ".")
	s.mu.Lock()
	s.got = append(s.got, Request{user, from, to})
	s.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"choices": []map[string]any{{"message": map[string]string{"role": "assistant", "content": Translation(user, from, to)}}}})
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return s
}
