package batch

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"

	"github.com/klauspost/compress/snappy"
)

// The Java client frames snappy the way xerial's SnappyOutputStream does:
//
//	magic    8 bytes  0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0
//	version  int32    1
//	compat   int32    1
//	blocks            repeated: length int32, raw snappy block of that length
//
// Other clients send one raw snappy block. Like xerial's SnappyInputStream
// (what the Java consumer reads with), anything not starting with the magic
// is taken as raw.
var xerialMagic = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

const xerialHeaderSize = 16

var errXerial = errors.New("truncated xerial framing")

func unsnappy(dst, src []byte, limit int) ([]byte, error) {
	if !bytes.HasPrefix(src, xerialMagic) {
		return unsnappyBlock(dst[:0], src, limit)
	}
	if len(src) < xerialHeaderSize {
		return nil, errXerial
	}
	dst = dst[:0]
	for rest := src[xerialHeaderSize:]; len(rest) > 0; {
		if len(rest) < 4 {
			return nil, errXerial
		}
		n := binary.BigEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(n) > uint64(len(rest)) {
			return nil, errXerial
		}
		var err error
		if dst, err = unsnappyBlock(dst, rest[:n], limit); err != nil {
			return nil, err
		}
		rest = rest[n:]
	}
	return dst, nil
}

// unsnappyBlock appends the decoding of one raw snappy block to dst. It uses
// the strict decoder: the default one also takes S2 extensions that the
// reference snappy decoder in Java consumers rejects.
func unsnappyBlock(dst, block []byte, limit int) ([]byte, error) {
	n, err := snappy.DecodedLen(block)
	if err != nil {
		return nil, err
	}
	if n > limit-len(dst) {
		return nil, tooLarge(limit)
	}
	dst = slices.Grow(dst, n)
	if _, err := snappy.DecodeStrict(dst[len(dst):len(dst)+n], block); err != nil {
		return nil, err
	}
	return dst[:len(dst)+n], nil
}
