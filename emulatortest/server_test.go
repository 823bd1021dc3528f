package emulatortest_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// ctxT returns a context that ends well before the test's deadline.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// refused reports whether nothing answers HTTP at u any more.
func refused(u string) bool {
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Get(u + "/")
	if err == nil {
		resp.Body.Close()
		return false
	}
	return true
}

func TestNewServesUntilTheTestEnds(t *testing.T) {
	var srv *emulatortest.Server
	var c *client.Client
	var mu sync.Mutex
	var stopped []client.StoppedEvent
	t.Run("test", func(t *testing.T) {
		srv = emulatortest.New(t, nil)
		assert.True(t, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"), srv.URL())
		assert.Equal(t, "Endpoint="+srv.URL()+";AccessKey="+emulator.DevAccessKey+";Version=1.0;", srv.ConnectionString())
		assert.False(t, refused(srv.URL()), "the emulator answers during the test")
		c = srv.NewClient("chat", nil, &client.Options{OnStopped: func(_ context.Context, e client.StoppedEvent) {
			mu.Lock()
			defer mu.Unlock()
			stopped = append(stopped, e)
		}})
		assert.Equal(t, client.StateConnected, c.State())
	})
	assert.True(t, refused(srv.URL()), "the test's cleanup closed the emulator")
	assert.Equal(t, client.StateStopped, c.State(), "the cleanup stopped the client")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, stopped, 1)
	assert.NoError(t, stopped[0].Err, "stopped by Stop, not by a lost connection")
	goleak.VerifyNone(t)
}

func TestNewFailsTheTestWhenTheEmulatorCannotStart(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	badSettings := filepath.Join(t.TempDir(), "settings.json")
	require.NoError(t, os.WriteFile(badSettings, []byte(`{"hubs": {"chat": {"anonymousConnectPolicy": "sometimes"}}}`), 0o600))

	for name, tc := range map[string]struct {
		opts *emulator.Options
		want string
	}{
		"port in use":                     {&emulator.Options{Addr: busy.Addr().String()}, "address already in use"},
		"invalid settings":                {&emulator.Options{SettingsFile: badSettings}, "anonymousConnectPolicy"},
		"default key on a public address": {&emulator.Options{Addr: "0.0.0.0:0"}, "AccessKey"},
	} {
		t.Run(name, func(t *testing.T) {
			ft := &fakeTB{}
			var srv *emulatortest.Server
			returned := ft.run(func() { srv = emulatortest.New(ft, tc.opts) })
			assert.False(t, returned, "New must not return after Fatalf")
			assert.Nil(t, srv)
			msgs := ft.fatalMessages()
			require.Len(t, msgs, 1)
			assert.True(t, strings.HasPrefix(msgs[0], "emulatortest: starting the emulator: "), msgs[0])
			assert.Contains(t, msgs[0], tc.want)
			assert.Zero(t, ft.cleanupCount(), "nothing to clean up")
		})
	}
}

func TestStartIsClosedByItsCaller(t *testing.T) {
	_, err := emulatortest.Start(&emulator.Options{Addr: "not an address"})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "emulatortest: starting the emulator: "), err.Error())

	srv, err := emulatortest.Start(nil)
	require.NoError(t, err)
	assert.False(t, refused(srv.URL()))
	c := srv.NewClient("chat", nil, nil)
	require.NoError(t, srv.Close())
	assert.True(t, refused(srv.URL()))
	assert.Equal(t, client.StateStopped, c.State(), "Close stopped the client")
	require.NoError(t, srv.Close(), "a second Close does nothing")
	goleak.VerifyNone(t)
}

func TestEarlyCloseLeavesNothingForTheCleanup(t *testing.T) {
	ft := &fakeTB{}
	var srv *emulatortest.Server
	require.True(t, ft.run(func() { srv = emulatortest.New(ft, nil) }))
	require.Equal(t, 1, ft.cleanupCount())
	require.NoError(t, srv.Close())
	assert.True(t, refused(srv.URL()))
	ft.finish()
	assert.Empty(t, ft.errorMessages())
	assert.Empty(t, ft.fatalMessages())
}

func TestServiceClientReachesClients(t *testing.T) {
	srv := emulatortest.New(t, nil)
	got := make(chan client.ServerMessage, 1)
	srv.NewClient("chat", &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"}, &client.Options{
		OnServerMessage: func(_ context.Context, m client.ServerMessage) { got <- m },
	})
	svc := srv.ServiceClient("chat", nil)
	assert.Equal(t, "chat", svc.Hub())
	_, err := svc.SendToUser(ctxT(t), "alice", webpubsub.TextMessage("hello"), nil)
	require.NoError(t, err)
	select {
	case m := <-got:
		assert.Equal(t, "hello", string(m.Data))
		assert.Equal(t, client.DataTypeText, m.DataType)
	case <-ctxT(t).Done():
		t.Fatal("alice did not receive the message")
	}
}

func TestClientURLCarriesTheTokenOptions(t *testing.T) {
	srv := emulatortest.New(t, nil)
	before := time.Now()
	raw := srv.ClientURL("chat", &webpubsub.ServiceClientGetClientAccessTokenOptions{
		UserID: "alice", Roles: []string{"webpubsub.joinLeaveGroup"}, Groups: []string{"room"}, ExpiresAfter: 5 * time.Minute,
	})
	u, err := url.Parse(raw)
	require.NoError(t, err)
	assert.Equal(t, "ws", u.Scheme)
	assert.Equal(t, strings.TrimPrefix(srv.URL(), "http://"), u.Host)
	assert.Equal(t, "/client/hubs/chat", u.Path)

	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(u.Query().Get("access_token"), claims, func(*jwt.Token) (any, error) {
		return []byte(srv.AccessKey()), nil
	}, jwt.WithValidMethods([]string{"HS256"}))
	require.NoError(t, err, "signed with the emulator's key")
	assert.Equal(t, "alice", claims["sub"])
	assert.Equal(t, []any{"webpubsub.joinLeaveGroup"}, claims["role"])
	assert.Equal(t, []any{"room"}, claims["webpubsub.group"])
	exp, err := claims.GetExpirationTime()
	require.NoError(t, err)
	assert.WithinDuration(t, before.Add(5*time.Minute), exp.Time, 5*time.Second)

	// The emulator honours the token: alice is in "room" from the start.
	got := make(chan client.GroupMessage, 1) // a REST send to a group is a group message
	c, err := client.New(raw, &client.Options{OnGroupMessage: func(_ context.Context, m client.GroupMessage) { got <- m }})
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	t.Cleanup(func() { assert.NoError(t, c.Stop(context.Background())) })
	_, err = srv.ServiceClient("chat", nil).NewGroupClient("room").SendToAll(ctxT(t), webpubsub.TextMessage("in room"), nil)
	require.NoError(t, err)
	select {
	case m := <-got:
		assert.Equal(t, "room", m.Group)
		assert.Empty(t, m.FromUserID)
		assert.Equal(t, "in room", string(m.Data))
	case <-ctxT(t).Done():
		t.Fatal("the token's group was not joined")
	}
}

// secretFree asserts that msg shows neither the access key nor a token.
func secretFree(t *testing.T, srv *emulatortest.Server, msg string) {
	t.Helper()
	assert.NotContains(t, msg, srv.AccessKey())
	assert.NotContains(t, msg, "eyJ", "a JWT")
}

func TestHelpersFailTheTestWithClearMessages(t *testing.T) {
	ft := &fakeTB{}
	var srv *emulatortest.Server
	require.True(t, ft.run(func() { srv = emulatortest.New(ft, nil) }))
	defer ft.finish()

	for name, tc := range map[string]struct {
		call func()
		want []string
	}{
		"ServiceClient with an invalid hub": {
			call: func() { srv.ServiceClient("no such hub!", nil) },
			want: []string{`emulatortest: ServiceClient("no such hub!"): `, "hub"},
		},
		"ClientURL with a negative expiry": {
			call: func() {
				srv.ClientURL("chat", &webpubsub.ServiceClientGetClientAccessTokenOptions{ExpiresAfter: -time.Minute})
			},
			want: []string{`emulatortest: ClientURL("chat"): minting the client access token: `, "ExpiresAfter"},
		},
		"NewClient with an unknown protocol": {
			call: func() { srv.NewClient("chat", nil, &client.Options{Protocol: "no-such-protocol"}) },
			want: []string{`emulatortest: NewClient("chat"): `, "no-such-protocol"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			before := len(ft.fatalMessages())
			assert.False(t, ft.run(tc.call), "the helper must stop the test")
			msgs := ft.fatalMessages()[before:]
			require.Len(t, msgs, 1)
			for _, w := range tc.want {
				assert.Contains(t, msgs[0], w)
			}
			secretFree(t, srv, msgs[0])
		})
	}

	// An emulator that is gone: the client cannot connect.
	require.NoError(t, srv.Emulator.Close())
	assert.False(t, ft.run(func() {
		srv.NewClient("chat", &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"}, nil)
	}))
	msgs := ft.fatalMessages()
	assert.Contains(t, msgs[len(msgs)-1], `emulatortest: NewClient("chat"): `)
	assert.Contains(t, msgs[len(msgs)-1], "refused")
	secretFree(t, srv, msgs[len(msgs)-1])

	require.NoError(t, srv.Close())
	assert.False(t, ft.run(func() { srv.NewClient("chat", nil, nil) }))
	msgs = ft.fatalMessages()
	assert.Equal(t, `emulatortest: NewClient("chat"): the Server is closed: start clients before Close`, msgs[len(msgs)-1])
}

func TestStartedServersHelpersPanic(t *testing.T) {
	srv, err := emulatortest.Start(nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, srv.Close()) }()
	assert.PanicsWithValue(t, `emulatortest: ClientURL("chat"): minting the client access token: `+
		mintError(t, &webpubsub.ServiceClientGetClientAccessTokenOptions{Roles: []string{""}}), func() {
		srv.ClientURL("chat", &webpubsub.ServiceClientGetClientAccessTokenOptions{Roles: []string{""}})
	})
}

// mintError is the service SDK's own error for token options.
func mintError(t *testing.T, o *webpubsub.ServiceClientGetClientAccessTokenOptions) string {
	t.Helper()
	sc, err := webpubsub.NewServiceClientFromConnectionString("Endpoint=http://127.0.0.1:1;AccessKey="+emulator.DevAccessKey+";Version=1.0;", "chat", nil)
	require.NoError(t, err)
	_, err = sc.GetClientAccessToken(context.Background(), o)
	require.Error(t, err)
	return err.Error()
}
