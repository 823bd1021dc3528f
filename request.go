package webpubsub

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
)

// apiVersion is the REST API version every request sends.
const apiVersion = "2024-12-01"

// restRequest describes one REST call.
type restRequest struct {
	op          string // operation name for tracing, e.g. "ServiceClient.SendToAll"
	method      string
	path        string // escaped path starting with "/api/"
	query       url.Values
	contentType string // set when the request has a body
	body        []byte
	success     []int // success status codes
}

// pathSegment escapes s for use as one path segment. The dot segments "." and
// ".." are escaped too, so an id cannot climb the path.
func pathSegment(s string) string {
	switch s {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return url.PathEscape(s)
}

// do sends r through the pipeline. It returns the response when its status is
// one of r.success, an *azcore.ResponseError for any other status, or the
// transport/context error.
func (c *ServiceClient) do(ctx context.Context, r *restRequest) (resp *http.Response, err error) {
	ctx, endSpan := runtime.StartSpan(ctx, r.op, c.tracer, nil)
	defer func() { endSpan(err) }()

	var sb strings.Builder
	sb.Grow(len(c.requestBase) + len(r.path) + 64)
	sb.WriteString(c.requestBase)
	sb.WriteString(r.path)
	sb.WriteByte('?')
	if len(r.query) == 0 {
		sb.WriteString("api-version=" + apiVersion)
	} else {
		r.query.Set("api-version", apiVersion)
		sb.WriteString(r.query.Encode())
	}
	req, err := runtime.NewRequest(ctx, r.method, sb.String())
	if err != nil {
		return nil, err
	}
	req.Raw().Header.Set("Accept", "application/json")
	if r.contentType != "" {
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(r.body)), r.contentType); err != nil {
			return nil, err
		}
		req.SetOperationValue(bodyBytes{r.body})
	}
	resp, err = c.pl.Do(req)
	if err != nil {
		return nil, err
	}
	if !runtime.HasStatusCode(resp, r.success...) {
		return nil, runtime.NewResponseError(resp)
	}
	return resp, nil
}

// exec is do for operations whose success response has no body of interest.
func (c *ServiceClient) exec(ctx context.Context, r *restRequest) error {
	resp, err := c.do(ctx, r)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// exists sends a HEAD request and maps 200 to true and 404 to false.
func (c *ServiceClient) exists(ctx context.Context, op, path string, q url.Values) (bool, error) {
	resp, err := c.do(ctx, &restRequest{op: op, method: http.MethodHead, path: path, query: q,
		success: []int{http.StatusOK, http.StatusNotFound}})
	if err != nil {
		return false, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}
