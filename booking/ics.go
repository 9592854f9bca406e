package booking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is an appointment as a calendar file holds it.
type Event struct {
	Code     string    `json:"c"`
	Start    time.Time `json:"s"`
	Minutes  int       `json:"m"`
	Title    string    `json:"t"`
	Location string    `json:"l"`
}

// Calendar makes and reads the "add to calendar" links of confirmations:
// the event is in the link itself, signed, so the server keeps nothing for
// it and nobody can make it serve a calendar file of their own.
type Calendar struct {
	// Base is the service's public address (https://bot.example.org).
	Base string
	Key  []byte
}

// Link returns the address of e's calendar file.
func (c *Calendar) Link(e Event) string {
	raw, _ := json.Marshal(e)
	d := base64.RawURLEncoding.EncodeToString(raw)
	return strings.TrimRight(c.Base, "/") + "/calendar.ics?d=" + d + "&s=" + c.sign(d)
}

func (c *Calendar) sign(d string) string {
	m := hmac.New(sha256.New, c.Key)
	m.Write([]byte("teamsbot calendar\x00" + d))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// ErrBadLink is a calendar link that was not made here, or was changed.
var ErrBadLink = errors.New("not a calendar link of this service")

// Read checks a link's signature and returns its event.
func (c *Calendar) Read(d, s string) (Event, error) {
	var e Event
	if len(d) > 2048 || !hmac.Equal([]byte(s), []byte(c.sign(d))) {
		return e, ErrBadLink
	}
	raw, err := base64.RawURLEncoding.DecodeString(d)
	if err != nil || json.Unmarshal(raw, &e) != nil || e.Start.IsZero() || e.Minutes <= 0 {
		return e, ErrBadLink
	}
	return e, nil
}

// ICS writes e as an iCalendar file (RFC 5545): times in UTC, so every
// phone places it right on either side of a daylight-saving change.
func ICS(e Event, now time.Time) string {
	const f = "20060102T150405Z"
	var b strings.Builder
	line := func(s string) {
		// Lines fold at 75 octets, never inside a character.
		for len(s) > 75 {
			cut := 75
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			b.WriteString(s[:cut] + "\r\n")
			s = " " + s[cut:]
		}
		b.WriteString(s + "\r\n")
	}
	esc := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "")
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//TEAMS programme//teamsbot//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("BEGIN:VEVENT")
	line("UID:" + esc.Replace(e.Code) + "@teamsbot")
	line("DTSTAMP:" + now.UTC().Format(f))
	line("DTSTART:" + e.Start.UTC().Format(f))
	line("DTEND:" + e.Start.Add(time.Duration(e.Minutes)*time.Minute).UTC().Format(f))
	line("SUMMARY:" + esc.Replace(e.Title))
	line("LOCATION:" + esc.Replace(e.Location))
	line("DESCRIPTION:" + esc.Replace(fmt.Sprintf("%s · %s", e.Title, e.Code)))
	line("BEGIN:VALARM")
	line("TRIGGER:-PT2H")
	line("ACTION:DISPLAY")
	line("DESCRIPTION:" + esc.Replace(e.Title))
	line("END:VALARM")
	line("END:VEVENT")
	line("END:VCALENDAR")
	return b.String()
}
