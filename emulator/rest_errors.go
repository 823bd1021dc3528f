package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error codes of REST error responses (the x-ms-error-code header and the
// code field of the body).
const (
	codeBadRequest         = "Error.BadRequest"
	codeUnauthorized       = "Error.Unauthorized"
	codeNotFound           = "Error.NotFound"
	codePayloadTooLarge    = "Error.PayloadTooLarge"
	codeConnectionNotFound = "Info.Connection.NotExisted"
)

// errorBody is the service's flat error body.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError writes a REST error: status, the x-ms-error-code header and a
// JSON body {code, message} (HEAD responses carry no body).
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("x-ms-error-code", code)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody{Code: code, Message: message})
}

// badRequest writes a 400 with message.
func badRequest(w http.ResponseWriter, format string, args ...any) {
	writeError(w, http.StatusBadRequest, codeBadRequest, fmt.Sprintf(format, args...))
}

// connectionNotFound writes the service's 404 for an unknown connection.
func connectionNotFound(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, codeConnectionNotFound, fmt.Sprintf("Connection `%s` is not found.", id))
}
