package kafka

// api is one Kafka API this front end serves, at versions min..max. The
// table is the single source of what ApiVersions advertises: every version
// listed here is implemented and exercised by the tests in this package.
type api struct {
	min, max int16
	handle   func(*conn, *request) outcome
}

const apiVersionsKey = 18

var apis map[int16]api

func init() {
	// Filled in init because handleApiVersions reads the table.
	apis = map[int16]api{
		0:  {3, 13, (*conn).handleProduce},
		1:  {4, 18, (*conn).handleFetch},
		2:  {1, 11, (*conn).handleListOffsets},
		3:  {0, 13, (*conn).handleMetadata},
		8:  {2, 10, (*conn).handleOffsetCommit},
		9:  {1, 10, (*conn).handleOffsetFetch},
		10: {0, 6, (*conn).handleFindCoordinator},
		11: {2, 9, (*conn).handleJoinGroup},
		12: {0, 4, (*conn).handleHeartbeat},
		13: {0, 5, (*conn).handleLeaveGroup},
		14: {0, 5, (*conn).handleSyncGroup},
		15: {0, 6, (*conn).handleDescribeGroups},
		16: {0, 5, (*conn).handleListGroups},
		17: {0, 1, (*conn).handleSaslHandshake},
		18: {0, 5, (*conn).handleApiVersions},
		19: {2, 7, (*conn).handleCreateTopics},
		20: {1, 6, (*conn).handleDeleteTopics},
		21: {0, 2, (*conn).handleDeleteRecords},
		22: {0, 5, (*conn).handleInitProducerID},
		23: {2, 4, (*conn).handleOffsetForLeaderEpoch},
		24: {0, 3, (*conn).handleAddPartitionsToTxn},
		25: {0, 4, (*conn).handleAddOffsetsToTxn},
		26: {0, 5, (*conn).handleEndTxn},
		28: {0, 5, (*conn).handleTxnOffsetCommit},
		29: {1, 3, (*conn).handleDescribeACLs},
		30: {1, 3, (*conn).handleCreateACLs},
		31: {1, 3, (*conn).handleDeleteACLs},
		32: {1, 4, (*conn).handleDescribeConfigs},
		33: {0, 2, (*conn).handleAlterConfigs},
		35: {1, 5, (*conn).handleDescribeLogDirs},
		36: {0, 2, (*conn).handleSaslAuthenticate},
		37: {0, 3, (*conn).handleCreatePartitions},
		42: {0, 3, (*conn).handleDeleteGroups},
		43: {0, 2, (*conn).handleElectLeaders},
		44: {0, 1, (*conn).handleIncrementalAlterConfigs},
		45: {0, 1, (*conn).handleAlterPartitionReassignments},
		46: {0, 0, (*conn).handleListPartitionReassignments},
		47: {0, 0, (*conn).handleOffsetDelete},
		48: {0, 1, (*conn).handleDescribeClientQuotas},
		49: {0, 1, (*conn).handleAlterClientQuotas},
		50: {0, 0, (*conn).handleDescribeUserSCRAMCredentials},
		51: {0, 0, (*conn).handleAlterUserSCRAMCredentials},
		60: {0, 2, (*conn).handleDescribeCluster},
		61: {0, 0, (*conn).handleDescribeProducers},
		65: {0, 0, (*conn).handleDescribeTransactions},
		66: {0, 1, (*conn).handleListTransactions},
		68: {0, 1, (*conn).handleConsumerGroupHeartbeat},
		69: {0, 1, (*conn).handleConsumerGroupDescribe},
		74: {0, 1, (*conn).handleListConfigResources},
		75: {0, 0, (*conn).handleDescribeTopicPartitions},
	}
}
