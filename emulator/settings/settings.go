// Package settings holds the emulator's per-hub settings: the event handlers
// that receive a hub's events and whether anonymous clients may connect. It
// reads them from a JSON file in the shape of the service's hub resource
// properties (or of the official emulator's appsettings.json), validates
// them, matches events to handlers and watches the file for changes.
//
// The file, in the service's shape:
//
//	{
//	  "hubs": {
//	    "chat": {
//	      "eventHandlers": [
//	        {
//	          "urlTemplate": "http://127.0.0.1:8081/eventhandler/{hub}/{event}",
//	          "userEventPattern": "*",
//	          "systemEvents": ["connect", "connected", "disconnected"]
//	        }
//	      ],
//	      "anonymousConnectPolicy": "deny"
//	    }
//	  }
//	}
//
// A hub's value may also be wrapped in "properties" as in the service's hub
// resource. The official emulator's shape is accepted too:
//
//	{"WebPubSub": {"Hubs": {"chat": {"EventHandlers": [{"UrlTemplate": "...", "EventPattern": "*", "SystemEvents": ["connect"]}]}}}}
//
// Field names match case-insensitively in both shapes.
package settings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/names"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// AnyHub is the hub name whose settings apply to every hub: its event
// handlers are tried after a hub's own, and its anonymous connect policy is
// used by hubs that have no settings of their own.
const AnyHub = "*"

// Anonymous connect policies.
const (
	// PolicyDeny refuses clients without an access token (the default).
	PolicyDeny = "deny"
	// PolicyAllow accepts clients without an access token, as anonymous
	// connections with no user and no roles.
	PolicyAllow = "allow"
)

// System event names.
const (
	EventConnect      = "connect"
	EventConnected    = "connected"
	EventDisconnected = "disconnected"
)

// Settings are the settings of every hub. The zero value has no hubs: no
// event handlers and anonymous clients refused.
type Settings struct {
	// Hubs maps hub names (matched case-insensitively) to their settings;
	// the name AnyHub ("*") applies to every hub.
	Hubs map[string]Hub
}

// Hub is one hub's settings, like the properties of the service's hub
// resource.
type Hub struct {
	// EventHandlers are tried in order; the first that takes an event
	// receives it.
	EventHandlers []EventHandler
	// AnonymousConnectPolicy is PolicyAllow or PolicyDeny; "" means deny.
	AnonymousConnectPolicy string
}

// EventHandler sends some events of a hub to one upstream URL.
type EventHandler struct {
	// URLTemplate is an absolute http or https URL; {hub} and {event} are
	// replaced by the hub and event names.
	URLTemplate string
	// UserEventPattern selects user events: "*" for all, "" for none, or a
	// comma-separated list of names and globs (see MatchUserEvent). Names
	// match case-insensitively.
	UserEventPattern string
	// GroupPresenceEvents lists the group presence events the handler
	// takes: "joined" and "left" (case-insensitive), as the service's
	// groupPresenceEvents.eventNames. Empty sends none.
	GroupPresenceEvents []string
	// SystemEvents lists the system events the handler takes: "connect",
	// "connected" and "disconnected" (case-insensitive).
	SystemEvents []string
}

// Validate checks every hub and handler and returns the first problem, with
// the field that is wrong (for example
// `hubs.chat.eventHandlers[0].urlTemplate`).
func (s *Settings) Validate() error {
	if s == nil {
		return nil
	}
	for _, name := range s.hubNames() {
		h := s.Hubs[name]
		field := "hubs." + name
		if err := validateHubName(name); err != nil {
			return &FieldError{Field: field, Err: err}
		}
		if err := validatePolicy(h.AnonymousConnectPolicy); err != nil {
			return &FieldError{Field: field + ".anonymousConnectPolicy", Err: err}
		}
		for i, eh := range h.EventHandlers {
			if f, err := eh.validate(); err != nil {
				return &FieldError{Field: fmt.Sprintf("%s.eventHandlers[%d].%s", field, i, f), Err: err}
			}
		}
	}
	return nil
}

// FieldError is a settings problem in one field.
type FieldError struct {
	// Field is the path of the field, e.g. hubs.chat.eventHandlers[0].urlTemplate.
	Field string
	// Err says what is wrong.
	Err error
}

// Error returns "field: problem".
func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the problem.
func (e *FieldError) Unwrap() error { return e.Err }

// validateHubName accepts AnyHub and the names the service allows (the
// rules of internal/names, which the REST API applies too).
func validateHubName(name string) error {
	if name == AnyHub {
		return nil
	}
	if strings.EqualFold(name, "_default") {
		// Microsoft's emulator's name for the settings of every hub.
		return fmt.Errorf("invalid hub name %q: use %q for the settings of every hub", name, AnyHub)
	}
	return names.ValidateHub(name)
}

func validatePolicy(p string) error {
	switch strings.ToLower(p) {
	case "", PolicyAllow, PolicyDeny:
		return nil
	}
	return fmt.Errorf("%q is not a policy; use %q or %q", p, PolicyAllow, PolicyDeny)
}

// validate checks one handler and returns the wrong field's name.
func (h EventHandler) validate() (string, error) {
	if err := ValidateURLTemplate(h.URLTemplate); err != nil {
		return "urlTemplate", err
	}
	if err := validatePattern(h.UserEventPattern); err != nil {
		return "userEventPattern", err
	}
	for i, e := range h.SystemEvents {
		switch strings.ToLower(e) {
		case EventConnect, EventConnected, EventDisconnected:
		default:
			return fmt.Sprintf("systemEvents[%d]", i), fmt.Errorf("unknown system event %q; use connect, connected or disconnected", e)
		}
	}
	for i, e := range h.GroupPresenceEvents {
		if !isGroupEvent(e) {
			return fmt.Sprintf("groupPresenceEvents.eventNames[%d]", i), fmt.Errorf("unknown group presence event %q; use joined or left", e)
		}
	}
	return "", nil
}

// Group presence event names.
const (
	EventGroupJoined = "joined"
	EventGroupLeft   = "left"
)

// isGroupEvent reports whether name is a group presence event name.
func isGroupEvent(name string) bool {
	return strings.EqualFold(name, EventGroupJoined) || strings.EqualFold(name, EventGroupLeft)
}

// ValidateURLTemplate checks that t is an absolute http or https URL once
// its {hub} and {event} placeholders (any case) are filled, has no other
// placeholder, and puts placeholders only in its path and query (see
// upstream.ValidateURLTemplate, the one definition).
func ValidateURLTemplate(t string) error {
	return upstream.ValidateURLTemplate(t)
}

// validatePattern checks a userEventPattern: "*", "" or a comma-separated
// list of names and globs (see upstream.ValidateEventPattern).
func validatePattern(p string) error {
	return upstream.ValidateEventPattern(p)
}

// hubNames returns the hub names in a fixed order (sorted), for messages.
func (s *Settings) hubNames() []string {
	names := make([]string, 0, len(s.Hubs))
	for n := range s.Hubs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// hub returns the settings stored under a name equal to name ignoring case.
func (s *Settings) hub(name string) (Hub, bool) {
	if s == nil {
		return Hub{}, false
	}
	if h, ok := s.Hubs[name]; ok {
		return h, true
	}
	for _, n := range s.hubNames() {
		if n != AnyHub && strings.EqualFold(n, name) {
			return s.Hubs[n], true
		}
	}
	return Hub{}, false
}

// AllowsAnonymous reports whether hub accepts clients without an access
// token: its own policy, or else that of AnyHub; deny by default.
func (s *Settings) AllowsAnonymous(hub string) bool {
	h, ok := s.hub(hub)
	if !ok || h.AnonymousConnectPolicy == "" {
		any, _ := s.hub(AnyHub)
		if !ok {
			h = any
		} else if h.AnonymousConnectPolicy == "" {
			h.AnonymousConnectPolicy = any.AnonymousConnectPolicy
		}
	}
	return strings.EqualFold(h.AnonymousConnectPolicy, PolicyAllow)
}

// Match returns the handler that receives event of hub: the first of the
// hub's own handlers that takes it, else the first of AnyHub's. system says
// whether event is a system event (connect, connected, disconnected) or a
// user event. Hub and event names match case-insensitively.
func (s *Settings) Match(hub, event string, system bool) (EventHandler, bool) {
	if s == nil {
		return EventHandler{}, false
	}
	try := func(h Hub) (EventHandler, bool) {
		for _, eh := range h.EventHandlers {
			if eh.Takes(event, system) {
				return eh, true
			}
		}
		return EventHandler{}, false
	}
	if h, ok := s.hub(hub); ok && hub != AnyHub {
		if eh, ok := try(h); ok {
			return eh, true
		}
	}
	if h, ok := s.Hubs[AnyHub]; ok {
		return try(h)
	}
	return EventHandler{}, false
}

// Takes reports whether the handler receives event (a system event, or the
// group presence event "joined" or "left", when system is true).
func (h EventHandler) Takes(event string, system bool) bool {
	if system && isGroupEvent(event) {
		for _, e := range h.GroupPresenceEvents {
			if strings.EqualFold(e, event) {
				return true
			}
		}
		return false
	}
	if system {
		for _, e := range h.SystemEvents {
			if strings.EqualFold(e, event) {
				return true
			}
		}
		return false
	}
	return MatchUserEvent(h.UserEventPattern, event)
}

// MatchUserEvent reports whether pattern selects the user event name,
// ignoring case. A pattern is "*" (every event), "" (none) or a
// comma-separated list of names and Microsoft's emulator's globs: "*"
// within one dot-separated segment ("room.*"), "**" across segments
// ("room.**"), "?" one character but "." (see upstream.MatchEventPattern).
func MatchUserEvent(pattern, name string) bool {
	return upstream.MatchEventPattern(pattern, name)
}
