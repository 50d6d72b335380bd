package batch

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// MaxUncompressed caps the decompressed records of a batch in Validate, so a
// small compressed batch cannot make the broker allocate without bound (a
// decompression bomb). Kafka streams records and has no such cap, but a
// batch over 64 MiB uncompressed is far beyond any producer's batch.size.
const MaxUncompressed = 64 << 20

// Decompress returns the records compressed in src with codec c, failing with
// CORRUPT_MESSAGE if src is not valid for c or decompresses to more than
// limit bytes. For None it returns src itself. Snappy accepts both the raw
// block format (librdkafka, franz-go) and the xerial framing of the Java
// client; LZ4 is the LZ4 frame format; gzip may hold several members.
func Decompress(c Codec, src []byte, limit int) ([]byte, error) {
	return decompress(nil, c, src, limit)
}

// decompress is Decompress writing into the capacity of dst when it can.
func decompress(dst []byte, c Codec, src []byte, limit int) ([]byte, error) {
	limit = max(limit, 0)
	var err error
	switch c {
	case None:
		if len(src) > limit {
			return nil, tooLarge(limit)
		}
		return src, nil
	case Gzip:
		dst, err = gunzip(dst, src, limit)
	case Snappy:
		dst, err = unsnappy(dst, src, limit)
	case LZ4:
		dst, err = unlz4(dst, src, limit)
	case Zstd:
		dst, err = unzstd(dst, src, limit)
	default:
		return nil, corrupt("unknown compression codec %d", c)
	}
	if err != nil && !errors.Is(err, errTooLarge) {
		return nil, corrupt("%s: %v", c, err)
	}
	return dst, err
}

var errTooLarge = errors.New("too large")

func tooLarge(limit int) error {
	return corrupt("records decompress to more than %d bytes (%w)", limit, errTooLarge)
}

// readAll reads r to the end into dst's capacity, growing it as needed up to
// limit bytes: one more is an error, so a bomb stops at limit.
func readAll(dst []byte, r io.Reader, limit int) ([]byte, error) {
	dst = dst[:0]
	for {
		if len(dst) == cap(dst) {
			step := min(max(len(dst), 4<<10), limit+1-len(dst))
			dst = slices.Grow(dst, step)
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if len(dst) > limit {
			return nil, tooLarge(limit)
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Decoders are pooled with the bytes.Reader they read from: zstd decoders
// are expensive to create, and all of them allocate buffers worth reusing.
type gzipDec struct {
	src bytes.Reader
	zr  gzip.Reader
}

type lz4Dec struct {
	src bytes.Reader
	zr  *lz4.Reader
}

type zstdDec struct {
	src bytes.Reader
	zr  *zstd.Decoder
}

var (
	gzipDecs = sync.Pool{New: func() any { return new(gzipDec) }}
	lz4Decs  = sync.Pool{New: func() any { return &lz4Dec{zr: lz4.NewReader(nil)} }}
	zstdDecs = sync.Pool{New: func() any { return newZstdDec() }}
)

func newZstdDec() *zstdDec {
	// Concurrency 1 decodes in the calling goroutine; the window cap rejects
	// frames asking for more history than a batch may decompress to. The
	// options are constant, so NewReader cannot fail.
	zr, _ := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxWindow(MaxUncompressed))
	return &zstdDec{zr: zr}
}

func gunzip(dst, src []byte, limit int) ([]byte, error) {
	d := gzipDecs.Get().(*gzipDec)
	defer gzipDecs.Put(d)
	defer d.src.Reset(nil)
	d.src.Reset(src)
	if err := d.zr.Reset(&d.src); err != nil {
		return nil, err
	}
	return readAll(dst, &d.zr, limit)
}

func unlz4(dst, src []byte, limit int) ([]byte, error) {
	d := lz4Decs.Get().(*lz4Dec)
	defer lz4Decs.Put(d)
	defer d.src.Reset(nil)
	d.src.Reset(src)
	d.zr.Reset(&d.src)
	return readAll(dst, d.zr, limit)
}

func unzstd(dst, src []byte, limit int) ([]byte, error) {
	d := zstdDecs.Get().(*zstdDec)
	defer zstdDecs.Put(d)
	defer d.zr.Reset(nil)
	d.src.Reset(src)
	if err := d.zr.Reset(&d.src); err != nil {
		return nil, err
	}
	return readAll(dst, d.zr, limit)
}
