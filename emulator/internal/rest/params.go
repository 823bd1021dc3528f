package rest

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/names"
	"github.com/webpubsub-go/webpubsub/internal/odata"
)

// maxRESTMessage is the largest message body a REST send accepts (1 MiB).
const maxRESTMessage = 1 << 20

// maxMessageTTL is the largest messageTtlSeconds (rest-api.md, section 3).
const maxMessageTTL = 300

// errTooLarge marks a body over maxRESTMessage.
var errTooLarge = errors.New("the request body is larger than 1 MiB")

// readBody reads the request body, at most limit bytes. A body over the
// limit is a 413.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, badRequest("reading the request body: %s", err.Error())
	}
	if int64(len(b)) > limit {
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: codePayloadTooLarge, message: errTooLarge.Error()}
	}
	return b, nil
}

// parseTTL reads the optional messageTtlSeconds: 0 to 300 seconds, 0 (the
// default) meaning no expiry.
func parseTTL(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 0 || n > maxMessageTTL {
		return 0, badParameter("messageTtlSeconds", "messageTtlSeconds must be an integer from 0 to %d, got %q.", maxMessageTTL, truncateText(v))
	}
	return time.Duration(n) * time.Second, nil
}

// parseFilter parses an OData filter; "" means none. A filter the service
// refuses is answered in its words (odata.ServiceMessage), as a problem
// document whose target is the filter parameter, in the query and in the
// body of :addToGroups alike (Microsoft's recordings of the JS SDK's live
// tests "can broadcast with filter" and "can join multiple groups with
// filter").
func parseFilter(s string) (*odata.Filter, error) {
	if s == "" {
		return nil, nil
	}
	f, err := odata.Parse(s)
	if err != nil {
		if msg := odata.ServiceMessage(err); msg != "" {
			return nil, badParameterText("filter", msg)
		}
		return nil, badParameter("filter", "%s", err.Error())
	}
	return f, nil
}

// excludedSet returns the connection ids of the repeated excluded parameter.
func excludedSet(r *http.Request) map[string]bool {
	vals := r.URL.Query()["excluded"]
	if len(vals) == 0 {
		return nil
	}
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// pathGroup returns the validated {group} path value.
func pathGroup(r *http.Request) (string, error) {
	g := r.PathValue("group")
	if err := core.ValidateGroup(g); err != nil {
		return "", badParameter("group", "%s.", err.Error())
	}
	return g, nil
}

// pathUser returns the validated {userId} path value.
func pathUser(r *http.Request) (string, error) {
	u := r.PathValue("userId")
	if err := names.ValidateUserID(u); err != nil {
		return "", badParameter("userId", "%s.", err.Error())
	}
	return u, nil
}

// pathConnection returns the validated {connectionId} path value.
func pathConnection(r *http.Request) (string, error) {
	id := r.PathValue("connectionId")
	if err := names.ValidateConnectionID(id); err != nil {
		return "", badParameter("connectionId", "%s.", err.Error())
	}
	return id, nil
}

// truncateText shortens s for an error message.
func truncateText(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// matches reports whether c passes filter f and is not excluded. A filter
// sees the connection's negotiated subprotocol as protocol, null for a
// simple WebSocket client, as Microsoft's emulator gives it
// (LogicalConnection: IODataFilterModel.Protocol => Subprotocol, null for a
// raw client).
func matches(c *core.Conn, f *odata.Filter, excluded map[string]bool) bool {
	if excluded[c.ID()] {
		return false
	}
	if f == nil {
		return true
	}
	return f.Match(odata.Connection{ConnectionID: c.ID(), UserID: c.UserID(), Groups: c.Groups(), Protocol: c.Protocol()})
}
