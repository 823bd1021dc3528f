package settings

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// readFile reads the settings file at path, which must be a regular file
// (or a symbolic link to one), through a limit of MaxFileBytes. It never
// blocks on a special file: the file is opened without waiting for a writer
// (O_NONBLOCK: opening a named pipe would otherwise block until someone
// writes to it) and checked on the open descriptor, so that swapping the
// file for a named pipe or a device between a check and the read cannot
// slip through. It returns the file's information along with its content.
func readFile(path string) ([]byte, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("settings: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("settings: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("settings: %s is not a regular file (it is %s); give the path of a JSON file", path, fileKind(fi.Mode()))
	}
	if fi.Size() > MaxFileBytes {
		return nil, nil, fmt.Errorf("settings: %s is larger than %d bytes", path, MaxFileBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("settings: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, nil, fmt.Errorf("settings: %s is larger than %d bytes", path, MaxFileBytes)
	}
	return data, fi, nil
}

// fileKind names the type of a file that is not regular, for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	default:
		return "a special file"
	}
}
