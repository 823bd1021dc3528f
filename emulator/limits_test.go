package emulator_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestGroupsPerConnectionAreCapped(t *testing.T) {
	defer emulator.SetMaxGroupsPerConnection(5)()
	e := start(t, emulator.Options{})
	c, id := connectJSON(t, e, "hub1", auth.Claims{Subject: "u", Roles: []string{protocol.RoleJoinLeaveGroup}})
	for i := 1; i <= 5; i++ {
		c.send(protocol.JoinGroupMessage{Group: fmt.Sprint("g", i), AckID: ackID(uint64(i))})
		require.True(t, c.ack(uint64(i)).Success)
	}
	c.send(protocol.JoinGroupMessage{Group: "g6", AckID: ackID(6)})
	a := c.ack(6)
	require.False(t, a.Success, "the sixth group is over the limit")
	require.NotNil(t, a.Error)
	assert.Equal(t, protocol.ErrorBadRequest, a.Error.Name)
	assert.Contains(t, a.Error.Message, "5 groups")
	c.send(protocol.JoinGroupMessage{Group: "g1", AckID: ackID(7)})
	assert.True(t, c.ack(7).Success, "joining a group it is in already is fine")

	r := call(t, e, http.MethodPut, "/api/hubs/hub1/groups/g7/connections/"+id, "", nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.body, "limit")
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/g7", "", nil).status)

	c.send(protocol.LeaveGroupMessage{Group: "g1", AckID: ackID(8)})
	require.True(t, c.ack(8).Success)
	r = call(t, e, http.MethodPut, "/api/hubs/hub1/groups/g7/connections/"+id, "", nil)
	assert.Equal(t, http.StatusOK, r.status, "a group left frees a place")

	_, _ = connectJSON(t, e, "hub1", auth.Claims{Subject: "u2"}) // a user without a connection is a 404
	for i := 1; i <= 5; i++ {
		r = call(t, e, http.MethodPut, fmt.Sprintf("/api/hubs/hub1/users/u2/groups/ug%d", i), "", nil)
		require.Equal(t, http.StatusOK, r.status, r.body)
	}
	r = call(t, e, http.MethodPut, "/api/hubs/hub1/users/u2/groups/ug6", "", nil)
	assert.Equal(t, http.StatusBadRequest, r.status, "a user is capped too")

	groups := []string{"a", "b", "c", "d", "e", "f"}
	_, resp, err := dialRaw(clientURL(t, e, "hub1", auth.Claims{Groups: groups}), protocol.JSON)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a token with more groups than the limit")
}

// TestRemovalOfConnectionInManyGroupsDoesNotStallHub removes a connection
// in the maximum number of groups while other hub operations run: each of
// them completes quickly (the removal releases the hub's lock as it goes).
func TestRemovalOfConnectionInManyGroupsDoesNotStallHub(t *testing.T) {
	e := start(t, emulator.Options{})
	groups := make([]string, 1000)
	for i := range groups {
		groups[i] = fmt.Sprint("g", i)
	}
	_, id := connectJSON(t, e, "hub1", auth.Claims{Subject: "many", Groups: groups})
	require.Equal(t, http.StatusOK, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/g999", "", nil).status)

	var wg sync.WaitGroup
	var slowest time.Duration
	var mu sync.Mutex
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			start := time.Now()
			call(t, e, http.MethodHead, "/api/hubs/hub1/groups/g0", "", nil)
			mu.Lock()
			slowest = max(slowest, time.Since(start))
			mu.Unlock()
		}
	}()
	r := call(t, e, http.MethodDelete, "/api/hubs/hub1/connections/"+id, "", nil)
	require.Equal(t, http.StatusNoContent, r.status)
	require.Eventually(t, func() bool {
		return call(t, e, http.MethodHead, "/api/hubs/hub1/groups/g999", "", nil).status == http.StatusNotFound
	}, 10*time.Second, 10*time.Millisecond, "the removed connection left every group")
	close(done)
	wg.Wait()
	assert.Less(t, slowest, 2*time.Second, "a hub operation waited for the removal")
}

// readUntilClosed reads c until the server closes it and returns what it
// read; it fails the test if that takes longer than 10 s.
func readUntilClosed(t *testing.T, c net.Conn) string {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	b, err := io.ReadAll(c)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the emulator kept the connection open")
	return string(b)
}

func TestIdleKeepAliveConnectionIsClosed(t *testing.T) {
	defer emulator.SetHTTPTimeouts(time.Minute, 300*time.Millisecond)()
	e := start(t, emulator.Options{})
	c, err := net.Dial("tcp", strings.TrimPrefix(e.URL(), "http://"))
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	out := readUntilClosed(t, c) // the answer, then the close once idle
	assert.Contains(t, out, "200 OK")
}

func TestSlowRequestBodyTimesOut(t *testing.T) {
	defer emulator.SetHTTPTimeouts(300*time.Millisecond, time.Minute)()
	e := start(t, emulator.Options{})
	c, err := net.Dial("tcp", strings.TrimPrefix(e.URL(), "http://"))
	require.NoError(t, err)
	defer c.Close()
	// Headers promising a body that never comes.
	_, err = io.WriteString(c, "POST /api/hubs/hub1/:send?api-version=2024-12-01 HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc")
	require.NoError(t, err)
	readUntilClosed(t, c)
}

func TestConnectionLimitRefusesClearly(t *testing.T) {
	e := start(t, emulator.Options{MaxConnections: 2})
	host := strings.TrimPrefix(e.URL(), "http://")
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", host)
		require.NoError(t, err)
		held = append(held, c)
		// A completed request proves the connection was accepted.
		_, err = io.WriteString(c, "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(e.URL() + "/api/health")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, string(body), "limit of 2 concurrent connections")

	held[0].Close()
	require.Eventually(t, func() bool {
		resp, err := client.Get(e.URL() + "/api/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond, "a closed connection frees its place")
	held[1].Close()
}
