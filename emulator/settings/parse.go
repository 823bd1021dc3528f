package settings

import (
	"errors"
	"fmt"
	"strings"
)

// MaxFileBytes bounds a settings file: a larger file is refused, and no
// more than MaxFileBytes+1 bytes of it are ever read.
const MaxFileBytes = 4 << 20

// Load reads and validates the settings file at path. Errors name the file,
// the line and column, and the field that is wrong, e.g.
// "settings.json:7:24: hubs.chat.eventHandlers[0].systemEvents[1]: unknown system event ...".
// The file must be a regular file (or a symbolic link to one).
func Load(path string) (*Settings, error) {
	data, _, err := readFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	return s, nil
}

// ParseError is a problem in a settings document, at a line and column.
type ParseError struct {
	// Line and Column are 1-based.
	Line, Column int
	// Field is the path of the wrong field (e.g.
	// hubs.chat.eventHandlers[0].urlTemplate), "" for JSON syntax errors.
	Field string
	// Msg says what is wrong and what to do.
	Msg string
}

// Error returns "line:column: field: message".
func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%d:%d: %s: %s", e.Line, e.Column, e.Field, e.Msg)
}

// Parse reads a settings document (see the package documentation for the
// two accepted shapes) and validates it. Errors are *ParseError.
func Parse(data []byte) (*Settings, error) {
	root, err := parseTree(data)
	if err == nil {
		var s *Settings
		s, err = fromTree(root)
		if err == nil {
			return s, nil
		}
	}
	var pe *posError
	if errors.As(err, &pe) {
		line, col := lineCol(data, pe.offset)
		return nil, &ParseError{Line: line, Column: col, Field: pe.field, Msg: pe.msg}
	}
	return nil, err
}

// fromTree converts and validates the document.
func fromTree(root *node) (*Settings, error) {
	if root.kind != 'o' {
		return nil, &posError{offset: root.offset, msg: "the settings file must be a JSON object with \"hubs\" (or \"WebPubSub\": {\"Hubs\": ...})"}
	}
	hubs, field := root.get("hubs"), "hubs"
	if wps := root.get("webpubsub"); wps != nil {
		// The official emulator's appsettings.json; its other sections
		// (Logging, Kestrel...) are not ours.
		if wps.val.kind != 'o' {
			return nil, wrongKind(wps.val, wps.name, "an object with \"Hubs\"")
		}
		if err := wps.val.only(wps.name, "hubs"); err != nil {
			return nil, err
		}
		hubs, field = wps.val.get("hubs"), wps.name+".Hubs"
	} else if err := root.only("", "hubs", "$schema"); err != nil {
		return nil, err
	}
	s := &Settings{Hubs: map[string]Hub{}}
	if hubs == nil {
		return s, nil
	}
	if hubs.val.kind != 'o' {
		return nil, wrongKind(hubs.val, field, "an object of hub names")
	}
	seen := map[string]string{}
	for _, m := range hubs.val.keys {
		hf := field + "." + m.name
		if err := validateHubName(m.name); err != nil {
			return nil, &posError{offset: m.offset, field: hf, msg: err.Error()}
		}
		if prev, dup := seen[strings.ToLower(m.name)]; dup {
			return nil, &posError{offset: m.offset, field: hf, msg: fmt.Sprintf("hub %q is also configured as %q; hub names match case-insensitively", m.name, prev)}
		}
		seen[strings.ToLower(m.name)] = m.name
		h, err := hubFromTree(m.val, hf)
		if err != nil {
			return nil, err
		}
		s.Hubs[m.name] = h
	}
	return s, nil
}

// hubFromTree converts one hub's settings, optionally wrapped in
// "properties" as in the service's hub resource.
func hubFromTree(n *node, field string) (Hub, error) {
	var h Hub
	if n.kind != 'o' {
		return h, wrongKind(n, field, "an object with eventHandlers")
	}
	if p := n.get("properties"); p != nil {
		if err := n.only(field, "properties", "name", "id", "type"); err != nil {
			return h, err
		}
		if p.val.kind != 'o' {
			return h, wrongKind(p.val, field+".properties", "an object with eventHandlers")
		}
		n, field = p.val, field+".properties"
	}
	for _, m := range n.keys {
		f := field + "." + m.name
		switch strings.ToLower(m.name) {
		case "eventhandlers":
			if m.val.kind == 'z' {
				continue
			}
			if m.val.kind != 'a' {
				return h, wrongKind(m.val, f, "an array of event handlers")
			}
			for i, e := range m.val.elems {
				eh, err := handlerFromTree(e, fmt.Sprintf("%s[%d]", f, i))
				if err != nil {
					return h, err
				}
				h.EventHandlers = append(h.EventHandlers, eh)
			}
		case "anonymousconnectpolicy":
			if m.val.kind != 's' {
				return h, wrongKind(m.val, f, `"allow" or "deny"`)
			}
			if err := validatePolicy(m.val.str); err != nil {
				return h, &posError{offset: m.val.offset, field: f, msg: err.Error()}
			}
			h.AnonymousConnectPolicy = strings.ToLower(m.val.str)
		case "eventlisteners", "websocketkeepaliveintervalinseconds":
			return h, &posError{offset: m.offset, field: f, msg: m.name + " is not supported by the emulator; remove it"}
		default:
			return h, unknownField(m, f, "eventHandlers, anonymousConnectPolicy")
		}
	}
	return h, nil
}

// handlerFromTree converts one event handler.
func handlerFromTree(n *node, field string) (EventHandler, error) {
	var h EventHandler
	if n.kind != 'o' {
		return h, wrongKind(n, field, "an object with urlTemplate")
	}
	var tmpl *member
	for i := range n.keys {
		m := &n.keys[i]
		f := field + "." + m.name
		switch strings.ToLower(m.name) {
		case "urltemplate":
			if m.val.kind != 's' {
				return h, wrongKind(m.val, f, "a URL string")
			}
			h.URLTemplate, tmpl = m.val.str, m
			if err := ValidateURLTemplate(h.URLTemplate); err != nil {
				return h, &posError{offset: m.val.offset, field: f, msg: err.Error()}
			}
		case "usereventpattern", "eventpattern": // EventPattern: the official emulator's name
			if m.val.kind == 'z' {
				continue
			}
			if m.val.kind != 's' {
				return h, wrongKind(m.val, f, `a string such as "*" or "event1,event2"`)
			}
			if err := validatePattern(m.val.str); err != nil {
				return h, &posError{offset: m.val.offset, field: f, msg: err.Error()}
			}
			h.UserEventPattern = m.val.str
		case "systemevents":
			events, err := systemEventsFromTree(m.val, f)
			if err != nil {
				return h, err
			}
			h.SystemEvents = events
		case "grouppresenceevents":
			events, err := groupPresenceFromTree(m.val, f)
			if err != nil {
				return h, err
			}
			h.GroupPresenceEvents = events
		case "auth":
			return h, &posError{offset: m.offset, field: f, msg: "upstream authentication is not supported by the emulator; remove auth (events are signed with ce-signature)"}
		default:
			return h, unknownField(*m, f, "urlTemplate, userEventPattern, systemEvents, groupPresenceEvents")
		}
	}
	if tmpl == nil {
		return h, &posError{offset: n.offset, field: field + ".urlTemplate", msg: "an event handler needs a urlTemplate"}
	}
	return h, nil
}

// systemEventsFromTree converts a handler's systemEvents (null: none).
func systemEventsFromTree(n *node, field string) ([]string, error) {
	if n.kind == 'z' {
		return nil, nil
	}
	if n.kind != 'a' {
		return nil, wrongKind(n, field, `an array such as ["connect", "connected", "disconnected"]`)
	}
	var events []string
	for i, e := range n.elems {
		ef := fmt.Sprintf("%s[%d]", field, i)
		if e.kind != 's' {
			return nil, wrongKind(e, ef, "a system event name")
		}
		ev := strings.ToLower(e.str)
		if ev != EventConnect && ev != EventConnected && ev != EventDisconnected {
			return nil, &posError{offset: e.offset, field: ef, msg: fmt.Sprintf("unknown system event %q; use connect, connected or disconnected", e.str)}
		}
		events = append(events, ev)
	}
	return events, nil
}

// groupPresenceFromTree converts a handler's groupPresenceEvents
// ({"eventNames": [...], "groupFilters": []}; null: none).
func groupPresenceFromTree(n *node, field string) ([]string, error) {
	if n.kind == 'z' {
		return nil, nil
	}
	if n.kind != 'o' {
		return nil, wrongKind(n, field, `an object such as {"eventNames": ["joined", "left"]}`)
	}
	var events []string
	for j := range n.keys {
		gm := &n.keys[j]
		gf := field + "." + gm.name
		switch strings.ToLower(gm.name) {
		case "eventnames":
			if gm.val.kind == 'z' {
				continue
			}
			if gm.val.kind != 'a' {
				return nil, wrongKind(gm.val, gf, `an array such as ["joined", "left"]`)
			}
			for i, e := range gm.val.elems {
				ef := fmt.Sprintf("%s[%d]", gf, i)
				if e.kind != 's' || !isGroupEvent(e.str) {
					return nil, &posError{offset: e.offset, field: ef, msg: "unknown group presence event; use \"joined\" or \"left\""}
				}
				events = append(events, strings.ToLower(e.str))
			}
		case "groupfilters":
			if gm.val.kind == 'z' || (gm.val.kind == 'a' && len(gm.val.elems) == 0) {
				continue
			}
			return nil, &posError{offset: gm.offset, field: gf, msg: "group filters are not supported by the emulator; remove groupFilters (events of every group are sent)"}
		default:
			return nil, unknownField(*gm, gf, "eventNames, groupFilters")
		}
	}
	return events, nil
}

// get returns the member named key (case-insensitive), or nil.
func (n *node) get(key string) *member {
	for i := range n.keys {
		if strings.EqualFold(n.keys[i].name, key) {
			return &n.keys[i]
		}
	}
	return nil
}

// only fails on the first member whose name is not in allowed.
func (n *node) only(field string, allowed ...string) error {
	for _, m := range n.keys {
		ok := false
		for _, a := range allowed {
			ok = ok || strings.EqualFold(a, m.name)
		}
		if !ok {
			f := m.name
			if field != "" {
				f = field + "." + m.name
			}
			return unknownField(m, f, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func unknownField(m member, field, known string) error {
	return &posError{offset: m.offset, field: field, msg: fmt.Sprintf("unknown field %q; known fields are %s", m.name, known)}
}

func wrongKind(n *node, field, want string) error {
	return &posError{offset: n.offset, field: field, msg: fmt.Sprintf("must be %s, not %s", want, kindName(n.kind))}
}
