package emulator_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// invokeResponse reads frames until the invokeResponse for id.
func (c *wsClient) invokeResponse(id string) protocol.InvokeResponseMessage {
	c.t.Helper()
	for {
		m := c.next()
		if r, ok := m.(protocol.InvokeResponseMessage); ok {
			require.Equal(c.t, id, r.InvocationID)
			return r
		}
	}
}

func TestInvokeWithoutUpstreamSucceedsWithoutData(t *testing.T) {
	e := start(t, emulator.Options{})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSON)
	cl.connected()
	cl.send(protocol.InvokeMessage{InvocationID: "1", Target: protocol.InvokeTargetEvent, Event: "e", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
	assert.Equal(t, protocol.InvokeSucceeded("1", protocol.Payload{}), cl.invokeResponse("1"))
}

func TestInvokeIsAnUpstreamUserEvent(t *testing.T) {
	e := startWithUpstream(t, &eventhandler.Options{AccessKeys: []string{upstreamKey}, OnUserEvent: func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		switch req.Context.EventName {
		case "echo":
			resp.SetText("echo: " + string(req.Data))
		case "json":
			return resp.SetJSON(map[string]any{"got": string(req.Data), "type": req.DataType})
		case "fail":
			return &eventhandler.StatusError{Status: 400, Reason: "secret internals"}
		}
		return nil
	}})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSONReliable)
	cl.connected()
	cl.send(protocol.InvokeMessage{InvocationID: "1", Target: protocol.InvokeTargetEvent, Event: "echo", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hi")}})
	r := cl.invokeResponse("1")
	assert.Equal(t, protocol.InvokeSucceeded("1", protocol.Payload{Type: protocol.DataTypeText, Data: []byte("echo: hi")}), r)

	cl.send(protocol.InvokeMessage{InvocationID: "2", Target: protocol.InvokeTargetEvent, Event: "json", Data: protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"a":1}`)}})
	r = cl.invokeResponse("2")
	require.NotNil(t, r.Success)
	assert.True(t, *r.Success)
	assert.Equal(t, protocol.DataTypeJSON, r.Data.Type)
	assert.JSONEq(t, `{"got":"{\"a\":1}","type":"json"}`, string(r.Data.Data))

	cl.send(protocol.InvokeMessage{InvocationID: "3", Target: protocol.InvokeTargetEvent, Event: "nothing"})
	assert.Equal(t, protocol.InvokeSucceeded("3", protocol.Payload{}), cl.invokeResponse("3"), "an empty answer is success without data")

	cl.send(protocol.InvokeMessage{InvocationID: "4", Target: protocol.InvokeTargetEvent, Event: "fail"})
	r = cl.invokeResponse("4")
	require.NotNil(t, r.Success)
	assert.False(t, *r.Success)
	require.NotNil(t, r.Error)
	assert.Equal(t, protocol.ErrorInternalServerError, r.Error.Name)
	assert.Equal(t, "Internal server error", r.Error.Message, "the service's generic words, not the handler's")

	cl.send(protocol.InvokeMessage{InvocationID: "5", Target: "function", Event: "x"})
	r = cl.invokeResponse("5")
	require.NotNil(t, r.Error)
	assert.Equal(t, protocol.ErrorBadRequest, r.Error.Name)
	assert.Contains(t, r.Error.Message, `"function" is not supported`)
}

func TestInvokeUnreachableUpstreamIsGeneric(t *testing.T) {
	dead := deadURL(t)
	e := startWithUpstream(t, &eventhandler.Options{AccessKeys: []string{upstreamKey}},
		emulator.UpstreamHandler{SystemEvents: []string{"connect", "connected", "disconnected"}},
		emulator.UpstreamHandler{URLTemplate: dead + "/secret-path/{event}", UserEventPattern: "*"})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSON)
	cl.connected()
	cl.send(protocol.InvokeMessage{InvocationID: "1", Target: protocol.InvokeTargetEvent, Event: "e"})
	r := cl.invokeResponse("1")
	require.NotNil(t, r.Success)
	assert.False(t, *r.Success)
	require.NotNil(t, r.Error)
	assert.Equal(t, &protocol.AckError{Name: protocol.ErrorInternalServerError, Message: "Internal server error"}, r.Error)
	assert.NotContains(t, r.Error.Message, strings.TrimPrefix(dead, "http://"))
}

// TestInvokeRunsOffTheReadLoopAndCancels: while the upstream call hangs, the
// connection still answers pings; cancelInvocation aborts the upstream call
// and no response is sent for it; unknown ids are ignored.
func TestInvokeRunsOffTheReadLoopAndCancels(t *testing.T) {
	started := make(chan struct{}, 1)
	aborted := make(chan struct{}, 1)
	var calls atomic.Int32
	e := startWithUpstream(t, &eventhandler.Options{AccessKeys: []string{upstreamKey}, OnUserEvent: func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		if req.Context.EventName != "hang" {
			resp.SetText("quick")
			return nil
		}
		calls.Add(1)
		started <- struct{}{}
		select {
		case <-ctx.Done():
			aborted <- struct{}{}
			return ctx.Err()
		case <-time.After(30 * time.Second):
			return nil
		}
	}})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSON)
	cl.connected()
	cl.send(protocol.InvokeMessage{InvocationID: "slow", Target: protocol.InvokeTargetEvent, Event: "hang"})
	<-started
	cl.send(protocol.PingMessage{})
	assert.Equal(t, protocol.PongMessage{}, cl.next(), "the read loop is free while the upstream call runs")
	cl.send(protocol.InvokeMessage{InvocationID: "fast", Target: protocol.InvokeTargetEvent, Event: "other"})
	assert.Equal(t, protocol.InvokeSucceeded("fast", protocol.Payload{Type: protocol.DataTypeText, Data: []byte("quick")}), cl.invokeResponse("fast"), "responses come in any order")

	cl.send(protocol.CancelInvocationMessage{InvocationID: "unknown"})
	cl.send(protocol.CancelInvocationMessage{InvocationID: "slow"})
	select {
	case <-aborted:
	case <-time.After(10 * time.Second):
		t.Fatal("cancelInvocation did not abort the upstream call")
	}
	// No response for the cancelled invocation: the next frame is the pong.
	cl.send(protocol.PingMessage{})
	assert.Equal(t, protocol.PongMessage{}, cl.next())
	assert.Equal(t, int32(1), calls.Load())
}

func TestInvokeDuplicateIDInFlightIsRefused(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	started := make(chan struct{}, 4)
	e := startWithUpstream(t, &eventhandler.Options{AccessKeys: []string{upstreamKey}, OnUserEvent: func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	}})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSON)
	cl.connected()
	cl.send(protocol.InvokeMessage{InvocationID: "1", Target: protocol.InvokeTargetEvent, Event: "e"})
	<-started
	cl.send(protocol.InvokeMessage{InvocationID: "1", Target: protocol.InvokeTargetEvent, Event: "e"})
	r := cl.invokeResponse("1")
	require.NotNil(t, r.Error)
	assert.Equal(t, protocol.ErrorDuplicate, r.Error.Name)
}
