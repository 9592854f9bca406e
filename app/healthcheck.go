package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"teamsbot/booking"
)

// healthcheck asks the server of this container (TEAMSBOT_ADDR, default
// :8080) whether it is ready: exit 0 when /readyz answers 200, 1 otherwise.
// A distroless image has no curl: this is its HEALTHCHECK.
func healthcheck(ctx context.Context, env Env) error {
	addr := env.Getenv("TEAMSBOT_ADDR")
	if addr == "" {
		addr = Default().Addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("TEAMSBOT_ADDR=%q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(strings.Trim(host, "[]"), port)+"/readyz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(env.Stderr, "not ready:", err)
		return ExitError{Code: 1}
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		fmt.Fprintln(env.Stderr, "not ready:", res.Status)
		return ExitError{Code: 1}
	}
	fmt.Fprintln(env.Stdout, "ready")
	return nil
}

// calendarFile serves the "add to calendar" file of a confirmation: the
// appointment is in the signed link, nothing is looked up.
func calendarFile(cal *booking.Calendar) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e, err := cal.Read(r.URL.Query().Get("d"), r.URL.Query().Get("s"))
		if err != nil {
			http.Error(w, "not a calendar link of this service", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="appointment.ics"`)
		w.Header().Set("Cache-Control", "private, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fmt.Fprint(w, booking.ICS(e, time.Now()))
	}
}
