package kafka

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Requests Kafka closes the connection for.
var (
	errMalformed          = errors.New("kafka: malformed request header")
	errMalformedBody      = errors.New("kafka: malformed request body")
	errUnknownKey         = errors.New("kafka: unknown api key")
	errUnsupportedVersion = errors.New("kafka: unsupported api version")
)

// decodeRequest parses one frame (without its size prefix) into its header
// and request. An ApiVersions request at a version above ours is returned
// with a nil request: its body is not parsed, the handler answers v0.
func decodeRequest(frame []byte) (header, kmsg.Request, error) {
	h, err := parseHeader(frame, isFlexible)
	if err != nil {
		return h, nil, err
	}
	a, ok := apis[h.key]
	switch {
	case !ok:
		return h, nil, errUnknownKey
	case h.key == apiVersionsKey && h.version > a.max:
		return h, nil, nil
	case h.version < a.min || h.version > a.max:
		return h, nil, errUnsupportedVersion
	}
	req := kmsg.RequestForKey(h.key)
	req.SetVersion(h.version)
	if err := req.ReadFrom(frame[h.size:]); err != nil {
		return h, nil, fmt.Errorf("%w: %v", errMalformedBody, err)
	}
	return h, req, nil
}

// header is a parsed request header.
type header struct {
	key           int16
	version       int16
	correlationID int32
	clientID      *string
	size          int // header bytes, body starts after them
}

// parseHeader parses a request header from one frame (without its size
// prefix). flexible tells whether the request, at its version, uses header
// v2 with tagged fields; it is known only once key and version are read.
func parseHeader(frame []byte, flexible func(key, version int16) bool) (header, error) {
	if len(frame) < 8 {
		return header{}, fmt.Errorf("%w: %d-byte frame is shorter than a header", errMalformed, len(frame))
	}
	h := header{
		key:           int16(binary.BigEndian.Uint16(frame[0:])),
		version:       int16(binary.BigEndian.Uint16(frame[2:])),
		correlationID: int32(binary.BigEndian.Uint32(frame[4:])),
	}
	rest := frame[8:]
	if len(rest) < 2 {
		return h, fmt.Errorf("%w: no client id", errMalformed)
	}
	n := int16(binary.BigEndian.Uint16(rest))
	rest = rest[2:]
	switch {
	case n == -1:
	case n < 0 || int(n) > len(rest):
		return h, fmt.Errorf("%w: client id length %d", errMalformed, n)
	default:
		id := string(rest[:n])
		h.clientID = &id
		rest = rest[n:]
	}
	if flexible(h.key, h.version) {
		var err error
		if rest, err = skipTags(rest); err != nil {
			return h, err
		}
	}
	h.size = len(frame) - len(rest)
	return h, nil
}

// skipTags skips a tagged-field section; no request header tag is defined
// that a broker must read.
func skipTags(b []byte) ([]byte, error) {
	count, n := binary.Uvarint(b)
	if n <= 0 {
		return nil, fmt.Errorf("%w: tag count", errMalformed)
	}
	b = b[n:]
	for i := uint64(0); i < count; i++ {
		if _, n = binary.Uvarint(b); n <= 0 {
			return nil, fmt.Errorf("%w: tag id", errMalformed)
		}
		b = b[n:]
		size, n := binary.Uvarint(b)
		if n <= 0 || size > uint64(len(b)-n) {
			return nil, fmt.Errorf("%w: tag size", errMalformed)
		}
		b = b[n+int(size):]
	}
	return b, nil
}

// isFlexible reports whether key at version uses flexible encoding, as kmsg
// knows it. Unknown keys are not flexible (and get refused later).
func isFlexible(key, version int16) bool {
	req := kmsg.RequestForKey(key)
	if req == nil {
		return false
	}
	req.SetVersion(version)
	return req.IsFlexible()
}

// appendResponseHeader appends a response frame's size placeholder,
// correlation id and, for flexible responses other than ApiVersions, an
// empty tagged-field section. The caller patches the size with finishFrame.
func appendResponseHeader(dst []byte, correlationID int32, flexible bool, key int16) []byte {
	dst = binary.BigEndian.AppendUint32(dst, 0)
	dst = binary.BigEndian.AppendUint32(dst, uint32(correlationID))
	if flexible && key != apiVersionsKey {
		dst = append(dst, 0)
	}
	return dst
}

// finishFrame writes the frame size (everything after the size field) into
// the first four bytes; extra counts bytes sent separately (file regions).
func finishFrame(frame []byte, extra int) {
	binary.BigEndian.PutUint32(frame, uint32(len(frame)-4+extra))
}
