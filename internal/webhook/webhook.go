// Package webhook serves the platforms' webhooks (Telegram, WhatsApp, the
// Slack desk) with one policy, so every channel answers the same bad input
// the same way:
//
//   - A request that is not authenticated (a wrong or missing secret header,
//     a bad signature, a stale Slack timestamp, a wrong verification token)
//     gets 401.
//   - A body over the endpoint's limit (1 MiB by default) gets 413 when it
//     had still to be authenticated (a signature over the body cannot be
//     checked on a body that is not read); after a secret header matched,
//     it is acknowledged like any other unusable request (below).
//   - An authenticated request the channel cannot use (malformed JSON, a
//     form that does not parse: the handler returns ErrMalformed) gets 200
//     and is dropped, logged without its content and counted: every
//     platform retries anything but a 2xx, a retry brings the same bytes,
//     and Telegram holds a user's later updates behind one it keeps
//     retrying.
//   - A failure of ours (the store unavailable, the deadline passed) gets
//     503, so the platform delivers the request again; deduplication makes
//     what was already done a no-op.
//   - Handling has one deadline (20 s by default: Meta and Telegram give up
//     on a webhook after about that long).
//
// Each request is counted by route and outcome (Observe), never with any of
// its content. Standard library only.
package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Defaults of an Endpoint.
const (
	DefaultLimit   = 1 << 20
	DefaultTimeout = 20 * time.Second
)

// ErrMalformed marks an authenticated request the channel cannot use: it is
// acknowledged (200) and dropped.
var ErrMalformed = errors.New("webhook: malformed request")

// Outcomes of a request, for Observe.
const (
	OutcomeOK           = "ok"
	OutcomeUnauthorized = "unauthorized"
	OutcomeTooLarge     = "too_large"
	OutcomeDropped      = "dropped"
	OutcomeUnavailable  = "unavailable"
)

// Answer is what a handled request answers with 200: nothing, or a body
// (Slack's URL verification challenge, a slash command's reply).
type Answer struct {
	ContentType string
	Body        []byte
}

// Endpoint is one webhook route of a channel.
type Endpoint struct {
	// Pattern is the ServeMux pattern ("POST /telegram/webhook").
	Pattern string
	// Route names the endpoint in metrics and logs ("telegram").
	Route string
	// Limit bounds the body (DefaultLimit when 0).
	Limit int64
	// Timeout bounds the handling (DefaultTimeout when 0).
	Timeout time.Duration
	// Request authenticates a request by what comes before its body (a
	// secret header, a verification token in the query); nil when Body
	// does it.
	Request func(r *http.Request) bool
	// Body authenticates a request by its body (a signature over it); nil
	// when Header does it.
	Body func(h http.Header, body []byte) bool
	// Handle handles an authenticated request. ErrMalformed (wrapped) drops
	// it with a 200; any other error answers 503.
	Handle func(ctx context.Context, r *http.Request, body []byte) (Answer, error)
}

// Observer is told of each request: its route, outcome, status and how long
// it took.
type Observer func(route, outcome string, status int, took time.Duration)

// Mount registers every endpoint on mux, served by Handler.
func Mount(mux *http.ServeMux, observe Observer, log *slog.Logger, eps ...Endpoint) {
	for _, e := range eps {
		mux.Handle(e.Pattern, Handler(e, observe, log))
	}
}

// Handler serves one endpoint under the package's policy.
func Handler(e Endpoint, observe Observer, log *slog.Logger) http.Handler {
	if e.Limit <= 0 {
		e.Limit = DefaultLimit
	}
	if e.Timeout <= 0 {
		e.Timeout = DefaultTimeout
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("route", e.Route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		status, outcome := serve(e, w, r, log)
		if observe != nil {
			observe(e.Route, outcome, status, time.Since(start))
		}
	})
}

func serve(e Endpoint, w http.ResponseWriter, r *http.Request, log *slog.Logger) (int, string) {
	fail := func(status int, outcome string) (int, string) {
		http.Error(w, http.StatusText(status), status)
		return status, outcome
	}
	if e.Request == nil && e.Body == nil {
		return fail(http.StatusUnauthorized, OutcomeUnauthorized) // a channel must authenticate
	}
	if e.Request != nil && !e.Request(r) {
		return fail(http.StatusUnauthorized, OutcomeUnauthorized)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, e.Limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case !errors.As(err, &tooLarge): // the client went away mid-body
			log.Warn("webhook body unreadable", "error", err.Error())
			return fail(http.StatusBadRequest, OutcomeDropped)
		case e.Body != nil:
			return fail(http.StatusRequestEntityTooLarge, OutcomeTooLarge)
		}
		log.Warn("authenticated webhook body over the limit: dropped", "limit", e.Limit)
		w.WriteHeader(http.StatusOK)
		return http.StatusOK, OutcomeDropped
	}
	if e.Body != nil && !e.Body(r.Header, body) {
		return fail(http.StatusUnauthorized, OutcomeUnauthorized)
	}
	ctx, cancel := context.WithTimeout(r.Context(), e.Timeout)
	defer cancel()
	ans, err := e.Handle(ctx, r, body)
	switch {
	case errors.Is(err, ErrMalformed):
		log.Warn("authenticated webhook request not usable: dropped", "bytes", len(body), "error", err.Error())
		w.WriteHeader(http.StatusOK)
		return http.StatusOK, OutcomeDropped
	case err != nil:
		log.Warn("webhook request not handled: the platform will retry", "error", err.Error())
		return fail(http.StatusServiceUnavailable, OutcomeUnavailable)
	}
	if ans.ContentType != "" {
		w.Header().Set("Content-Type", ans.ContentType)
	}
	w.WriteHeader(http.StatusOK)
	if len(ans.Body) > 0 {
		_, _ = w.Write(ans.Body)
	}
	return http.StatusOK, OutcomeOK
}
