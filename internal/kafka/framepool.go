package kafka

import (
	"math/bits"
	"sync"
)

// Request frames are pooled by power-of-two size class: a produce request
// is often a megabyte, and allocating (and zeroing) one per request made
// the garbage collector a large share of the produce path. A frame goes
// back to its pool once its response is written, when nothing refers to
// the bytes any more (kmsg's decoded requests alias them).
const (
	minPooledShift = 12 // 4 KiB: smaller frames are cheap to allocate
	maxPooledShift = 27 // 128 MiB, above socket.request.max.bytes' default
)

var framePools [maxPooledShift + 1]sync.Pool

// getFrame returns a buffer of length n, pooled when worth it.
func getFrame(n int) []byte {
	shift := sizeClass(n)
	if shift < minPooledShift || shift > maxPooledShift {
		return make([]byte, n)
	}
	if p, ok := framePools[shift].Get().(*[]byte); ok {
		return (*p)[:n]
	}
	return make([]byte, n, 1<<shift)
}

// putFrame returns a buffer from getFrame to its pool.
func putFrame(b []byte) {
	shift := sizeClass(cap(b))
	if cap(b) != 1<<shift || shift < minPooledShift || shift > maxPooledShift {
		return
	}
	framePools[shift].Put(&b)
}

// sizeClass is the smallest shift with 1<<shift >= n.
func sizeClass(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}
