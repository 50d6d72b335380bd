package meta

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ErrLocked means another process holds the data directory.
var ErrLocked = errors.New("meta: data directory is in use by another process")

// Lock is an exclusive hold on a data directory.
type Lock struct{ f *os.File }

// LockDir creates dir if needed and takes its lock without waiting.
func LockDir(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("meta: creating data directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("meta: opening lock file: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return nil, fmt.Errorf("meta: locking data directory: %w", err)
	}
	return &Lock{f: f}, nil
}

// Release gives the directory up; closing the file drops the flock.
func (l *Lock) Release() error { return l.f.Close() }
