package emulator_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// Group and user names with reserved characters travel escaped in the path
// and are matched unescaped.
func TestRESTEscapedNames(t *testing.T) {
	e := start(t, emulator.Options{})
	for _, name := range []string{"a/b", "with space", "ü?#%", "semi;colon"} {
		t.Run(name, func(t *testing.T) {
			c, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: name, Groups: []string{name}})
			esc := url.PathEscape(name)
			r := call(t, e, http.MethodPost, "/api/hubs/hub1/groups/"+esc+"/:send", "text/plain", []byte("to group"))
			require.Equal(t, http.StatusAccepted, r.status, r.body)
			assert.Equal(t, "to group", c.groupText(name))
			r = call(t, e, http.MethodPost, "/api/hubs/hub1/users/"+esc+"/:send", "text/plain", []byte("to user"))
			require.Equal(t, http.StatusAccepted, r.status, r.body)
			assert.Equal(t, "to user", c.serverText())
			assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, "/api/hubs/hub1/users/"+esc, "", nil).status)
		})
	}
}
