package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/webpubsub-go/webpubsub/internal/problem"
)

// Error codes of REST error responses (the x-ms-error-code header and the
// code field of the body).
const (
	CodeBadRequest   = "Error.BadRequest"
	CodeUnauthorized = "Error.Unauthorized"
	CodeNotFound     = "Error.NotFound"

	codePayloadTooLarge    = "Error.PayloadTooLarge"
	codeUnsupportedMedia   = "Error.UnsupportedMediaType"
	codeConflict           = "Error.Connection.Conflict"
	codeInternal           = "Error.InternalServerError"
	codeConnectionNotFound = "Info.Connection.NotExisted"
	codeUserNotFound       = "Warning.User.NotExisted"
	codeGroupNotFound      = "Warning.Group.NotExisted"
)

// targetRequest is the target of an error about the request as a whole (its
// body or headers), as Microsoft's emulator names it
// (WebPubSubApiControllerDefinition.CreateBadRequest; RestApiTests:
// ValidationErrorsUseStructuredResponse, InvalidMetadataUsesStructuredResponse).
const targetRequest = "Request"

// apiError is an error answer of the REST API.
type apiError struct {
	status  int
	code    string
	message string
	// target names what was wrong: a parameter, "Request", "Connection".
	target string
	// param marks a refused parameter: the answer is a problem document
	// (package problem), as the service answers it, rather than the flat
	// error body.
	param bool
}

func (e *apiError) Error() string { return e.message }

// write answers the request with e: status, x-ms-error-code and the body
// (HEAD responses carry no body).
func (e *apiError) write(w http.ResponseWriter) {
	w.Header().Set("x-ms-error-code", e.code)
	if e.param {
		d := problem.BadParameter(e.target, e.message)
		d.Status = e.status
		problem.Write(w, d)
		return
	}
	writeErrorBody(w, e.status, errorBody{Code: e.code, Message: e.message, Target: e.target})
}

// fail answers the request with err: an *apiError as it says, anything else
// as a 500.
func fail(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{status: http.StatusInternalServerError, code: codeInternal, message: err.Error()}
	}
	e.write(w)
}

// badParameter is the 400 of a refused parameter, with text in the .NET
// words the service uses for an argument ("... (Parameter 'name')"). The
// service's own text is not known for these; ours says what is allowed.
func badParameter(name, format string, args ...any) *apiError {
	return badParameterText(name, problem.ArgumentMessage(name, fmt.Sprintf(format, args...)))
}

// badParameterText is the 400 of a refused parameter whose message is
// known in the service's words (a filter, the api-version).
func badParameterText(name, message string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: CodeBadRequest, message: message, target: name, param: true}
}

// badRequest is the 400 of a request whose body or headers are wrong: the
// flat error body with target "Request".
func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: CodeBadRequest, message: fmt.Sprintf(format, args...), target: targetRequest}
}

// connectionNotFound is the service's 404 for an unknown connection (the
// body the live service sends, without its null details and innererror).
func connectionNotFound(id string) *apiError {
	return &apiError{status: http.StatusNotFound, code: codeConnectionNotFound, message: fmt.Sprintf("Connection `%s` is not found.", id), target: "Connection"}
}

// errorBody is the service's flat error body.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Target names what was wrong, e.g. "Connection" or "Request".
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
