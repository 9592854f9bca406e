// Package telegram is the Telegram channel: a webhook handler of our own
// (the secret checked in constant time before anything else, 401 on a wrong
// one), long polling for a laptop without a public URL, the conversion of
// updates into bot.Inbound, and a Sender that renders replies as HTML with
// inline keyboards, splits long texts, paces per chat and overall, honours
// retry_after, retries 5xx and stops on 403.
//
// github.com/go-telegram/bot serves the Bot API calls and the polling loop;
// its own WebhookHandler is not used: it answers 200 on a wrong secret and
// before the update is handled.
//
// Import limits: bot, go-telegram/bot, golang.org/x/time/rate and the
// standard library. Never a store or another adapter.
package telegram
