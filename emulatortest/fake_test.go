package emulatortest_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// fakeTB is a testing.TB that records what the package reports, so that a
// test can observe a failure without failing itself. Its Fatalf ends the
// calling goroutine, as testing's FailNow does: run code that may call it
// with run. Any method the package should not call panics (nil TB).
type fakeTB struct {
	testing.TB

	mu       sync.Mutex
	fatals   []string
	errors   []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// run calls fn on a goroutine of its own and reports whether it returned
// (false: it called Fatalf).
func (f *fakeTB) run(fn func()) (returned bool) {
	done := make(chan bool)
	go func() {
		ok := false
		defer func() { done <- ok }()
		fn()
		ok = true
	}()
	return <-done
}

// finish runs the registered cleanups, last first, as testing does.
func (f *fakeTB) finish() {
	f.mu.Lock()
	cs := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

func (f *fakeTB) fatalMessages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.fatals...)
}

func (f *fakeTB) errorMessages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errors...)
}

func (f *fakeTB) cleanupCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cleanups)
}
