package client_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
)

func TestAutoRejoinCanBeDisabled(t *testing.T) {
	for _, disable := range []bool{false, true} {
		t.Run(map[bool]string{false: "rejoin", true: "no rejoin"}[disable], func(t *testing.T) {
			var mu sync.Mutex
			var second []string // frames on the second connection
			f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
				send(ctx, ws, connected("c"+jsonNum(uint64(n))))
				readFrames(ctx, ws, func(b []byte) bool {
					if n > 0 {
						mu.Lock()
						second = append(second, string(b))
						mu.Unlock()
					}
					var m struct {
						Type  string  `json:"type"`
						AckID *uint64 `json:"ackId"`
					}
					if json.Unmarshal(b, &m) == nil && m.AckID != nil {
						send(ctx, ws, `{"type":"ack","ackId":`+jsonNum(*m.AckID)+`,"success":true}`)
					}
					if n == 0 && m.Type == "joinGroup" {
						_ = ws.Close(websocket.StatusPolicyViolation, "no recovery")
						return false
					}
					return true
				})
			})
			joins := func() int {
				mu.Lock()
				defer mu.Unlock()
				k := 0
				for _, fr := range second {
					if strings.Contains(fr, `"type":"joinGroup"`) {
						k++
					}
				}
				return k
			}
			o := fastOptions()
			o.DisableAutoRejoinGroups = disable
			c := startClient(t, f.url(), o)
			// The join is acked, then the connection is closed for good.
			_, err := c.JoinGroup(ctxT(t), "g", nil)
			require.NoError(t, err)
			waitFor(t, func() bool { return c.ConnectionID() == "c1" && c.State() == client.StateConnected }, "a new connection")
			_, err = c.SendEvent(ctxT(t), "marker", client.Text("x"), nil)
			require.NoError(t, err)
			if !disable {
				waitFor(t, func() bool { return joins() == 1 }, "the group is rejoined")
				return
			}
			assert.Zero(t, joins(), "no group is rejoined")
		})
	}
}
