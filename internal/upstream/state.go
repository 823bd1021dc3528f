package upstream

import (
	"fmt"
	"net/http"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// MaxStateBytes bounds the ce-connectionState value an upstream may set:
// 64 KiB, the response header budget of Microsoft's emulator (.NET's
// HttpClient reads at most 64 KiB of response headers) and the bound of our
// event handler. The service documents no bound of its own.
const MaxStateBytes = 64 << 10

// stateHeader reads the ce-connectionState an answer sets. The value is
// opaque, as for the service ("base64-encode it if it contains complex
// characters": a plain "initial" is a state too): it is stored and sent back
// unchanged. set is false when the answer has no such header (the state is
// kept); an empty value clears it. More than one header (which the service
// does not allow), a value over MaxStateBytes, or one that cannot be sent
// back as a header, is an error.
func stateHeader(h http.Header) (value string, set bool, err error) {
	vs, ok := h[http.CanonicalHeaderKey(protocol.HeaderConnectionState)]
	if !ok || len(vs) == 0 {
		return "", false, nil
	}
	if len(vs) > 1 {
		return "", false, fmt.Errorf("the answer has %d %s headers; set one", len(vs), protocol.HeaderConnectionState)
	}
	v := vs[0]
	if len(v) > MaxStateBytes {
		return "", false, fmt.Errorf("the answer's %s is %d bytes long; at most %d are kept", protocol.HeaderConnectionState, len(v), MaxStateBytes)
	}
	if !headerValueOK(v) {
		return "", false, fmt.Errorf("the answer's %s holds control characters, so it cannot be sent back", protocol.HeaderConnectionState)
	}
	return v, true, nil
}
