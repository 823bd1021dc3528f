package emulator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestProtobufInvoke(t *testing.T) {
	type seen struct {
		header http.Header
		body   []byte
	}
	events := make(chan seen, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set(protocol.HeaderAllowedOrigin, "*")
			return
		}
		b, _ := io.ReadAll(r.Body)
		events <- seen{header: r.Header.Clone(), body: b}
		if r.Header.Get(protocol.HeaderEventName) == "quiet" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	e := start(t, emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: srv.URL + "/{event}", UserEventPattern: "*"}}})
	p := dial(t, clientURL(t, e, "hub1", auth.Claims{}), protocol.ProtobufReliable)
	p.connected()

	data := anyData(t, 3)
	p.send(protocol.InvokeMessage{InvocationID: "1", Target: protocol.InvokeTargetEvent, Event: "order", Data: data, Metadata: map[string]string{"trace": "t-1"}})
	ev := <-events
	assert.Equal(t, protocol.ContentTypeProtobuf, ev.header.Get("Content-Type"))
	assert.Equal(t, data.Data, ev.body)
	assert.Equal(t, "t-1", ev.header.Get("x-webpubsub-metadata-trace"))
	d := readDownstream(t, p)
	r := d.GetInvokeResponseMessage()
	require.NotNil(t, r, "want invoke_response_message, got %v", d)
	assert.Equal(t, "1", r.GetInvocationId())
	assert.True(t, r.GetSuccess())
	assert.JSONEq(t, `{"ok":true}`, r.GetData().GetJsonData())

	p.send(protocol.InvokeMessage{InvocationID: "2", Target: protocol.InvokeTargetEvent, Event: "quiet", Data: text("x")})
	ev = <-events
	assert.Equal(t, protocol.ContentTypeText, ev.header.Get("Content-Type"))
	assert.Equal(t, protocol.InvokeSucceeded("2", protocol.Payload{}), p.invokeResponse("2"), "an empty answer is success without data")

	p.send(protocol.CancelInvocationMessage{InvocationID: "unknown"}) // ignored
	p.send(protocol.PingMessage{})
	_, ok := p.next().(protocol.PongMessage)
	assert.True(t, ok)
}

func TestProtobufGroupStreamReachesEveryKindOfReceiver(t *testing.T) {
	e := start(t, emulator.Options{})
	prx := dial(t, clientURL(t, e, "chat", auth.Claims{Subject: "prx", Groups: []string{"g"}}), protocol.ProtobufReliable)
	prx.connected()
	jrx := dial(t, clientURL(t, e, "chat", auth.Claims{Subject: "jrx", Groups: []string{"g"}}), protocol.JSON)
	jrx.connected()
	tx := dial(t, clientURL(t, e, "chat", auth.Claims{Subject: "tx", Roles: []string{protocol.RoleSendToGroup}}), protocol.Protobuf)
	tx.connected()

	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s1", IdleTimeoutMs: 60000}})
	assert.Equal(t, uint64(1), tx.streamAck("s1"))
	for k := uint64(1); k <= 3; k++ {
		tx.send(frag("s1", k, "f"+strconv.FormatUint(k, 10)))
		assert.Equal(t, k+1, tx.streamAck("s1"))
	}
	tx.send(protocol.StreamEndMessage{StreamID: "s1"})
	assert.Nil(t, tx.streamClosed("s1").Error)

	for k := uint64(1); k <= 3; k++ {
		want := protocol.GroupDataMessage{Group: "g", Data: text("f" + strconv.FormatUint(k, 10)), SequenceID: k, Stream: &protocol.StreamInfo{StreamID: "s1", StreamSequenceID: k}}
		assert.Equal(t, want, prx.groupMessage(), "protobuf has no fromUserId")
		want.FromUserID, want.SequenceID = "tx", 0
		assert.Equal(t, want, jrx.groupMessage())
	}
	end := prx.groupMessage()
	assert.Equal(t, &protocol.StreamInfo{StreamID: "s1", StreamSequenceID: 4, EndOfStream: true}, end.Stream)
	assert.Empty(t, end.Data.Data)
	assert.Equal(t, &protocol.StreamInfo{StreamID: "s1", StreamSequenceID: 4, EndOfStream: true}, jrx.groupMessage().Stream)

	// An abort reaches the receivers with the sender's error.
	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s2"}})
	assert.Equal(t, uint64(1), tx.streamAck("s2"))
	tx.send(protocol.StreamEndMessage{StreamID: "s2", Error: &protocol.StreamError{Message: "source failed", UserErrorCode: "E7"}})
	tx.streamClosed("s2")
	abort := prx.groupMessage()
	require.NotNil(t, abort.Stream)
	assert.True(t, abort.Stream.EndOfStream)
	assert.Equal(t, &protocol.StreamError{Name: protocol.ErrorUserError, Message: "source failed", UserErrorCode: "E7"}, abort.Stream.Error)

	// Data for a stream never opened is refused with streamClosed.
	tx.send(frag("nope", 1, "x"))
	c := tx.streamClosed("nope")
	require.NotNil(t, c.Error)
	assert.Equal(t, protocol.ErrorBadRequest, c.Error.Name)
}
