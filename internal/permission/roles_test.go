package permission

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// The role names are defined twice (here, so that the emulator's core needs
// no wire format, and in internal/protocol); they must stay the same.
func TestRoleNamesAreTheProtocols(t *testing.T) {
	assert.Equal(t, protocol.RoleSendToGroup, RoleSendToGroup)
	assert.Equal(t, protocol.RoleJoinLeaveGroup, RoleJoinLeaveGroup)
	assert.Equal(t, protocol.RoleSendToGroup, SendToGroup.Role())
	assert.Equal(t, protocol.RoleJoinLeaveGroup, JoinLeaveGroup.Role())
}
