package main

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// TestChatFlow walks the page's protocol without a browser: negotiate,
// connect with the JSON subprotocol, join the chat group, chat, and leave,
// against the sample server and the in-process emulator.
func TestChatFlow(t *testing.T) {
	base, emu := startChat(t)
	hc := httpClient(t)

	aliceURL := negotiate(t, hc, base, "alice")
	u, err := url.Parse(aliceURL)
	require.NoError(t, err)
	assert.Equal(t, "ws", u.Scheme)
	assert.Equal(t, strings.TrimPrefix(emu.URL(), "http://"), u.Host, "the URL points at the emulator")
	assert.Equal(t, "/client/hubs/"+hubName, u.Path)
	claims := tokenClaims(t, u.Query().Get(protocol.QueryAccessToken))
	assert.Equal(t, "alice", claims.Subject)
	assert.ElementsMatch(t, []string{"webpubsub.joinLeaveGroup.chat", "webpubsub.sendToGroup.chat"}, claims.Roles)
	assert.Empty(t, claims.Groups, "the page joins the group itself")

	alice := dialChat(t, aliceURL)
	hello, ok := alice.next().(protocol.ConnectedMessage)
	require.True(t, ok, "the first message is the connected event")
	assert.Equal(t, "alice", hello.UserID)
	assert.NotEmpty(t, hello.ConnectionID)

	alice.send(protocol.JoinGroupMessage{Group: chatGroup, AckID: ackID(1)})
	alice.expect(protocol.AckMessage{AckID: 1, Success: true})

	// The token's roles are scoped to the chat group.
	alice.send(protocol.JoinGroupMessage{Group: "elsewhere", AckID: ackID(2)})
	denied := alice.expectAck(2)
	assert.False(t, denied.Success)
	require.NotNil(t, denied.Error)
	assert.Equal(t, protocol.ErrorForbidden, denied.Error.Name)

	bob := dialChat(t, negotiate(t, hc, base, "bob"))
	hello, ok = bob.next().(protocol.ConnectedMessage)
	require.True(t, ok, "the first message is the connected event")
	assert.Equal(t, "bob", hello.UserID)
	// The server's "connected" handler announces bob to the group.
	alice.expect(protocol.GroupDataMessage{Group: chatGroup, Data: text("bob joined the chat")}) // from the server: no fromUserId
	bob.send(protocol.JoinGroupMessage{Group: chatGroup, AckID: ackID(1)})
	bob.expect(protocol.AckMessage{AckID: 1, Success: true})

	fromAlice := protocol.GroupDataMessage{Group: chatGroup, FromUserID: "alice", Data: text("Hello from alice!")}
	alice.send(protocol.SendToGroupMessage{Group: chatGroup, AckID: ackID(3), Data: text("Hello from alice!")})
	alice.expect(fromAlice, protocol.AckMessage{AckID: 3, Success: true})
	bob.expect(fromAlice)

	fromBob := protocol.GroupDataMessage{Group: chatGroup, FromUserID: "bob", Data: text("Hi alice, bob here.")}
	bob.send(protocol.SendToGroupMessage{Group: chatGroup, AckID: ackID(2), Data: text("Hi alice, bob here.")})
	bob.expect(fromBob, protocol.AckMessage{AckID: 2, Success: true})
	alice.expect(fromBob)

	// The server's "disconnected" handler tells the group bob left.
	require.NoError(t, bob.ws.Close(websocket.StatusNormalClosure, "bye"))
	alice.expect(protocol.GroupDataMessage{Group: chatGroup, Data: text("bob left the chat")})
}

// tokenClaims decodes the claims of a JWT (the signature is the emulator's
// business and is checked when the client connects).
func tokenClaims(t *testing.T, token string) auth.Claims {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "a JWT has three parts")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c auth.Claims
	require.NoError(t, json.Unmarshal(payload, &c))
	return c
}
