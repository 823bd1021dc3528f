package emulator_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// neverAnswers is an upstream user event handler that answers only when
// the emulator gives up on the call.
func neverAnswers(ctx context.Context, _ *eventhandler.UserEventRequest, _ *eventhandler.UserEventResponse) error {
	<-ctx.Done()
	return ctx.Err()
}

// startSilentUpstream starts an emulator with opts whose hubs call an
// event handler (hub "chat") that never answers user events.
func startSilentUpstream(t *testing.T, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	h, err := eventhandler.New("chat", &eventhandler.Options{AccessKeys: []string{upstreamKey}, OnUserEvent: neverAnswers, MaxBodyBytes: 2 << 20,
		Logger: slog.New(slog.DiscardHandler)}) // the calls end canceled, which it would log
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	opts.AccessKey = upstreamKey
	opts.Upstream = []emulator.UpstreamHandler{{URLTemplate: srv.URL + "/api/webpubsub/hubs/{hub}", UserEventPattern: "*"}}
	return start(t, opts)
}

// trySend writes m and returns the error instead of failing the test (the
// emulator may have closed the connection).
func (c *wsClient) trySend(m protocol.Message) error {
	b, err := protocol.Encode(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// attackEchoClients: reliable clients each send 8 MiB to a group only they
// are in and read nothing, so that what they get waits for them (queued,
// then unacknowledged). Each stays under its own limits (16 MiB
// unacknowledged, 32 MiB queued); together they are over the emulator-wide
// budgets, which close the ones that go over. Before: 50 such clients
// reached 1.7 GiB of RSS, bounded only by the per-connection limits.
func attackEchoClients(t *testing.T) {
	const (
		clients  = 10
		messages = 16
		size     = 512 << 10
		budget   = 24 << 20
	)
	logger, logs := newLog(slog.LevelWarn)
	e := start(t, emulator.Options{Logger: logger, Budgets: emulator.Budgets{QueuedBytes: budget, UnackedBytes: budget}})
	before := liveHeap()
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		c, _, _ := reliableClient(t, e, "hub1", auth.Claims{Subject: fmt.Sprint("echo", i), Roles: senderRoles, Groups: []string{fmt.Sprint("own", i)}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := text(strings.Repeat("e", size))
			for j := 0; j < messages; j++ {
				if c.trySend(protocol.SendToGroupMessage{Group: fmt.Sprint("own", i), Data: data}) != nil {
					return // closed for going over a budget
				}
			}
		}()
	}
	wg.Wait()
	use := emulator.BudgetUse(e)
	grown := int64(liveHeap()) - int64(before)
	t.Logf("%d clients sent %d MiB; the budgets hold %d KiB queued and %d KiB unacknowledged; heap grew by %d KiB",
		clients, clients*messages*size>>20, use["queue"]>>10, use["unacked"]>>10, grown>>10)
	// Each budget may go over its limit by what the clients under the
	// floor took (1 MiB and one message each).
	slack := clients * (1<<20 + size + 1024)
	assert.LessOrEqual(t, use["unacked"], budget+slack)
	assert.LessOrEqual(t, use["queue"], budget+slack)
	assert.Less(t, grown, int64(2*(budget+slack)), "the messages held are bounded by the budgets")
	logs.waitFor(t, "connection limit hit", "across all connections) is exhausted")
}

// attackSilentInvocations: clients start invocations of about 1 MB each
// against a handler that never answers. Each client stays under its own
// limit of 128 in flight; together they are over the emulator-wide budget
// of invocation bytes, and the ones over it are refused at once. Before:
// 202 MiB per client with 128 in flight.
func attackSilentInvocations(t *testing.T) {
	const (
		clients = 3
		each    = 40
		size    = 1<<20 - 4<<10
		budget  = 16 << 20
	)
	e := startSilentUpstream(t, emulator.Options{Budgets: emulator.Budgets{InvokeBytes: budget}})
	data := text(strings.Repeat("v", size))
	refused := 0
	for i := 0; i < clients; i++ {
		c := dial(t, clientURL(t, e, "chat", auth.Claims{Subject: fmt.Sprint("inv", i)}), protocol.JSON)
		c.connected()
		for j := 0; j < each; j++ {
			c.send(protocol.InvokeMessage{InvocationID: fmt.Sprint(j), Target: protocol.InvokeTargetEvent, Event: "slow", Data: data})
		}
		c.send(protocol.PingMessage{})
		for {
			m := c.next()
			if _, ok := m.(protocol.PongMessage); ok {
				break
			}
			r, ok := m.(protocol.InvokeResponseMessage)
			require.True(t, ok, "%#v", m)
			require.NotNil(t, r.Error)
			assert.Equal(t, "TooManyInvocations", r.Error.Name)
			assert.Contains(t, r.Error.Message, "budget for invocations in flight (16 MiB across all connections)")
			refused++
		}
	}
	held := emulator.BudgetUse(e)["invoke"]
	t.Logf("%d of %d invocations were refused; %d KiB are in flight", refused, clients*each, held>>10)
	assert.LessOrEqual(t, held, budget)
	// 16 invocations of 1 MiB - 4 KiB (and their event names and ids) fit.
	assert.Equal(t, clients*each-16, refused, "every invocation over the budget, none under it")
}

// TestGroupBudgetRefusesJoinsAndHandshakes: once the group memberships of
// all connections take Budgets.GroupBytes, a join is acked with BadRequest,
// REST answers 400 and a handshake whose token names groups is refused
// with 503 and the reason; leaving gives room back.
func TestGroupBudgetRefusesJoinsAndHandshakes(t *testing.T) {
	name := func(i int) string { return fmt.Sprintf("%03d%s", i, strings.Repeat("b", 997)) }
	e := start(t, emulator.Options{Budgets: emulator.Budgets{GroupBytes: 10 * (1000 + 64)}})
	c, id := connectJSON(t, e, "hub1", auth.Claims{Subject: "u", Roles: []string{protocol.RoleJoinLeaveGroup}})
	for i := 0; i < 10; i++ {
		c.send(protocol.JoinGroupMessage{Group: name(i), AckID: ackID(uint64(i + 1))})
		require.True(t, c.ack(uint64(i+1)).Success, "join %d", i)
	}
	c.send(protocol.JoinGroupMessage{Group: name(10), AckID: ackID(11)})
	a := c.ack(11)
	require.False(t, a.Success)
	assert.Equal(t, protocol.ErrorBadRequest, a.Error.Name)
	assert.Contains(t, a.Error.Message, "budget for group memberships")
	r := call(t, e, http.MethodPut, "/api/hubs/hub1/groups/other/connections/"+id, "", nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.body, "budget for group memberships")

	_, resp, err := dialRaw(clientURL(t, e, "hub1", auth.Claims{Groups: []string{"g"}}), protocol.JSON)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)

	c.send(protocol.LeaveGroupMessage{Group: name(0), AckID: ackID(12)})
	require.True(t, c.ack(12).Success)
	connectJSON(t, e, "hub1", auth.Claims{Groups: []string{"g"}})
}
