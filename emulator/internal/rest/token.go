package rest

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// generateToken is WebPubSub_GenerateClientToken: a client access token the
// emulator's client endpoint accepts.
func (a *API) generateToken(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	q := r.URL.Query()
	minutes, path, err := tokenParams(q)
	if err != nil {
		fail(w, err)
		return
	}
	groups := q["group"]
	// Seconds, not a time.Duration: the largest minutesToExpire (2^31-1)
	// overflows a Duration.
	now := time.Now().Unix()
	tok, err := a.access.SignClient(a.access.Bases(r)[0]+path+h.Name(), q.Get("userId"), q["role"], groups, now, now+minutes*60)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(struct {
		Token string `json:"token"`
	}{tok})
}

// tokenParams returns the lifetime (minutesToExpire, 60 by default) and the
// client endpoint path (clientType Default or MQTT) of a token request, and
// checks its groups.
func tokenParams(q url.Values) (minutes int64, path string, err error) {
	minutes = 60
	if v := q.Get("minutesToExpire"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 1 || n > math.MaxInt32 {
			return 0, "", badParameter("minutesToExpire", "minutesToExpire must be a positive integer, got %q.", truncateText(v))
		}
		minutes = n
	}
	path = "/client/hubs/"
	switch ct := q.Get("clientType"); strings.ToLower(ct) {
	case "", "default":
	case "mqtt":
		path = "/clients/mqtt/hubs/"
	default:
		return 0, "", badParameter("clientType", "unknown clientType %q: use Default or MQTT.", truncateText(ct))
	}
	for _, g := range q["group"] {
		if err := core.ValidateGroup(g); err != nil {
			return 0, "", badParameter("group", "%s.", err.Error())
		}
	}
	return minutes, path, nil
}
