// Package meta persists what the broker knows about the cluster in the data
// directory: its identity, its topics, and the small state that is not a
// log.
//
//	<data-dir>/
//	  .lock                flock(2)-held while a broker runs; a second process fails to start
//	  meta.properties      cluster.id, node.id, version (Kafka's format and names)
//	  topics.json          every topic: name, id, partition count, config overrides
//	  producer_ids.json    the next block of producer ids (producerids.go)
//	  broker_configs.json  dynamic broker configs (brokerconfigs.go)
//	  client_quotas.json   client quotas (quotas.go)
//	  acls.json            ACLs (acls.go)
//	  scram_credentials.json SCRAM credentials: salt, stored and server keys (scram.go)
//	  <topic>-<n>/         partition logs (package commitlog and partition)
//
// Each file is rewritten whole on each change (they change rarely) by
// writing a temporary file, fsyncing it, renaming it over the old one and
// fsyncing the directory, so a crash leaves either the old or the new state.
package meta
