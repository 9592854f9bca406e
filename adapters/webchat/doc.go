// Package webchat is the web chat channel: a full-page chat (GET /chat),
// a widget any site embeds with one script tag (GET /widget.js, an iframe
// of the page inside a shadow root), and the API the page talks to.
//
// The browser keeps a random token (never in a URL, never logged); the
// user's id on this channel is a hash of it, so the store and the logs
// never see the token. Messages go up with a POST; replies come down as
// Server-Sent Events read with fetch (EventSource cannot send headers).
// Each conversation's replies are kept in a feed in the store, numbered:
// a browser that reconnects sends Last-Event-ID and receives what it
// missed, nothing twice, whichever replica produced it. A replica that
// writes a feed notifies the others (Redis pub/sub when the store has it,
// in process otherwise); a stream also looks at its feed every few seconds,
// so a lost notification costs a little latency, never a reply.
//
// Sends are same-origin (the widget is an iframe of the page), carry a
// custom header and a bearer token, so no other site can forge one
// (CSRF); embedding is allowed to the origins configured (CSP
// frame-ancestors); no cookie is ever set.
package webchat
