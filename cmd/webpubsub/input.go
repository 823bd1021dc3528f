package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// flagAfterText returns the first argument after the message text that
// looks like a flag ("-group"), or "". The flag package stops at the first
// non-flag argument, so "send -hub h hello -group g" would otherwise send
// "hello -group g" to the whole hub. After "--" everything is text.
func flagAfterText(args, rest []string) string {
	for i, a := range args {
		if a == "--" && len(args)-i-1 == len(rest) {
			return ""
		}
	}
	for _, a := range rest {
		if len(a) > 1 && a[0] == '-' {
			return a
		}
	}
	return ""
}

// joinArgs is the message given as arguments.
func joinArgs(args []string) string { return strings.Join(args, " ") }

// readStdin reads the message from r (at most maxMessage bytes); it returns
// context.Canceled as soon as ctx is done, even while a terminal read is
// blocked.
func readStdin(ctx context.Context, r io.Reader) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(r, maxMessage+1))
		done <- result{b, err}
	}()
	select {
	case <-ctx.Done():
		// The reading goroutine ends with the process (or when r ends).
		return nil, context.Canceled
	case res := <-done:
		if res.err != nil {
			return nil, fmt.Errorf("reading standard input: %w", res.err)
		}
		if len(res.b) > maxMessage {
			return nil, errors.New("the message on standard input is larger than 1 MiB")
		}
		return res.b, nil
	}
}

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
