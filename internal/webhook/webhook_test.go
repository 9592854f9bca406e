package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPolicy: every stage of a request answers as the package says, and
// each request is observed once with its outcome.
func TestPolicy(t *testing.T) {
	handled := 0
	handle := func(ctx context.Context, _ *http.Request, body []byte) (Answer, error) {
		handled++
		switch string(body) {
		case "garbage":
			return Answer{}, fmt.Errorf("%w: not JSON", ErrMalformed)
		case "store down":
			return Answer{}, errors.New("redis: connection refused")
		case "challenge":
			return Answer{ContentType: "text/plain", Body: []byte("abc")}, nil
		case "slow":
			<-ctx.Done()
			return Answer{}, ctx.Err()
		}
		return Answer{}, nil
	}
	header := Endpoint{Pattern: "POST /h", Route: "header", Limit: 64, Timeout: 50 * time.Millisecond,
		Request: func(r *http.Request) bool { return r.Header.Get("X-Secret") == "s3" }, Handle: handle}
	signed := Endpoint{Pattern: "POST /b", Route: "body", Limit: 64,
		Body: func(h http.Header, b []byte) bool { return h.Get("X-Sig") == fmt.Sprint(len(b)) }, Handle: handle}
	var seen []string
	mux := http.NewServeMux()
	Mount(mux, func(route, outcome string, status int, _ time.Duration) {
		seen = append(seen, fmt.Sprintf("%s %s %d", route, outcome, status))
	}, nil, header, signed)
	for _, c := range []struct {
		path, key, val, body string
		want                 int
		wantBody, outcome    string
	}{
		{"/h", "X-Secret", "s3", "hello", 200, "", "header ok 200"},
		{"/h", "X-Secret", "nope", "hello", 401, "", "header unauthorized 401"},
		{"/h", "", "", "hello", 401, "", "header unauthorized 401"},
		{"/h", "X-Secret", "s3", strings.Repeat("x", 65), 200, "", "header dropped 200"},
		{"/h", "X-Secret", "s3", "garbage", 200, "", "header dropped 200"},
		{"/h", "X-Secret", "s3", "store down", 503, "", "header unavailable 503"},
		{"/h", "X-Secret", "s3", "slow", 503, "", "header unavailable 503"},
		{"/h", "X-Secret", "s3", "challenge", 200, "abc", "header ok 200"},
		{"/b", "X-Sig", "5", "hello", 200, "", "body ok 200"},
		{"/b", "X-Sig", "4", "hello", 401, "", "body unauthorized 401"},
		{"/b", "X-Sig", "65", strings.Repeat("x", 65), 413, "", "body too_large 413"},
		{"/b", "X-Sig", "7", "garbage", 200, "", "body dropped 200"},
	} {
		seen = nil
		req := httptest.NewRequest("POST", c.path, bytes.NewReader([]byte(c.body)))
		if c.key != "" {
			req.Header.Set(c.key, c.val)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != c.want || c.wantBody != "" && rec.Body.String() != c.wantBody {
			t.Errorf("%s %q: %d %q, want %d %q", c.path, c.body, rec.Code, rec.Body, c.want, c.wantBody)
		}
		if len(seen) != 1 || seen[0] != c.outcome {
			t.Errorf("%s %q observed %v, want %q", c.path, c.body, seen, c.outcome)
		}
	}
	if handled != 7 {
		t.Errorf("the handler ran %d times; only authenticated bodies within the limit reach it (7)", handled)
	}
}

// TestEndpointWithoutAuthentication: an endpoint that checks nothing is
// refused, never served open.
func TestEndpointWithoutAuthentication(t *testing.T) {
	h := Handler(Endpoint{Route: "open", Handle: func(context.Context, *http.Request, []byte) (Answer, error) {
		t.Error("an unauthenticated endpoint ran its handler")
		return Answer{}, nil
	}}, nil, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader("x")))
	if rec.Code != 401 {
		t.Errorf("%d", rec.Code)
	}
}
