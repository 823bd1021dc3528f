//go:build unix

package emulator

import (
	"errors"
	"net"
	"syscall"
)

// rawConn returns the raw connection of conn for writes that do not block,
// or nil.
func rawConn(conn net.Conn) syscall.RawConn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// tryWrite writes what the socket takes of p without waiting and returns
// how much that was.
func tryWrite(rc syscall.RawConn, p []byte) (int, error) {
	var n int
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), p)
			if !errors.Is(werr, syscall.EINTR) {
				break
			}
		}
		if errors.Is(werr, syscall.EAGAIN) {
			n, werr = 0, nil
		}
		if n < 0 {
			n = 0
		}
		return true // one attempt: never wait for the socket
	})
	if err != nil {
		return 0, err
	}
	return n, werr
}
