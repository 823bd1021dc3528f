package eventhandler

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// TestUnreadableStateIsIgnoredWithAWarning checks that an event whose
// ce-connectionState cannot be read is handled with an empty state and a
// logged warning, as the express handler does, instead of being refused.
func TestUnreadableStateIsIgnoredWithAWarning(t *testing.T) {
	cases := map[string]string{
		"not base64":    "%%%",
		"not an object": base64.StdEncoding.EncodeToString([]byte(`[1,2]`)),
		"null":          base64.StdEncoding.EncodeToString([]byte(`null`)),
		"not JSON":      base64.StdEncoding.EncodeToString([]byte(`{"a":`)),
		"too long":      strings.Repeat("A", maxStateHeaderBytes+4),
	}
	for name, state := range cases {
		t.Run(name, func(t *testing.T) {
			log, logs := newTestLogger()
			var connectState, userState map[string]any
			h, err := New(testHub, &Options{
				AccessKeys: []string{testKey},
				Logger:     log,
				OnConnect: func(_ context.Context, req *ConnectRequest, resp *ConnectResponse) error {
					connectState = req.Context.State
					resp.UserID = "ann"
					return nil
				},
				OnUserEvent: func(_ context.Context, req *UserEventRequest, resp *UserEventResponse) error {
					userState = req.Context.State
					if err := resp.SetState("n", 1); err != nil {
						return err
					}
					resp.SetText("ok")
					return nil
				},
			})
			require.NoError(t, err)
			srv := newServer(t, h)

			resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnect, state: state, body: []byte(`{}`)})
			assert.JSONEq(t, `{"userId":"ann"}`, readBody(t, resp))
			assert.Equal(t, http.StatusOK, resp.StatusCode, "the connect is not refused")
			assert.Equal(t, map[string]any{}, connectState)

			resp = send(t, srv, testPath, event{ceType: protocol.EventTypeUserPrefix + "m", state: state, contentType: "text/plain", body: []byte("x")})
			assert.Equal(t, "ok", readBody(t, resp))
			assert.Equal(t, http.StatusOK, resp.StatusCode, "the event does not fail")
			assert.Equal(t, map[string]any{}, userState)
			assert.Equal(t, map[string]any{"n": float64(1)}, decodeStateHeader(t, resp.Header.Get(protocol.HeaderConnectionState)), "a new state replaces the unreadable one")

			out := logs.String()
			assert.Equal(t, 2, strings.Count(out, "level=WARN"), out)
			assert.Contains(t, out, "connection state")
			assert.Contains(t, out, "connectionId="+testConnID)
			if len(state) < 100 {
				assert.NotContains(t, out, state, "the state's value is not logged")
			}
		})
	}
}

// decodeBase64Lenient decodes as Node 20's Buffer.from(s, "base64") does;
// the expected bytes were printed by Node.
func TestDecodeBase64LikeNode(t *testing.T) {
	cases := map[string]string{
		"eyJh!IjoxfQ":     "7b2261223a317d",
		"e=yJhIjoxfQ":     "",
		"eyJhIjoxfQ=x":    "7b2261223a317d",
		"eyJhIjoxfQ==A":   "7b2261223a317d",
		"eyJhIjoxfQA":     "7b2261223a317d00",
		"eyJhIjoxfQAB":    "7b2261223a317d0001",
		"ey Jh\nIj\toxfQ": "7b2261223a317d",
		"-_-_":            "fbffbf",
		"+/+/":            "fbffbf",
		"YQ":              "61",
		"YWI":             "6162",
		"YWJj":            "616263",
		"Y":               "",
		"=YWJj":           "",
		"YW=Jj":           "61",
		"YWJj=YWJj":       "616263",
		"\xe9YWJj":        "616263",
		"YW\x00Jj":        "616263",
	}
	for in, want := range cases {
		assert.Equal(t, want, hex.EncodeToString(decodeBase64Lenient(in)), "%q", in)
	}
}

// States are read as the express handler reads its own (standard or
// URL-safe base64, with or without padding or line breaks) and, beyond it,
// as plain JSON objects.
func TestStateReadsPlainAndBase64JSON(t *testing.T) {
	obj := []byte(`{"a":1,"b":"ÿþ?"}`) // its base64 holds "/" (base64url: "_") and padding
	cases := map[string]string{
		"base64":            base64.StdEncoding.EncodeToString(obj),
		"base64 unpadded":   base64.RawStdEncoding.EncodeToString(obj),
		"base64url":         base64.URLEncoding.EncodeToString(obj),
		"base64 with space": " " + base64.StdEncoding.EncodeToString(obj)[:8] + "\t" + base64.StdEncoding.EncodeToString(obj)[8:],
		"plain JSON":        string(obj),
		"plain JSON spaced": "  " + string(obj) + " ",
	}
	for name, state := range cases {
		t.Run(name, func(t *testing.T) {
			var got map[string]any
			h, err := New(testHub, &Options{
				AccessKeys: []string{testKey},
				OnUserEvent: func(_ context.Context, req *UserEventRequest, resp *UserEventResponse) error {
					got = req.Context.State
					return resp.SetState("c", true)
				},
			})
			require.NoError(t, err)
			resp := send(t, newServer(t, h), testPath, event{ceType: protocol.EventTypeUserPrefix + "m", state: state, contentType: "text/plain", body: []byte("x")})
			assert.Equal(t, http.StatusNoContent, resp.StatusCode)
			assert.Equal(t, map[string]any{"a": float64(1), "b": "ÿþ?"}, got)
			// What express writes: standard base64, padded, of the whole state.
			want := map[string]any{"a": float64(1), "b": "ÿþ?", "c": true}
			v := resp.Header.Get(protocol.HeaderConnectionState)
			assert.Equal(t, want, decodeStateHeader(t, v))
			_, err = base64.StdEncoding.DecodeString(v)
			assert.NoError(t, err, "standard, padded base64")
		})
	}
}
