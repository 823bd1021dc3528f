package rest

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/odata"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// sendParams are the parsed parameters of a Send operation.
type sendParams struct {
	payload  protocol.Payload
	metadata map[string]string
	ttl      time.Duration
	filter   *odata.Filter
	excluded map[string]bool
}

// msgInvalidJSON is the service's answer to an application/json body that
// is not JSON (Microsoft's emulator, RestApiTests.ValidationErrorsUseStructuredResponse).
const msgInvalidJSON = "The request body is not a valid JSON."

// parseSend parses a Send request, checking what Microsoft's emulator checks
// in its order: messageTtlSeconds, the filter, the Content-Type (415), the
// body (413 over 1 MiB), that a JSON body is JSON, and the metadata headers.
func parseSend(r *http.Request, allowExcluded, allowFilter bool) (*sendParams, error) {
	q := r.URL.Query()
	p := &sendParams{}
	var err error
	if p.ttl, err = parseTTL(q.Get("messageTtlSeconds")); err != nil {
		return nil, err
	}
	if allowFilter {
		if p.filter, err = parseFilter(q.Get("filter")); err != nil {
			return nil, err
		}
	}
	if allowExcluded {
		p.excluded = excludedSet(r)
	}
	dt, err := contentDataType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	body, err := readBody(r, maxRESTMessage)
	if err != nil {
		return nil, err
	}
	switch {
	case len(body) == 0:
		return nil, badRequest("The request body is required: it is the message to send.")
	case dt == protocol.DataTypeJSON && !json.Valid(body):
		return nil, badRequest(msgInvalidJSON)
	}
	if p.metadata, err = requestMetadata(r.Header); err != nil {
		return nil, err
	}
	p.payload = protocol.Payload{Type: dt, Data: body}
	return p, nil
}

// contentDataType returns the data type of a send's Content-Type:
// text/plain, application/json or application/octet-stream, without a
// charset or with UTF-8 (the emulator does not convert other charsets). No
// Content-Type means binary data, as Microsoft's emulator reads it
// (WebPubSubEmulatorController.TryGetDataType). Anything else, or a header
// that does not parse, is a 415.
func contentDataType(ct string) (protocol.DataType, error) {
	if ct == "" {
		return protocol.DataTypeBinary, nil
	}
	unsupported := &apiError{
		status:  http.StatusUnsupportedMediaType,
		code:    codeUnsupportedMedia,
		message: "Unsupported Content-Type " + quoteText(ct) + ": use text/plain, application/json or application/octet-stream, in UTF-8.",
		target:  targetRequest,
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", unsupported
	}
	if cs, ok := params["charset"]; ok && !isUTF8(cs) {
		return "", unsupported
	}
	dt, ok := protocol.DataTypeForContentType(mt)
	if !ok {
		return "", unsupported
	}
	return dt, nil
}

// isUTF8 reports whether a charset parameter names UTF-8 (or its subset,
// US-ASCII).
func isUTF8(charset string) bool {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii":
		return true
	}
	return false
}

// requestMetadata collects a send's X-WebPubSub-Metadata-<key> headers into
// the message's metadata, as Microsoft's emulator reads them
// (WebPubSubEmulatorController.GetMetadata; RestApiTests:
// ConnectionExistsAndSendToConnectionUseLiveConnection): the key lower-cased;
// of a repeated header, or of a comma-separated value, the last value,
// trimmed. The result must pass protocol.ValidateMetadata (token keys of at
// most 256 bytes, ASCII values of at most 1,024, 8 KiB in all); a violation
// is a 400 with the validator's text and target "Request".
func requestMetadata(h http.Header) (map[string]string, error) {
	var md map[string]string
	for name, values := range h {
		if len(name) < len(protocol.HeaderMetadataPrefix) || !strings.EqualFold(name[:len(protocol.HeaderMetadataPrefix)], protocol.HeaderMetadataPrefix) {
			continue
		}
		key := strings.ToLower(name[len(protocol.HeaderMetadataPrefix):])
		if key == "" || len(values) == 0 {
			continue
		}
		v := values[len(values)-1]
		if i := strings.LastIndexByte(v, ','); i >= 0 {
			v = v[i+1:]
		}
		if md == nil {
			md = make(map[string]string)
		}
		md[key] = strings.TrimSpace(v)
	}
	if err := protocol.ValidateMetadata(md); err != nil {
		return nil, badRequest("%s", err.Error())
	}
	return md, nil
}

// quoteText returns s quoted and shortened for an error message.
func quoteText(s string) string { return `"` + truncateText(s) + `"` }
