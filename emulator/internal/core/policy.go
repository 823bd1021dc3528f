package core

import (
	"time"

	"github.com/webpubsub-go/webpubsub/internal/names"
	"github.com/webpubsub-go/webpubsub/internal/permission"
)

// Limits are the emulator's budgets, in one place. Every queue, buffer and
// table of a connection is bounded by one of them.
type Limits struct {
	// MaxGroupsPerConnection bounds the groups one connection is in, and
	// the groups a user is added to through the REST API. A join over it
	// fails with ErrTooManyGroups; a handshake whose token names more is
	// refused.
	MaxGroupsPerConnection int
	// MaxUnackedMessages and MaxUnackedBytes bound the resend buffer of a
	// recoverable connection (the service's documented capacity); bytes
	// count each message as encoded for the connection (ConnSpec.Size). A
	// connection over either is closed for good.
	MaxUnackedMessages int
	MaxUnackedBytes    int
	// MaxAckIDs is how many ackIds a connection remembers to detect
	// duplicates: the ids of operations that succeeded (a failed one may be
	// retried with the same id), in the order they first succeeded; one
	// more forgets the oldest, and an id recorded again keeps its place.
	// The default, 1,000, is Microsoft's emulator's (AckCache.cs).
	MaxAckIDs int
	// RecoveryWindow is how long a dropped recoverable connection waits to
	// be recovered, unless its ConnSpec says otherwise.
	RecoveryWindow time.Duration
	// InboxFrames and InboxBytes bound the frames a connection has read but
	// not handled yet (Conn.Submit); a full inbox pauses reading. A frame
	// larger than InboxBytes is accepted into an empty inbox.
	InboxFrames int
	InboxBytes  int
	// QueueFrames and QueueBytes bound a socket's outbound queue (frames
	// queued or being written); a peer that falls this far behind is closed
	// instead of being waited on. Adapters apply them to their sockets.
	QueueFrames int
	QueueBytes  int
	// MaxInvocations bounds the invocations (user events a client waits
	// for an answer to) one connection has in flight.
	MaxInvocations int
	// MaxGroupBytesPerConnection bounds the bytes of the names of the
	// groups one connection is in (and of the groups a user is added to
	// through the REST API). A join over it fails with ErrTooManyGroups.
	MaxGroupBytesPerConnection int

	// The emulator-wide budgets (Budget): what all connections together
	// hold of one kind of memory. Zero or less means no such budget.
	//
	// TotalQueueBytes bounds the bytes queued for all client sockets;
	// frames that share their bytes (one message to many recipients of a
	// wire format) count once. A socket that holds at least BudgetFloor
	// and would go over it is closed as a slow reader.
	TotalQueueBytes int
	// TotalUnackedBytes bounds the resend buffers of all recoverable
	// connections, each message counted as its payload plus its encoding;
	// a message held by many buffers counts once per encoding. A connection holding at least BudgetFloor that would go
	// over it is closed for good, as over MaxUnackedBytes.
	TotalUnackedBytes int
	// TotalInvokeBytes bounds the bytes of all invocations in flight (the
	// payload, event name, invocation id and metadata of each, held until
	// the upstream answers); one more is refused with an error.
	TotalInvokeBytes int
	// TotalGroupBytes bounds the memory of all group memberships, counted
	// as the group name's bytes plus MembershipOverhead per membership; a
	// join over it fails with ErrGroupBudget.
	TotalGroupBytes int
}

// BudgetFloor is what one socket's queue or one resend buffer may always
// hold, whatever the emulator-wide budgets say: a client that keeps up is
// never refused because others do not (1 MiB, one message of the largest
// size a client may send).
const BudgetFloor = 1 << 20

// MembershipOverhead is what one group membership is counted to cost
// besides its name (the entries of the hub's and the connection's
// tables), against Limits.TotalGroupBytes.
const MembershipOverhead = 64

// DefaultLimits returns the emulator's budgets.
func DefaultLimits() Limits {
	return Limits{
		MaxGroupsPerConnection: 1000,
		MaxUnackedMessages:     1000,
		MaxUnackedBytes:        16 << 20,
		MaxAckIDs:              1000,
		RecoveryWindow:         30 * time.Second,
		InboxFrames:            16,
		InboxBytes:             1 << 20,
		QueueFrames:            4096,
		QueueBytes:             32 << 20,
		MaxInvocations:         128,
		// 1,000 groups of 128-byte names; 128 groups of the longest names.
		MaxGroupBytesPerConnection: 128 << 10,
		TotalQueueBytes:            128 << 20,
		TotalUnackedBytes:          128 << 20,
		TotalInvokeBytes:           64 << 20,
		TotalGroupBytes:            128 << 20,
	}
}

// Roles a connection can hold, each on every group (the service's role
// names, as a client token's role claim carries them). See package
// permission for the scoped and the plural roles.
const (
	RoleJoinLeaveGroup = permission.RoleJoinLeaveGroup
	RoleSendToGroup    = permission.RoleSendToGroup
)

// rolePermission returns the permission a role name of Allowed stands for.
func rolePermission(role string) (permission.Permission, bool) {
	switch role {
	case RoleSendToGroup:
		return permission.SendToGroup, true
	case RoleJoinLeaveGroup:
		return permission.JoinLeaveGroup, true
	}
	return 0, false
}

// RolesAllow reports whether a role list grants role on group (see
// Conn.Allowed), for decisions taken before a connection exists. Roles that
// cannot apply are ignored, as for a connection.
func RolesAllow(roles []string, role, group string) bool {
	p, ok := rolePermission(role)
	if !ok {
		return false
	}
	g, _ := permission.FromRoles(roles)
	return g.Allows(p, group)
}

// NormalizeHub returns the key a hub name is known by: hub names are
// case-insensitive, and a hub is known by its lower-case name (see
// names.NormalizeHub), which is also the name every observer sees and the
// upstream gets as ce-hub. Core.Hub and Core.LookupHub normalize the names
// they are given, so that every adapter and the settings agree.
func NormalizeHub(name string) string { return names.NormalizeHub(name) }

// ParseHub validates a hub name an adapter received (a REST path, a client
// URL) and returns the name the hub is known by (NormalizeHub).
func ParseHub(name string) (string, error) { return names.ParseHub(name) }

// ValidateHub reports whether name is a valid hub name.
func ValidateHub(name string) error { return names.ValidateHub(name) }

// ValidateGroup reports whether name is a valid group name.
func ValidateGroup(name string) error { return names.ValidateGroup(name) }
