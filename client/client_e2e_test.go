package client_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

func TestJoinSendReceive(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var ra, rb recorder
	a := startClient(t, v.url(t, "alice", allRoles...), ra.hook(fastOptions()))
	b := startClient(t, v.url(t, "bob", allRoles...), rb.hook(fastOptions()))
	ctx := ctxT(t)

	res, err := a.JoinGroup(ctx, "room", nil)
	require.NoError(t, err)
	assert.NotZero(t, res.AckID)
	assert.False(t, res.Duplicated)
	_, err = b.JoinGroup(ctx, "room", nil)
	require.NoError(t, err)

	res, err = a.SendToGroup(ctx, "room", client.Text("hello"), &client.SendToGroupOptions{NoEcho: true})
	require.NoError(t, err)
	assert.NotZero(t, res.AckID)
	_, err = a.SendToGroup(ctx, "room", client.JSON(map[string]any{"n": 1}), nil)
	require.NoError(t, err)
	_, err = a.SendToGroup(ctx, "room", client.Binary([]byte{0, 1, 255}), &client.SendToGroupOptions{FireAndForget: true})
	require.NoError(t, err)

	require.Eventually(t, func() bool { return len(rb.groupMessages()) == 3 }, 5*time.Second, 5*time.Millisecond)
	got := rb.groupMessages()
	assert.Equal(t, "room", got[0].Group)
	assert.Equal(t, "alice", got[0].FromUserID)
	assert.Equal(t, client.DataTypeText, got[0].DataType)
	assert.Equal(t, "hello", string(got[0].Data))
	assert.NotZero(t, got[0].SequenceID, "reliable connections carry sequence ids")
	assert.Equal(t, client.DataTypeJSON, got[1].DataType)
	assert.JSONEq(t, `{"n":1}`, string(got[1].Data))
	assert.Equal(t, client.DataTypeBinary, got[2].DataType)
	assert.Equal(t, []byte{0, 1, 255}, got[2].Data)

	// Alice asked for no echo on the first message only.
	require.Eventually(t, func() bool { return len(ra.groupMessages()) == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, client.DataTypeJSON, ra.groupMessages()[0].DataType)

	_, err = b.LeaveGroup(ctx, "room", nil)
	require.NoError(t, err)
	_, err = a.SendToGroup(ctx, "room", client.Text("after leave"), nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(ra.groupMessages()) == 3 }, 5*time.Second, 5*time.Millisecond)
	assert.Len(t, rb.groupMessages(), 3, "bob left the group")
}

func TestPlainJSONProtocol(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	o := r.hook(fastOptions())
	o.Protocol = client.ProtocolJSON
	c := startClient(t, v.url(t, "u", allRoles...), o)
	ctx := ctxT(t)
	_, err := c.JoinGroup(ctx, "g", nil)
	require.NoError(t, err)
	_, err = c.SendToGroup(ctx, "g", client.Text("x"), nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(r.groupMessages()) == 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Zero(t, r.groupMessages()[0].SequenceID, "the plain JSON protocol has no sequence ids")
}

func TestServerMessage(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	startClient(t, v.url(t, "u"), r.hook(fastOptions()))
	ctx := ctxT(t)
	require.NoError(t, errOf(v.sc.SendToAll(ctx, webpubsub.TextMessage("x"), nil)))
	require.NoError(t, errOf(v.sc.SendToAll(ctx, webpubsub.JSONMessage([]int{1, 2}), nil)))
	require.Eventually(t, func() bool { return len(r.serverMessages()) == 2 }, 5*time.Second, 5*time.Millisecond)
	got := r.serverMessages()
	assert.Equal(t, client.DataTypeText, got[0].DataType)
	assert.Equal(t, "x", string(got[0].Data))
	assert.Equal(t, client.DataTypeJSON, got[1].DataType)
	assert.JSONEq(t, `[1,2]`, string(got[1].Data))
	assert.Less(t, got[0].SequenceID, got[1].SequenceID)
}

func TestSendEventWithAck(t *testing.T) {
	v := newUpstreamEnv(t, func(context.Context, *eventhandler.UserEventRequest, *eventhandler.UserEventResponse) error {
		return nil
	})
	c := startClient(t, v.url(t, "u"), fastOptions())
	ctx := ctxT(t)
	res, err := c.SendEvent(ctx, "update", client.JSON(map[string]string{"k": "v"}), nil)
	require.NoError(t, err)
	assert.NotZero(t, res.AckID)
	res2, err := c.SendEvent(ctx, "update", client.Text("again"), &client.SendEventOptions{AckID: 900})
	require.NoError(t, err)
	assert.Equal(t, uint64(900), res2.AckID)
	res3, err := c.SendEvent(ctx, "update", client.Text("again"), &client.SendEventOptions{AckID: 900})
	require.NoError(t, err, "Duplicate counts as success")
	assert.True(t, res3.Duplicated)
	res4, err := c.SendEvent(ctx, "update", client.Text("faf"), &client.SendEventOptions{FireAndForget: true})
	require.NoError(t, err)
	assert.Zero(t, res4.AckID)
	_, err = c.SendEvent(ctx, "", client.Text("x"), nil)
	require.Error(t, err)
}

func TestForbiddenJoinCarriesNameAndAckID(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	u := v.url(t, "u") // no roles
	c := startClient(t, u, fastOptions())
	ctx := ctxT(t)

	_, err := c.JoinGroup(ctx, "secret", &client.JoinGroupOptions{AckID: 77})
	var se *client.SendMessageError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Forbidden", se.ErrorName)
	assert.Equal(t, uint64(77), se.AckID)
	assert.Contains(t, err.Error(), "Forbidden")
	assert.NotContains(t, err.Error(), tokenOf(t, u))

	_, err = c.SendToGroup(ctx, "secret", client.Text("x"), nil)
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Forbidden", se.ErrorName)
	assert.NotZero(t, se.AckID)
}

func TestDuplicateAckIDDeliversOnce(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	c := startClient(t, v.url(t, "u", allRoles...), r.hook(fastOptions()))
	ctx := ctxT(t)
	_, err := c.JoinGroup(ctx, "g", nil)
	require.NoError(t, err)
	res, err := c.SendToGroup(ctx, "g", client.Text("once"), &client.SendToGroupOptions{AckID: 42})
	require.NoError(t, err)
	assert.False(t, res.Duplicated)
	res, err = c.SendToGroup(ctx, "g", client.Text("once"), &client.SendToGroupOptions{AckID: 42})
	require.NoError(t, err)
	assert.True(t, res.Duplicated)
	assert.Equal(t, uint64(42), res.AckID)
	_, err = c.SendToGroup(ctx, "g", client.Text("marker"), nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(r.groupMessages()) == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, "once", string(r.groupMessages()[0].Data))
	assert.Equal(t, "marker", string(r.groupMessages()[1].Data))
}

func TestGeneratedAckIDsSkipTheCallersIDs(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	c := startClient(t, v.url(t, "u", allRoles...), r.hook(fastOptions()))
	ctx := ctxT(t)
	res, err := c.JoinGroup(ctx, "g", nil)
	require.NoError(t, err)
	// The caller picks an id just above the one the client generated.
	callers := res.AckID + 2
	_, err = c.SendToGroup(ctx, "g", client.Text("caller's id"), &client.SendToGroupOptions{AckID: callers})
	require.NoError(t, err)
	for _, m := range []string{"a", "b", "c"} {
		res, err := c.SendToGroup(ctx, "g", client.Text(m), nil)
		require.NoError(t, err)
		assert.False(t, res.Duplicated, "message %s got a generated id the caller had used", m)
		assert.Greater(t, res.AckID, callers)
	}
	require.Eventually(t, func() bool { return len(r.groupMessages()) == 4 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, "c", string(r.groupMessages()[3].Data))
}

func TestLifecycleEvents(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	c, err := client.New(v.url(t, "carol"), r.hook(fastOptions()))
	require.NoError(t, err)
	assert.Equal(t, client.StateStopped, c.State())
	_, err = c.JoinGroup(ctxT(t), "g", nil)
	require.ErrorIs(t, err, client.ErrStopped, "operations need a started client")

	require.NoError(t, c.Start(ctxT(t)))
	assert.Equal(t, client.StateConnected, c.State())
	require.ErrorIs(t, c.Start(ctxT(t)), client.ErrAlreadyStarted)
	require.Eventually(t, func() bool { return len(r.connectedEvents()) == 1 }, 5*time.Second, 5*time.Millisecond)
	ev := r.connectedEvents()[0]
	assert.Equal(t, "carol", ev.UserID)
	assert.NotEmpty(t, ev.ConnectionID)
	assert.Equal(t, ev.ConnectionID, c.ConnectionID())

	stopClient(t, c)
	assert.Equal(t, client.StateStopped, c.State())
	require.Eventually(t, func() bool { return len(r.stoppedEvents()) == 1 }, 5*time.Second, 5*time.Millisecond)
	require.Len(t, r.disconnectedEvents(), 1)
	assert.Equal(t, ev.ConnectionID, r.disconnectedEvents()[0].ConnectionID)
	assert.NoError(t, r.stoppedEvents()[0].Err)
	_, err = c.SendEvent(ctxT(t), "e", client.Text("x"), nil)
	require.ErrorIs(t, err, client.ErrStopped)
	require.NoError(t, c.Stop(ctxT(t)), "stopping twice is fine")

	// A stopped client can start again, on a new connection.
	require.NoError(t, c.Start(ctxT(t)))
	require.Eventually(t, func() bool { return len(r.connectedEvents()) == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.NotEqual(t, ev.ConnectionID, r.connectedEvents()[1].ConnectionID)
	stopClient(t, c)
}

// Stop returns once the handlers of the run have returned, Stopped
// included, so the events of a restarted client follow those of the last
// run in order.
func TestEventsStayInOrderAcrossARestart(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var mu sync.Mutex
	var events []string
	record := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	recorded := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), events...) }
	o := fastOptions()
	o.OnConnected = func(context.Context, client.ConnectedEvent) { record("connected") }
	o.OnDisconnected = func(context.Context, client.DisconnectedEvent) { record("disconnected") }
	o.OnStopped = func(ctx context.Context, _ client.StoppedEvent) {
		// A slow Stopped handler, which sees that its run is over.
		time.Sleep(100 * time.Millisecond)
		if ctx.Err() != nil {
			record("stopped")
		}
	}
	c, err := client.New(v.url(t, "u"), o)
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	stopClient(t, c)
	assert.Equal(t, []string{"connected", "disconnected", "stopped"}, recorded(), "Stop waited for every handler")
	require.NoError(t, c.Start(ctxT(t)))
	stopClient(t, c)
	assert.Equal(t, []string{"connected", "disconnected", "stopped", "connected", "disconnected", "stopped"}, recorded())
}

func TestStartRejectedTokenIsRedacted(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	good := v.url(t, "u")
	bad := strings.Replace(good, "access_token=", "access_token=x", 1)
	c, err := client.New(bad, nil)
	require.NoError(t, err)
	err = c.Start(ctxT(t))
	var ce *client.ConnectError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 401, ce.StatusCode)
	assert.NotContains(t, err.Error(), tokenOf(t, bad))
	assert.NotContains(t, err.Error(), tokenOf(t, good)[10:])
	assert.Contains(t, ce.URL, "access_token=REDACTED")
	assert.Equal(t, client.StateStopped, c.State())
}

func TestStartHonoursContext(t *testing.T) {
	c, err := client.NewWithURLProvider(func(ctx context.Context) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	}, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = c.Start(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	failing, err := client.NewWithURLProvider(func(context.Context) (string, error) { return "", errors.New("negotiate failed") }, nil)
	require.NoError(t, err)
	err = failing.Start(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "negotiate failed")
}

// tokenOf returns the access token of a client access URL.
func tokenOf(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	tok := u.Query().Get("access_token")
	require.NotEmpty(t, tok)
	return tok
}

// errOf returns the error of an SDK operation, dropping its response.
func errOf[T any](_ T, err error) error { return err }
