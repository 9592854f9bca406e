package flow

// The source model: what a flow file says, with positions. Check validates
// it and Compile turns it into a Program.

// File is one decoded flow file.
type File struct {
	Path  string
	ID    string // the `flow:` key
	IDPos Pos
	// Title is the message id naming the flow (used in graphs and reports).
	Title    Ref
	Start    Ref
	Steps    []*Step // in file order
	Pos      Pos
	stepByID map[string]*Step
}

// Ref is a name written somewhere in a file: a step id, a flow id, a message
// id, an action name.
type Ref struct {
	Name string
	Pos  Pos
}

// Text is one message to say: a locale message id with optional template
// data, whose values may name variables ("{child_age}").
type Text struct {
	ID   Ref
	Data map[string]string
}

// Step is one node of a flow as written.
type Step struct {
	ID   string
	Pos  Pos
	Flow *File

	Say []Text

	Options []*Option
	// Replies answer, in place, what users type at the options instead of
	// choosing one, or at an ask: instead of an answer: a meaning of the
	// answers examples (contact: "phone number?") → the text said before
	// the question again.
	Replies []Reply

	Ask     Ref // input type
	From    Ref // ask: choice — the variable holding the choices
	Save    Ref // variable name
	Invalid []Text
	Min     *float64
	Max     *float64

	Do   Ref
	With map[string]string
	On   []Outcome

	Switch []*Case

	Goto    Ref // another flow
	Handoff Ref // reason, free text for operators' routing
	End     bool
	Next    Ref
	Set     map[string]string
	SetPos  Pos
}

// Option is one choice of an options step.
type Option struct {
	Pos     Pos
	Label   Ref
	Next    Ref
	Goto    Ref
	Command Ref
	Set     map[string]string
	// Means names what a user types to choose this option in their own
	// words ("where do I go?"): a meaning of the answers examples
	// (locales/examples/<lang>.answers.yaml).
	Means Ref
}

// Reply is one entry of a step's replies:.
type Reply struct {
	Means Ref
	Say   Ref
}

// Outcome maps an action outcome to the next step.
type Outcome struct {
	Name Ref
	Next Ref
}

// Case is one arm of a switch as written: when If holds (or If is empty:
// always), go to Next.
type Case struct {
	Pos  Pos
	If   string
	IfAt Pos
	Next Ref
}

// Kind is what a step does after saying its texts (each kind: kind_*.go,
// listed in stepKinds).
type Kind int

// Step kinds.
const (
	KindSay     Kind = iota // say, then next
	KindOptions             // wait for a choice
	KindAsk                 // wait for typed input
	KindDo                  // run an action, follow its outcome
	KindSwitch              // follow the first branch whose condition holds
	KindGoto                // continue in another flow
	KindHandoff             // hand the conversation to an operator
	KindEnd                 // the flow is done
)

// AskTypes are the typed inputs a step can ask for.
var AskTypes = map[string]string{
	"text":         "free text (min/max: length in characters)",
	"number":       "a number, in any script (min/max: bounds)",
	"integer":      "a whole number (min/max: bounds)",
	"age":          "an age, a whole number (min/max: bounds); the sentence that led into the flow answers it when it writes one (\"mio figlio ha 8 anni\")",
	"yes_no":       "yes or no, in any launch language; saved as yes or no",
	"date":         "a date, Italian (12/03/2015, 12 marzo 2015) or ISO (2015-03-12) form; saved as YYYY-MM-DD",
	"phone":        "a phone number; saved in E.164 form (+393331234567)",
	"email":        "an e-mail address",
	"municipality": "a Tuscan municipality, accent- and typo-tolerant, or a shared location; saved as its name, with _code and _province",
	"location":     "a shared location, or a municipality's name; saved as _lat and _lon, and the municipality",
	"choice":       "one of the choices an action listed in the variable named by from: (buttons made at run time); saved as the choice's value",
}

// Commands are the global commands an option can run (`command:`).
var Commands = []string{"menu", "back", "operator", "language", "privacy", "forget", "restart"}
