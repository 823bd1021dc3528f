package pb_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// protocVersionLine is the header line naming the protoc version; it is the
// one line allowed to differ between machines.
var protocVersionLine = regexp.MustCompile(`(?m)^// \tprotoc +v?[0-9.]+.*$`)

// TestGeneratedCodeIsCurrent regenerates webpubsub.pb.go into a temporary
// directory and fails when the committed file differs: edit the .proto, then
// run `go generate ./internal/protocol/pb`. Without protoc or protoc-gen-go
// the test skips and says which is missing, except under CI=true, where it
// fails.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	protoc, err := exec.LookPath("protoc")
	if err != nil {
		missing(t, "protoc (Debian package protobuf-compiler)")
		return
	}
	want := protocGenGoVersion(t)
	plugin := findPlugin()
	if plugin == "" {
		missing(t, "protoc-gen-go (go install google.golang.org/protobuf/cmd/protoc-gen-go@"+want+")")
		return
	}
	out, err := exec.Command(plugin, "--version").CombinedOutput()
	require.NoError(t, err, "protoc-gen-go --version: %s", out)
	if got := strings.TrimSpace(string(out)); got != "protoc-gen-go "+want {
		missing(t, "protoc-gen-go "+want+" (found "+got+" at "+plugin+"; go install google.golang.org/protobuf/cmd/protoc-gen-go@"+want+")")
		return
	}

	dir := t.TempDir()
	cmd := exec.Command(protoc, "--plugin=protoc-gen-go="+plugin, "--proto_path=.", "--go_out="+dir, "--go_opt=paths=source_relative", "webpubsub.proto")
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "protoc failed: %s", out)

	fresh, err := os.ReadFile(filepath.Join(dir, "webpubsub.pb.go"))
	require.NoError(t, err)
	committed, err := os.ReadFile("webpubsub.pb.go")
	require.NoError(t, err)
	require.True(t, bytes.Equal(normalize(fresh), normalize(committed)),
		"internal/protocol/pb/webpubsub.pb.go is stale: run `go generate ./internal/protocol/pb` and commit the result")
}

// normalize blanks the protoc version line.
func normalize(b []byte) []byte {
	return protocVersionLine.ReplaceAll(b, []byte("// \tprotoc (any)"))
}

// protocGenGoVersion is the version of google.golang.org/protobuf in
// go.mod, which protoc-gen-go must match.
func protocGenGoVersion(t *testing.T) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "google.golang.org/protobuf").CombinedOutput()
	require.NoError(t, err, "go list -m google.golang.org/protobuf: %s", out)
	v := strings.TrimSpace(string(out))
	require.NotEmpty(t, v, "no version of google.golang.org/protobuf in go.mod")
	return v
}

// findPlugin looks for protoc-gen-go in PATH, then in GOBIN and GOPATH/bin.
func findPlugin() string {
	if p, err := exec.LookPath("protoc-gen-go"); err == nil {
		return p
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, p := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "protoc-gen-go")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// missing skips the test naming what is missing, or fails it under CI=true.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("cannot check the generated protobuf code: %s is not installed", what)
	}
	t.Skipf("cannot check the generated protobuf code: %s is not installed", what)
}
