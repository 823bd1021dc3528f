package problem

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// invalidFilterMessage is the service's message for the filter
// "invalid filter" (rest-api.md section 1).
const invalidFilterMessage = "Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')"

func TestWriteBadParameter(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, BadParameter("filter", invalidFilterMessage))

	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Equal(t, "application/problem+json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, `{"code":"Error.BadRequest","message":"Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')",`+
		`"target":"filter","title":"One or more validation errors occurred.","status":400,`+
		`"errors":{"filter":["Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')"]}}`,
		rec.Body.String())
	assert.Equal(t, rec.Body.Len(), mustAtoi(t, rec.Header().Get("Content-Length")))

	// What the JS SDK's live test does with the body: parse it, read message.
	var parsed struct {
		Message string `json:"message"`
		Code    string `json:"code"`
		Target  string `json:"target"`
		Status  int    `json:"status"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &parsed))
	assert.Equal(t, invalidFilterMessage, parsed.Message)
	assert.Equal(t, "Error.BadRequest", parsed.Code)
	assert.Equal(t, "filter", parsed.Target)
	assert.Equal(t, 400, parsed.Status)
}

func TestArgumentMessage(t *testing.T) {
	assert.Equal(t, "The specified API version is not supported. (Parameter 'api-version')",
		ArgumentMessage("api-version", "The specified API version is not supported."))
	d := BadParameter("messageTtlSeconds", ArgumentMessage("messageTtlSeconds", "Invalid messageTtlSeconds."))
	assert.Equal(t, map[string][]string{"messageTtlSeconds": {"Invalid messageTtlSeconds. (Parameter 'messageTtlSeconds')"}}, d.Errors)
}

func TestMarshalZeroDocument(t *testing.T) {
	b, err := Document{}.MarshalJSON()
	require.NoError(t, err)
	assert.JSONEq(t, `{"code":"","message":"","target":"","title":"","status":0,"errors":{}}`, string(b))
	rec := httptest.NewRecorder()
	Write(rec, Document{Code: CodeBadRequest})
	assert.Equal(t, http.StatusBadRequest, rec.Code, "a zero status means 400")
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
