package rest

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// generateToken is WebPubSub_GenerateClientToken: a client access token the
// emulator's client endpoint accepts.
func (a *API) generateToken(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	q := r.URL.Query()
	minutes := int64(60)
	if v := q.Get("minutesToExpire"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 1 || n > math.MaxInt32 {
			badRequest(w, "minutesToExpire must be a positive integer, got %q", truncateText(v))
			return
		}
		minutes = n
	}
	path := "/client/hubs/"
	switch ct := q.Get("clientType"); strings.ToLower(ct) {
	case "", "default":
	case "mqtt":
		path = "/clients/mqtt/hubs/"
	default:
		badRequest(w, "unknown clientType %q: use Default or MQTT", truncateText(ct))
		return
	}
	groups := q["group"]
	for _, g := range groups {
		if err := core.ValidateGroup(g); err != nil {
			badRequest(w, "invalid group: %s", err.Error())
			return
		}
	}
	// Seconds, not a time.Duration: the largest minutesToExpire (2^31-1)
	// overflows a Duration.
	now := time.Now().Unix()
	tok, err := a.access.SignClient(a.access.Bases(r)[0]+path+h.Name(), q.Get("userId"), q["role"], groups, now, now+minutes*60)
	if err != nil {
		WriteError(w, http.StatusInternalServerError, "Error.InternalServerError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(struct {
		Token string `json:"token"`
	}{tok})
}
