// Package meta persists what the broker knows about the cluster in the data
// directory: its identity and its topics.
//
//	<data-dir>/
//	  .lock            flock(2)-held while a broker runs; a second process fails to start
//	  meta.properties  cluster.id, node.id, version (Kafka's format and names)
//	  topics.json      every topic: name, id, partition count, config overrides
//	  <topic>-<n>/     partition logs (package commitlog)
//
// topics.json is rewritten whole on each change (topics change rarely) by
// writing a temporary file, fsyncing it, renaming it over the old one and
// fsyncing the directory, so a crash leaves either the old or the new state.
package meta
