package emulator

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/names"
)

// generateToken is WebPubSub_GenerateClientToken: a client access token the
// emulator's client endpoint accepts.
func (e *Emulator) generateToken(w http.ResponseWriter, r *http.Request, h *hub) {
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
		if err := names.ValidateGroup(g); err != nil {
			badRequest(w, "invalid group: %s", err.Error())
			return
		}
	}
	// Seconds, not a time.Duration: the largest minutesToExpire (2^31-1)
	// overflows a Duration.
	now := time.Now().Unix()
	tok, err := e.clientToken(e.audienceBases(r)[0]+path+h.name, q.Get("userId"), q["role"], groups, now, now+minutes*60)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Error.InternalServerError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(struct {
		Token string `json:"token"`
	}{tok})
}

// clientToken signs a client access token for hub, issued at iat and
// expiring at exp (Unix seconds).
func (e *Emulator) clientToken(aud, userID string, roles, groups []string, iat, exp int64) (string, error) {
	tok, err := auth.Sign(e.key, &auth.Claims{
		Roles:     roles,
		Groups:    groups,
		IssuedAt:  iat,
		ExpiresAt: exp,
		Audience:  aud,
		Subject:   userID,
	})
	if err != nil {
		return "", errors.New("emulator: signing client token failed")
	}
	return tok, nil
}
