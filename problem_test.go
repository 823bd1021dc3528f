package webpubsub

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// invalidFilterProblem is the body the service answers for the filter
// "invalid filter": an RFC 7807 problem document (rest-api.md section 1).
const invalidFilterProblem = `{"code":"Error.BadRequest",` +
	`"message":"Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')",` +
	`"target":"filter","title":"One or more validation errors occurred.","status":400,` +
	`"errors":{"filter":["Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')"]}}`

// TestProblemDocumentError: for a bad parameter the service answers a
// problem document, not the flat error body. The *azcore.ResponseError must
// still give its code (ErrorCode) and its message (in Error(), and the body
// stays readable from RawResponse), with or without x-ms-error-code.
func TestProblemDocumentError(t *testing.T) {
	const msg = "Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')"
	for _, tc := range []struct {
		name   string
		header map[string]string
	}{
		{"body only", map[string]string{"Content-Type": "application/problem+json; charset=utf-8"}},
		{"with x-ms-error-code", map[string]string{"Content-Type": "application/problem+json; charset=utf-8", "x-ms-error-code": "Error.BadRequest"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, reply{status: 400, header: tc.header, body: invalidFilterProblem})
			_, err := ts.keyClient("hub1").SendToAll(context.Background(), TextMessage("hello"), &ServiceClientSendToAllOptions{Filter: "invalid filter"})
			var re *azcore.ResponseError
			require.True(t, errors.As(err, &re), "want *azcore.ResponseError, got %T %v", err, err)
			assert.Equal(t, 400, re.StatusCode)
			assert.Equal(t, "Error.BadRequest", re.ErrorCode)
			assert.Contains(t, err.Error(), msg, "the service's message is in the error text")
			assert.NotContains(t, err.Error(), testKey)

			body, err := io.ReadAll(re.RawResponse.Body)
			require.NoError(t, err)
			var doc struct {
				Code, Message, Target string
				Status                int
				Errors                map[string][]string
			}
			require.NoError(t, json.Unmarshal(body, &doc), "the body stays readable: %q", body)
			assert.Equal(t, msg, doc.Message)
			assert.Equal(t, "filter", doc.Target)
			assert.Equal(t, []string{msg}, doc.Errors["filter"])
			assert.Equal(t, "application/problem+json; charset=utf-8", re.RawResponse.Header.Get("Content-Type"))
			assert.Len(t, ts.requests(), 1, "a 400 is not retried")
		})
	}
}
