package client_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
)

// TestRefusedHandshakeReasons: for 400, 401 and 403 the ConnectError
// carries the service's reason text, with the URL's token removed.
func TestRefusedHandshakeReasons(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
	}{
		{http.StatusBadRequest, "Bad request: invalid query"},
		{http.StatusUnauthorized, "Unauthorized: token secret-token-value expired"},
		{http.StatusForbidden, "Forbidden: the hub is disabled\n"},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, tc.body, tc.status)
			}))
			t.Cleanup(srv.Close)
			c, err := client.New("ws"+strings.TrimPrefix(srv.URL, "http")+"/client/hubs/h?access_token=secret-token-value", &client.Options{DisableAutoReconnect: true})
			require.NoError(t, err)
			err = c.Start(ctxT(t))
			var ce *client.ConnectError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.status, ce.StatusCode)
			want := strings.ReplaceAll(strings.TrimSpace(tc.body), "secret-token-value", "REDACTED")
			assert.Equal(t, want, ce.Reason)
			assert.Contains(t, err.Error(), want)
			assert.NotContains(t, err.Error(), "secret-token-value")
		})
	}
}
