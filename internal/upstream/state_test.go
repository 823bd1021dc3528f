package upstream

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStateHeader(t *testing.T) {
	header := func(vs ...string) http.Header { return http.Header{"Ce-Connectionstate": vs} }

	v, set, err := stateHeader(http.Header{})
	require.NoError(t, err)
	assert.False(t, set, "no header keeps the state")
	assert.Empty(t, v)

	for _, opaque := range []string{"initial", "e30=", `{"a":1}`, "", "caf\xc3\xa9"} {
		v, set, err := stateHeader(header(opaque))
		require.NoError(t, err, opaque)
		assert.True(t, set, "%q sets the state (an empty value clears it)", opaque)
		assert.Equal(t, opaque, v, "kept unchanged")
	}

	atLimit := strings.Repeat("x", MaxStateBytes)
	v, _, err = stateHeader(header(atLimit))
	require.NoError(t, err)
	assert.Equal(t, atLimit, v)
	_, _, err = stateHeader(header(atLimit + "x"))
	assert.ErrorContains(t, err, "65537 bytes long; at most 65536 are kept")

	_, _, err = stateHeader(header("a", "b"))
	assert.ErrorContains(t, err, "the answer has 2 ce-connectionState headers; set one")
	_, _, err = stateHeader(header("a\x01b"))
	assert.ErrorContains(t, err, "control characters")
}
