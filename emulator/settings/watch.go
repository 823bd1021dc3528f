package settings

import (
	"bytes"
	"context"
	"errors"
	"time"
)

// DefaultPollInterval is how often a Watcher looks at its file when
// WatchOptions.Interval is zero.
const DefaultPollInterval = 500 * time.Millisecond

// WatchOptions configures a Watcher.
type WatchOptions struct {
	// Interval is how often the file's size, modification time and content
	// are checked; 0 means DefaultPollInterval. (Polling needs no extra
	// dependency and also sees editors that replace the file.)
	Interval time.Duration
	// OnReload receives settings read after the file changed and validated.
	// OnReload or OnReloaded is required; OnReloaded wins when both are set.
	OnReload func(*Settings)
	// OnReloaded receives each valid change with whether it fixed an
	// invalid, unreadable or missing file (see Reload). The emulator logs a
	// recovery at warning level, next to the warning that reported the
	// problem.
	OnReloaded func(Reload)
	// OnError receives the error of a change that could not be read or is
	// invalid; the last good settings stay in effect. Nil ignores them.
	OnError func(error)
}

// Reload is a valid change of the settings file.
type Reload struct {
	// Settings are the file's new settings.
	Settings *Settings
	// Recovered says that the version this change replaced was invalid,
	// unreadable or missing (and was reported to OnError): until now the
	// last valid settings were in effect.
	Recovered bool
	// Fixed is the problem of that version when Recovered, else nil.
	Fixed error
}

// Watcher polls a settings file and reports each valid change. Create one
// with NewWatcher and run it with Run.
type Watcher struct {
	path string
	opts WatchOptions
	last fileState
	// broken is the problem of the last version reported to OnError; nil
	// once a valid version was reloaded.
	broken error
}

// NewWatcher reads and validates the settings file at path (an invalid file
// is an error naming the line and field, for a start-up to fail on) and
// returns a Watcher whose baseline is that content, with the settings read.
func NewWatcher(path string, opts WatchOptions) (*Watcher, *Settings, error) {
	if opts.OnReload == nil && opts.OnReloaded == nil {
		return nil, nil, errors.New("settings: WatchOptions.OnReloaded or OnReload is required")
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultPollInterval
	}
	st := snapshot(path)
	if st.err != nil {
		return nil, nil, st.err
	}
	s, err := Parse(st.data)
	if err != nil {
		return nil, nil, &pathError{path: path, err: err}
	}
	return &Watcher{path: path, opts: opts, last: st}, s, nil
}

// Run polls the file until ctx is done, calling OnReloaded (or OnReload)
// with the new settings each time its content changes (and then stays the
// same for one interval, so that a half-written file is not read) and is
// valid, and OnError when a changed file is missing, unreadable or invalid
// (the caller keeps its previous settings). Run blocks; run it in a
// goroutine. It never waits on the file itself (see Load), so it returns
// within one interval of ctx ending.
func (w *Watcher) Run(ctx context.Context) {
	tick := time.NewTicker(w.opts.Interval)
	defer tick.Stop()
	var pending *fileState
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		cur := snapshot(w.path)
		if cur.same(w.last) {
			continue
		}
		// A save is often a truncation followed by writes: act once the
		// file stayed the same for one interval.
		if pending == nil || !cur.same(*pending) {
			pending = &cur
			continue
		}
		pending = nil
		w.last = cur
		w.apply(cur)
	}
}

// apply reports one settled change of the file.
func (w *Watcher) apply(cur fileState) {
	err := cur.err
	var s *Settings
	if err == nil {
		if s, err = Parse(cur.data); err != nil {
			err = &pathError{path: w.path, err: err}
		}
	}
	if err != nil {
		w.broken = err
		if w.opts.OnError != nil {
			w.opts.OnError(err)
		}
		return
	}
	r := Reload{Settings: s, Recovered: w.broken != nil, Fixed: w.broken}
	w.broken = nil
	if w.opts.OnReloaded != nil {
		w.opts.OnReloaded(r)
		return
	}
	w.opts.OnReload(s)
}

// fileState is what Watch compares between polls.
type fileState struct {
	mod  time.Time
	size int64
	data []byte
	err  error
}

// snapshot reads the file (see readFile: it never blocks on a special
// file and never reads more than MaxFileBytes+1 bytes).
func snapshot(path string) fileState {
	data, fi, err := readFile(path)
	if err != nil {
		return fileState{err: err}
	}
	return fileState{mod: fi.ModTime(), size: fi.Size(), data: data}
}

// same reports whether nothing changed; the content is compared too, since
// a save within the file system's timestamp granularity keeps the time.
func (a fileState) same(b fileState) bool {
	if (a.err == nil) != (b.err == nil) {
		return false
	}
	if a.err != nil {
		return a.err.Error() == b.err.Error()
	}
	return a.mod.Equal(b.mod) && a.size == b.size && bytes.Equal(a.data, b.data)
}

// pathError prefixes a parse error with the file's path.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ":" + e.err.Error() }

func (e *pathError) Unwrap() error { return e.err }
