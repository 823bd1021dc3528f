// Package tasks tracks the goroutines an emulator starts, so that closing
// it can wait until every one has ended.
package tasks

import "sync"

// Group tracks goroutines. Its zero value is ready to use.
type Group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Go runs f on a tracked goroutine. It reports false, and does not run f,
// once the group is closed.
func (g *Group) Go(f func()) bool {
	if !g.Add() {
		return false
	}
	go func() {
		defer g.wg.Done()
		f()
	}()
	return true
}

// Add tracks work the caller runs itself (or hands to a goroutine it
// starts); the caller must call Done when it ends. It reports false once the
// group is closed.
func (g *Group) Add() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

// Done ends work tracked with Add.
func (g *Group) Done() { g.wg.Done() }

// Close refuses new work from now on.
func (g *Group) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// Closed reports whether Close was called.
func (g *Group) Closed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// Wait waits until every tracked goroutine has ended.
func (g *Group) Wait() { g.wg.Wait() }
