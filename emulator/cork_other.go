//go:build !unix

package emulator

import (
	"net"
	"syscall"
)

// rawConn returns nil: writes are not tried without blocking here.
func rawConn(net.Conn) syscall.RawConn { return nil }

// tryWrite is never called without a raw connection.
func tryWrite(syscall.RawConn, []byte) (int, error) { return 0, syscall.EINVAL }
