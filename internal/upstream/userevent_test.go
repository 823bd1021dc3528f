package upstream_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

var textData = protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hello")}

// sessionWith connects a session to a raw upstream that answers user events
// with answer (connect and other system events get 204 and state "initial").
func sessionWith(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*recorder, *upstream.Session) {
	t.Helper()
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(protocol.HeaderType) == protocol.EventTypeConnect {
			w.Header().Set(protocol.HeaderConnectionState, "initial")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		answer(w, r)
	})
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{
		{URLTemplate: srv.URL + "/{hub}/{event}?code=s3cr3t", UserEventPattern: "message, fail*", SystemEvents: []string{"connect"}},
	}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	return rec, s
}

// The answer's Content-Type says the type of the message sent back, as in
// Microsoft's emulator (ResponseBodyAndMetadataPrecedeAck); its
// X-WebPubSub-Metadata-<key> headers become the message's metadata.
func TestUserEventReply(t *testing.T) {
	cases := []struct {
		contentType, body string
		want              protocol.DataType
	}{
		{"text/plain", "hello", protocol.DataTypeText},
		{"text/plain; charset=utf-8", "你好", protocol.DataTypeText},
		{"application/json", `{"answer":42}`, protocol.DataTypeJSON},
		{"application/octet-stream", "hello", protocol.DataTypeBinary},
		{"", "hello", protocol.DataTypeBinary},
		{"application/x-protobuf", "\x0a\x01x", protocol.DataTypeProtobuf},
		{"unsupported/type", "", protocol.DataTypeText},
	}
	for _, tc := range cases {
		t.Run(tc.contentType, func(t *testing.T) {
			_, s := sessionWith(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType == "" {
					w.Header()["Content-Type"] = nil // no sniffed type either
				} else {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.Header()["X-Webpubsub-Metadata-Trace"] = []string{"first", " middle, last "}
				w.Header().Set("X-WebPubSub-Metadata-", "ignored")
				w.Header().Set("x-webpubsub-metadata-Other", "v")
				_, _ = io.WriteString(w, tc.body)
			})
			r, err := s.SendUserEvent(context.Background(), "message", textData, upstream.UserEventOptions{})
			require.NoError(t, err)
			require.NotNil(t, r.Payload)
			assert.Equal(t, tc.want, r.Payload.Type)
			assert.Equal(t, tc.body, string(r.Payload.Data))
			assert.Equal(t, map[string]string{"trace": "last", "other": "v"}, r.Metadata, "lower-cased keys, the last value wins")
		})
	}
}

func TestUserEventReplyWithoutBodyOrMetadataSendsNothing(t *testing.T) {
	_, s := sessionWith(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	r, err := s.SendUserEvent(context.Background(), "message", textData, upstream.UserEventOptions{})
	require.NoError(t, err)
	assert.Nil(t, r.Payload)
	assert.Nil(t, r.Metadata)
}

// A failed event changes no state: a handler's non-2xx answer or an
// unusable 2xx answer (Microsoft's emulator's
// FailureDoesNotUpdateStateOrCacheAck) leaves the state as it was.
func TestUserEventFailures(t *testing.T) {
	cases := []struct {
		name   string
		status int
		ct     string
		body   string
		check  func(t *testing.T, err error)
	}{
		{"400", 400, "text/plain", "private upstream error", func(t *testing.T, err error) {
			var se *upstream.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 400, se.Status)
			assert.Equal(t, "private upstream error", se.Reason)
			assert.Equal(t, 1, se.Tries, "4xx is not retried")
		}},
		{"429", 429, "text/plain", "slow down", func(t *testing.T, err error) {
			var se *upstream.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 429, se.Status)
		}},
		{"503 after retries", 503, "text/plain", "down", func(t *testing.T, err error) {
			var se *upstream.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 4, se.Tries)
		}},
		{"unsupported content type", 200, "unsupported/type", "nonempty", func(t *testing.T, err error) {
			var ce *upstream.CallError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, 200, ce.Status)
			assert.ErrorContains(t, err, `Content-Type "unsupported/type" is not supported; answer text/plain, application/json, application/octet-stream or application/x-protobuf`)
		}},
		{"invalid JSON", 200, "application/json", "{", func(t *testing.T, err error) {
			assert.ErrorContains(t, err, "labelled application/json but is not valid JSON")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			rec, s := sessionWith(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) > 4 {
					return // later events succeed
				}
				w.Header().Set("Content-Type", tc.ct)
				w.Header().Set(protocol.HeaderConnectionState, "must-not-apply")
				w.Header().Set("X-WebPubSub-Metadata-Error", "must-not-forward")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			r, err := s.SendUserEvent(context.Background(), "fail", textData, upstream.UserEventOptions{})
			assert.Nil(t, r)
			tc.check(t, err)
			assert.ErrorContains(t, err, "chat", "the error names the hub")
			assert.NotContains(t, err.Error(), "s3cr3t", "query values are redacted")
			assert.Contains(t, err.Error(), "code=REDACTED")
			assert.Equal(t, "initial", s.State(), "a failure keeps the state")

			n.Store(4)
			_, err = s.SendUserEvent(context.Background(), "message", textData, upstream.UserEventOptions{})
			require.NoError(t, err)
			reqs := rec.requests()
			assert.Equal(t, "initial", reqs[len(reqs)-1].header.Get(protocol.HeaderConnectionState))
		})
	}
}

// An event that no handler takes fails, as in the service and Microsoft's
// emulator; UserEvent keeps returning nothing for it.
func TestUserEventWithoutHandler(t *testing.T) {
	_, s := sessionWith(t, func(w http.ResponseWriter, r *http.Request) {})
	_, err := s.SendUserEvent(context.Background(), "other", textData, upstream.UserEventOptions{})
	assert.True(t, errors.Is(err, upstream.ErrNoHandler))
	p, err := s.UserEvent(context.Background(), "other", textData)
	require.NoError(t, err)
	assert.Nil(t, p)
}

func TestUserEventMetadataBounds(t *testing.T) {
	long := make([]byte, 1025)
	for i := range long {
		long[i] = 'v'
	}
	_, s := sessionWith(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-WebPubSub-Metadata-K", string(long))
	})
	_, err := s.SendUserEvent(context.Background(), "message", textData, upstream.UserEventOptions{})
	assert.ErrorContains(t, err, `metadata "k" is too long`)
	assert.Equal(t, "initial", s.State())
}
