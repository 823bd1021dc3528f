package emulator

import "time"

// SetQueueLimits lowers the outbound queue limits for a test and returns a
// function that restores them.
func SetQueueLimits(frames, bytes int) (restore func()) {
	f, b := maxQueuedFrames, maxQueuedBytes
	maxQueuedFrames, maxQueuedBytes = frames, bytes
	return func() { maxQueuedFrames, maxQueuedBytes = f, b }
}

// SetCloseTimeout changes how long a graceful close may take before the
// socket is aborted, for a test, and returns a function that restores it.
func SetCloseTimeout(d time.Duration) (restore func()) {
	old := closeTimeout
	closeTimeout = d
	return func() { closeTimeout = old }
}
