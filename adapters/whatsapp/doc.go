// Package whatsapp is the WhatsApp Business Cloud API channel, over plain
// HTTP (no official Go SDK exists): the webhook (Meta's verification
// handshake; X-Hub-Signature-256 checked over the raw body in constant time
// before parsing), the conversion of notifications into bot.Inbound (every
// entry, change and message; business-scoped user ids first), and a Sender
// that renders options as reply buttons, list messages or numbered text
// within Meta's limits, paces the number's throughput and each user's pair
// limit, retries what can be retried, tracks the 24-hour window and falls
// back to an approved template outside it.
//
// Import limits: bot, golang.org/x/time/rate and the standard library.
package whatsapp
