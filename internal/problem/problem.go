// Package problem writes the error body the service answers for a request
// parameter it refuses: an RFC 7807 problem document (rest-api.md, section 1,
// "Error body"). Microsoft's recordings of the JS SDK's live tests "can
// broadcast with filter" and "can join multiple groups with filter" show, for
// an invalid filter, status 400 with Content-Type
// "application/problem+json; charset=utf-8" and a body carrying code,
// message, target, title, status and errors keyed by the parameter. The
// official JS SDK keeps such a body as its error's message and its tests
// parse it as JSON, so the content type, the fields and the message's words
// all matter.
//
// The flat error body ({code, message, target, details, innererror} with
// x-ms-error-code) of the service's other errors is not this package's.
package problem

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ContentType is the content type of a problem document.
const ContentType = "application/problem+json; charset=utf-8"

// CodeBadRequest is the code of a refused parameter.
const CodeBadRequest = "Error.BadRequest"

// TitleValidation is the title of a refused parameter (ASP.NET Core's
// ValidationProblemDetails title, which the service uses).
const TitleValidation = "One or more validation errors occurred."

// Document is a problem document for one refused parameter.
type Document struct {
	// Code is the service's error code, CodeBadRequest.
	Code string
	// Message says what is wrong, in the service's words.
	Message string
	// Target names the refused parameter, e.g. "filter".
	Target string
	// Title is TitleValidation.
	Title string
	// Status is the HTTP status, 400.
	Status int
	// Errors lists the messages of each refused parameter.
	Errors map[string][]string
}

// BadParameter returns the document of a request refused for its parameter
// target with message (in the service's words: for the filter, an
// odata.SyntaxError's ServiceMessage; for others, ArgumentMessage).
func BadParameter(target, message string) Document {
	return Document{
		Code:    CodeBadRequest,
		Message: message,
		Target:  target,
		Title:   TitleValidation,
		Status:  http.StatusBadRequest,
		Errors:  map[string][]string{target: {message}},
	}
}

// ArgumentMessage returns text as the service words a refused parameter: the
// message of a .NET ArgumentException, which ends with the parameter's name,
// e.g. "... (Parameter 'filter')".
func ArgumentMessage(param, text string) string {
	return text + " (Parameter '" + param + "')"
}

// MarshalJSON writes the document with its fields in the order the service's
// recordings list them: code, message, target, title, status, errors.
func (d Document) MarshalJSON() ([]byte, error) {
	errs := d.Errors
	if errs == nil {
		errs = map[string][]string{}
	}
	return json.Marshal(struct {
		Code    string              `json:"code"`
		Message string              `json:"message"`
		Target  string              `json:"target"`
		Title   string              `json:"title"`
		Status  int                 `json:"status"`
		Errors  map[string][]string `json:"errors"`
	}{d.Code, d.Message, d.Target, d.Title, d.Status, errs})
}

// Write answers the request with d: its status, ContentType and the document.
func Write(w http.ResponseWriter, d Document) {
	b, err := d.MarshalJSON()
	if err != nil { // a map of strings and strings: cannot fail
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	status := d.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
