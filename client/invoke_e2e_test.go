package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

const upstreamKey = "client-test-upstream-key"

// newUpstreamEnv runs an eventhandler answering user events with onEvent as
// the emulator's upstream.
func newUpstreamEnv(t *testing.T, onEvent func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error) *env {
	t.Helper()
	h, err := eventhandler.New("chat", &eventhandler.Options{AccessKeys: []string{upstreamKey}, OnUserEvent: onEvent})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return newEnv(t, emulator.Options{AccessKey: upstreamKey, Upstream: []emulator.UpstreamHandler{{
		URLTemplate:      srv.URL + "/api/webpubsub/hubs/{hub}",
		UserEventPattern: "*",
		SystemEvents:     []string{"connect", "connected"},
	}}})
}

func TestInvokeEventAnsweredByTheUpstream(t *testing.T) {
	v := newUpstreamEnv(t, func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		switch req.Context.EventName {
		case "processOrder":
			return resp.SetJSON(map[string]any{"order": string(req.Data), "ok": true})
		case "fail":
			return &eventhandler.StatusError{Status: 400, Reason: "internals"}
		}
		return nil
	})
	c := startClient(t, v.url(t, "u"), fastOptions())
	res, err := c.InvokeEvent(ctxT(t), "processOrder", client.JSON(map[string]int{"orderId": 1}), nil)
	require.NoError(t, err)
	assert.Equal(t, "1", res.InvocationID, "invocation ids count from 1")
	assert.Equal(t, client.DataTypeJSON, res.DataType)
	assert.JSONEq(t, `{"order":"{\"orderId\":1}","ok":true}`, string(res.Data))

	res, err = c.InvokeEvent(ctxT(t), "quiet", client.Data{}, &client.InvokeEventOptions{InvocationID: "mine"})
	require.NoError(t, err)
	assert.Equal(t, &client.InvokeEventResult{InvocationID: "mine"}, res, "an empty answer has no data")

	_, err = c.InvokeEvent(ctxT(t), "fail", client.Text("x"), nil)
	var ie *client.InvocationError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "2", ie.InvocationID)
	assert.Equal(t, "InternalServerError", ie.ErrorName)
	assert.Equal(t, "Internal server error", ie.Message, "the service's words, not the handler's")
	assert.NoError(t, ie.Err)

	_, err = c.InvokeEvent(ctxT(t), "", client.Text("x"), nil)
	assert.ErrorContains(t, err, "event name must not be empty")
}

func TestInvokeEventWithoutUpstreamSucceedsEmpty(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	c := startClient(t, v.url(t, "u"), fastOptions())
	res, err := c.InvokeEvent(ctxT(t), "anything", client.Text("x"), nil)
	require.NoError(t, err)
	assert.Empty(t, res.DataType)
	assert.Empty(t, res.Data)
}

// TestInvokeEventCancelSendsCancelInvocation: ending ctx fails the call and
// the service aborts the upstream call.
func TestInvokeEventCancelSendsCancelInvocation(t *testing.T) {
	started := make(chan struct{}, 1)
	aborted := make(chan struct{}, 1)
	v := newUpstreamEnv(t, func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		started <- struct{}{}
		select {
		case <-ctx.Done():
			aborted <- struct{}{}
		case <-time.After(30 * time.Second):
		}
		return nil
	})
	c := startClient(t, v.url(t, "u"), fastOptions())
	ctx, cancel := context.WithCancel(ctxT(t))
	go func() {
		<-started
		cancel()
	}()
	_, err := c.InvokeEvent(ctx, "hang", client.Text("x"), nil)
	var ie *client.InvocationError
	require.ErrorAs(t, err, &ie)
	assert.ErrorIs(t, err, context.Canceled)
	select {
	case <-aborted:
	case <-time.After(10 * time.Second):
		t.Fatal("the upstream call was not aborted by cancelInvocation")
	}
}

// TestInvokeEventFailsOnDropAndIsNotRetried: a drop fails the pending
// invocation even though the reliable connection is recovered, and the
// upstream sees the event once.
func TestInvokeEventFailsOnDropAndIsNotRetried(t *testing.T) {
	started := make(chan struct{}, 4)
	var calls atomic.Int32
	v := newUpstreamEnv(t, func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		if req.Context.EventName != "hang" {
			return nil
		}
		calls.Add(1)
		started <- struct{}{}
		<-ctx.Done()
		return nil
	})
	c := startClient(t, v.url(t, "u"), fastOptions())
	id := c.ConnectionID()
	go func() {
		<-started
		v.e.DropConnection(v.hub, id)
	}()
	_, err := c.InvokeEvent(ctxT(t), "hang", client.Text("x"), nil)
	var ie *client.InvocationError
	require.ErrorAs(t, err, &ie)
	assert.ErrorIs(t, err, client.ErrConnectionLost)
	// The connection is recovered and works; the invocation was not retried.
	res, err := c.InvokeEvent(ctxT(t), "other", client.Text("x"), nil)
	require.NoError(t, err)
	assert.Equal(t, "2", res.InvocationID)
	assert.Equal(t, id, c.ConnectionID(), "the connection was recovered, not replaced")
	assert.Equal(t, int32(1), calls.Load())
}

func TestInvokeEventDuplicateIDFailsAtOnce(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	v := newUpstreamEnv(t, func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	})
	c := startClient(t, v.url(t, "u"), fastOptions())
	done := make(chan error, 1)
	go func() {
		_, err := c.InvokeEvent(ctxT(t), "e", client.Text("x"), &client.InvokeEventOptions{InvocationID: "dup"})
		done <- err
	}()
	<-started
	_, err := c.InvokeEvent(ctxT(t), "e", client.Text("x"), &client.InvokeEventOptions{InvocationID: "dup"})
	assert.ErrorContains(t, err, "already registered")
	close(release)
	require.NoError(t, <-done)
}

func TestInvokeEventStopFailsPending(t *testing.T) {
	started := make(chan struct{}, 1)
	v := newUpstreamEnv(t, func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		started <- struct{}{}
		<-ctx.Done()
		return nil
	})
	c, err := client.New(v.url(t, "u"), fastOptions())
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	go func() {
		<-started
		stopClient(t, c)
	}()
	_, err = c.InvokeEvent(ctxT(t), "hang", client.Text("x"), nil)
	var ie *client.InvocationError
	require.ErrorAs(t, err, &ie)
	assert.True(t, errors.Is(err, client.ErrStopped) || errors.Is(err, client.ErrConnectionLost), "%v", err)
}
