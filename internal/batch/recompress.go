package batch

// Recompress returns the client batch b with its records compressed with
// codec c instead of the producer's, as Kafka's LogValidator rewrites a
// batch whose codec differs from the topic's compression.type. b is
// validated first (see Validate; its errors are returned unchanged), so a
// damaged batch is never given a fresh CRC. Everything but the codec bits,
// batchLength and the CRC is kept: the producer id, epoch and sequence of
// idempotent and transactional batches, the transactional bit, timestamps
// and record contents. A batch already using c is returned as it is, not
// validated: the caller validates what it stores.
//
// Kafka rebuilds the batch record by record; the records are the same bytes
// before compression whatever the codec, so compressing the decompressed
// payload whole gives the same batch.
func Recompress(b []byte, c Codec) ([]byte, error) {
	if h, err := ParseHeader(b); err == nil && h.Codec() == c {
		return b, nil
	}
	h, err := Validate(b)
	if err != nil {
		return nil, err
	}
	raw, err := Decompress(h.Codec(), b[HeaderSize:], MaxUncompressed)
	if err != nil {
		return nil, err
	}
	h.Attributes = h.Attributes&^attrCodec | int16(c)
	return Seal(h, raw)
}

// CodecNamed returns the codec that a compression.type value names:
// "uncompressed" (Kafka's name for no compression), "gzip", "snappy",
// "lz4" or "zstd". "producer", which keeps each batch's own codec, and any
// other name give false.
func CodecNamed(name string) (Codec, bool) {
	switch name {
	case "uncompressed":
		return None, true
	case "gzip":
		return Gzip, true
	case "snappy":
		return Snappy, true
	case "lz4":
		return LZ4, true
	case "zstd":
		return Zstd, true
	}
	return None, false
}
