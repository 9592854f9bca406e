// Package slack is the operators' desk in Slack: when a conversation is
// handed off, one message per conversation in the operators' channel with
// what an operator needs at a glance and the buttons Take, Give back to bot
// and Close; the thread under it is the conversation, relayed both ways.
// Requests from Slack (Events API, interactivity, the /teams slash command)
// are verified with the signing secret and a 5-minute window. An operator's
// message is relayed before its event is acknowledged (within ackBudget),
// and left unacknowledged when the store is unavailable, so that Slack
// delivers it again; its Slack id, recorded in the user's session with the
// relaying turn, makes a retry harmless. A button press is handled before
// its answer too (a store failure changes nothing and answers an error the
// operator sees); /teams is answered at once.
//
// Operators read the desk in their language (Config.Lang,
// TEAMSBOT_OPERATOR_LANG), whatever the user's: every text is a locale
// message, desk.* (Messages), rendered by Config.Texts.
//
// It implements bot.Desk; it reaches conversations only through the
// Operators interface (bot.Service), and keeps its own records (which thread
// is which conversation) in the store's key-value methods.
//
// Import limits: bot, slack-go/slack and the standard library.
package slack
