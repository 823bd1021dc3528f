package emulator

import "time"

// SetQueueLimits lowers the outbound queue limits of emulators created
// afterwards, for a test, and returns a function that restores them.
func SetQueueLimits(frames, bytes int) (restore func()) {
	f, b := limits.QueueFrames, limits.QueueBytes
	limits.QueueFrames, limits.QueueBytes = frames, bytes
	return func() { limits.QueueFrames, limits.QueueBytes = f, b }
}

// SetCloseTimeout changes how long a graceful close may take before the
// socket is aborted, for a test, and returns a function that restores it.
func SetCloseTimeout(d time.Duration) (restore func()) {
	old := closeTimeout
	closeTimeout = d
	return func() { closeTimeout = old }
}

// SetSettingsPollInterval shortens how often a settings file is checked and
// returns a function that restores it.
func SetSettingsPollInterval(d time.Duration) (restore func()) {
	old := settingsPollInterval
	settingsPollInterval = d
	return func() { settingsPollInterval = old }
}

// SetUpstreamRetryDelays replaces the waits between upstream validation
// retries (1, 3 and 5 s) for the tests of this package.
func SetUpstreamRetryDelays(d []time.Duration) {
	upstreamRetryDelays = d
}

// SetMaxGroupsPerConnection changes the group limit per connection for a
// test and returns a function that restores it.
func SetMaxGroupsPerConnection(n int) (restore func()) {
	old := limits.MaxGroupsPerConnection
	limits.MaxGroupsPerConnection = n
	return func() { limits.MaxGroupsPerConnection = old }
}

// SetHTTPTimeouts changes the HTTP server's read and idle timeouts of
// emulators created afterwards, for a test, and returns a function that
// restores them.
func SetHTTPTimeouts(read, idle time.Duration) (restore func()) {
	r, i := httpReadTimeout, httpIdleTimeout
	httpReadTimeout, httpIdleTimeout = read, idle
	return func() { httpReadTimeout, httpIdleTimeout = r, i }
}

// SetWriteTimeout changes the write timeout for a test and returns a
// function that restores it.
func SetWriteTimeout(d time.Duration) (restore func()) {
	old := writeTimeout
	writeTimeout = d
	return func() { writeTimeout = old }
}

// HubNames returns the names of the hubs e's core knows.
func HubNames(e *Emulator) []string {
	var out []string
	for _, h := range e.core.Hubs() {
		out = append(out, h.Name())
	}
	return out
}

// BudgetUse returns what each emulator-wide budget of e holds now.
func BudgetUse(e *Emulator) map[string]int { return e.core.BudgetUse() }

// SetMQTTConnectTimeout changes how long an MQTT socket may wait before its
// CONNECT, for a test, and returns a function that restores it.
func SetMQTTConnectTimeout(d time.Duration) (restore func()) {
	old := mqttConnectTimeout
	mqttConnectTimeout = d
	return func() { mqttConnectTimeout = old }
}
