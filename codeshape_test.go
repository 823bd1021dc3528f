package webpubsub

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/codeshape"
)

// TestCodeShape holds every hand-written non-test Go file of the
// repository (both modules) to the house rules: no function over
// codeshape.MaxFuncLines lines, no file over codeshape.MaxFileLines.
// Generated code is exempt.
func TestCodeShape(t *testing.T) {
	var dirs int
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != "." && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		v, err := codeshape.Violations(path, codeshape.MaxFuncLines, codeshape.MaxFileLines)
		if err != nil {
			return err
		}
		dirs++
		for _, line := range v {
			assert.Fail(t, "code shape", "%s: %s", path, line)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, dirs, 20, "the walk reached the repository's packages")
}
