package meta

import (
	"fmt"

	"github.com/samsa-streaming/samsa/internal/atomicfile"
)

// writeFileAtomic replaces path with data so that a crash at any point
// leaves either the old contents or the new, never a mix.
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("meta: %w", err)
	}
	return nil
}
