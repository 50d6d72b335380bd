package kafka

import "github.com/samsa-streaming/samsa/internal/auth"

// authzRules is the authorization table: for each API key, the checks
// Kafka 4 makes before serving it (see authz.go). Every key in apis needs
// an entry except those used before authentication (ApiVersions,
// SaslHandshake, SaslAuthenticate); noCheck marks APIs Kafka does not
// authorize.
var authzRules = map[int16]authzRule{
	0:  rule(authorizeProduce),              // WRITE topic; WRITE transactional id for transactional batches
	1:  rule(authorizeFetch),                // READ topic; CLUSTER_ACTION cluster for followers
	2:  rule(authorizeListOffsets),          // DESCRIBE topic
	3:  rule(authorizeMetadata),             // DESCRIBE topic; CREATE cluster or topic to auto-create
	8:  rule(authorizeOffsetCommit),         // READ group, READ topic
	9:  rule(authorizeOffsetFetch),          // DESCRIBE group, DESCRIBE topic
	10: rule(authorizeFindCoordinator),      // DESCRIBE group or transactional id
	11: rule(authorizeJoinGroup),            // READ group
	12: rule(authorizeHeartbeat),            // READ group
	13: rule(authorizeLeaveGroup),           // READ group
	14: rule(authorizeSyncGroup),            // READ group
	15: rule(authorizeDescribeGroups),       // DESCRIBE group
	16: rule(authorizeListGroups),           // DESCRIBE cluster, else DESCRIBE group per group
	19: rule(authorizeCreateTopics),         // CREATE cluster or topic; DESCRIBE_CONFIGS topic for configs
	20: rule(authorizeDeleteTopics),         // DELETE topic
	21: rule(authorizeDeleteRecords),        // DELETE topic
	22: rule(authorizeInitProducerID),       // WRITE transactional id, or IDEMPOTENT_WRITE cluster / WRITE any topic
	23: rule(authorizeOffsetForLeaderEpoch), // CLUSTER_ACTION cluster, else DESCRIBE topic
	24: rule(authorizeAddPartitionsToTxn),   // WRITE transactional id, WRITE topic
	25: rule(authorizeAddOffsetsToTxn),      // WRITE transactional id, READ group
	26: rule(authorizeEndTxn),               // WRITE transactional id
	28: rule(authorizeTxnOffsetCommit),      // WRITE transactional id, READ group, READ topic
	29: clusterRule(auth.OpDescribe, describeACLsRefused),
	30: clusterRule(auth.OpAlter, createACLsRefused),
	31: clusterRule(auth.OpAlter, deleteACLsRefused),
	32: rule(authorizeDescribeConfigs), // DESCRIBE_CONFIGS topic, cluster (broker) or group
	33: rule(authorizeAlterConfigs),    // ALTER_CONFIGS topic, cluster (broker) or group
	35: clusterRule(auth.OpDescribe, describeLogDirsRefused),
	37: rule(authorizeCreatePartitions), // ALTER topic
	42: rule(authorizeDeleteGroups),     // DELETE group
	43: clusterRule(auth.OpAlter, electLeadersRefused),
	44: rule(authorizeIncrementalAlterConfigs), // ALTER_CONFIGS topic, cluster (broker, logger) or group
	45: clusterRule(auth.OpAlter, alterReassignmentsRefused),
	46: clusterRule(auth.OpDescribe, listReassignmentsRefused),
	47: rule(authorizeOffsetDelete), // DELETE group, READ topic
	48: clusterRule(auth.OpDescribeConfigs, describeQuotasRefused),
	49: clusterRule(auth.OpAlterConfigs, alterQuotasRefused),
	50: clusterRule(auth.OpDescribe, describeScramRefused),
	51: clusterRule(auth.OpAlter, alterScramRefused),
	60: noCheck,                               // DescribeCluster: authorized operations only (authz_ops.go)
	61: rule(authorizeDescribeProducers),      // READ topic
	65: rule(authorizeDescribeTransactions),   // DESCRIBE transactional id, DESCRIBE topic
	66: rule(authorizeListTransactions),       // DESCRIBE transactional id per id listed
	68: rule(authorizeConsumerGroupHeartbeat), // READ group, DESCRIBE subscribed topics
	69: rule(authorizeConsumerGroupDescribe),  // DESCRIBE group, DESCRIBE assigned topics
	74: clusterRule(auth.OpDescribeConfigs, listConfigResourcesRefused),
	75: rule(authorizeDescribeTopicPartitions), // DESCRIBE topic
}

// unauthenticatedAPIs are served before a connection authenticates, so
// no ACL can apply to them.
var unauthenticatedAPIs = map[int16]bool{
	apiVersionsKey: true,
	17:             true, // SaslHandshake
	36:             true, // SaslAuthenticate
}
