package bot

// Language is a language the bot speaks.
type Language struct {
	Code string // "it", "en", "fr", "ar", "sq", "zh"
	// Name is the language's name in itself ("Italiano", "العربية", "中文"),
	// the way a user who speaks it recognises it.
	Name string
	// Italian is its name in Italian ("arabo"), for operators and offices.
	Italian string
	// Names are its names in the other languages offered ("anglais",
	// "英语"): a text naming it asks for it.
	Names []string
	// Script is a Unicode script (a unicode.Scripts key) that, among the
	// languages offered, only this one is written in ("Arabic", "Han"): a
	// message in it tells the language.
	Script string
	// Preparing marks a language still being translated: its texts are
	// checked and measured, but it is not offered to users.
	Preparing bool
	// Review says how its texts were produced while no native speaker has
	// checked them ("machine translation..."): users who choose it are told
	// (language.unreviewed). Empty once reviewed.
	Review string
}

// Translator renders locale messages. Package locales implements it over a
// go-i18n bundle.
type Translator interface {
	// Text renders message id in lang with data (a "count" entry selects the
	// CLDR plural form). A message missing in lang falls back to English, then
	// Italian; it never returns a bare id unless the id is missing everywhere.
	Text(lang, id string, data map[string]string) string
	// Has reports whether the reference language has id.
	Has(id string) bool
	// Languages lists the languages offered to users, in the order shown.
	Languages() []Language
	// Match maps a platform's language hint ("en-US", "zh-hans", "ar") to a
	// supported language code.
	Match(hint string) (code string, ok bool)
}

// EngineMessages are the message ids the engine itself says (not the flows);
// `teamsbot lint` checks they exist.
var EngineMessages = []string{
	"language.name", "language.ask", "language.changed", "language.unreviewed", "language.offer",
	"command.menu", "command.back", "command.operator", "command.language", "command.privacy", "command.forget", "command.restart",
	"privacy.notice", "privacy.danger_first", "privacy.accept", "privacy.decline", "privacy.please", "privacy.question_kept", "privacy.declined", "privacy.forget",
	"welcome.hello", "welcome.back",
	"common.menu", "common.continue", "common.try_again", "common.operator", "common.restarted", "common.no_back", "common.share_location", "common.choose",
	"forget.confirm", "forget.yes", "forget.no", "forget.done",
	"error.generic", "error.not_understood", "error.choose_option", "error.old_button", "error.media", "error.content_changed", "error.which_municipality",
	"fallback.stuck",
	"route.did_you_mean", "route.none", "route.not_understood", "place.understood", "place.outside", "chat.thanks",
	"operator.queue", "operator.closed_hours", "operator.later", "day.today", "day.tomorrow",
	"operator.timeout", "operator.try_again", "operator.callback", "operator.closed", "feedback.ask", "feedback.thanks",
	"operator.machine_translated", "operator.show_original", "operator.translation_failed", "operator.original_is",
	"operator.unavailable", "operator.waiting", "operator.cancel", "operator.relayed", "operator.joined", "operator.joined_named", "operator.someone", "operator.left", "operator.gave_back",
}

// EngineLabels are the engine's messages shown on buttons.
var EngineLabels = []string{
	"privacy.accept", "privacy.decline", "privacy.forget", "common.menu", "common.continue", "common.try_again",
	"common.operator", "forget.yes", "forget.no", "operator.cancel", "operator.show_original", "route.none", "common.choose", "operator.try_again", "operator.callback",
}
