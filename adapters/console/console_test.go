package console

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"teamsbot/bot"
)

func TestSendPrintsBlocksAndNumberedOptions(t *testing.T) {
	var out bytes.Buffer
	a := New(&out)
	err := a.Send(context.Background(), "u", []bot.Reply{
		{Text: "Hello\x1b[2J", Options: []bot.Option{{ID: "o:1", Label: "Yes"}, {ID: "o:2", Label: "No"}}},
		{Text: "Ciao", FromOperator: "Giulia"},
		{Text: "Where?", AskLocation: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "Hello[2J\n  1. Yes\n  2. No\n\n[Giulia] Ciao\n\nWhere?\n  (location: write \"@ 43.77, 11.25\")\n\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}

func TestInbound(t *testing.T) {
	a := New(nil)
	if in := a.Inbound("me", "@ 43.77, 11.25", "en"); in.Location == nil || in.Location.Lat != 43.77 || in.Text != "" {
		t.Errorf("location: %+v", in)
	}
	if in := a.Inbound("me", "/start lang_ar-school", ""); in.Payload != "lang_ar-school" {
		t.Errorf("payload: %+v", in)
	}
	if in := a.Inbound("me", "@home", ""); in.Location != nil || in.Text != "@home" {
		t.Errorf("not a location: %+v", in)
	}
	if in := a.Inbound("me", "2", "it"); in.Text != "2" || in.Channel != Channel || in.UserID != "me" || in.LangHint != "it" {
		t.Errorf("text: %+v", in)
	}
}

func TestRunReadsLinesAndLongOnes(t *testing.T) {
	var got []string
	input := "one\n" + strings.Repeat("x", 20000) + "\nthree"
	err := Run(context.Background(), strings.NewReader(input), func(_ context.Context, line string) error {
		got = append(got, line)
		return nil
	})
	if err != nil || len(got) != 3 || len(got[1]) != 20000 || got[2] != "three" {
		t.Errorf("Run: %v, %d lines", err, len(got))
	}
	// A line over MaxLine (a pasted document) is cut, at a character
	// boundary, and the conversation goes on with the next line.
	got = nil
	input = "x" + strings.Repeat("é", MaxLine) + "\r\nnext\r\n"
	err = Run(context.Background(), strings.NewReader(input), func(_ context.Context, line string) error {
		got = append(got, line)
		return nil
	})
	if err != nil || len(got) != 2 || len(got[0]) != MaxLine-1 || !utf8.ValidString(got[0]) || got[1] != "next" {
		t.Errorf("Run over MaxLine: %v, %d lines", err, len(got))
	}
}
