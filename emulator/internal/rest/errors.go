package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error codes of REST error responses (the x-ms-error-code header and the
// code field of the body).
const (
	CodeBadRequest         = "Error.BadRequest"
	CodeUnauthorized       = "Error.Unauthorized"
	CodeNotFound           = "Error.NotFound"
	codePayloadTooLarge    = "Error.PayloadTooLarge"
	codeConnectionNotFound = "Info.Connection.NotExisted"
)

// errorBody is the service's flat error body.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Target names the kind of thing that was wrong, e.g. "Connection".
	Target string `json:"target,omitempty"`
}

// WriteError writes a REST error: status, the x-ms-error-code header and a
// JSON body {code, message} (HEAD responses carry no body).
func WriteError(w http.ResponseWriter, status int, code, message string) {
	writeErrorBody(w, status, errorBody{Code: code, Message: message})
}

// writeErrorBody writes a REST error with body b; its code also goes into the
// x-ms-error-code header.
func writeErrorBody(w http.ResponseWriter, status int, b errorBody) {
	w.Header().Set("x-ms-error-code", b.Code)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(b)
}

// badRequest writes a 400 with message.
func badRequest(w http.ResponseWriter, format string, args ...any) {
	WriteError(w, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf(format, args...))
}

// connectionNotFound writes the service's 404 for an unknown connection
// (the body the live service sends, without its null details and innererror).
func connectionNotFound(w http.ResponseWriter, id string) {
	writeErrorBody(w, http.StatusNotFound, errorBody{
		Code:    codeConnectionNotFound,
		Message: fmt.Sprintf("Connection `%s` is not found.", id),
		Target:  "Connection",
	})
}
