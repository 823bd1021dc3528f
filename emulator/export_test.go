package emulator

// SetQueueLimits lowers the outbound queue limits for a test and returns a
// function that restores them.
func SetQueueLimits(frames, bytes int) (restore func()) {
	f, b := maxQueuedFrames, maxQueuedBytes
	maxQueuedFrames, maxQueuedBytes = frames, bytes
	return func() { maxQueuedFrames, maxQueuedBytes = f, b }
}
