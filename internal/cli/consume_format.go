package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
)

// recordFormatter appends one record's output to dst.
type recordFormatter func(dst []byte, r *kgo.Record) []byte

// newFormatter parses -f: text, json or a kcat-style format string.
func newFormatter(spec string) (recordFormatter, error) {
	switch spec {
	case "text":
		return func(dst []byte, r *kgo.Record) []byte { return append(append(dst, r.Value...), '\n') }, nil
	case "json":
		return appendJSONRecord, nil
	}
	if !strings.Contains(spec, "%") {
		return nil, fmt.Errorf("%q: want text, json or a format string with %%v, %%k, ... (see --help)", spec)
	}
	return parseFormat(spec)
}

type jsonOutRecord struct {
	Topic     string            `json:"topic"`
	Partition int32             `json:"partition"`
	Offset    int64             `json:"offset"`
	Timestamp int64             `json:"timestamp"`
	Key       *string           `json:"key"`
	Value     string            `json:"value"`
	Headers   map[string]string `json:"headers"`
}

// appendJSONRecord writes one JSON object per line, the shape `samsa
// produce --format json` reads back. Headers with a repeated key keep the
// last value; keys and values are strings (invalid UTF-8 is replaced).
func appendJSONRecord(dst []byte, r *kgo.Record) []byte {
	out := jsonOutRecord{
		Topic: r.Topic, Partition: r.Partition, Offset: r.Offset,
		Timestamp: r.Timestamp.UnixMilli(), Value: string(r.Value), Headers: map[string]string{},
	}
	if r.Key != nil {
		out.Key = ptr(string(r.Key))
	}
	for _, h := range r.Headers {
		out.Headers[h.Key] = string(h.Value)
	}
	b, _ := json.Marshal(out) // cannot fail: strings, numbers and a string map
	return append(append(dst, b...), '\n')
}

// parseFormat compiles a format string into a list of appenders, so each
// record costs no parsing.
func parseFormat(spec string) (recordFormatter, error) {
	var parts []recordFormatter
	var lit []byte
	flushLit := func() {
		if len(lit) > 0 {
			text := lit
			parts = append(parts, func(dst []byte, _ *kgo.Record) []byte { return append(dst, text...) })
			lit = nil
		}
	}
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		if (c != '%' && c != '\\') || i+1 == len(spec) {
			lit = append(lit, c)
			continue
		}
		i++
		if c == '\\' {
			lit = append(lit, unescape(spec[i]))
			continue
		}
		if spec[i] == '%' {
			lit = append(lit, '%')
			continue
		}
		verb, ok := formatVerbs[spec[i]]
		if !ok {
			return nil, fmt.Errorf("unknown verb %%%c in %q", spec[i], spec)
		}
		flushLit()
		parts = append(parts, verb)
	}
	flushLit()
	return func(dst []byte, r *kgo.Record) []byte {
		for _, p := range parts {
			dst = p(dst, r)
		}
		return dst
	}, nil
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case '0':
		return 0
	}
	return c // \\ and anything else: the character itself
}

var formatVerbs = map[byte]recordFormatter{
	'v': func(dst []byte, r *kgo.Record) []byte { return append(dst, r.Value...) },
	's': func(dst []byte, r *kgo.Record) []byte { return append(dst, r.Value...) },
	'k': func(dst []byte, r *kgo.Record) []byte { return append(dst, r.Key...) },
	'K': func(dst []byte, r *kgo.Record) []byte { return strconv.AppendInt(dst, int64(len(r.Key)), 10) },
	'S': func(dst []byte, r *kgo.Record) []byte { return strconv.AppendInt(dst, int64(len(r.Value)), 10) },
	't': func(dst []byte, r *kgo.Record) []byte { return append(dst, r.Topic...) },
	'p': func(dst []byte, r *kgo.Record) []byte { return strconv.AppendInt(dst, int64(r.Partition), 10) },
	'o': func(dst []byte, r *kgo.Record) []byte { return strconv.AppendInt(dst, r.Offset, 10) },
	'T': func(dst []byte, r *kgo.Record) []byte { return strconv.AppendInt(dst, r.Timestamp.UnixMilli(), 10) },
	'h': appendHeaders,
}

// appendHeaders writes "k=v,k2=v2".
func appendHeaders(dst []byte, r *kgo.Record) []byte {
	for i, h := range r.Headers {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(append(append(dst, h.Key...), '='), h.Value...)
	}
	return dst
}
