package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/webpubsub-go/webpubsub/client"
)

// This file turns errors into the one readable line each command prints:
// no package prefixes, no nested "dial tcp ...: connect: ..." chains, no
// raw azcore dumps, no line breaks from a response body.

// maxAnswerBytes bounds what is read of a service's error answer.
const maxAnswerBytes = 4 << 10

// errorText returns err's message without the package prefixes that the
// command's own prefix makes redundant ("webpubsub: ", "client: "), and
// with service answers and connection failures said in one line.
func errorText(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return restErrorText(re)
	}
	var ce *client.ConnectError
	if errors.As(err, &ce) {
		return connectErrorText(ce)
	}
	return stripPrefixes(oneLine(err.Error()))
}

// stripPrefixes removes the package prefixes from a message.
func stripPrefixes(s string) string {
	for _, p := range []string{"webpubsub: ", "client: ", "emulator: "} {
		s = strings.ReplaceAll(strings.TrimPrefix(s, p), ": "+p, ": ")
	}
	return s
}

// oneLine joins the lines of s into one: each line trimmed, empty lines
// dropped, a line that does not end a sentence followed by ";".
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			if strings.ContainsAny(parts[i-1][len(parts[i-1])-1:], ".;:!?,") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

// statusHints say what to check for the service's common refusals.
var statusHints = map[int]string{
	http.StatusUnauthorized: "the access key was refused: check that AccessKey in the connection string is the current key of this service or emulator (an emulator started with -key or -random-key has another key than the default)",
	http.StatusForbidden:    "the request is not allowed: check that the key or identity has the Web PubSub Service Owner role for this resource",
	http.StatusNotFound:     "not found: check the Endpoint of the connection string and the hub name; a connection or user id may not exist (any more)",
	http.StatusTooManyRequests: "the service is throttling requests: wait a little and try again, " +
		"or check the unit count and message quota of the resource",
}

// restErrorText says what a REST API refusal means in one line: the
// status, what to check, and the service's own message.
func restErrorText(re *azcore.ResponseError) string {
	msg := answerMessage(re.RawResponse)
	hint, ok := statusHints[re.StatusCode]
	if !ok {
		hint = http.StatusText(re.StatusCode)
	}
	s := fmt.Sprintf("%s (HTTP %d", hint, re.StatusCode)
	if re.ErrorCode != "" {
		s += " " + re.ErrorCode
	}
	s += ")"
	if msg != "" {
		s += ": the service said: " + msg
	}
	return s
}

// answerMessage returns the message of a service error answer (its JSON
// "message", or a problem+json "detail" or "title"), or its text, in one
// line; "" when there is none.
func answerMessage(resp *http.Response) string {
	if resp == nil || resp.Body == nil {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil || len(b) == 0 {
		return ""
	}
	var body struct{ Message, Detail, Title string }
	if json.Unmarshal(b, &body) == nil {
		for _, m := range []string{body.Message, body.Detail, body.Title} {
			if m != "" {
				return oneLine(m)
			}
		}
		return ""
	}
	return oneLine(string(b))
}

// connectErrorText says why a client could not connect: the service's
// reason for a refused handshake in one line, else the shortest cause.
func connectErrorText(ce *client.ConnectError) string {
	if ce.StatusCode != 0 {
		reason := oneLine(ce.Reason)
		if reason == "" && ce.Err != nil {
			reason = shortCause(ce.Err)
		}
		return fmt.Sprintf("the service refused the connection (HTTP %d): %s", ce.StatusCode, reason)
	}
	return "cannot connect: " + shortCause(ce.Err)
}

// shortCause returns the innermost cause of a network failure ("connection
// refused", "EOF", "websocket closed with status 1011: ..."), without the
// chain of operations and URLs around it.
func shortCause(err error) string {
	if err == nil {
		return "unknown cause"
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return stripPrefixes(unwrapOp(op).Error())
	}
	inner := err
	for {
		next := errors.Unwrap(inner)
		if next == nil {
			break
		}
		inner = next
	}
	s := oneLine(inner.Error())
	// Causes wrapped with %v rather than %w stay in the text: keep the last
	// part of "a: b: c" chains that name an operation.
	for _, p := range []string{"failed to get reader: ", "failed to read frame header: ", "failed to WebSocket dial: "} {
		if i := strings.LastIndex(s, p); i >= 0 {
			s = s[i+len(p):]
		}
	}
	return stripPrefixes(s)
}

// noise are the steps of an error chain that say where, not why.
var noise = map[string]bool{
	"client": true, "connection lost": true, "failed to get reader": true, "failed to read frame header": true,
	"failed to WebSocket dial": true, "failed to send handshake request": true,
	"the connection closed before the service confirmed it": true,
}

// causeText drops the noise steps from a "a: b: c" error text.
func causeText(s string) string {
	parts := strings.Split(s, ": ")
	keep := parts[:0]
	for _, p := range parts {
		if !noise[p] {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ": ")
}

// lostText says in one short line why a connection was lost and, if the
// client tried, why recovering it failed. The client words this as
// "<cause> (recovery failed: <cause>)".
func lostText(err error) string {
	s := stripPrefixes(oneLine(err.Error()))
	lost, rec, ok := strings.Cut(s, " (recovery failed: ")
	if !ok {
		return causeText(s)
	}
	return causeText(lost) + ", and recovering it failed: " + causeText(strings.TrimSuffix(rec, ")"))
}
