package rest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// apiVersions are the api-version values the REST API accepts: those
// Microsoft's emulator accepts (WebPubSubApiControllerDefinition.cs; its
// test AdvertisedApiVersionIsAccepted), every stable version of the data
// plane (rest-api.md, section 0). They differ in which operations they have,
// not in how a shared operation behaves; the emulator serves every operation
// under each of them.
var apiVersions = []string{"2021-10-01", "2022-11-01", "2023-07-01", "2024-01-01", "2024-12-01"}

// apiVersion is the newest api-version, the one the emulator's nextLinks
// name when the request named none.
const apiVersion = "2024-12-01"

// headerSupportedVersions is the header that lists apiVersions on every
// answer, as the service's answers carry it (rest-api.md, section 1: Go SDK
// recordings) and Microsoft's emulator writes it.
const headerSupportedVersions = "api-supported-versions"

// supportedVersions is the value of headerSupportedVersions.
var supportedVersions = strings.Join(apiVersions, ", ")

// msgUnsupportedVersion is Microsoft's emulator's text for an api-version it
// does not serve (target "api-version").
const msgUnsupportedVersion = "The specified API version is not supported."

// advertiseVersions sets headerSupportedVersions on w.
func advertiseVersions(w http.ResponseWriter) {
	w.Header().Set(headerSupportedVersions, supportedVersions)
}

// checkAPIVersion refuses an api-version the emulator does not serve, or a
// repeated one. A request without api-version is served, as Microsoft's
// emulator serves it (AdvertisedApiVersionIsAccepted(null)); every SDK sends
// one.
func checkAPIVersion(q url.Values) error {
	v, ok := q["api-version"]
	if !ok {
		return nil
	}
	if len(v) != 1 || !slices.Contains(apiVersions, v[0]) {
		return badParameterText("api-version", msgUnsupportedVersion)
	}
	return nil
}
