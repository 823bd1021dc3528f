package upstream_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// Placeholders may fill the path and the query only: anywhere before the
// path they would let a client (who chooses the event name) or a hub name
// choose part of the upstream's address.
func TestURLTemplatePlaceholdersOnlyInPathAndQuery(t *testing.T) {
	refused := map[string]string{
		"http://{event}.host/":             "host",
		"http://{HUB}.example.com/x":       "host",
		"http://host{event}/":              "host",
		"http://host:{event}/":             "host",
		"http://{hub}@host/":               "host",
		"http://user:{Event}@host/x":       "host",
		"{hub}://host/x":                   "scheme",
		"http://host/x#{event}":            "fragment",
		"http://host/x?a=1#frag-{HUB}":     "fragment",
		"https://[::1]{event}:8080/events": "host",
	}
	for tmpl, part := range refused {
		t.Run(tmpl, func(t *testing.T) {
			err := upstream.ValidateURLTemplate(tmpl)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "only in the path and the query", "the error says where placeholders may go")
			assert.Contains(t, err.Error(), part, "the error names the part")
			assert.Contains(t, err.Error(), tmpl, "the error quotes the template")
			_, err = upstream.New(upstream.Config{Origin: "o", Handlers: []upstream.Handler{{URLTemplate: tmpl, UserEventPattern: "*"}}})
			assert.ErrorContains(t, err, "only in the path and the query", "New validates templates the same way")
		})
	}
	accepted := []string{
		"http://host/{hub}/{event}",
		"http://host:8080/api?hub={hub}&event={event}",
		"https://user:pw@host/x/{EVENT}?h={Hub}",
		"http://host/",
		"http://[::1]:8080/{event}",
		"http://host/{event}#frag",
	}
	for _, tmpl := range accepted {
		assert.NoError(t, upstream.ValidateURLTemplate(tmpl), tmpl)
	}
}

func TestURLTemplateRefusals(t *testing.T) {
	cases := map[string]string{
		"":                     "empty",
		"/api/{hub}":           "not an absolute http or https URL",
		"ftp://x/{hub}":        "not an absolute http or https URL",
		"http://x/{user}":      "unknown placeholder {user}",
		"http://x/{hub":        "unterminated placeholder",
		"tunnel:///{event}":    "tunnel",
		"http:///{event}":      "not an absolute http or https URL",
		"http://x/a}{event}":   "unknown placeholder",
		"http://x/{}/{event}":  "unknown placeholder {}",
		"http://x/{{event}}":   "unterminated placeholder",
		"http://x/%zz/{event}": "not an absolute http or https URL",
	}
	for tmpl, want := range cases {
		t.Run(tmpl, func(t *testing.T) {
			assert.ErrorContains(t, upstream.ValidateURLTemplate(tmpl), want)
		})
	}
}

// {HUB}, {Event} and any other case are placeholders, as in Microsoft's
// emulator (EventHandlerUrlTemplate: IgnoreCase).
func TestURLTemplatePlaceholdersAreCaseInsensitive(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{
		{URLTemplate: srv.URL + "/up/{HUB}/{Event}?h={hUb}&e={EVENT}", UserEventPattern: "*", SystemEvents: []string{"connect"}},
	}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	_, err = s.UserEvent(context.Background(), "my.event", protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")})
	require.NoError(t, err)
	var got []string
	for _, r := range rec.requests() {
		got = append(got, r.method+" "+r.rawPath+"?"+r.query)
	}
	assert.Equal(t, []string{
		http.MethodOptions + " /up/chat/validate?h=chat&e=validate",
		http.MethodPost + " /up/chat/connect?h=chat&e=connect",
		http.MethodPost + " /up/chat/my.event?h=chat&e=my.event",
	}, got)
}

// Values are escaped as Microsoft's emulator escapes them
// (Uri.EscapeDataString): only unreserved characters stay, so a value can
// never end the path or the query value it is put in.
func TestURLTemplateValuesAreEscaped(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{
		{URLTemplate: srv.URL + "/up/{event}?e={event}&x=1", UserEventPattern: "*"},
	}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	_, err = s.UserEvent(context.Background(), "a&b=c/d?e#f g", protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")})
	require.NoError(t, err)
	reqs := rec.requests()
	require.NotEmpty(t, reqs)
	last := reqs[len(reqs)-1]
	assert.Equal(t, "/up/a%26b%3Dc%2Fd%3Fe%23f%20g", last.rawPath)
	assert.Equal(t, "e=a%26b%3Dc%2Fd%3Fe%23f%20g&x=1", last.query)
	assert.True(t, strings.HasPrefix(last.header.Get(protocol.HeaderType), protocol.EventTypeUserPrefix))
}
