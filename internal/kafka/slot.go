package kafka

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/broker"
	"github.com/samsa-streaming/samsa/internal/commitlog"
)

// request is one parsed request on its way through a handler.
type request struct {
	header
	conn  *conn
	kreq  kmsg.Request // nil for an ApiVersions request at an unknown version
	start time.Time
	frame []byte // the request's bytes, which kreq aliases; pooled
	// failed is set when the response carries an error code (for metrics).
	// Written by the handler before its slot completes, read after.
	failed bool
}

// code turns a core error into a Kafka error code, noting the failure.
func (r *request) code(err error) int16 {
	if err == nil {
		return 0
	}
	r.failed = true
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Code
	}
	r.conn.lg.Error("unexpected error answered as UNKNOWN_SERVER_ERROR", "api", kmsg.NameForKey(r.key), "err", err)
	return kerr.UnknownServerError.Code
}

// noteError marks the request failed (for metrics) if code is an error.
func (r *request) noteError(code int16) {
	if code != 0 {
		r.failed = true
	}
}

// message is the client-facing text of a core error, if it has one.
func message(err error) *string {
	var be *broker.Error
	if errors.As(err, &be) {
		return &be.Message
	}
	return nil
}

// outcome is what a handler produces: a response now, a function that
// produces one later (run off the read loop), or no response at all.
type outcome struct {
	resp kmsg.Response
	none bool // acks=0 produce: Kafka sends nothing back
	wait func() outcome
	// chunks are log bytes spliced into resp in place of markers: the
	// fetch handler encodes each non-empty partition's records as a
	// marker so they can be sent from the file without a copy.
	chunks []commitlog.Chunk
	marker []byte

	// rawToken: token is a SASL reply after a v0 SaslHandshake, sent as
	// size-prefixed bytes without a response header (sasl.go).
	rawToken bool
	token    []byte
}

func respond(resp kmsg.Response) outcome { return outcome{resp: resp} }

// slot is one queued response; done closes when it is ready to write.
type slot struct {
	done chan struct{}
	req  *request
	out  outcome
	segs []segment
}

// segment is a piece of an encoded response: bytes, or a chunk of log.
type segment struct {
	bytes []byte
	chunk *commitlog.Chunk
}

func (s *slot) complete(o outcome) {
	s.out = o
	if !o.none {
		s.encode()
	}
	close(s.done)
}

// release frees what the slot held once its response is written.
func (s *slot) release() {
	for i := range s.out.chunks {
		s.out.chunks[i].Release()
	}
	putFrame(s.req.frame)
	s.req.frame, s.req.kreq = nil, nil
}

func (s *slot) encode() {
	if s.out.rawToken {
		frame := binary.BigEndian.AppendUint32(nil, uint32(len(s.out.token)))
		s.segs = []segment{{bytes: append(frame, s.out.token...)}}
		return
	}
	r := s.req
	resp := s.out.resp
	frame := appendResponseHeader(make([]byte, 0, 256), r.correlationID, resp.IsFlexible(), r.key)
	frame = resp.AppendTo(frame)
	if len(s.out.chunks) == 0 {
		finishFrame(frame, 0)
		s.segs = []segment{{bytes: frame}}
		return
	}
	s.segs = splice(frame, s.out.marker, s.out.chunks, resp.IsFlexible())
}

// splice replaces each chunk's marker in frame (a 16-byte records field)
// with the chunk, rewriting the records length prefix, and sets the frame
// size. Markers are unique per response (random) and found in order.
func splice(frame, marker []byte, chunks []commitlog.Chunk, flexible bool) []segment {
	segs := make([]segment, 0, 2*len(chunks)+1)
	extra := 0
	from := 4 // past the size field, which is patched last
	head := frame[:4]
	pos := 4
	for i := range chunks {
		m := markerFor(marker, i)
		at := pos + bytes.Index(frame[pos:], m)
		var prefix []byte
		if flexible {
			prefix = binary.AppendUvarint(nil, uint64(chunks[i].Len())+1)
			segs = append(segs, segment{bytes: frame[from : at-1]}, segment{bytes: prefix})
			extra += len(prefix) - 1
		} else {
			binary.BigEndian.PutUint32(frame[at-4:], uint32(chunks[i].Len()))
			segs = append(segs, segment{bytes: frame[from:at]})
		}
		segs = append(segs, segment{chunk: &chunks[i]})
		extra += chunks[i].Len() - len(m)
		from, pos = at+len(m), at+len(m)
	}
	segs = append(segs, segment{bytes: frame[from:]})
	binary.BigEndian.PutUint32(head, uint32(len(frame)-4+extra))
	return append([]segment{{bytes: head}}, segs...)
}

// markerFor is the placeholder of the i-th chunk: the response's random
// prefix followed by i.
func markerFor(prefix []byte, i int) []byte {
	m := make([]byte, 16)
	copy(m, prefix[:8])
	binary.BigEndian.PutUint64(m[8:], uint64(i))
	return m
}

// writeTo writes the response: bytes through the buffered writer, chunks
// from their files with sendfile(2) when the connection allows.
func (s *slot) writeTo(bw *bufio.Writer, nc net.Conn) error {
	for _, seg := range s.segs {
		if seg.chunk == nil {
			if _, err := bw.Write(seg.bytes); err != nil {
				return err
			}
			continue
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if err := sendChunk(nc, *seg.chunk); err != nil {
			return err
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
