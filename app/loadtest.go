package app

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// loadtestCmd is `teamsbot loadtest`: serve, on the embedded store (or
// Redis with REDIS_URL), against a local fake of the Telegram Bot API,
// with chats writing through the webhook at a fixed rate. It prints what
// was offered and answered per second, the webhook's p50/p99/max, the
// reply delay (update posted → reply received by the fake) and sends per
// second.
func loadtestCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "loadtest")
	rate := fs.Int("rate", 200, "updates per second")
	seconds := fs.Int("seconds", 10, "how long to offer them")
	chats := fs.Int("chats", 500, "how many chats write, in turn")
	drain := fs.Duration("drain", 10*time.Second, "after the last update, wait this long at most for the replies still paced out (until none arrives for a second)")
	profile := fs.String("cpuprofile", "", "write the process's CPU profile (server and load together) while updates are offered to this file, for go tool pprof")
	if err := fs.Parse(args); err != nil {
		return ErrUsage
	}
	if *rate < 1 || *rate > 5000 || *seconds < 1 || *seconds > 600 || *chats < 1 {
		return errors.New("--rate 1..5000, --seconds 1..600, --chats ≥ 1")
	}
	fake := &fakeBotAPI{sent: map[int64][]time.Time{}, texts: map[int64][]uint64{}}
	api := httptest.NewServer(fake)
	defer api.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	data, err := os.MkdirTemp("", "teamsbot-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	vars := map[string]string{"TEAMSBOT_ADDR": addr, "TEAMSBOT_DATA": data, "TEAMSBOT_PSEUDONYM_KEY": "loadtest", "TEAMSBOT_LOG_LEVEL": "error",
		"TELEGRAM_BOT_TOKEN": "1:loadtest", "TELEGRAM_WEBHOOK_SECRET": "loadtest", "TELEGRAM_WEBHOOK_URL": "https://example.org/webhooks/telegram",
		"TELEGRAM_API_URL": api.URL, "TEAMSBOT_WEBCHAT": "off"}
	for _, k := range []string{"REDIS_URL", "TEAMSBOT_ANSWER_WITHIN", "TEAMSBOT_REDIS_PREFIX", "TELEGRAM_RATE", "TELEGRAM_PAID_BROADCAST"} {
		if v := env.Getenv(k); v != "" {
			vars[k] = v
		}
	}
	if vars["REDIS_URL"] != "" && vars["TEAMSBOT_REDIS_PREFIX"] == "" {
		vars["TEAMSBOT_REDIS_PREFIX"] = fmt.Sprintf("teamsbot-loadtest-%d", time.Now().UnixNano())
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Run(sctx, Env{Args: []string{"teamsbot", "serve"}, Getenv: func(k string) string { return vars[k] },
			Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
	}()
	defer func() { stop(); <-done }()
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			return errors.New("serve did not come up")
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	script := []string{"ciao", "1", "1", "7", "8", "menu", "2"}
	var (
		mu       sync.Mutex
		lat      []time.Duration
		posted   = map[int64][]time.Time{}
		non200   atomic.Int64
		answered atomic.Int64
		wg       sync.WaitGroup
	)
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile() // the first return, or below
	}
	total := *rate * *seconds
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	defer tick.Stop()
	start := time.Now()
	for i := range total {
		<-tick.C
		chat := int64(100000 + i%*chats)
		text := script[(i / *chats)%len(script)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,"first_name":"A","language_code":"it"},"chat":{"id":%d,"type":"private"},"date":1,"text":%q}}`,
				i+1, i+1, chat, chat, text)
			req, _ := http.NewRequest("POST", base+"/webhooks/telegram", strings.NewReader(body))
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "loadtest")
			t0 := time.Now()
			res, err := client.Do(req)
			d := time.Since(t0)
			if err != nil || res.StatusCode != 200 {
				non200.Add(1)
			} else {
				answered.Add(1)
			}
			if res != nil {
				res.Body.Close()
			}
			mu.Lock()
			lat = append(lat, d)
			posted[chat] = append(posted[chat], t0)
			mu.Unlock()
		}()
	}
	offeredFor := time.Since(start)
	wg.Wait()
	pprof.StopCPUProfile()
	answeredFor := time.Since(start)
	// The replies still being paced out.
	for last, until := -1, time.Now().Add(*drain); time.Now().Before(until); {
		time.Sleep(time.Second)
		if c := fake.count(); c == last {
			break
		} else {
			last = c
		}
	}
	drained := time.Since(start)
	// Reply delay: from each update to the first reply its chat received
	// after it.
	var delays []time.Duration
	fake.mu.Lock()
	for chat, ps := range posted {
		slices.SortFunc(ps, func(a, b time.Time) int { return a.Compare(b) })
		got := fake.sent[chat]
		j := 0
		for _, p := range ps {
			for j < len(got) && got[j].Before(p) {
				j++
			}
			if j < len(got) {
				delays = append(delays, got[j].Sub(p))
			}
		}
	}
	sends, refused := fake.total, fake.refused
	updates := map[int64]int{}
	for chat, ps := range posted {
		updates[chat] = len(ps)
	}
	undelivered, duplicated := checkReplies(fake.texts, updates)
	fake.mu.Unlock()
	q := func(ds []time.Duration, f float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		slices.Sort(ds)
		return ds[min(len(ds)-1, int(f*float64(len(ds))))]
	}
	store := "embedded"
	if vars["REDIS_URL"] != "" {
		store = "redis"
	}
	w := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(w, "store\toffered/s\tanswered/s\tnon-200\twebhook p50\tp99\tmax\treply delay p50\tp99\tsends/s\t429s\tundelivered\tchats with a reply twice or out of order\t\n")
	fmt.Fprintf(w, "%s\t%.0f\t%.0f\t%d\t%v\t%v\t%v\t%v\t%v\t%.0f\t%d\t%d\t%d\t\n", store,
		float64(total)/offeredFor.Seconds(), float64(answered.Load())/answeredFor.Seconds(), non200.Load(),
		q(lat, .5).Round(10*time.Microsecond), q(lat, .99).Round(10*time.Microsecond), q(lat, 1).Round(10*time.Microsecond),
		q(delays, .5).Round(time.Millisecond), q(delays, .99).Round(time.Millisecond), float64(sends)/drained.Seconds(),
		refused, undelivered, duplicated)
	return w.Flush()
}

// checkReplies compares what each chat received with what the chats that
// wrote as often received (they all wrote the same script, so they are owed
// the same replies): position by position, the reply most of them got,
// while at least half of them got one there. undelivered counts the replies
// a chat is missing at the end of that sequence (still paced out when the
// run stopped), duplicated the chats whose replies are not its beginning
// (one sent twice, out of order, or lost in the middle).
func checkReplies(texts map[int64][]uint64, updates map[int64]int) (undelivered, duplicated int) {
	groups := map[int][]int64{} // updates → chats
	for chat, n := range updates {
		groups[n] = append(groups[n], chat)
	}
	for _, chats := range groups {
		var want []uint64
		for i := 0; ; i++ {
			votes, voters := map[uint64]int{}, 0
			for _, c := range chats {
				if seq := texts[c]; i < len(seq) {
					votes[seq[i]]++
					voters++
				}
			}
			if 2*voters < len(chats) {
				break
			}
			var best uint64
			for v, n := range votes {
				if n > votes[best] || n == votes[best] && v < best {
					best = v
				}
			}
			want = append(want, best)
		}
		for _, c := range chats {
			seq := texts[c]
			if len(seq) > len(want) || !slices.Equal(seq, want[:len(seq)]) {
				duplicated++
				continue
			}
			undelivered += len(want) - len(seq)
		}
	}
	return undelivered, duplicated
}

// fakeBotAPI answers the Bot API calls of the Telegram adapter, keeps when
// each chat received a message and what (a hash of its text), and refuses
// what Telegram refuses: more than 30 messages in a second that are not
// paid broadcasts (429, retry after 1 s).
type fakeBotAPI struct {
	mu      sync.Mutex
	sent    map[int64][]time.Time
	texts   map[int64][]uint64
	total   int
	refused int
	// window is when the current second began; free what it carried.
	window time.Time
	free   int
}

func (f *fakeBotAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

func (f *fakeBotAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	w.Header().Set("Content-Type", "application/json")
	switch method {
	case "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendLocation":
		form := formValues(r, "chat_id", "text", "allow_paid_broadcast")
		var id int64
		fmt.Sscan(form["chat_id"], &id)
		h := fnv.New64a()
		io.WriteString(h, method+"\x00"+form["text"])
		now := time.Now()
		f.mu.Lock()
		if now.Sub(f.window) >= time.Second {
			f.window, f.free = now, 0
		}
		if form["allow_paid_broadcast"] != "true" {
			if f.free >= 30 {
				f.refused++
				f.mu.Unlock()
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`)
				return
			}
			f.free++
		}
		f.sent[id] = append(f.sent[id], now)
		f.texts[id] = append(f.texts[id], h.Sum64())
		f.total++
		n := f.total
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":1780041600,"chat":{"id":%d,"type":"private"},"text":"ok"}}`, n, id)
	default:
		fmt.Fprint(w, `{"ok":true,"result":true}`)
	}
}

// formValues reads fields of a multipart or urlencoded form.
func formValues(r *http.Request, keys ...string) map[string]string {
	out := map[string]string{}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return out
			}
			if slices.Contains(keys, p.FormName()) {
				b, _ := io.ReadAll(io.LimitReader(p, 64<<10))
				out[p.FormName()] = string(b)
			}
		}
	}
	for _, k := range keys {
		out[k] = r.FormValue(k)
	}
	return out
}
