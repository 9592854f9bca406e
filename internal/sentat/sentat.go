// Package sentat stamps test HTTP requests with when they left the client,
// so that a fake platform judges a sender's pace by when it sent, not by
// when a busy machine delivered the request. Tests only.
package sentat

import (
	"net/http"
	"strconv"
	"time"
)

// Header carries when the client sent a request (Unix nanoseconds).
const Header = "X-Test-Sent-At"

// Transport stamps each request with the time it leaves.
type Transport struct{}

// RoundTrip implements http.RoundTripper over http.DefaultTransport.
func (Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(Header, strconv.FormatInt(time.Now().UnixNano(), 10))
	return http.DefaultTransport.RoundTrip(r)
}

// Of is when r left its client (now when it carries no stamp).
func Of(r *http.Request) time.Time {
	if n, err := strconv.ParseInt(r.Header.Get(Header), 10, 64); err == nil {
		return time.Unix(0, n)
	}
	return time.Now()
}
