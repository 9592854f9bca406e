package webchat

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"teamsbot/store/memory"
)

// firstLoad is what a browser downloads to show the chat: the page, its
// script and its style, compressed as the server sends them.
func firstLoad(t testing.TB, base string, paths ...string) int {
	total := 0
	for _, p := range paths {
		req, _ := http.NewRequest("GET", base+p, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
		n := len(body)
		if res.Header.Get("Content-Encoding") != "gzip" {
			// The page itself is small and dynamic: count it compressed.
			var b strings.Builder
			zw := gzip.NewWriter(&nopWriter{&b})
			zw.Write(body)
			zw.Close()
			n = b.Len()
		}
		total += n
	}
	return total
}

type nopWriter struct{ b *strings.Builder }

func (w *nopWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

// The first load of the page and of the widget stays under 50 KB
// compressed, for a phone on a slow connection.
func TestFirstLoadIsLight(t *testing.T) {
	_, _, srv := newChat(t, memory.New(), nil)
	page := firstLoad(t, srv.URL, "/chat?lang=ar", "/chat/static/chat.js", "/chat/static/chat.css")
	widget := firstLoad(t, srv.URL, "/widget.js")
	t.Logf("first load: /chat %d bytes, /widget.js %d bytes (compressed)", page, widget)
	if page > 50<<10 || widget > 50<<10 {
		t.Errorf("first load too heavy: /chat %d, /widget.js %d bytes", page, widget)
	}
}

// BenchmarkStreams keeps 1,000 browsers streaming their feeds and sends
// messages from them at 100 a second, measuring the time from the send to
// the reply arriving on the stream, and the memory each connection costs
// the server (its heap and goroutine stacks, measured in this process,
// which also holds the clients: an upper bound).
func BenchmarkStreams(b *testing.B) {
	const clients = 1000
	st := memory.New()
	e := &echo{}
	a, err := New(Config{Store: st, Languages: langs, PerIP: 1e6, Burst: 1e6, PerClient: 1e6})
	if err != nil {
		b.Fatal(err)
	}
	e.a = a
	srv := httptest.NewServer(a.Handler(e.handle))
	defer srv.Close()
	defer a.Stop()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: 0, DialContext: (&net.Dialer{}).DialContext}
	client := &http.Client{Transport: tr}
	post := func(path, token, body string) (*http.Response, error) {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("X-Teamsbot-Chat", "1")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return client.Do(req)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	type conn struct {
		token string
		got   chan string // texts received
	}
	conns := make([]*conn, clients)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ready sync.WaitGroup
	for i := range conns {
		res, err := post("/chat/api/start", "", "")
		if err != nil {
			b.Fatal(err)
		}
		var out struct{ Token string }
		json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		c := &conn{token: out.Token, got: make(chan string, 64)}
		conns[i] = c
		ready.Add(1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/chat/api/events", nil)
			req.Header.Set("X-Teamsbot-Chat", "1")
			req.Header.Set("Authorization", "Bearer "+c.token)
			res, err := client.Do(req)
			if err != nil {
				ready.Done()
				return
			}
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			first := true
			for sc.Scan() {
				if first {
					first = false
					ready.Done()
				}
				if line := sc.Text(); strings.HasPrefix(line, "data: ") {
					var r reply
					json.Unmarshal([]byte(line[6:]), &r)
					c.got <- r.Text
				}
			}
		}()
	}
	ready.Wait()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	perConn := (float64(after.HeapInuse+after.StackInuse) - float64(before.HeapInuse+before.StackInuse)) / clients

	b.ResetTimer()
	var lat []time.Duration
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(10 * time.Millisecond) // 100 messages a second
	defer tick.Stop()
	for i := range b.N {
		<-tick.C
		c := conns[i%clients]
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := fmt.Sprintf("m%d", i)
			start := time.Now()
			res, err := post("/chat/api/send", c.token, fmt.Sprintf(`{"id":%q,"text":%q}`, text, text))
			if err != nil {
				b.Error(err)
				return
			}
			res.Body.Close()
			for {
				select {
				case got := <-c.got:
					if got == "echo: "+text {
						mu.Lock()
						lat = append(lat, time.Since(start))
						mu.Unlock()
						return
					}
				case <-time.After(10 * time.Second):
					b.Errorf("no reply to %s", text)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.ReportMetric(perConn/1024, "KiB/conn")
	b.ReportMetric(float64(a.Streams()), "streams")
}
