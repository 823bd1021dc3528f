package settings_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/webpubsub-go/webpubsub/emulator/settings"
)

// FuzzParse checks that Parse never panics, that what it accepts is valid,
// and that every error points inside the document.
func FuzzParse(f *testing.F) {
	f.Add([]byte(serviceShape))
	f.Add([]byte(`{"WebPubSub":{"Hubs":{"h":{"EventHandlers":[{"UrlTemplate":"http://x/{event}","EventPattern":"*"}]}}}}`))
	f.Add([]byte(`{"hubs":{"h":{"eventHandlers":[{"urlTemplate":"http://x/","systemEvents":["bad"]}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := settings.Parse(data)
		if err == nil {
			if verr := s.Validate(); verr != nil {
				t.Fatalf("Parse accepted settings that Validate refuses: %v", verr)
			}
			return
		}
		var pe *settings.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v is not a *ParseError", err)
		}
		if pe.Line < 1 || pe.Line > bytes.Count(data, []byte{'\n'})+1 || pe.Column < 1 {
			t.Fatalf("position %d:%d outside the document", pe.Line, pe.Column)
		}
	})
}
