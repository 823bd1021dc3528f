package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/names"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// AckResult is the outcome of an operation the service acknowledged.
type AckResult struct {
	// AckID is the operation's ack id (0 for a fire-and-forget send). The
	// service deduplicates ack ids per connection: an operation with an id it
	// has seen is answered Duplicate and not carried out again. The ids the
	// client generates are above every id a caller has passed in the options,
	// but an id a caller passes must not repeat an id the client generated
	// for a different operation.
	AckID uint64
	// Duplicated is true when the service had already processed a message
	// with this ack id (a retry); the operation counts as done.
	Duplicated bool
}

// JoinGroupOptions configure JoinGroup.
type JoinGroupOptions struct {
	// AckID is the ack id to use; 0 picks a fresh one. Reuse an id to retry
	// an operation the service deduplicates (see AckResult.AckID).
	AckID uint64
}

// LeaveGroupOptions configure LeaveGroup.
type LeaveGroupOptions struct {
	// AckID is the ack id to use; 0 picks a fresh one (see AckResult.AckID).
	AckID uint64
}

// SendToGroupOptions configure SendToGroup.
type SendToGroupOptions struct {
	// NoEcho keeps the message from being delivered back to this connection.
	NoEcho bool
	// FireAndForget sends without an ack id: the call returns once the frame
	// is written and the service's outcome is unknown.
	FireAndForget bool
	// AckID is the ack id to use; 0 picks a fresh one (see
	// AckResult.AckID). Ignored with FireAndForget.
	AckID uint64
	// Metadata are entries sent with the message on every subprotocol;
	// the group's receivers get them as GroupMessage.Metadata. See
	// SendEventOptions.Metadata for the rules they must follow.
	Metadata map[string]string
}

// SendEventOptions configure SendEvent.
type SendEventOptions struct {
	// FireAndForget sends without an ack id.
	FireAndForget bool
	// AckID is the ack id to use; 0 picks a fresh one (see
	// AckResult.AckID). Ignored with FireAndForget.
	AckID uint64
	// Metadata are entries sent with the event on every subprotocol; the
	// service passes each to the upstream as the header
	// x-webpubsub-metadata-<key>. The service refuses metadata unless every
	// key is an HTTP token (letters, digits and !#$%&'*+-.^_`|~) of at most
	// 256 bytes, every value ASCII of at most 1,024 bytes, and all of them
	// together at most 8 KiB: the client checks that before sending and
	// fails the call with an error saying which entry is wrong.
	Metadata map[string]string
}

// JoinGroup adds the connection to group. On success the client rejoins the
// group on every new connection (unless DisableAutoRejoinGroups). If the
// connection is being recovered or replaced the call waits for it (bounded by
// ctx). A rejected join returns a *SendMessageError.
func (c *Client) JoinGroup(ctx context.Context, group string, opts *JoinGroupOptions) (*AckResult, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	var ackID uint64
	if opts != nil {
		ackID = opts.AckID
	}
	return c.groupOp(ctx, group, ackID, true)
}

// LeaveGroup removes the connection from group and stops rejoining it.
func (c *Client) LeaveGroup(ctx context.Context, group string, opts *LeaveGroupOptions) (*AckResult, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	var ackID uint64
	if opts != nil {
		ackID = opts.AckID
	}
	return c.groupOp(ctx, group, ackID, false)
}

// groupOp joins or leaves group and, on success, records whether the client
// is in it. The joins and leaves of a group, including the rejoin on a new
// connection, are carried out one at a time, so that the service sees them in
// the order the client records them.
func (c *Client) groupOp(ctx context.Context, group string, ackID uint64, join bool) (*AckResult, error) {
	if err := names.ValidateGroup(group); err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	unlock, err := c.lockGroup(ctx, group)
	if err != nil {
		return nil, &SendMessageError{AckID: ackID, Err: err}
	}
	defer unlock()
	// The membership is recorded by the read loop as it handles the ack, so
	// that a new connection coming up right after it rejoins the group.
	res, err := c.invokeWith(ctx, ackID, false, func(id *uint64) protocol.Message {
		if join {
			return protocol.JoinGroupMessage{Group: group, AckID: id}
		}
		return protocol.LeaveGroupMessage{Group: group, AckID: id}
	}, func() {
		if join {
			c.groups[group] = struct{}{}
		} else {
			delete(c.groups, group)
		}
	})
	return res, err
}

// groupLock serialises the joins and leaves of one group.
type groupLock struct {
	ch   chan struct{} // holds a token while the lock is held
	refs int           // holders and waiters; the lock is dropped at 0
}

// lockGroup waits (bounded by ctx) until no other join or leave of group is
// in progress and returns the function that ends this one.
func (c *Client) lockGroup(ctx context.Context, group string) (unlock func(), err error) {
	c.mu.Lock()
	l := c.groupLocks[group]
	if l == nil {
		l = &groupLock{ch: make(chan struct{}, 1)}
		c.groupLocks[group] = l
	}
	l.refs++
	c.mu.Unlock()
	release := func() {
		c.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(c.groupLocks, group)
		}
		c.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// SendToGroup publishes data to group. Unless FireAndForget, it returns once
// the service acknowledged the message, retrying with the same ack id (which
// the service deduplicates) when the connection is lost first.
func (c *Client) SendToGroup(ctx context.Context, group string, data Data, opts *SendToGroupOptions) (*AckResult, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if err := names.ValidateGroup(group); err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if err := data.check(); err != nil {
		return nil, err
	}
	var o SendToGroupOptions
	if opts != nil {
		o = *opts
	}
	if err := checkMetadata(o.Metadata); err != nil {
		return nil, err
	}
	return c.invoke(ctx, o.AckID, o.FireAndForget, func(id *uint64) protocol.Message {
		return protocol.SendToGroupMessage{Group: group, AckID: id, NoEcho: o.NoEcho, Data: data.payload, Metadata: o.Metadata}
	})
}

// SendEvent sends a user event named event to the upstream event handler.
// Unless FireAndForget, it returns once the service acknowledged it. The
// handler's response, if any, arrives as a server message.
func (c *Client) SendEvent(ctx context.Context, event string, data Data, opts *SendEventOptions) (*AckResult, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if event == "" {
		return nil, errors.New("client: the event name must not be empty")
	}
	if err := data.check(); err != nil {
		return nil, err
	}
	var o SendEventOptions
	if opts != nil {
		o = *opts
	}
	if err := checkMetadata(o.Metadata); err != nil {
		return nil, err
	}
	return c.invoke(ctx, o.AckID, o.FireAndForget, func(id *uint64) protocol.Message {
		return protocol.EventMessage{Event: event, AckID: id, Data: data.payload, Metadata: o.Metadata}
	})
}

// ackOutcome is what an ack waiter receives.
type ackOutcome struct {
	ack protocol.AckMessage
	err error // set when the client stopped
}

// invoke sends the message built by build, with an ack id unless
// fireAndForget, and retries per MessageRetry when the connection fails
// before the service answers.
func (c *Client) invoke(ctx context.Context, ackID uint64, fireAndForget bool, build func(ackID *uint64) protocol.Message) (*AckResult, error) {
	return c.invokeWith(ctx, ackID, fireAndForget, build, nil)
}

// invokeWith is invoke with onAcked, which (unless nil) the read loop calls
// with c.mu held when the service acknowledges the operation with success
// (or Duplicate): its effect is recorded before any later frame, such as
// the end of the connection, is handled.
func (c *Client) invokeWith(ctx context.Context, ackID uint64, fireAndForget bool, build func(ackID *uint64) protocol.Message, onAcked func()) (*AckResult, error) {
	var m protocol.Message
	if fireAndForget {
		m = build(nil)
	} else {
		if ackID == 0 {
			ackID = c.nextAckID.Add(1)
		} else {
			c.reserveAckID(ackID)
		}
		id := ackID
		m = build(&id)
	}
	b, err := c.cfg.codec.Encode(m)
	if err != nil {
		return nil, fmt.Errorf("client: encoding the message: %w", err)
	}
	// sess is the session of the first attempt; an operation does not
	// outlive it into a later Start. lost is the connection the last attempt
	// was lost with: the retry waits for another one.
	var sess *session
	var lost *connection
	for retry := 0; ; retry++ {
		res, why, err := c.attempt(ctx, &sess, &lost, b, ackID, fireAndForget, onAcked)
		if why == retryNone {
			return res, err
		}
		d, ok := c.cfg.messageRetry.next(retry + 1)
		if !ok {
			return nil, err
		}
		if why == retryConnectionLost {
			// Only the connection failed: retry (with the same ack id, which
			// the service deduplicates) as soon as a connection is back,
			// recovered or new. waitConn does the waiting.
			continue
		}
		// The service reported a transient failure: give it the delay.
		if err := retryWait(ctx, sess, d); err != nil {
			if errors.Is(err, ErrStopped) {
				return nil, err
			}
			return nil, &SendMessageError{AckID: ackID, Err: err}
		}
	}
}

// retryKind says whether and how a failed attempt may be retried.
type retryKind int

const (
	// retryNone: the outcome is final.
	retryNone retryKind = iota
	// retryConnectionLost: the connection was lost before the service
	// answered; retry at once on the next connection.
	retryConnectionLost
	// retryAfterDelay: the service reported a transient error; retry after
	// the message retry delay.
	retryAfterDelay
)

// reserveAckID keeps the client from generating ackID (or a lower id) for
// later operations: the service would answer such an operation Duplicate and
// drop it, and the caller would take it for done.
func (c *Client) reserveAckID(ackID uint64) {
	for {
		cur := c.nextAckID.Load()
		if cur >= ackID || c.nextAckID.CompareAndSwap(cur, ackID) {
			return
		}
	}
}

// retryWait waits d before a retry. It returns ctx's error when the caller
// gives up first and ErrStopped when sess is stopped first.
func retryWait(ctx context.Context, sess *session, d time.Duration) error {
	if sess == nil {
		return ErrStopped
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-sess.ctx.Done():
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt sends b once and waits for its ack. *sessp is the operation's
// session: nil before the first attempt, which sets it. *lostp is the
// connection the previous attempt was lost with (nil if none); attempt does
// not use it again and sets *lostp when this attempt loses its connection.
func (c *Client) attempt(ctx context.Context, sessp **session, lostp **connection, b []byte, ackID uint64, fireAndForget bool, onAcked func()) (res *AckResult, why retryKind, err error) {
	conn, sess, err := c.waitConn(ctx, *sessp, *lostp)
	if err != nil {
		if errors.Is(err, ErrStopped) {
			return nil, retryNone, err
		}
		return nil, retryNone, &SendMessageError{AckID: ackID, Err: err}
	}
	*sessp = sess
	if fireAndForget {
		if err := c.write(conn, b); err != nil {
			*lostp = conn
			return nil, retryConnectionLost, fmt.Errorf("client: sending the message: %w", ErrConnectionLost)
		}
		return &AckResult{}, retryNone, nil
	}
	ch, err := c.registerAck(ackID, onAcked)
	if err != nil {
		return nil, retryNone, err
	}
	defer c.unregisterAck(ackID, ch)
	if err := c.write(conn, b); err != nil {
		*lostp = conn
		return nil, retryConnectionLost, &SendMessageError{AckID: ackID, Err: ErrConnectionLost}
	}
	res, why, err = awaitAck(ctx, sess, conn, ackID, ch)
	if why == retryConnectionLost {
		*lostp = conn
	}
	return res, why, err
}

// awaitAck waits for the ack delivered to ch of the operation with ackID
// that was written on conn.
func awaitAck(ctx context.Context, sess *session, conn *connection, ackID uint64, ch chan ackOutcome) (res *AckResult, why retryKind, err error) {
	select {
	case out := <-ch:
		return outcome(ackID, out)
	case <-conn.ctx.Done():
		select {
		case out := <-ch:
			// The ack arrived before the connection ended; use it rather than
			// retrying an operation the service already answered.
			return outcome(ackID, out)
		default:
		}
		return nil, retryConnectionLost, &SendMessageError{AckID: ackID, Err: ErrConnectionLost}
	case <-sess.ctx.Done():
		return nil, retryNone, ErrStopped
	case <-ctx.Done():
		return nil, retryNone, &SendMessageError{AckID: ackID, Err: ctx.Err()}
	}
}

// outcome turns what an ack waiter received into the operation's result.
// why is retryAfterDelay when the service's error is transient.
func outcome(ackID uint64, out ackOutcome) (res *AckResult, why retryKind, err error) {
	if out.err != nil {
		return nil, retryNone, out.err
	}
	a := out.ack
	if a.Success {
		return &AckResult{AckID: ackID}, retryNone, nil
	}
	e := &SendMessageError{AckID: ackID}
	if a.Error != nil {
		e.ErrorName, e.Message = a.Error.Name, a.Error.Message
	}
	switch e.ErrorName {
	case protocol.ErrorDuplicate:
		return &AckResult{AckID: ackID, Duplicated: true}, retryNone, nil
	case protocol.ErrorInternalServerError, protocol.ErrorTimeout:
		return nil, retryAfterDelay, e
	}
	return nil, retryNone, e
}

// waitConn returns the current connection, waiting while one is being
// opened or recovered and while it is the connection lost (an attempt lost
// its connection there, which the read loop may not have noticed yet). With
// bound set, it fails with ErrStopped unless the connection belongs to that
// session.
func (c *Client) waitConn(ctx context.Context, bound *session, lost *connection) (*connection, *session, error) {
	for {
		c.mu.Lock()
		sess, conn, state, changed := c.sess, c.conn, c.state, c.changed
		c.mu.Unlock()
		if sess == nil || (bound != nil && sess != bound) || state == StateStopped || sess.ctx.Err() != nil {
			return nil, nil, ErrStopped
		}
		if state == StateConnected && conn != nil && conn != lost && conn.ctx.Err() == nil {
			return conn, sess, nil
		}
		select {
		case <-changed:
		case <-sess.ctx.Done():
			return nil, nil, ErrStopped
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// ackWaiter is an operation waiting for its ack.
type ackWaiter struct {
	ch      chan ackOutcome
	onAcked func() // see invokeWith; may be nil
}

// registerAck installs the waiter for ackID.
func (c *Client) registerAck(ackID uint64, onAcked func()) (chan ackOutcome, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, busy := c.acks[ackID]; busy {
		return nil, fmt.Errorf("client: ack id %d is already in use by a pending operation", ackID)
	}
	ch := make(chan ackOutcome, 1)
	c.acks[ackID] = ackWaiter{ch: ch, onAcked: onAcked}
	return ch, nil
}

// unregisterAck removes ch if it is still the waiter for ackID.
func (c *Client) unregisterAck(ackID uint64, ch chan ackOutcome) {
	c.mu.Lock()
	if c.acks[ackID].ch == ch {
		delete(c.acks, ackID)
	}
	c.mu.Unlock()
}

// resolveAck hands an ack to its waiter; acks nobody waits for are dropped.
func (c *Client) resolveAck(a protocol.AckMessage) {
	c.mu.Lock()
	w, ok := c.acks[a.AckID]
	delete(c.acks, a.AckID)
	if ok && w.onAcked != nil && (a.Success || (a.Error != nil && a.Error.Name == protocol.ErrorDuplicate)) {
		w.onAcked()
	}
	c.mu.Unlock()
	if ok {
		w.ch <- ackOutcome{ack: a}
	}
}

// failAcks fails every pending operation with ErrStopped.
func (c *Client) failAcks() {
	c.mu.Lock()
	acks := c.acks
	c.acks = make(map[uint64]ackWaiter)
	c.mu.Unlock()
	for _, w := range acks {
		w.ch <- ackOutcome{err: ErrStopped}
	}
}
