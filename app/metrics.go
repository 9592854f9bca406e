package app

import (
	"context"
	"math"
	"runtime"
	"strconv"
	"time"

	"teamsbot/handoff"
	"teamsbot/report"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"teamsbot/bot"
)

// metrics implements bot.Metrics with Prometheus. Labels are channels,
// languages, flow ids and reasons: never a user, a name or a text.
type metrics struct {
	reg       *prometheus.Registry
	inbound   *prometheus.CounterVec
	turns     *prometheus.HistogramVec
	failed    *prometheus.CounterVec
	events    *prometheus.CounterVec
	flows     *prometheus.CounterVec
	routed    *prometheus.CounterVec
	sendFail  *prometheus.CounterVec
	outbox    *prometheus.CounterVec
	fallbacks *prometheus.CounterVec
	// platformStatus counts delivery statuses and final send failures by
	// the platform's error code.
	platformStatus *prometheus.CounterVec
	// attendance counts appointments marked attended or no_show by operators.
	attendance *prometheus.CounterVec
	// webhooks counts webhook requests by route, outcome and status;
	// webhookTime is how long they took.
	webhooks    *prometheus.CounterVec
	webhookTime *prometheus.HistogramVec
	// DeskCases counts what operators recorded of their cases: a topic or
	// an outcome (field), and its value.
	DeskCases *prometheus.CounterVec
	// http counts every HTTP request by route (the pattern it matched) and
	// status.
	http *prometheus.CounterVec
	// stats counts the programme's figures (package report); nil counts
	// nothing.
	stats *report.Recorder
	// replyDelay is how long replies took to be accepted by the platform.
	replyDelay *prometheus.HistogramVec
	// buildInfo says which version runs (value 1).
	buildInfo *prometheus.GaugeVec
}

var _ bot.Metrics = (*metrics)(nil)

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.inbound = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_inbound_messages_total",
		Help: "Messages received, by channel; duplicate=true for redeliveries that were ignored."}, []string{"channel", "duplicate"})
	m.turns = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "teamsbot_turn_seconds",
		Help: "Time to handle one message: lock, load, engine, save, send.", Buckets: []float64{.0005, .001, .005, .01, .05, .1, .5, 1, 5}}, []string{"channel"})
	m.failed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_turn_failures_total",
		Help: "Messages whose handling failed (the user got an apology)."}, []string{"channel"})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_events_total",
		Help: "Conversation events: handoff, relay, forget, miss, language, by channel and language."}, []string{"channel", "event", "lang"})
	m.flows = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_flows_total",
		Help: "Flows started and completed, by flow and language (programme indicators)."}, []string{"flow", "lang", "stage"})
	m.routed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_routed_total",
		Help: "Free text that led somewhere, by intent (a guide, kind of office, flow or command) and language."}, []string{"intent", "lang"})
	m.sendFail = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_send_failures_total",
		Help: "Replies that could not be delivered."}, []string{"channel"})
	m.outbox = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_outbox_total",
		Help: "Undelivered replies: kept (a delivery failed, retried later), resent (delivered by a later holder of the conversation), failed (given up), dropped (over the outbox's bound)."}, []string{"channel", "event"})
	m.fallbacks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_translation_fallbacks_total",
		Help: "Texts served in a fallback language because the user's language lacks them."}, []string{"lang"})
	m.platformStatus = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_platform_statuses_total",
		Help: "Delivery statuses reported by the platforms (sent, delivered, read, failed, send_failed) with their error code."}, []string{"channel", "status", "code"})
	m.attendance = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_bookings_attendance_total",
		Help: "Appointments operators marked on the daily agenda: attended or no_show."}, []string{"status"})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_webhook_requests_total",
		Help: "Webhook requests by route (telegram, whatsapp, slack_events...), outcome (ok, unauthorized, too_large, dropped, unavailable) and HTTP status."}, []string{"route", "outcome", "status"})
	m.webhookTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "teamsbot_webhook_seconds",
		Help: "Time to answer a webhook request, by route.", Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 2.5, 5, 20}}, []string{"route"})
	m.DeskCases = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_desk_cases_total",
		Help: "What operators recorded of their cases: field topic (an intent: guides.*, kinds.*, other) or outcome (answered, referred, booked, no_answer)."}, []string{"field", "value"})
	m.http = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "teamsbot_http_requests_total",
		Help: "HTTP requests by route (the pattern matched: \"POST /chat/api/send\", \"unmatched\") and status."}, []string{"route", "status"})
	m.replyDelay = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "teamsbot_reply_delay_seconds",
		Help: "From a message's handling to its replies accepted by the platform (the platform's pace and any backlog included).", Buckets: []float64{.005, .01, .05, .1, .5, 1, 2, 5, 10, 30, 60}}, []string{"channel"})
	m.buildInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "teamsbot_build_info",
		Help: "The running version (value 1)."}, []string{"version", "goversion"})
	m.buildInfo.WithLabelValues(Version, runtime.Version()).Set(1)
	// Label sets created up front, so dashboards show zeros, not gaps.
	for _, o := range handoff.Outcomes {
		m.DeskCases.WithLabelValues("outcome", o)
	}
	m.reg.MustRegister(m.inbound, m.turns, m.failed, m.events, m.flows, m.routed, m.sendFail, m.outbox, m.fallbacks, m.platformStatus, m.attendance,
		m.webhooks, m.webhookTime, m.DeskCases, m.buildInfo, m.http, m.replyDelay,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) Inbound(channel string, duplicate bool) {
	d := "false"
	if duplicate {
		d = "true"
	}
	m.inbound.WithLabelValues(channel, d).Inc()
	if !duplicate {
		m.stats.Count(time.Now(), "messages", channel)
	}
}

func (m *metrics) Turn(channel string, took time.Duration, failed bool) {
	m.turns.WithLabelValues(channel).Observe(took.Seconds())
	if failed {
		m.failed.WithLabelValues(channel).Inc()
	}
}

func (m *metrics) Event(channel string, ev bot.Event) {
	lang := ev.Lang
	if lang == "" {
		lang = "none"
	}
	m.countEvent(channel, lang, ev)
	switch ev.Kind {
	case bot.EventFlowStarted:
		m.flows.WithLabelValues(ev.Flow, lang, "started").Inc()
	case bot.EventFlowCompleted:
		m.flows.WithLabelValues(ev.Flow, lang, "completed").Inc()
	case bot.EventRouted:
		m.routed.WithLabelValues(ev.Reason, lang).Inc()
	default:
		m.events.WithLabelValues(channel, ev.Kind.String(), lang).Inc()
	}
}

// ReplyDelay implements bot.DelayMetrics.
func (m *metrics) ReplyDelay(channel string, d time.Duration) {
	m.replyDelay.WithLabelValues(channel).Observe(d.Seconds())
}

func (m *metrics) SendFailed(channel string) { m.sendFail.WithLabelValues(channel).Inc() }

func (m *metrics) Outbox(channel, event string) { m.outbox.WithLabelValues(channel, event).Inc() }

// Webhook observes one webhook request (webhook.Observer).
func (m *metrics) Webhook(route, outcome string, status int, took time.Duration) {
	m.webhooks.WithLabelValues(route, outcome, strconv.Itoa(status)).Inc()
	m.webhookTime.WithLabelValues(route).Observe(took.Seconds())
}

// countEvent adds an event to the programme's figures: bounded values only
// (languages, flows, intents, reasons), never text.
func (m *metrics) countEvent(channel, lang string, ev bot.Event) {
	if m.stats == nil {
		return
	}
	now := time.Now()
	if c, ok := eventFigures[ev.Kind]; ok {
		value := lang
		switch c.by {
		case "flow":
			value = ev.Flow
		case "reason":
			value = ev.Reason
		}
		m.stats.Count(now, c.figure, value)
	}
	if ev.Kind == bot.EventAction && ev.Reason == "booking.book:mediator" {
		m.stats.Count(now, "mediators", lang)
	}
}

// eventFigures say which figure of the programme's report each event
// counts, and by what: the user's language, the flow, or the event's reason.
var eventFigures = map[bot.EventKind]struct{ figure, by string }{
	bot.EventLanguage:      {"languages", "lang"},
	bot.EventFlowStarted:   {"flows.started", "flow"},
	bot.EventFlowCompleted: {"flows.completed", "flow"},
	bot.EventRouted:        {"topics", "reason"},
	bot.EventNotUnderstood: {"not_understood", "lang"},
	bot.EventHandoff:       {"handoffs", "lang"},
	bot.EventHandoffEnded:  {"handoffs.ended", "reason"},
	bot.EventFeedback:      {"ratings", "reason"},
	bot.EventPlace:         {"provinces", "reason"},
	bot.EventAction:        {"actions", "reason"},
}

// handoffs reports the cases open at the desk, by state (waiting for an
// operator, taken), read from the store at each scrape.
func (m *metrics) handoffs(read func(context.Context) (waiting, taken int, err error)) {
	m.stateGauges(prometheus.GaugeOpts{Name: "teamsbot_handoffs_open",
		Help: "Cases open at the operators' desk, by state: waiting for an operator, or taken."}, [2]string{"waiting", "taken"}, read)
}

// outboxDepth reports how many conversations have replies waiting to be
// sent and how many have replies given up, read from the store at each
// scrape.
func (m *metrics) outboxDepth(read func(context.Context) (waiting, failed int, err error)) {
	m.stateGauges(prometheus.GaugeOpts{Name: "teamsbot_outbox_conversations",
		Help: "Conversations with replies waiting to be sent (waiting) or given up after every retry (failed)."}, [2]string{"waiting", "failed"}, read)
}

// stateGauges registers one gauge per state, each reading its count with
// read (at most a second; NaN when the store does not answer).
func (m *metrics) stateGauges(opts prometheus.GaugeOpts, states [2]string, read func(context.Context) (int, int, error)) {
	for i, state := range states {
		o := opts
		o.ConstLabels = prometheus.Labels{"state": state}
		m.reg.MustRegister(prometheus.NewGaugeFunc(o, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			a, b, err := read(ctx)
			if err != nil {
				return math.NaN()
			}
			return float64([2]int{a, b}[i])
		}))
	}
}
