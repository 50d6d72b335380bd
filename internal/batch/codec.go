package batch

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Codec is the compression codec of a batch, attribute bits 0-2.
type Codec int8

// Codecs Kafka defines. Values 5-7 are invalid.
const (
	None Codec = iota
	Gzip
	Snappy
	LZ4
	Zstd
)

// String returns Kafka's name for the codec (compression.type).
func (c Codec) String() string {
	switch c {
	case None:
		return "none"
	case Gzip:
		return "gzip"
	case Snappy:
		return "snappy"
	case LZ4:
		return "lz4"
	case Zstd:
		return "zstd"
	}
	return "codec(" + strconv.Itoa(int(c)) + ")"
}

// Compress returns src compressed with codec c as Kafka clients do: gzip,
// raw snappy (what librdkafka and franz-go send; see Decompress for xerial),
// an LZ4 frame, or a zstd frame. For None it returns src itself. The broker
// stores client batches as they came; Compress is for Build and tools.
func Compress(c Codec, src []byte) ([]byte, error) {
	switch c {
	case None:
		return src, nil
	case Gzip:
		var buf bytes.Buffer
		return writeAll(&buf, gzip.NewWriter(&buf), src)
	case Snappy:
		return snappy.Encode(nil, src), nil
	case LZ4:
		var buf bytes.Buffer
		return writeAll(&buf, lz4.NewWriter(&buf), src)
	case Zstd:
		return zstdEncoder().EncodeAll(src, nil), nil
	}
	return nil, errors.New("batch: cannot compress with unknown codec " + c.String())
}

func writeAll(buf *bytes.Buffer, w io.WriteCloser, src []byte) ([]byte, error) {
	if _, err := w.Write(src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// zstdEncoder is shared: EncodeAll is safe for concurrent use.
var zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	return enc
})
