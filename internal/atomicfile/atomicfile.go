// Package atomicfile replaces small files so that a crash at any point
// leaves either the old contents or the new, never a mix: the data goes to
// a temporary file, which is fsynced and renamed over the old one, and the
// directory is fsynced so the rename itself survives a power loss.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data, durably.
func Write(path string, data []byte) error {
	return write(path, data, true)
}

// WriteLazy replaces path with data atomically but without fsyncs: for
// files whose loss after a power failure only costs work (a snapshot that
// recovery can rebuild), not correctness.
func WriteLazy(path string, data []byte) error {
	return write(path, data, false)
}

func write(path string, data []byte, durable bool) error {
	tmp := path + ".tmp"
	err := os.WriteFile(tmp, data, 0o644)
	if err == nil && durable {
		err = Sync(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil && durable {
		err = Sync(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// Sync fsyncs a file or a directory.
func Sync(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
