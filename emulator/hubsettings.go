package emulator

import (
	"context"
	"fmt"
	"strings"

	"github.com/webpubsub-go/webpubsub/emulator/settings"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// settingsPollInterval is how often SettingsFile is checked for changes (a
// variable so that tests can shorten it).
var settingsPollInterval = settings.DefaultPollInterval

// loadSettings reads the initial settings from opts and, for a settings
// file, returns the watcher that keeps them current.
func (e *Emulator) loadSettings(opts Options) (*settings.Watcher, error) {
	var s *settings.Settings
	var w *settings.Watcher
	if opts.SettingsFile != "" {
		var err error
		w, s, err = settings.NewWatcher(opts.SettingsFile, settings.WatchOptions{
			Interval: settingsPollInterval,
			OnReloaded: func(r settings.Reload) {
				e.applySettings(withUpstream(r.Settings, e.opts.Upstream))
				e.logReload(opts.SettingsFile, r)
			},
			OnError: func(err error) {
				e.log.Warn("emulator: settings file not reloaded; keeping the last valid settings", "err", err)
			},
		})
		if err != nil {
			return nil, err
		}
	} else if opts.Settings != nil {
		if err := opts.Settings.Validate(); err != nil {
			return nil, fmt.Errorf("invalid settings: %w", err)
		}
		s = opts.Settings
	}
	for i, h := range opts.Upstream {
		err := upstream.ValidateHandler(upstream.Handler{URLTemplate: h.URLTemplate, SystemEvents: h.SystemEvents, GroupPresenceEvents: h.GroupPresenceEvents})
		if err != nil {
			return nil, fmt.Errorf("invalid upstream configuration: handler %d: %w", i, err)
		}
	}
	e.settings.Store(withUpstream(s, opts.Upstream))
	return w, nil
}

// logReload logs a valid change of the settings file. A change that fixes
// a file reported as invalid, unreadable or missing is a warning, next to
// the warning that reported the problem, so that whoever watched the log
// for it sees that the file is good again.
func (e *Emulator) logReload(file string, r settings.Reload) {
	if r.Recovered {
		e.log.Warn("emulator: settings file is valid again; its settings are now in effect", "file", file, "fixed", r.Fixed)
		return
	}
	e.log.Info("emulator: settings reloaded", "file", file)
}

// applySettings makes s the settings in effect. Connections stay; upstream
// hosts are validated again before their next event.
func (e *Emulator) applySettings(s *settings.Settings) {
	e.settings.Store(s)
	if e.hooks != nil {
		e.hooks.Revalidate()
	}
}

// withUpstream returns s with the Options.Upstream handlers added after
// each hub's own handlers. s is not modified.
func withUpstream(s *settings.Settings, handlers []UpstreamHandler) *settings.Settings {
	out := &settings.Settings{Hubs: map[string]settings.Hub{}}
	if s != nil {
		for name, h := range s.Hubs {
			h.EventHandlers = append([]settings.EventHandler(nil), h.EventHandlers...)
			out.Hubs[name] = h
		}
	}
	for _, u := range handlers {
		name := u.Hub
		if name == "" {
			name = settings.AnyHub
		}
		key := name
		for k := range out.Hubs {
			if strings.EqualFold(k, name) {
				key = k
			}
		}
		h := out.Hubs[key]
		h.EventHandlers = append(h.EventHandlers, settings.EventHandler{
			URLTemplate:         u.URLTemplate,
			UserEventPattern:    u.UserEventPattern,
			SystemEvents:        append([]string(nil), u.SystemEvents...),
			GroupPresenceEvents: append([]string(nil), u.GroupPresenceEvents...),
		})
		out.Hubs[key] = h
	}
	return out
}

// route picks the upstream handler of an event from the settings in effect.
func (e *Emulator) route(hub, event string, system bool) (upstream.Handler, bool) {
	eh, ok := e.settings.Load().Match(hub, event, system)
	if !ok {
		return upstream.Handler{}, false
	}
	return upstream.Handler{Hub: hub, URLTemplate: eh.URLTemplate, UserEventPattern: eh.UserEventPattern, SystemEvents: eh.SystemEvents, GroupPresenceEvents: eh.GroupPresenceEvents}, true
}

// allowsAnonymous reports whether hub accepts clients without a token.
func (e *Emulator) allowsAnonymous(hub string) bool {
	return e.settings.Load().AllowsAnonymous(hub)
}

// watchSettings runs w until the emulator closes.
func (e *Emulator) watchSettings(w *settings.Watcher) {
	ctx, cancel := context.WithCancel(context.Background())
	e.stopWatch = cancel
	if !e.tasks.Go(func() { w.Run(ctx) }) {
		cancel()
	}
}
