package wslink

import (
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// TestEachCloseKindHasItsWebSocketCode pins the mapping of the core's
// neutral close reasons to the codes clients observe.
func TestEachCloseKindHasItsWebSocketCode(t *testing.T) {
	for _, tc := range []struct {
		reason core.CloseReason
		code   websocket.StatusCode
	}{
		{core.CloseReason{Kind: core.CloseNormal}, websocket.StatusNormalClosure},
		{core.CloseReason{Kind: core.ClosePolicyViolation}, websocket.StatusPolicyViolation},
		{core.CloseReason{Kind: core.CloseUnsupportedData}, websocket.StatusUnsupportedData},
		{core.CloseReason{Kind: core.CloseInvalidFrame}, websocket.StatusInvalidFramePayloadData},
		{core.CloseReason{Kind: core.CloseServerError}, websocket.StatusInternalError},
		{core.CloseReason{Kind: core.CloseWireCode, Code: 4321}, 4321},
	} {
		code, ok := Status(tc.reason)
		assert.True(t, ok, "kind %d has a close frame", tc.reason.Kind)
		assert.Equal(t, tc.code, code, "kind %d", tc.reason.Kind)
	}
	_, ok := Status(core.CloseReason{Kind: core.CloseLimitExceeded})
	assert.False(t, ok, "a connection over its limits is dropped without a close frame, as a network failure")
}
