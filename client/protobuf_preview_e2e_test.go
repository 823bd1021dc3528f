package client_test

import (
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

func TestProtobufInvokeEvent(t *testing.T) {
	v := newUpstreamEnv(t, func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		switch req.Context.EventName {
		case "processOrder":
			return resp.SetJSON(map[string]any{"order": string(req.Data), "type": req.DataType})
		case "fail":
			return &eventhandler.StatusError{Status: 400, Reason: "internals"}
		}
		return nil
	})
	for _, p := range []client.Protocol{client.ProtocolProtobufReliable, client.ProtocolProtobuf} {
		t.Run(string(p), func(t *testing.T) {
			c := startClient(t, v.url(t, "u"), withProtocol(p))
			res, err := c.InvokeEvent(ctxT(t), "processOrder", client.JSON(map[string]int{"orderId": 1}), nil)
			require.NoError(t, err)
			assert.Equal(t, "1", res.InvocationID)
			assert.Equal(t, client.DataTypeJSON, res.DataType)
			assert.JSONEq(t, `{"order":"{\"orderId\":1}","type":"json"}`, string(res.Data))

			res, err = c.InvokeEvent(ctxT(t), "quiet", client.Data{}, &client.InvokeEventOptions{InvocationID: "mine"})
			require.NoError(t, err)
			assert.Equal(t, &client.InvokeEventResult{InvocationID: "mine"}, res, "an empty answer has no data")

			_, err = c.InvokeEvent(ctxT(t), "fail", client.Text("x"), nil)
			var ie *client.InvocationError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "InternalServerError", ie.ErrorName)
		})
	}
}

func TestProtobufGroupStreamEndToEnd(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	tx, _, sub := streamClients(t, v, withProtocol(client.ProtocolProtobuf), r.hook(withProtocol(client.ProtocolProtobufReliable)), nil)
	w, err := tx.OpenGroupStream(ctxT(t), "g", &client.OpenGroupStreamOptions{StreamID: "s-1"})
	require.NoError(t, err)
	require.NoError(t, w.Write(ctxT(t), client.Text("one")))
	require.NoError(t, w.Write(ctxT(t), client.JSON(map[string]int{"two": 2})))
	require.NoError(t, w.Write(ctxT(t), client.Binary([]byte{3})))
	require.NoError(t, w.Write(ctxT(t), client.Protobuf(wrapperspb.Int32(4))))
	require.NoError(t, w.End(ctxT(t)), "End waits for the service to close the stream")
	<-w.Done()
	assert.NoError(t, w.Err())

	gs, err := sub.Next(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, "g", gs.Group)
	assert.Equal(t, "s-1", gs.StreamID)
	var got []client.StreamFragment
	for f, err := range gs.Fragments(ctxT(t)) {
		require.NoError(t, err)
		got = append(got, f)
	}
	require.Len(t, got, 4)
	assert.Equal(t, "one", string(got[0].Data))
	assert.JSONEq(t, `{"two":2}`, string(got[1].Data))
	assert.Equal(t, []byte{3}, got[2].Data)
	assert.Equal(t, client.DataTypeProtobuf, got[3].DataType)
	fa, err := got[3].Any()
	require.NoError(t, err)
	var n wrapperspb.Int32Value
	require.NoError(t, fa.UnmarshalTo(&n))
	assert.Equal(t, int32(4), n.GetValue())
	for i, f := range got {
		assert.Equal(t, uint64(i+1), f.StreamSequenceID)
		assert.NotZero(t, f.SequenceID, "reliable receivers get sequence ids")
	}
	_, err = gs.Next(ctxT(t))
	assert.ErrorIs(t, err, io.EOF)
	waitFor(t, func() bool { return len(r.groupMessages()) == 5 }, "every stream frame is also a group message")
	gm := r.groupMessages()
	a, err := gm[3].Any()
	require.NoError(t, err)
	assert.Equal(t, "type.googleapis.com/google.protobuf.Int32Value", a.GetTypeUrl())
	assert.Equal(t, &client.GroupStreamInfo{StreamID: "s-1", StreamSequenceID: 5, EndOfStream: true}, gm[4].Stream)
}

func TestProtobufGroupStreamAbortAndForbidden(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	tx, _, sub := streamClients(t, v, withProtocol(client.ProtocolProtobufReliable), withProtocol(client.ProtocolProtobufReliable), nil)
	w, err := tx.OpenGroupStream(ctxT(t), "g", nil)
	require.NoError(t, err)
	require.NoError(t, w.Write(ctxT(t), client.Text("partial")))
	require.NoError(t, w.Abort(ctxT(t), &client.StreamError{Message: "source failed", UserErrorCode: "E7"}))
	gs, err := sub.Next(ctxT(t))
	require.NoError(t, err)
	f, err := gs.Next(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, "partial", string(f.Data))
	_, err = gs.Next(ctxT(t))
	var se *client.StreamError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, client.StreamError{Name: "UserError", Message: "source failed", UserErrorCode: "E7"}, *se)

	none := startClient(t, v.url(t, "none"), withProtocol(client.ProtocolProtobuf))
	_, err = none.OpenGroupStream(ctxT(t), "g", nil)
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Forbidden", se.Name)
}

// TestProtobufGroupStreamExactlyOnceThroughDrops writes a stream while both
// the protobuf sender and receiver are dropped and recovered: every fragment
// arrives exactly once, in order.
func TestProtobufGroupStreamExactlyOnceThroughDrops(t *testing.T) {
	const total, drops = 600, 5
	v := newEnv(t, emulator.Options{})
	tx, rx, sub := streamClients(t, v, withProtocol(client.ProtocolProtobufReliable), withProtocol(client.ProtocolProtobufReliable), nil)
	ctx := chaosCtx(t)
	w, err := tx.OpenGroupStream(ctx, "g", nil)
	require.NoError(t, err)
	sendErr := make(chan error, 1)
	go func() {
		for k := 1; k <= total; k++ {
			if k%(total/drops) == 0 {
				dropWhenLive(v, tx)
				dropWhenLive(v, rx)
			}
			if err := w.Write(ctx, client.Text(strconv.Itoa(k))); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- w.End(ctx)
	}()
	gs, err := sub.Next(ctx)
	require.NoError(t, err)
	next := 1
	for f, err := range gs.Fragments(ctx) {
		require.NoError(t, err, "after %d fragments", next-1)
		require.Equal(t, strconv.Itoa(next), string(f.Data), "fragments arrive exactly once, in order")
		next++
	}
	require.NoError(t, <-sendErr)
	assert.Equal(t, total+1, next)
}
