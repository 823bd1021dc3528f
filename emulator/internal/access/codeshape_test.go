package access_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/codeshape"
)

// The house rules: no function over 80 lines, no file over 500 lines.
func TestCodeShape(t *testing.T) {
	v, err := codeshape.Violations(".", codeshape.MaxFuncLines, codeshape.MaxFileLines)
	require.NoError(t, err)
	assert.Empty(t, v)
}
