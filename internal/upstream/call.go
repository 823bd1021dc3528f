package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
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

// send delivers req about s to the upstream of handler h: abuse protection
// first, then the CloudEvents POST, tried again after the invoker's retry
// delays when the upstream answers 408 or 5xx or the network fails (never
// after a timeout, a cancellation or another status). Every try carries the
// same ce-id. It returns the last answer whatever its status; errors are
// transport, protocol or size failures.
func (inv *Invoker) send(ctx context.Context, h Handler, s *Session, req request) (*answer, error) {
	if hasEventPlaceholder(h.URLTemplate) && (req.name == "." || req.name == "..") {
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
	id := s.eventID(req.ceType)
	for try := 0; ; try++ {
		start := time.Now()
		a, err, retryable := inv.post(ctx, u, s, req, id)
		status := 0
		if a != nil {
			status = a.status
			retryable = retryableStatus(a.status)
		}
		inv.log.Debug("upstream call", "event", req.name, "hub", s.hub, "connectionId", s.connID, "url", redact(u), "ceId", id, "try", try+1, "status", status, "duration", time.Since(start), "err", err)
		if !retryable || try >= len(inv.retryDelays) {
			return a, err
		}
		d := inv.retryDelays[try]
		why := fmt.Sprintf("status %d", status)
		if err != nil {
			why = err.Error()
		}
		inv.log.Warn("upstream call failed; retrying", "event", req.name, "hub", s.hub, "connectionId", s.connID, "url", redact(u), "try", try+1, "reason", why, "retryIn", d)
		if !sleep(ctx, d) {
			if a != nil {
				return a, nil
			}
			return nil, err
		}
	}
}

// post makes one try of an event. retryable says whether a transport
// failure may succeed on another try.
func (inv *Invoker) post(ctx context.Context, u *url.URL, s *Session, req request, id uint64) (a *answer, err error, retryable bool) {
	ctx, cancel := context.WithTimeout(ctx, inv.timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(req.body))
	if err != nil {
		return nil, fmt.Errorf("%s event to %s: %w", req.name, redact(u), err), false
	}
	userID, subprotocol, state := s.snapshot()
	hd := hr.Header
	hd.Set(protocol.HeaderRequestOrigin, inv.origin)
	hd.Set(protocol.HeaderSpecVersion, protocol.SpecVersion)
	hd.Set(protocol.HeaderType, req.ceType)
	hd.Set(protocol.HeaderSource, protocol.EventSource(s.hub, s.connID))
	hd.Set(protocol.HeaderID, strconv.FormatUint(id, 10))
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
		err = unwrapURLError(err)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return nil, fmt.Errorf("%s event to %s: the upstream did not answer within %s: %w", req.name, redact(u), inv.timeout, err), false
		}
		return nil, fmt.Errorf("%s event to %s: %w", req.name, redact(u), err), retryableError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, inv.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer to %s event from %s: %w", req.name, redact(u), err), retryableError(err)
	}
	if int64(len(body)) > inv.maxBody {
		return nil, fmt.Errorf("the answer to %s event from %s is larger than %d bytes", req.name, redact(u), inv.maxBody), false
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, fmt.Errorf("upstream %s redirected %s event (status %d); configure the final URL", redact(u), req.name, resp.StatusCode), false
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}, nil, false
}
