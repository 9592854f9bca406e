package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode connects to Slack with the app-level token (xapp-...) and
// handles events, button presses and /teams over the socket until ctx ends:
// an office without a public URL can run the desk. Envelopes are handled
// one at a time, in order. An event is acknowledged after its work (or
// after ackBudget, the work going on), as over HTTP, and not at all when
// the store is unavailable, so Slack delivers it again; a button press is
// acknowledged after its work too (the operator sees Slack's error when it
// could not be done), /teams at once. Slack does not sign socket messages:
// the token authenticates the connection. Events reach h (see Hooks).
func (d *Desk) RunSocketMode(ctx context.Context, appToken string, h *Hooks) error {
	if !strings.HasPrefix(appToken, "xapp-") {
		return fmt.Errorf("slack: SLACK_APP_TOKEN must be an app-level token (xapp-...)")
	}
	opts := []slack.Option{slack.OptionAppLevelToken(appToken)}
	if d.cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(d.cfg.APIURL, "/")+"/"))
	}
	client := socketmode.New(slack.New(d.cfg.BotToken, opts...))
	e := d.with(h)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt, ok := <-client.Events:
				if !ok {
					return
				}
				e.socketEvent(ctx, client, evt)
			}
		}
	}()
	d.log.Info("slack socket mode")
	// RunContext returns only with an error, the context's when it ends.
	if err := client.RunContext(ctx); ctx.Err() == nil {
		return fmt.Errorf("slack: socket mode: %w", err)
	}
	return nil
}

func (d *events) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		// As over HTTP: the work first (within ackBudget), then the
		// acknowledgement, which is withheld when the store is unavailable
		// so that Slack delivers the event again.
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if ok && ev.Type == slackevents.CallbackEvent {
			if err := d.callbackEvent(ctx, ev); err != nil {
				d.log.Warn("socket event not handled: left for Slack to deliver again", "error", err)
				return
			}
		}
		if evt.Request != nil {
			_ = client.Ack(*evt.Request)
		}
	case socketmode.EventTypeInteractive:
		ic, ok := evt.Data.(slack.InteractionCallback)
		var reply *slack.ViewSubmissionResponse
		if ok {
			var err error
			if reply, err = d.interaction(ctx, ic); err != nil {
				d.log.Warn("button not done: the store is unavailable", "error", err)
				return // not acknowledged: Slack shows the operator an error
			}
		}
		if evt.Request != nil {
			if reply != nil {
				_ = client.Ack(*evt.Request, reply)
			} else {
				_ = client.Ack(*evt.Request)
			}
		}
	case socketmode.EventTypeSlashCommand:
		cmd, _ := evt.Data.(slack.SlashCommand)
		text := d.slash(ctx, cmd.Text, cmd.ChannelID, cmd.UserID, cmd.TriggerID)
		if evt.Request != nil {
			if text == "" {
				_ = client.Ack(*evt.Request) // a form opened
			} else {
				_ = client.Ack(*evt.Request, map[string]string{"response_type": "ephemeral", "text": text})
			}
		}
	}
}
