package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// recordReader turns input lines into records, one record per line.
//
//	lines  the line is the value; with a key delimiter, the text before its
//	       first occurrence is the key (a line without it has no key)
//	json   {"key": .., "value": .., "headers": {..}, "partition": N,
//	       "timestamp": ms or RFC 3339}; every field is optional. A string
//	       key or value is sent as its text; any other JSON value (object,
//	       number) as its JSON encoding; null or absent as null. Blank
//	       lines are skipped.
//
// Headers from -H come first on every record, then the line's own.
type recordReader struct {
	in        *bufio.Reader
	source    string // for errors: "stdin" or the file name
	line      int
	format    string // "lines" or "json"
	keyDelim  []byte
	headers   []kgo.RecordHeader
	partition int32 // -1: the partitioner picks
}

// next returns the next record, or io.EOF after the last one.
func (rr *recordReader) next() (*kgo.Record, error) {
	for {
		line, err := rr.in.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			return nil, err // io.EOF, or the read error
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		rr.line++
		line = bytes.TrimSuffix(line, []byte("\n"))
		if rr.format == "json" && len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rec, perr := rr.parse(line)
		if perr != nil {
			return nil, fmt.Errorf("%s line %d: %w", rr.source, rr.line, perr)
		}
		return rec, nil
	}
}

func (rr *recordReader) parse(line []byte) (*kgo.Record, error) {
	rec := &kgo.Record{Partition: rr.partition, Headers: append([]kgo.RecordHeader(nil), rr.headers...)}
	if rr.format == "json" {
		return rec, parseJSONRecord(line, rec)
	}
	// The record keeps slices of line: ReadBytes returns a fresh slice
	// per line, so nothing is overwritten while franz-go holds it.
	rec.Value = line
	if len(rr.keyDelim) > 0 {
		if k, v, ok := bytes.Cut(line, rr.keyDelim); ok {
			rec.Key, rec.Value = k, v
		}
	}
	return rec, nil
}

type jsonRecord struct {
	Key       json.RawMessage   `json:"key"`
	Value     json.RawMessage   `json:"value"`
	Headers   map[string]string `json:"headers"`
	Partition *int32            `json:"partition"`
	Timestamp json.RawMessage   `json:"timestamp"`
}

func parseJSONRecord(line []byte, rec *kgo.Record) error {
	var jr jsonRecord
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&jr); err != nil {
		return fmt.Errorf("bad JSON record: %v", err)
	}
	var err error
	if rec.Key, err = jsonBytes(jr.Key); err != nil {
		return fmt.Errorf("key: %v", err)
	}
	if rec.Value, err = jsonBytes(jr.Value); err != nil {
		return fmt.Errorf("value: %v", err)
	}
	if jr.Partition != nil {
		rec.Partition = *jr.Partition
	}
	if rec.Timestamp, err = jsonTime(jr.Timestamp); err != nil {
		return fmt.Errorf("timestamp: %v", err)
	}
	keys := make([]string, 0, len(jr.Headers))
	for k := range jr.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys) // JSON objects are unordered; sorted is reproducible
	for _, k := range keys {
		rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: k, Value: []byte(jr.Headers[k])})
	}
	return nil
}

// jsonBytes is a key or value: a string's text, null as nil, and any other
// JSON value as written.
func jsonBytes(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []byte(s), nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, err
	}
	return compact.Bytes(), nil
}

// jsonTime reads a timestamp in Unix milliseconds or RFC 3339; absent is
// the zero time, which franz-go replaces with the time of producing.
func jsonTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		return parseTime(s)
	}
	ms, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: want Unix milliseconds or an RFC 3339 string", raw)
	}
	return time.UnixMilli(ms), nil
}
