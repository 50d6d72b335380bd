package meta

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The small state files of the data directory (quotas, ACLs, SCRAM
// credentials, dynamic broker configs, producer ids) are JSON documents
// read whole at start and rewritten whole, atomically, on every change.

// readJSON decodes the file at path into v. A missing file leaves v as it
// is: the state of a directory that never had one.
func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("meta: %s is corrupt: %w", filepath.Base(path), err)
	}
	return nil
}

// writeJSON replaces the file at path with v, indented for people reading
// the data directory.
func writeJSON(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	return writeFileAtomic(path, raw)
}
