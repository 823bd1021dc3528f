package client

// QueueStats returns how many data messages wait in the handler queue of c's
// current run, the most that ever waited there at once, and whether the
// current connection drops data messages for the service to resend (the
// queue overflowed and the handlers have not caught up yet).
func QueueStats(c *Client) (queued, highWater int, overflow bool) {
	c.mu.Lock()
	sess, conn := c.sess, c.conn
	c.mu.Unlock()
	if sess == nil {
		return 0, 0, false
	}
	d := sess.disp
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n, d.highWater, conn != nil && conn.overflow.Load()
}
