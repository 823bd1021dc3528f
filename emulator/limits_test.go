package emulator_test

import (
	"fmt"
	"net/http"
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
