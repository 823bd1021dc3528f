package mqtt

import "time"

// MaxSessionExpiry is how long the service keeps a session after its
// connection drops: "preserved up to 30 s" (reference-mqtt-support-status).
const MaxSessionExpiry = 30 * time.Second

// SessionExpiry returns how long c's session outlives its connection: on
// 5.0 the Session Expiry Interval, capped at MaxSessionExpiry; on 3.1.1
// MaxSessionExpiry when clean session is 0 (3.1.1 sessions have no expiry
// of their own, the service keeps them 30 s), else 0.
func SessionExpiry(c *Connect) time.Duration {
	if c.Version == V5 {
		return min(time.Duration(c.Properties.SessionExpiryInterval)*time.Second, MaxSessionExpiry)
	}
	if c.CleanStart {
		return 0
	}
	return MaxSessionExpiry
}

// DisconnectExpiry returns the session expiry in effect after a 5.0
// client's DISCONNECT d, given the one granted at CONNECT (5.0
// §3.14.2.2.2): d's Session Expiry Interval when present, capped at
// MaxSessionExpiry. Setting a non-zero value when the CONNECT asked for 0
// is a protocol error (0x82).
func DisconnectExpiry(connectInterval uint32, granted time.Duration, d *Disconnect) (time.Duration, *Refusal) {
	v := d.Properties.SessionExpiryInterval
	if v == 0 {
		return granted, nil // absent: the CONNECT's stands
	}
	if connectInterval == 0 {
		return 0, refuse(ProtocolError, "DISCONNECT sets a session expiry after a CONNECT without one")
	}
	return min(time.Duration(v)*time.Second, MaxSessionExpiry), nil
}

// ExpiryLeft returns what is left of a message's 5.0 Message Expiry
// Interval (in seconds, nil: none) received at received, at now; a
// forwarded PUBLISH carries it (5.0 §3.3.2.3.3). expired reports that the
// message must not be delivered any more.
func ExpiryLeft(interval *uint32, received, now time.Time) (left *uint32, expired bool) {
	if interval == nil {
		return nil, false
	}
	waited := now.Sub(received)
	total := time.Duration(*interval) * time.Second
	if waited >= total {
		return nil, true
	}
	// Round up: a message with 0.4 s left still has a second to live.
	secs := uint32((total - waited + time.Second - 1) / time.Second)
	return &secs, false
}
