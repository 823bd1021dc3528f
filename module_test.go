package webpubsub

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The SDK's go.mod lists what the SDK itself needs: importing it must not put
// the samples' browser-testing dependencies (chromedp) into users' go.sum, and
// the direct requirements must not be marked indirect.
func TestGoModHoldsOnlyTheSDKsRequirements(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	sum, err := os.ReadFile("go.sum")
	require.NoError(t, err)
	for _, sampleOnly := range []string{"chromedp", "gobwas"} {
		assert.NotContains(t, string(mod), sampleOnly, "go.mod")
		assert.NotContains(t, string(sum), sampleOnly, "go.sum")
	}
	for _, direct := range []string{"github.com/Azure/azure-sdk-for-go/sdk/azcore", "github.com/coder/websocket",
		"github.com/golang-jwt/jwt/v5", "github.com/stretchr/testify", "go.uber.org/goleak"} {
		line := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(direct) + ` v\S+(.*)$`).FindStringSubmatch(string(mod))
		require.NotNil(t, line, "go.mod requires %s", direct)
		assert.NotContains(t, line[1], "indirect", "%s is a direct requirement", direct)
	}
	// The samples are their own module and build against this one.
	ex, err := os.ReadFile("examples/go.mod")
	require.NoError(t, err)
	assert.Contains(t, string(ex), "module github.com/webpubsub-go/webpubsub/examples\n")
	assert.Regexp(t, `(?m)^replace github.com/webpubsub-go/webpubsub => \.\./?$`, string(ex))
}

// The module version is released with a license and a changelog entry.
func TestModuleVersionLicenseAndChangelog(t *testing.T) {
	assert.Regexp(t, `^v\d+\.\d+\.\d+$`, moduleVersion)
	assert.Equal(t, "github.com/webpubsub-go/webpubsub", moduleName)
	lic, err := os.ReadFile("LICENSE")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(lic), "MIT License\n"), "LICENSE is the MIT license")
	cl, err := os.ReadFile("CHANGELOG.md")
	require.NoError(t, err)
	assert.Contains(t, string(cl), "\n## "+strings.TrimPrefix(moduleVersion, "v")+" ", "CHANGELOG.md has an entry for version.go's moduleVersion")
}

// README shows the two set-up commands, and its test command covers both
// modules, as .ci/run does.
func TestReadmeSetUpCommandsCoverBothModules(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), "go run ./cmd/webpubsub demo")
	assert.Contains(t, string(readme), "go test -race ./... && (cd examples && go test -race ./...)")
	ci, err := os.ReadFile(".ci/run")
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^MODULES=\(\. examples\)$`, string(ci), ".ci/run checks both modules")
	assert.Contains(t, string(ci), "go mod tidy -diff")
}
