package client

// QueueStats returns how many data messages wait in the handler queue of c's
// current session, the most that ever waited there at once, and whether the
// read loop of c's connection is paused for room.
func QueueStats(c *Client) (queued, highWater int, paused bool) {
	c.mu.Lock()
	sess, conn := c.sess, c.conn
	c.mu.Unlock()
	if sess == nil {
		return 0, 0, false
	}
	d := sess.disp
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n, d.highWater, conn != nil && conn.paused.Load()
}
