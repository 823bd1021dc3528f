package upstream

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// request is one event to send.
type request struct {
	ceType      string
	name        string
	contentType string
	body        []byte
	// metadata become x-webpubsub-metadata-<key> headers (user events of
	// protobuf clients).
	metadata map[string]string
}

// answer is an upstream's answer to an event.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// newIDPrefix returns a random prefix for ce-id values.
func newIDPrefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// send delivers req about s to the upstream of handler h: abuse protection
// first, then the CloudEvents POST. It returns the answer whatever its
// status; errors are transport, protocol or size failures.
func (inv *Invoker) send(ctx context.Context, h Handler, s *Session, req request) (*answer, error) {
	if strings.Contains(h.URLTemplate, "{event}") && (req.name == "." || req.name == "..") {
		// A dot segment would move the request to another path of the upstream.
		return nil, fmt.Errorf("event name %q cannot be put in the upstream URL", req.name)
	}
	target := expand(h.URLTemplate, s.hub, req.name)
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("upstream URL for %s event is invalid: %w", req.name, err)
	}
	if err := inv.checkOrigin(ctx, h, s.hub); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, inv.timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(req.body))
	if err != nil {
		return nil, fmt.Errorf("%s event to %s: %w", req.name, redact(u), err)
	}
	userID, subprotocol, state := s.snapshot()
	hd := hr.Header
	hd.Set(protocol.HeaderRequestOrigin, inv.origin)
	hd.Set(protocol.HeaderSpecVersion, protocol.SpecVersion)
	hd.Set(protocol.HeaderType, req.ceType)
	hd.Set(protocol.HeaderSource, protocol.EventSource(s.hub, s.connID))
	hd.Set(protocol.HeaderID, inv.idPrefix+"-"+strconv.FormatUint(inv.ids.Add(1), 10))
	hd.Set(protocol.HeaderTime, time.Now().UTC().Format(time.RFC3339Nano))
	hd.Set(protocol.HeaderAwpsVersion, protocol.AwpsVersion)
	hd.Set(protocol.HeaderHub, s.hub)
	hd.Set(protocol.HeaderConnectionID, s.connID)
	hd.Set(protocol.HeaderEventName, req.name)
	if userID != "" {
		hd.Set(protocol.HeaderUserID, userID)
	}
	if subprotocol != "" && req.ceType != protocol.EventTypeConnect {
		hd.Set(protocol.HeaderSubprotocol, subprotocol)
	}
	if state != "" {
		hd.Set(protocol.HeaderConnectionState, state)
	}
	if len(inv.keys) > 0 {
		hd.Set(protocol.HeaderSignature, protocol.Signature(s.connID, inv.keys...))
	}
	if req.contentType != "" {
		hd.Set("Content-Type", req.contentType)
	}
	for k, v := range req.metadata {
		if metadataHeaderOK(k, v) {
			hd.Set(protocol.HeaderMetadataPrefix+k, v)
		}
	}
	resp, err := inv.client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%s event to %s: %w", req.name, redact(u), unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, inv.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer to %s event from %s: %w", req.name, redact(u), err)
	}
	if int64(len(body)) > inv.maxBody {
		return nil, fmt.Errorf("the answer to %s event from %s is larger than %d bytes", req.name, redact(u), inv.maxBody)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, fmt.Errorf("upstream %s redirected %s event (status %d); configure the final URL", redact(u), req.name, resp.StatusCode)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}
