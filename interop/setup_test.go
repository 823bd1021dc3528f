package interop

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMissingNodeSkipsLocallyAndFailsInCI(t *testing.T) {
	why := "node (Node.js 20 or newer) is not on PATH"
	fail, msg := missingNodeVerdict(why, "")
	assert.False(t, fail, "locally the tests skip")
	assert.Contains(t, msg, "node")
	fail, msg = missingNodeVerdict(why, "true")
	assert.True(t, fail, "with CI=true the tests fail")
	assert.Contains(t, msg, "node")
	assert.Contains(t, msg, "CI=true")
}
