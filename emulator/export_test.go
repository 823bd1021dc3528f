package emulator

import "time"

// SetQueueLimits lowers the outbound queue limits for a test and returns a
// function that restores them.
func SetQueueLimits(frames, bytes int) (restore func()) {
	f, b := maxQueuedFrames, maxQueuedBytes
	maxQueuedFrames, maxQueuedBytes = frames, bytes
	return func() { maxQueuedFrames, maxQueuedBytes = f, b }
}

// SetUpstreamRetryDelays replaces the waits between upstream validation
// retries (1, 3 and 5 s) for the tests of this package.
func SetUpstreamRetryDelays(d []time.Duration) {
	upstreamRetryDelays = d
}
