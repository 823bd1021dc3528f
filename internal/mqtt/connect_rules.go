package mqtt

import (
	"crypto/rand"
	"time"
)

// Bounds of a CONNECT that the service documents (reference mqtt.md §1,
// azure-web-pubsub docs includes/mqtt-connection-parameters.md).
const (
	// MaxClientIDLength is the longest client id: [0-9A-Za-z]{1,128}.
	MaxClientIDLength = 128
	// MinKeepAlive and MaxKeepAlive bound a 3.1.1 client's keep alive, in
	// seconds (0, which disables keep alive, is refused).
	MinKeepAlive = 1
	MaxKeepAlive = 180
	// AssignedClientIDLength is the length of the ids the broker assigns.
	AssignedClientIDLength = 32
	// DefaultServerReceiveMaximum is the Receive Maximum the broker
	// advertises to 5.0 clients and applies to 3.1.1 ones: QoS 1 and 2
	// PUBLISHes a client may have unacknowledged. The service's value is
	// not documented.
	DefaultServerReceiveMaximum = 100
)

// ConnectOptions are the broker's side of a CONNECT. The zero value is the
// service's behaviour; nil means the zero value.
type ConnectOptions struct {
	// MaxPacketSize is advertised as Maximum Packet Size (5.0);
	// DefaultMaxPacketSize when 0. It must be the Reader's.
	MaxPacketSize int
	// ReceiveMaximum is advertised (5.0); DefaultServerReceiveMaximum when 0.
	ReceiveMaximum uint16
	// NewClientID returns an id for a client that sent an empty one; when
	// nil, AssignedClientIDLength random letters and digits.
	NewClientID func() string
}

// Accepted is what the broker sets up for an accepted CONNECT.
type Accepted struct {
	// ClientID is the client's id, assigned when the client sent none.
	ClientID string
	// KeepAlive is the keep alive in effect, in seconds; the broker closes
	// a connection silent for 1.5 times as long (5.0 §3.1.2.10).
	KeepAlive uint16
	// SessionExpiry is how long the session outlives the connection
	// (SessionExpiry).
	SessionExpiry time.Duration
	// WillDelay is how long after an unclean close the will is published
	// (WillDelay); meaningless without a will.
	WillDelay time.Duration
	// Connack is the success CONNACK, without Session Present, which the
	// broker sets when it resumes a session.
	Connack *Connack
}

// AcceptConnect applies the service's CONNECT rules to c and returns the
// session's parameters and the CONNACK, or the refusal. Rules, in order:
//   - an Authentication Method (5.0 enhanced authentication) is not
//     supported: 0x8C bad authentication method;
//   - the client id is [0-9A-Za-z]{1,128} (documented): else 0x85 (3.1.1:
//     return code 2). An empty id is assigned one on 5.0 (Assigned Client
//     Identifier is documented as supported) and on 3.1.1 with clean
//     session, which 3.1.1 §3.1.3.1 allows; 3.1.1 without clean session
//     must be refused with return code 2 (3.1.1 §3.1.3.1);
//   - keep alive on 3.1.1 is 1 to 180 s (documented): else the connection
//     is closed without CONNACK, 3.1.1 having no return code for it. On 5.0
//     (limit not documented) a value outside is replaced by the nearest
//     bound, announced as Server Keep Alive, which clients adopt;
//   - the will passes CheckWill.
func AcceptConnect(c *Connect, opts *ConnectOptions) (*Accepted, *Refusal) {
	var o ConnectOptions
	if opts != nil {
		o = *opts
	}
	if c.Version == V5 && c.Properties.AuthenticationMethod != "" {
		return nil, refuse(BadAuthenticationMethod, "enhanced authentication (method %q) is not supported", c.Properties.AuthenticationMethod)
	}
	a := &Accepted{ClientID: c.ClientID, KeepAlive: c.KeepAlive, Connack: &Connack{}}
	if c.ClientID == "" {
		if c.Version == V311 && !c.CleanStart {
			return nil, refuse(ClientIdentifierNotValid, "an empty client id needs clean session = 1 on MQTT 3.1.1")
		}
		a.ClientID = newClientID(o.NewClientID)
		if c.Version == V5 {
			a.Connack.Properties.AssignedClientIdentifier = a.ClientID
		}
	} else if msg := checkClientID(c.ClientID); msg != "" {
		return nil, refuse(ClientIdentifierNotValid, "client id %s; it must be 1 to %d letters and digits", msg, MaxClientIDLength)
	}
	if r := a.keepAlive(c); r != nil {
		return nil, r
	}
	if c.Will != nil {
		if r := CheckWill(c.Will); r != nil {
			return nil, r
		}
	}
	a.SessionExpiry = SessionExpiry(c)
	a.WillDelay = WillDelay(c, a.SessionExpiry)
	if c.Version == V5 {
		a.setProperties(c, &o)
	}
	return a, nil
}

// keepAlive applies the keep alive range.
func (a *Accepted) keepAlive(c *Connect) *Refusal {
	if c.KeepAlive >= MinKeepAlive && c.KeepAlive <= MaxKeepAlive {
		return nil
	}
	if c.Version == V311 {
		return refuse(ProtocolError, "keep alive %d s is outside %d-%d s", c.KeepAlive, MinKeepAlive, MaxKeepAlive)
	}
	a.KeepAlive = MaxKeepAlive
	if c.KeepAlive != 0 && c.KeepAlive < MinKeepAlive {
		a.KeepAlive = MinKeepAlive
	}
	a.Connack.Properties.ServerKeepAlive = ptr(a.KeepAlive)
	return nil
}

// setProperties fills the 5.0 CONNACK properties: what the broker does
// not support is announced (retain, wildcard and shared subscriptions:
// not supported, reference §4; no Topic Alias Maximum, so none may be
// used), and the session expiry when it was capped (5.0 §3.2.2.3.2).
func (a *Accepted) setProperties(c *Connect, o *ConnectOptions) {
	p := &a.Connack.Properties
	p.ReceiveMaximum = o.ReceiveMaximum
	if p.ReceiveMaximum == 0 {
		p.ReceiveMaximum = DefaultServerReceiveMaximum
	}
	p.MaximumPacketSize = uint32(o.MaxPacketSize)
	if p.MaximumPacketSize == 0 {
		p.MaximumPacketSize = DefaultMaxPacketSize
	}
	p.RetainAvailable = ptr[byte](0)
	p.WildcardSubscriptionAvailable = ptr[byte](0)
	p.SharedSubscriptionAvailable = ptr[byte](0)
	if granted := uint32(a.SessionExpiry / time.Second); granted != c.Properties.SessionExpiryInterval {
		p.SessionExpiryInterval = granted
	}
}

// checkClientID returns "" for a valid non-empty client id, else what is
// wrong with it.
func checkClientID(id string) string {
	if len(id) > MaxClientIDLength {
		return "is longer than 128 characters"
	}
	for i := 0; i < len(id); i++ {
		if !isAlnum(id[i]) {
			return "contains a character other than a letter or digit"
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func newClientID(gen func() string) string {
	if gen != nil {
		return gen()
	}
	b := make([]byte, AssignedClientIDLength)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}
