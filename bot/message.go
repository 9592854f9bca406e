package bot

import "time"

// Inbound is one message from a user, whatever the channel.
type Inbound struct {
	// Channel names the adapter ("telegram", "whatsapp", "webchat", "console").
	Channel string
	// UserID is the platform's id of the user on that channel. It is personal
	// data: logs and metrics only ever see Pseudonym(UserID).
	UserID string
	// ID is the platform's message id, the deduplication key. Empty means the
	// channel cannot redeliver (the console) and no check is made.
	ID string
	// Text is what the user typed, or the caption of a media message.
	Text string
	// Option is the id of a button the user pressed (Option.ID of a Reply).
	Option string
	// Location is set when the user shared a position.
	Location *Location
	// Media is set when the user sent a photo, voice note, video or document.
	Media *Media
	// LangHint is the platform's idea of the user's language (Telegram's
	// language_code, a WhatsApp phone prefix mapped to a language), or "".
	LangHint string
	// Payload is a start parameter (a Telegram deep link, a QR code on a
	// poster): it names a language, a flow or both. See Engine.StartLinks.
	Payload string
	// Time is when the platform received the message; zero means now.
	Time time.Time
	// Seq orders the messages of one conversation as the platform does
	// (Telegram's update_id; WhatsApp's timestamp in ms, then the order in
	// the notification); 0 when the channel has none. See
	// ServiceConfig.OrderWindow.
	Seq int64
	// Status is a change of the user's relation with the bot instead of a
	// message: StatusBlocked (the user blocked the bot: send nothing more)
	// or StatusUnblocked.
	Status string
}

// Statuses a channel reports.
const (
	StatusBlocked   = "blocked"
	StatusUnblocked = "unblocked"
)

// Key is the conversation key of the message: channel and user.
func (in Inbound) Key() string { return ConversationKey(in.Channel, in.UserID) }

// ConversationKey is the store key of one user's conversation on one channel.
func ConversationKey(channel, userID string) string { return channel + ":" + userID }

// Location is a point shared by the user (WGS84).
type Location struct {
	Lat, Lon float64
}

// MediaKind says what kind of file a user sent.
type MediaKind string

// The media kinds the channels map their payloads to.
const (
	MediaImage    MediaKind = "image"
	MediaAudio    MediaKind = "audio"
	MediaVideo    MediaKind = "video"
	MediaDocument MediaKind = "document"
	MediaSticker  MediaKind = "sticker"
	// MediaUnsupported is a message the platform itself could not show (a
	// poll, a new message type).
	MediaUnsupported MediaKind = "unsupported"
)

// Media is a file sent by the user. The engine never downloads it: during a
// handoff the reference is passed to the operators' desk.
type Media struct {
	Kind MediaKind
	// Ref is the channel's reference to the file (a Telegram file_id, a
	// WhatsApp media id, a URL).
	Ref      string
	MIME     string
	Filename string
}

// Reply is one message from the bot. Channels render Options to what they can
// show (buttons, lists, numbered lines); every option can also be answered by
// its number or its label.
type Reply struct {
	Text    string
	Options []Option
	// AskLocation asks the channel to offer a "share my location" button,
	// labelled LocationLabel in the user's language.
	AskLocation   bool
	LocationLabel string
	// ChooseLabel names the button that opens a list of options, where a
	// channel shows them that way (WhatsApp's list messages).
	ChooseLabel string
	// Lang is the language the text is written in (for right-to-left layout).
	Lang string
	// MessageIDs are the ids of the locale messages this reply was made from,
	// for conversation tests and analytics. Channels do not show them.
	MessageIDs []string
	// FromOperator marks text written by a person at the operators' desk.
	FromOperator string
	// Notice marks a message the bot sends on its own (Service.Notify: a
	// reminder, a freed place, an office's cancellation), not an answer to
	// someone waiting: channels pace notices behind answers
	// (chatutil.BulkShare).
	Notice bool
}

// Option is a choice offered to the user.
type Option struct {
	// ID is what the channel sends back when the option is pressed: short
	// (Telegram allows 64 bytes), and tied to the question it belongs to, so
	// that a tap on an old keyboard is recognised.
	ID string
	// Label is the text shown, in the user's language.
	Label string
	// MessageID is the locale message the label came from.
	MessageID string
}
