package client_test

import (
	"context"
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
)

// serverText is a JSON server message with a sequence id.
func serverText(data string, seq uint64) string {
	return `{"type":"message","from":"server","dataType":"text","data":"` + data + `","sequenceId":` + strconv.FormatUint(seq, 10) + `}`
}

// A sequence id that cannot be right (the largest uint64, or a jump far
// beyond the last) is a protocol error: the client reports it, recovers the
// connection and delivers what the service resends, never acknowledging the
// bad id. (v0.2.0 took it as the last id: it dropped every later message as
// a resend and acknowledged 2^64-1.)
func TestImpossibleSequenceIDIsAProtocolErrorAndRecovered(t *testing.T) {
	for name, bad := range map[string]uint64{
		"max uint64":     math.MaxUint64,
		"jump too large": 1 + client.MaxSequenceJump + 1,
	} {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			var acks []uint64
			f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
				switch n {
				case 0:
					send(ctx, ws, connected("c0"))
					send(ctx, ws, serverText("one", 1))
					send(ctx, ws, serverText("bad", bad))
					send(ctx, ws, serverText("two", 2))
				default:
					if q.Get("awps_connection_id") != "c0" {
						return // not a recovery: refuse
					}
					send(ctx, ws, connected("c0"))
					send(ctx, ws, serverText("two", 2)) // what the client did not acknowledge
					send(ctx, ws, serverText("three", 3))
				}
				readFrames(ctx, ws, func(b []byte) bool {
					var m struct {
						Type       string `json:"type"`
						SequenceID uint64 `json:"sequenceId"`
					}
					if json.Unmarshal(b, &m) == nil && m.Type == "sequenceAck" {
						mu.Lock()
						acks = append(acks, m.SequenceID)
						mu.Unlock()
					}
					return true
				})
			})
			var r recorder
			c := startClient(t, f.url(), r.hook(fastOptions()))
			waitFor(t, func() bool { return len(r.serverMessages()) == 3 }, "the messages after the bad one are delivered")
			var got []string
			for _, m := range r.serverMessages() {
				got = append(got, string(m.Data))
			}
			assert.Equal(t, []string{"one", "two", "three"}, got)
			require.Len(t, r.invalidMessages(), 1)
			require.ErrorIs(t, r.invalidMessages()[0], client.ErrInvalidSequenceID)
			assert.Contains(t, r.invalidMessages()[0].Error(), "sequenceId "+strconv.FormatUint(bad, 10)+" after 1")
			assert.Empty(t, r.disconnectedEvents(), "the connection was recovered")
			assert.Equal(t, "c0", c.ConnectionID())
			waitFor(t, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(acks) > 0 && acks[len(acks)-1] == 3
			}, "the last id is acknowledged")
			mu.Lock()
			defer mu.Unlock()
			for _, a := range acks {
				assert.LessOrEqual(t, a, uint64(3), "the bad id is never acknowledged")
			}
		})
	}
}
