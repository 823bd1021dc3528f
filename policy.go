package webpubsub

import (
	"bytes"
	"io"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// bodyBytes carries a request's body bytes as an azcore operation value.
type bodyBytes struct{ b []byte }

// inMemoryBodyPolicy hands net/http the request body as a *bytes.Reader on
// every try. azcore wraps bodies in its own rewindable reader, which net/http
// does not recognise as in-memory, so it would flush the headers in a separate
// write before the body; with a known in-memory reader the request goes out in
// one write. azcore still rewinds its own copy between tries.
type inMemoryBodyPolicy struct{}

func (inMemoryBodyPolicy) Do(req *policy.Request) (*http.Response, error) {
	var bb bodyBytes
	if req.OperationValue(&bb) && len(bb.b) > 0 {
		req.Raw().Body = io.NopCloser(bytes.NewReader(bb.b))
	}
	return req.Next()
}
