// Package console is the terminal channel: `teamsbot chat` reads the user's
// lines from stdin and prints the bot's replies to stdout, one block per
// reply, options as numbered lines. It works from a pipe, so a content
// editor can script a conversation.
//
// Import limits: bot and the standard library. Like every adapter it never
// imports a store or another adapter.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"teamsbot/bot"
)

// Channel is the console's channel name.
const Channel = "console"

// MaxLine bounds one line read from stdin (longer lines are cut).
const MaxLine = 64 << 10

// Adapter prints replies to a writer and turns lines into inbound messages.
type Adapter struct {
	mu  sync.Mutex
	out io.Writer
}

var _ bot.Sender = (*Adapter)(nil)

// New returns an adapter writing to out.
func New(out io.Writer) *Adapter { return &Adapter{out: out} }

// Send implements bot.Sender: each reply is a block of text, its options as
// "  1. label" lines, followed by an empty line.
func (a *Adapter) Send(_ context.Context, _ string, replies []bot.Reply) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var b strings.Builder
	for _, r := range replies {
		if r.FromOperator != "" {
			fmt.Fprintf(&b, "[%s] ", clean(r.FromOperator))
		}
		if r.Text != "" {
			b.WriteString(clean(r.Text))
			b.WriteByte('\n')
		}
		for i, o := range r.Options {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, clean(o.Label))
		}
		if r.AskLocation {
			b.WriteString("  (location: write \"@ 43.77, 11.25\")\n")
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(a.out, b.String())
	return err
}

// Inbound turns a typed line into a message. A number answers a numbered
// list as on every channel; "@ lat, lon" shares a location; "/start payload"
// passes a deep-link payload, as a Telegram link would.
func (a *Adapter) Inbound(user, line, lang string) bot.Inbound {
	in := bot.Inbound{Channel: Channel, UserID: user, Text: line, LangHint: lang}
	trimmed := strings.TrimSpace(line)
	if rest, ok := strings.CutPrefix(trimmed, "@"); ok {
		var lat, lon float64
		if _, err := fmt.Sscanf(strings.ReplaceAll(rest, ",", " "), "%f %f", &lat, &lon); err == nil {
			in.Text = ""
			in.Location = &bot.Location{Lat: lat, Lon: lon}
			return in
		}
	}
	if rest, ok := strings.CutPrefix(trimmed, "/start "); ok {
		in.Payload = strings.TrimSpace(rest)
	}
	return in
}

// Run reads lines from r until EOF or ctx ends and hands each to handle.
// A line longer than MaxLine is cut there (the rest of it is read and
// dropped), so a pasted document is one message, never an error.
func Run(ctx context.Context, r io.Reader, handle func(ctx context.Context, line string) error) error {
	br := bufio.NewReaderSize(r, 4096)
	for {
		line, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read input: %w", err)
		}
		if errors.Is(err, io.EOF) && line == "" {
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil
		}
		if herr := handle(ctx, line); herr != nil {
			return herr
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// readLine reads one line without its end (\n or \r\n), at most MaxLine
// bytes of it, cut at a character boundary.
func readLine(br *bufio.Reader) (string, error) {
	var buf []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(buf) < MaxLine {
			buf = append(buf, chunk[:min(len(chunk), MaxLine-len(buf))]...)
		}
		if err != nil {
			return cutRunes(buf), err
		}
		if !isPrefix {
			return cutRunes(buf), nil
		}
	}
}

// cutRunes drops a character split by the MaxLine cut.
func cutRunes(b []byte) string {
	for range utf8.UTFMax - 1 {
		if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return string(b)
}

// clean removes control characters (but newlines) from text shown in the
// terminal, so no text can move the cursor or change colours.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' {
			return -1
		}
		return r
	}, s)
}
