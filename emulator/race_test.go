package emulator_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// TestConcurrentChurn runs connects, recoveries, REST sends and closes,
// drops, Reset and finally Close at the same time. Under -race it proves the
// locking; goleak (TestMain) proves that Close leaves no goroutine behind;
// the final round proves the emulator still works after the churn.
func TestConcurrentChurn(t *testing.T) {
	e := start(t, emulator.Options{RecoveryWindow: time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	rounds := 25
	subprotocols := []string{protocol.JSONReliable, protocol.JSON, ""}

	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub := subprotocols[w%len(subprotocols)]
			for i := 0; i < rounds && ctx.Err() == nil; i++ {
				u := clientURL(t, e, "hub1", auth.Claims{Subject: "churn", Groups: []string{"g"}})
				ws, resp, err := dialRaw(u, sub)
				if err != nil {
					if resp != nil && resp.Body != nil {
						resp.Body.Close()
					}
					continue
				}
				var id, token string
				if sub != "" {
					rctx, rcancel := context.WithTimeout(ctx, time.Second)
					_, data, err := ws.Read(rctx)
					rcancel()
					if err == nil {
						if cm, ok := mustDecode(data).(protocol.ConnectedMessage); ok {
							id, token = cm.ConnectionID, cm.ReconnectionToken
						}
					}
				}
				ws.CloseNow() // abrupt: reliable connections wait for recovery
				if token != "" {
					if rws, _, err := dialRaw(recoveryURL(u, id, token), protocol.JSONReliable); err == nil {
						rctx, rcancel := context.WithTimeout(ctx, 100*time.Millisecond)
						_, _, _ = rws.Read(rctx)
						rcancel()
						rws.CloseNow()
					}
				}
			}
		}()
	}
	rest := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds && ctx.Err() == nil; i++ {
				f()
			}
		}()
	}
	rest(func() { call(t, e, http.MethodPost, "/api/hubs/hub1/:send", "text/plain", []byte("x")) })
	rest(func() { call(t, e, http.MethodPost, "/api/hubs/hub1/groups/g/:send", "application/json", []byte(`1`)) })
	rest(func() { call(t, e, http.MethodPost, "/api/hubs/hub1/users/churn/:closeConnections", "", nil) })
	rest(func() { call(t, e, http.MethodPut, "/api/hubs/hub1/users/churn/groups/h", "", nil) })
	rest(func() { e.DropAllConnections("") })
	rest(func() { e.Reset() })
	wg.Wait()
	require.NoError(t, ctx.Err(), "the churn finished in time (no deadlock)")

	c, _ := connectJSON(t, e, "hub1", auth.Claims{})
	send(t, e, "/api/hubs/hub1/:send", "after churn")
	assert.Equal(t, "after churn", c.serverText())
}

// TestCloseDuringChurn closes the emulator while clients connect and REST
// requests run: Close returns, and goleak (TestMain) proves that every
// goroutine of the emulator ended.
func TestCloseDuringChurn(t *testing.T) {
	srv := emulatortest.New(t, nil)
	e := srv.Emulator
	u := clientURL(t, e, "hub1", auth.Claims{Subject: "u"})
	sendURL := e.URL() + withAPIVersion("/api/hubs/hub1/:send")
	authz := "Bearer " + restToken(t, e.AccessKey(), sendURL, time.Now().Add(time.Hour))
	started := make(chan struct{}, 1)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				ws, resp, err := dialRaw(u, protocol.JSONReliable)
				if resp != nil && resp.Body != nil {
					resp.Body.Close()
				}
				if err != nil {
					return // the emulator is closed
				}
				select {
				case started <- struct{}{}:
				default:
				}
				ws.CloseNow()
				req, _ := http.NewRequest(http.MethodPost, sendURL, strings.NewReader("x"))
				req.Header.Set("Content-Type", "text/plain")
				req.Header.Set("Authorization", authz)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
				}
			}
		}()
	}
	<-started
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return")
	}
	wg.Wait()
	_, _, err := dialRaw(u, protocol.JSON)
	assert.Error(t, err, "a closed emulator accepts no connection")
	http.DefaultClient.CloseIdleConnections()
}

// mustDecode decodes a frame, returning nil when it is not a message.
func mustDecode(b []byte) protocol.Message {
	m, err := protocol.Decode(b)
	if err != nil {
		return nil
	}
	return m
}
