package commitlog

import (
	"errors"
	"io"
	"os"
	"slices"
)

// Chunk is a byte range of one segment file holding whole record batches, as
// returned by Read. It pins its segment: the file stays open, even if
// retention deletes the segment meanwhile, until Release. Release must be
// called exactly once (a second call would unpin someone else's reference);
// it is a no-op on the zero Chunk. A Chunk is a small value, meant to be
// passed by copy; the copies share the one reference.
type Chunk struct {
	seg *segment
	pos int64
	n   int
}

// Len is the chunk's size in bytes.
func (c Chunk) Len() int { return c.n }

// File is the segment file holding the chunk, for sendfile(2) with Pos and
// Len; the caller must not close it, seek it or use it after Release. nil for
// an empty chunk.
func (c Chunk) File() *os.File {
	if c.seg == nil {
		return nil
	}
	return c.seg.log
}

// Pos is the chunk's position in File.
func (c Chunk) Pos() int64 { return c.pos }

// ReadAt reads from the chunk at off (relative to its start), like io.ReaderAt.
func (c Chunk) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("commitlog: negative chunk offset")
	}
	if off >= int64(c.n) {
		return 0, io.EOF
	}
	want := len(p)
	if rem := int64(c.n) - off; int64(want) > rem {
		p = p[:rem]
	}
	n, err := c.seg.log.ReadAt(p, c.pos+off)
	if err == nil && n < want {
		err = io.EOF
	}
	return n, err
}

// AppendTo appends the chunk's bytes to dst: the copy path when sendfile is
// not available (TLS).
func (c Chunk) AppendTo(dst []byte) ([]byte, error) {
	if c.n == 0 {
		return dst, nil
	}
	dst = slices.Grow(dst, c.n)
	b := dst[len(dst) : len(dst)+c.n]
	if _, err := c.ReadAt(b, 0); err != nil {
		return dst, err
	}
	return dst[:len(dst)+c.n], nil
}

// Release unpins the segment.
func (c Chunk) Release() {
	if c.seg != nil {
		c.seg.decRef()
	}
}
