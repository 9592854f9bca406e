package webchat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"teamsbot/bot"
)

// Channel is this channel's name in conversation keys and metrics.
const Channel = "webchat"

// Limits on what a browser may send.
const (
	MaxBody  = 16 << 10 // bytes of a send
	MaxText  = 4000     // characters of a message
	maxID    = 64       // bytes of a client message id
	maxStart = 64       // bytes of a start parameter
)

// Config configures the channel.
type Config struct {
	Store Store
	// Origins may embed the chat in a frame (the sites of the widget),
	// besides the bot's own: "https://www.regione.toscana.it".
	Origins []string
	// Languages are the languages offered; the first is the default of
	// the page when neither ?lang= nor the browser says one.
	Languages []bot.Language
	// Texts gives the page's own texts (webchat.* messages) in a language.
	Texts func(lang, id string) string
	// Match maps a browser's Accept-Language entry to an offered language.
	Match func(hint string) (string, bool)
	// Retention is how long a conversation's token and replies are kept
	// after its last message.
	Retention time.Duration
	// PerClient and PerIP bound sends: a browser, and all browsers behind
	// one address (a school's or an office's network shares one).
	PerClient, PerIP rate.Limit
	Burst            int
	// Stream is how long one events request lasts before the browser
	// reconnects (default 5 minutes); Poll how often a stream looks at its
	// feed by itself (default 5 seconds); Ping the keep-alive (20 seconds).
	Stream, Poll, Ping time.Duration
	Log                *slog.Logger
	// Now is the clock (tests).
	Now func() time.Time
}

// Adapter is the web chat channel: its HTTP handler and its bot.Sender.
type Adapter struct {
	cfg   Config
	hub   *hub
	bcast Broadcaster
	rtl   map[string]bool

	stopped  chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	clients map[string]*rate.Limiter
	ips     map[string]*rate.Limiter
	seen    time.Time
}

// New builds the channel. When the store is a Broadcaster (Redis), a reply
// written by any replica reaches a browser streaming from any other; call
// Run to listen.
func New(cfg Config) (*Adapter, error) {
	if cfg.Store == nil {
		return nil, errors.New("webchat: a store is needed")
	}
	if len(cfg.Languages) == 0 {
		return nil, errors.New("webchat: no languages")
	}
	for _, o := range cfg.Origins {
		if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") || strings.ContainsAny(o, " ;,'\"") || strings.Count(o, "/") > 2 {
			return nil, errors.New("webchat: TEAMSBOT_WEBCHAT_ORIGINS: " + o + " is not an origin (https://host[:port])")
		}
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	if cfg.PerClient <= 0 {
		cfg.PerClient = 1
	}
	if cfg.PerIP <= 0 {
		cfg.PerIP = 10
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 5
	}
	if cfg.Stream <= 0 {
		cfg.Stream = 5 * time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.Ping <= 0 {
		cfg.Ping = 20 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Texts == nil {
		cfg.Texts = func(_, id string) string { return id }
	}
	a := &Adapter{cfg: cfg, hub: newHub(), stopped: make(chan struct{}), rtl: map[string]bool{}, clients: map[string]*rate.Limiter{}, ips: map[string]*rate.Limiter{}}
	a.bcast, _ = cfg.Store.(Broadcaster)
	for _, l := range cfg.Languages {
		a.rtl[l.Code] = bot.RTLLanguage(l)
	}
	return a, nil
}

// Run listens to the other replicas' notifications until ctx ends (a no-op
// without a Broadcaster).
func (a *Adapter) Run(ctx context.Context) error {
	if a.bcast == nil {
		<-ctx.Done()
		return nil
	}
	for ctx.Err() == nil {
		err := a.bcast.Listen(ctx, "webchat:", func(topic string) {
			a.hub.wake(strings.TrimPrefix(topic, "webchat:"))
		})
		if err != nil && ctx.Err() == nil {
			a.cfg.Log.Warn("webchat: listening to the other replicas", "error", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}

// Stop ends every event stream (the server is shutting down: browsers
// reconnect to another replica, or to this one when it is back).
func (a *Adapter) Stop() { a.stopOnce.Do(func() { close(a.stopped) }) }

// Streams is how many browsers this replica is streaming to.
func (a *Adapter) Streams() int { return a.hub.streams() }

// reply is a reply as the page receives it.
type reply struct {
	Text     string   `json:"text"`
	Lang     string   `json:"lang,omitempty"`
	Dir      string   `json:"dir"`
	Options  []option `json:"options,omitempty"`
	Location string   `json:"location,omitempty"`
	Choose   string   `json:"choose,omitempty"`
	Operator bool     `json:"operator,omitempty"`
}

type option struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Send implements bot.Sender: the replies join the user's feed, and the
// browsers streaming it are told.
func (a *Adapter) Send(ctx context.Context, user string, replies []bot.Reply) error {
	data := make([]json.RawMessage, 0, len(replies))
	for _, r := range replies {
		out := reply{Text: r.Text, Lang: r.Lang, Dir: "ltr", Choose: r.ChooseLabel, Operator: r.FromOperator != ""}
		if a.rtl[r.Lang] {
			out.Dir = "rtl"
		}
		if r.AskLocation {
			out.Location = r.LocationLabel
		}
		for _, o := range r.Options {
			out.Options = append(out.Options, option{o.ID, o.Label})
		}
		raw, err := json.Marshal(out)
		if err != nil {
			return err
		}
		data = append(data, raw)
	}
	if err := appendFeed(ctx, a.cfg.Store, user, data, a.cfg.Now(), a.cfg.Retention); err != nil {
		return err
	}
	a.hub.wake(user)
	if a.bcast != nil {
		if err := a.bcast.Notify(ctx, "webchat:"+user); err != nil {
			// The other replicas' streams look at the feed by themselves.
			a.cfg.Log.Warn("webchat: notifying the other replicas", "error", err)
		}
	}
	return nil
}

// Forget implements bot.Keeper: "delete my data" deletes the feed of the
// conversation and its token, so the browser starts afresh.
func (a *Adapter) Forget(ctx context.Context, conv string, _ time.Time) ([]bot.Said, []bot.Told, error) {
	user, ok := strings.CutPrefix(conv, Channel+":")
	if !ok {
		return nil, nil, nil
	}
	for _, k := range []string{feedKey(user), tokenKey(user)} {
		if err := a.cfg.Store.Save(ctx, k, []byte("{}"), time.Second); err != nil {
			return nil, nil, err
		}
	}
	return nil, nil, nil
}

// newToken returns a fresh token and the user id it stands for.
func newToken() (token, user string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, userOf(token)
}

// userOf is the channel's user id of a token: a hash, so that neither the
// store nor the logs hold what opens the conversation.
func userOf(token string) string {
	sum := sha256.Sum256([]byte("teamsbot webchat\x00" + token))
	return hex.EncodeToString(sum[:16])
}

// auth returns the user of a request's bearer token, or "" when it has
// none or one the store does not know (expired, deleted).
func (a *Adapter) auth(r *http.Request) string {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || len(token) != 43 || strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return ""
	}
	user := userOf(token)
	raw, err := a.cfg.Store.Load(r.Context(), tokenKey(user))
	if err != nil || string(raw) != "1" {
		return ""
	}
	return user
}

func (a *Adapter) limiter(m map[string]*rate.Limiter, key string, l rate.Limit, burst int) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.cfg.Now()
	if now.Sub(a.seen) > 10*time.Minute {
		// Forget the limiters of the quiet: they are full again anyway.
		for k, lim := range m {
			if lim.Tokens() >= float64(lim.Burst()) {
				delete(m, k)
			}
		}
		a.seen = now
	}
	lim, ok := m[key]
	if !ok {
		lim = rate.NewLimiter(l, burst)
		m[key] = lim
	}
	return lim
}

// allow applies the per-client and per-address limits; it returns how long
// to wait when the request is over them.
func (a *Adapter) allow(r *http.Request, user string) (time.Duration, bool) {
	ip := clientIP(r)
	now := a.cfg.Now()
	if user != "" {
		if res := a.limiter(a.clients, user, a.cfg.PerClient, a.cfg.Burst); !res.AllowN(now, 1) {
			return time.Duration(math.Ceil(1/float64(a.cfg.PerClient))) * time.Second, false
		}
	}
	if res := a.limiter(a.ips, ip, a.cfg.PerIP, a.cfg.Burst*6); !res.AllowN(now, 1) {
		return time.Second, false
	}
	return 0, true
}

// clientIP is the request's address (behind a proxy, the proxy's: the
// limit is then shared, which errs on the safe side).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// sameOrigin rejects requests that a browser marks as coming from another
// site: the API is only the page's.
func sameOrigin(r *http.Request) bool {
	if r.Header.Get("X-Teamsbot-Chat") != "1" {
		return false
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		host := r.Host
		return o == "https://"+host || o == "http://"+host
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (a *Adapter) start(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
		return
	}
	if wait, ok := a.allow(r, ""); !ok {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "slow", "retry": int(wait.Seconds())})
		return
	}
	token, user := newToken()
	if err := a.cfg.Store.Save(r.Context(), tokenKey(user), []byte("1"), a.cfg.Retention); err != nil {
		a.cfg.Log.Error("webchat: saving a token", "error", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
}

// sent is what the page posts.
type sent struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Option   string `json:"option"`
	Start    string `json:"start"`
	Location *struct {
		Lat float64 `json:"lat"`
		Lon float64 `json:"lon"`
	} `json:"location"`
}

// caller checks a request comes from the page and carries a token the
// store knows, answering 403 or 401 when not; it returns the user.
func (a *Adapter) caller(w http.ResponseWriter, r *http.Request) (string, bool) {
	if !sameOrigin(r) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
		return "", false
	}
	user := a.auth(r)
	if user == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "token"})
		return "", false
	}
	return user, true
}

func (a *Adapter) send(w http.ResponseWriter, r *http.Request, handle Handler) {
	user, ok := a.caller(w, r)
	if !ok {
		return
	}
	if wait, ok := a.allow(r, user); !ok {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "slow", "retry": max(1, int(wait.Seconds()))})
		return
	}
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	var in sent
	dec := json.NewDecoder(body)
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "too long"})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not a message"})
		return
	}
	msg := bot.Inbound{Channel: Channel, UserID: user, ID: in.ID, Text: strings.TrimSpace(in.Text), Option: in.Option, Payload: in.Start, Time: a.cfg.Now()}
	switch {
	case in.ID == "" || len(in.ID) > maxID || !utf8.ValidString(in.ID):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "a message needs an id"})
		return
	case !utf8.ValidString(in.Text) || utf8.RuneCountInString(in.Text) > MaxText:
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "too long"})
		return
	case len(in.Option) > maxID || len(in.Start) > maxStart:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not a message"})
		return
	case in.Location != nil:
		if math.IsNaN(in.Location.Lat) || math.IsNaN(in.Location.Lon) || math.Abs(in.Location.Lat) > 90 || math.Abs(in.Location.Lon) > 180 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not a position"})
			return
		}
		msg.Location = &bot.Location{Lat: in.Location.Lat, Lon: in.Location.Lon}
	case msg.Text == "" && msg.Option == "" && msg.Payload == "":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "empty"})
		return
	}
	// The token's life starts again with each message.
	_ = a.cfg.Store.Save(r.Context(), tokenKey(user), []byte("1"), a.cfg.Retention)
	if err := handle(r.Context(), msg); err != nil {
		a.cfg.Log.Warn("webchat: handling a message", "error", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "unavailable"})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]bool{"ok": true})
}

// events streams the user's feed from the event after Last-Event-ID.
func (a *Adapter) events(w http.ResponseWriter, r *http.Request) {
	user, ok := a.caller(w, r)
	if !ok {
		return
	}
	var last int64
	if s := r.Header.Get("Last-Event-ID"); s != "" {
		var err error
		if last, err = strconv.ParseInt(s, 10, 64); err != nil || last < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Last-Event-ID"})
			return
		}
	}
	// Told before reading: a reply written in between is not missed.
	wake, stop := a.hub.wait(user)
	defer stop()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(s string) bool {
		rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := w.Write([]byte(s)); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write(": teamsbot\n\n") {
		return
	}
	ctx := r.Context()
	end := time.NewTimer(a.cfg.Stream)
	defer end.Stop()
	poll := time.NewTicker(a.cfg.Poll)
	defer poll.Stop()
	lastWrite := time.Now()
	for {
		f, err := loadFeed(ctx, a.cfg.Store, user)
		if err != nil && ctx.Err() == nil {
			a.cfg.Log.Warn("webchat: reading a feed", "error", err)
		}
		var b strings.Builder
		for _, e := range f.Events {
			if e.ID > last {
				b.WriteString("id: ")
				b.WriteString(strconv.FormatInt(e.ID, 10))
				b.WriteString("\nevent: reply\ndata: ")
				b.Write(e.Data)
				b.WriteString("\n\n")
				last = e.ID
			}
		}
		if b.Len() > 0 {
			if !write(b.String()) {
				return
			}
			lastWrite = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			return
		case <-a.stopped:
			return
		case <-wake:
		case <-poll.C:
			if time.Since(lastWrite) >= a.cfg.Ping {
				if !write(": ping\n\n") {
					return
				}
				lastWrite = time.Now()
			}
		}
	}
}

// Handler processes one inbound message (bot.Service.Handle).
type Handler func(ctx context.Context, in bot.Inbound) error

// Handler serves the page, the widget and the API; messages go to handle.
func (a *Adapter) Handler(handle Handler) http.Handler {
	mux := http.NewServeMux()
	a.Mount(mux, handle)
	return mux
}

// Mount registers the channel's routes on mux; messages go to handle (the
// service, built after the channel's sender).
func (a *Adapter) Mount(mux *http.ServeMux, handle Handler) {
	mux.HandleFunc("GET /chat", a.page)
	mux.HandleFunc("GET /chat/static/{file}", a.static)
	mux.HandleFunc("GET /widget.js", a.widget)
	mux.HandleFunc("POST /chat/api/start", a.start)
	mux.HandleFunc("POST /chat/api/send", func(w http.ResponseWriter, r *http.Request) { a.send(w, r, handle) })
	mux.HandleFunc("GET /chat/api/events", a.events)
}

// offered reports whether code is a language offered.
func (a *Adapter) offered(code string) bool {
	return slices.ContainsFunc(a.cfg.Languages, func(l bot.Language) bool { return l.Code == code })
}
