package commitlog

import (
	"errors"
	"fmt"
)

var (
	// ErrOffsetOutOfRange is returned for an offset below the log start
	// offset or above the log end offset.
	ErrOffsetOutOfRange = errors.New("commitlog: offset out of range")
	// ErrClosed is returned by every method once Close or Delete ran.
	ErrClosed = errors.New("commitlog: log closed")
	// ErrInvalidBatch is returned by Append for bytes that are not one whole
	// v2 record batch with a correct CRC.
	ErrInvalidBatch = errors.New("commitlog: invalid record batch")
	// ErrUnexpectedOffset is returned by Append for a batch whose base offset
	// is not the log end offset.
	ErrUnexpectedOffset = errors.New("commitlog: batch base offset is not the log end offset")
)

// corruptionError marks data on disk that is not what the log wrote. Recovery
// repairs what it scans; this error surfaces corruption found later, in
// segments that recovery trusted.
type corruptionError struct{ msg string }

func (e *corruptionError) Error() string { return "commitlog: corruption: " + e.msg }

func corruptf(format string, args ...any) error {
	return &corruptionError{msg: fmt.Sprintf(format, args...)}
}

// IsCorruption reports whether err (or an error it wraps) reports corrupt
// data on disk.
func IsCorruption(err error) bool {
	var c *corruptionError
	return errors.As(err, &c)
}
