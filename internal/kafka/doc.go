// Package kafka is the Kafka wire-protocol front end. It reads
// length-prefixed frames, parses request headers, decodes bodies with kmsg,
// calls the broker core, and writes responses in request order.
//
// Frame and header layout (Kafka protocol guide):
//
//	request:  size int32 | api_key int16 | api_version int16 | correlation_id int32
//	          | client_id nullable_string (header v1+) | tagged_fields (header v2, flexible)
//	          | body
//	response: size int32 | correlation_id int32 | tagged_fields (header v1, flexible
//	          except ApiVersions) | body
//
// A connection reads requests one after another and may have many in flight:
// each request takes a slot in an ordered queue as it is read, its handler
// runs (the parts that must keep request order, like appends, run before the
// next request is read; waiting for fsync or for fetch data does not), and a
// writer sends the slots' responses strictly in queue order. One file per
// API key holds its handler (00_produce.go, ...), each opening with the
// behaviour it implements.
package kafka
