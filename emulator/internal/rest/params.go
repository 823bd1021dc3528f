package rest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/odata"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// maxRESTMessage is the largest message body a REST send accepts (1 MiB).
const maxRESTMessage = 1 << 20

// errTooLarge marks a body over maxRESTMessage.
var errTooLarge = errors.New("the request body is larger than 1 MiB")

// readBody reads the request body, at most limit bytes.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the request body: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

// sendParams are the parsed parameters of a Send operation.
type sendParams struct {
	payload  protocol.Payload
	ttl      time.Duration
	filter   *odata.Filter
	excluded map[string]bool
}

// parseSend parses a Send request. On failure it writes the error response
// and reports false.
func parseSend(w http.ResponseWriter, r *http.Request, allowExcluded, allowFilter bool) (*sendParams, bool) {
	q := r.URL.Query()
	p := &sendParams{}
	if v := q.Get("messageTtlSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 || n > 300 {
			badRequest(w, "messageTtlSeconds must be an integer from 0 to 300, got %q", truncateText(v))
			return nil, false
		}
		p.ttl = time.Duration(n) * time.Second
	}
	if allowFilter {
		f, ok := parseFilter(w, q.Get("filter"))
		if !ok {
			return nil, false
		}
		p.filter = f
	}
	if allowExcluded {
		p.excluded = excludedSet(r)
	}
	ct := r.Header.Get("Content-Type")
	dt, ok := protocol.DataTypeForContentType(ct)
	if !ok {
		if ct == "" {
			badRequest(w, "the Content-Type header is required: use text/plain, application/json or application/octet-stream")
		} else {
			badRequest(w, "unsupported Content-Type %q: use text/plain, application/json or application/octet-stream", truncateText(ct))
		}
		return nil, false
	}
	body, err := readBody(r, maxRESTMessage)
	if errors.Is(err, errTooLarge) {
		WriteError(w, http.StatusRequestEntityTooLarge, codePayloadTooLarge, err.Error())
		return nil, false
	}
	if err != nil {
		badRequest(w, "%s", err.Error())
		return nil, false
	}
	if len(body) == 0 {
		badRequest(w, "the request body (the message to send) is required")
		return nil, false
	}
	p.payload = protocol.Payload{Type: dt, Data: body}
	return p, true
}

// parseFilter parses an OData filter; "" means none. On failure it writes a
// 400 and reports false.
func parseFilter(w http.ResponseWriter, s string) (*odata.Filter, bool) {
	if s == "" {
		return nil, true
	}
	f, err := odata.Parse(s)
	if err != nil {
		badRequest(w, "invalid filter: %s", err.Error())
		return nil, false
	}
	return f, true
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

// pathGroup returns the validated {group} path value. On failure it writes a
// 400 and reports false.
func pathGroup(w http.ResponseWriter, r *http.Request) (string, bool) {
	g := r.PathValue("group")
	if err := core.ValidateGroup(g); err != nil {
		badRequest(w, "%s", err.Error())
		return "", false
	}
	return g, true
}

// truncateText shortens s for an error message.
func truncateText(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// matches reports whether c passes filter f and is not excluded.
func matches(c *core.Conn, f *odata.Filter, excluded map[string]bool) bool {
	if excluded[c.ID()] {
		return false
	}
	if f == nil {
		return true
	}
	return f.Match(odata.Connection{ConnectionID: c.ID(), UserID: c.UserID(), Groups: c.Groups()})
}
