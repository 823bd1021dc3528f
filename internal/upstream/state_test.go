package upstream

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStateSizeLimit(t *testing.T) {
	// A JSON object of exactly maxStateBytes bytes is kept.
	pad := maxStateBytes - len(`{"k":""}`)
	atLimit := base64.StdEncoding.EncodeToString([]byte(`{"k":"` + strings.Repeat("x", pad) + `"}`))
	v, err := parseState(atLimit)
	require.NoError(t, err)
	assert.Equal(t, atLimit, v)

	overLimit := base64.StdEncoding.EncodeToString([]byte(`{"k":"` + strings.Repeat("x", pad+1) + `"}`))
	_, err = parseState(overLimit)
	assert.EqualError(t, err, "connection state is larger than 16 KiB")

	// A huge header is refused by its length, whatever it holds.
	_, err = parseState(strings.Repeat("!", 1<<20))
	assert.EqualError(t, err, "connection state is larger than 16 KiB")
}
