package commitlog

import (
	"fmt"
	"math"
)

// Defaults, the same as Kafka's.
const (
	DefaultSegmentBytes       = 1 << 30
	DefaultSegmentMs          = 7 * 24 * 60 * 60 * 1000
	DefaultRetentionMs        = 7 * 24 * 60 * 60 * 1000
	DefaultRetentionBytes     = -1
	DefaultIndexIntervalBytes = 4096
)

// Config holds the per-topic settings the log applies. A zero field means its
// default, so Kafka's 0 values (retention.ms=0) cannot be expressed; the
// config layer maps them to the smallest positive value.
type Config struct {
	// SegmentBytes: roll to a new segment when an append would make the
	// active one larger. Default 1 GiB, at most math.MaxInt32 (index
	// positions are 32-bit). A batch larger than this gets a segment of its own.
	SegmentBytes int64
	// SegmentMs: roll when the incoming batch's max timestamp is more than
	// this past the first batch's in the active segment (Kafka compares batch
	// timestamps, and falls back to the segment's creation time when batches
	// carry none). Default 7 days.
	SegmentMs int64
	// RetentionMs: delete a segment once its largest timestamp is older than
	// this. -1 means unlimited. Default 7 days.
	RetentionMs int64
	// RetentionBytes: delete the oldest segments while the log is larger than
	// this. -1 means unlimited. Default -1.
	RetentionBytes int64
	// IndexIntervalBytes: bytes of log between sparse index entries.
	// Default 4096.
	IndexIntervalBytes int
}

// WithDefaults returns c with its zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.SegmentBytes == 0 {
		c.SegmentBytes = DefaultSegmentBytes
	}
	if c.SegmentMs == 0 {
		c.SegmentMs = DefaultSegmentMs
	}
	if c.RetentionMs == 0 {
		c.RetentionMs = DefaultRetentionMs
	}
	if c.RetentionBytes == 0 {
		c.RetentionBytes = DefaultRetentionBytes
	}
	if c.IndexIntervalBytes == 0 {
		c.IndexIntervalBytes = DefaultIndexIntervalBytes
	}
	return c
}

// Validate reports the first field out of range; call it on WithDefaults' result.
func (c Config) Validate() error {
	switch {
	case c.SegmentBytes < 1 || c.SegmentBytes > math.MaxInt32:
		return fmt.Errorf("commitlog: SegmentBytes %d not in [1, %d]", c.SegmentBytes, math.MaxInt32)
	case c.SegmentMs < 1:
		return fmt.Errorf("commitlog: SegmentMs %d must be positive", c.SegmentMs)
	case c.RetentionMs < -1:
		return fmt.Errorf("commitlog: RetentionMs %d must be -1 or positive", c.RetentionMs)
	case c.RetentionBytes < -1:
		return fmt.Errorf("commitlog: RetentionBytes %d must be -1 or positive", c.RetentionBytes)
	case c.IndexIntervalBytes < 1:
		return fmt.Errorf("commitlog: IndexIntervalBytes %d must be positive", c.IndexIntervalBytes)
	}
	return nil
}
