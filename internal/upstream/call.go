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
	// headers are added as they are (the mqtt-{name} headers of an MQTT
	// client's user event); the caller checked them.
	headers http.Header
}

// answer is an upstream's answer to an event, with what is needed to
// explain it.
type answer struct {
	status int
	header http.Header
	body   []byte

	event, hub string
	// url is the handler's URL, redacted.
	url     string
	tries   int
	elapsed time.Duration
}

// refused returns the answer, whose status is not 2xx, as a *StatusError.
func (a *answer) refused() *StatusError {
	return &StatusError{Event: a.event, Status: a.status, Reason: reason(a.body), Hub: a.hub, URL: a.url, Tries: a.tries, Elapsed: a.elapsed}
}

// unusable returns a *CallError for a 2xx answer the service cannot use.
func (a *answer) unusable(err error) *CallError {
	return &CallError{Event: a.event, Hub: a.hub, URL: a.url, Status: a.status, Answer: reason(a.body), Tries: a.tries, Elapsed: a.elapsed, Err: err}
}

// send delivers req about s to the upstream of handler h: abuse protection
// first, then the CloudEvents POST, tried again after the invoker's retry
// delays when the upstream answers 408 or 5xx or the network fails (never
// after a timeout, a cancellation or another status). Every try carries the
// same ce-id. It returns the last answer whatever its status; errors are
// *CallError (transport, protocol or size failures).
func (inv *Invoker) send(ctx context.Context, h Handler, s *Session, req request) (*answer, error) {
	fail := func(shown string, tries int, start time.Time, err error) error {
		return &CallError{Event: req.name, Hub: s.hub, URL: shown, Tries: tries, Elapsed: time.Since(start), Err: err}
	}
	start := time.Now()
	if hasEventPlaceholder(h.URLTemplate) && (req.name == "." || req.name == "..") {
		// A dot segment would move the request to another path of the upstream.
		return nil, fail(h.URLTemplate, 0, start, fmt.Errorf("event name %q cannot be put in the upstream URL", req.name))
	}
	u, err := url.Parse(expand(h.URLTemplate, s.hub, req.name))
	if err != nil {
		return nil, fail(h.URLTemplate, 0, start, fmt.Errorf("the upstream URL is invalid: %w", unwrapURLError(err)))
	}
	shown := redactURL(u, s.hub, req.name)
	if ve := inv.checkOrigin(ctx, h, s.hub); ve != nil {
		return nil, &CallError{Event: req.name, Hub: s.hub, URL: ve.url, Validation: true, Status: ve.status, Tries: ve.tries, Elapsed: ve.elapsed, Err: ve.err}
	}
	id := s.eventID(req.ceType)
	start = time.Now()
	for try := 1; ; try++ {
		began := time.Now()
		a, err, retryable := inv.post(ctx, u, s, req, id)
		status := 0
		if a != nil {
			status = a.status
			retryable = retryableStatus(a.status)
		}
		inv.log.Debug("upstream call", "event", req.name, "hub", s.hub, "connectionId", s.connID, "url", shown, "ceId", id, "try", try, "status", status, "duration", time.Since(began), "err", err)
		last := !retryable || try > len(inv.retryDelays)
		if !last {
			d := inv.retryDelays[try-1]
			inv.log.Warn("upstream call failed; retrying", "event", req.name, "hub", s.hub, "connectionId", s.connID, "url", shown, "try", try, "status", status, "err", err, "retryIn", d)
			last = !sleep(ctx, d)
		}
		if !last {
			continue
		}
		if a == nil {
			return nil, fail(shown, try, start, err)
		}
		a.event, a.hub, a.url, a.tries, a.elapsed = req.name, s.hub, shown, try, time.Since(start)
		return a, nil
	}
}

// post makes one try of an event. retryable says whether a transport
// failure may succeed on another try.
func (inv *Invoker) post(ctx context.Context, u *url.URL, s *Session, req request, id uint64) (a *answer, err error, retryable bool) {
	ctx, cancel := context.WithTimeout(ctx, inv.timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(req.body))
	if err != nil {
		return nil, unwrapURLError(err), false
	}
	inv.setHeaders(hr.Header, s, req, id)
	resp, err := inv.client.Do(hr)
	if err != nil {
		err = unwrapURLError(err)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return nil, fmt.Errorf("the upstream did not answer within %s: %w", inv.timeout, err), false
		}
		return nil, err, retryableError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, inv.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err), retryableError(err)
	}
	if int64(len(body)) > inv.maxBody {
		return nil, fmt.Errorf("the answer is larger than %d bytes", inv.maxBody), false
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, fmt.Errorf("the upstream redirected the %s event (status %d); configure the final URL", req.name, resp.StatusCode), false
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}, nil, false
}

// setHeaders writes the CloudEvents headers of req about s.
func (inv *Invoker) setHeaders(hd http.Header, s *Session, req request, id uint64) {
	userID, subprotocol, state := s.snapshot()
	hd.Set(protocol.HeaderRequestOrigin, inv.origin)
	hd.Set(protocol.HeaderSpecVersion, protocol.SpecVersion)
	hd.Set(protocol.HeaderType, req.ceType)
	hd.Set(protocol.HeaderSource, protocol.EventSource(s.hub, s.connID))
	s.setMQTTHeaders(hd, req.ceType)
	hd.Set(protocol.HeaderID, strconv.FormatUint(id, 10))
	hd.Set(protocol.HeaderTime, time.Now().UTC().Format(time.RFC3339Nano))
	hd.Set(protocol.HeaderAwpsVersion, protocol.AwpsVersion)
	hd.Set(protocol.HeaderHub, s.hub)
	hd.Set(protocol.HeaderConnectionID, s.connID)
	hd.Set(protocol.HeaderEventName, req.name)
	if userID != "" {
		hd.Set(protocol.HeaderUserID, userID)
	}
	if subprotocol != "" && (req.ceType != protocol.EventTypeConnect || s.mqtt != nil) {
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
	for k, vs := range req.headers {
		hd[k] = append(hd[k], vs...)
	}
	for k, v := range req.metadata {
		if metadataHeaderOK(k, v) {
			hd.Set(protocol.HeaderMetadataPrefix+k, v)
		}
	}
}
