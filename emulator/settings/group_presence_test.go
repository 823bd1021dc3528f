package settings

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGroupPresenceEvents(t *testing.T) {
	s, err := Parse([]byte(`{"hubs": {"chat": {"eventHandlers": [
		{"urlTemplate": "http://127.0.0.1:1/a", "groupPresenceEvents": {"eventNames": ["Joined"]}},
		{"urlTemplate": "http://127.0.0.1:1/b", "systemEvents": ["connected"], "groupPresenceEvents": {"eventNames": ["joined", "left"], "groupFilters": []}}
	]}}}`))
	require.NoError(t, err)
	h, ok := s.Match("chat", "joined", true)
	require.True(t, ok)
	assert.Equal(t, "http://127.0.0.1:1/a", h.URLTemplate, "first matching handler")
	h, ok = s.Match("chat", "left", true)
	require.True(t, ok)
	assert.Equal(t, "http://127.0.0.1:1/b", h.URLTemplate)
	assert.Equal(t, []string{"joined", "left"}, h.GroupPresenceEvents)
	_, ok = s.Match("chat", "connect", true)
	assert.False(t, ok)

	for name, doc := range map[string]string{
		"unknown name":   `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://x/", "groupPresenceEvents": {"eventNames": ["entered"]}}]}}}`,
		"not an object":  `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://x/", "groupPresenceEvents": ["joined"]}]}}}`,
		"group filters":  `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://x/", "groupPresenceEvents": {"eventNames": ["joined"], "groupFilters": ["g*"]}}]}}}`,
		"unknown member": `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://x/", "groupPresenceEvents": {"names": ["joined"]}}]}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "groupPresenceEvents")
		})
	}
	bad := Settings{Hubs: map[string]Hub{"chat": {EventHandlers: []EventHandler{{URLTemplate: "http://x/", GroupPresenceEvents: []string{"gone"}}}}}}
	assert.ErrorContains(t, bad.Validate(), "hubs.chat.eventHandlers[0].groupPresenceEvents.eventNames[0]")
}
