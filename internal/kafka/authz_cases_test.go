package kafka_test

import (
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/samsa-streaming/samsa/internal/batch"
)

// The cases of TestAuthorizationMatrix, in API key order. Each names its
// own resources (az-<case>), so cases do not see each other's ACLs.
func authzCases() []authzCase {
	const (
		read, write, create, del     = kmsg.ACLOperationRead, kmsg.ACLOperationWrite, kmsg.ACLOperationCreate, kmsg.ACLOperationDelete
		alter, describe              = kmsg.ACLOperationAlter, kmsg.ACLOperationDescribe
		describeConfigs, alterConfig = kmsg.ACLOperationDescribeConfigs, kmsg.ACLOperationAlterConfigs
		idempotentWrite              = kmsg.ACLOperationIdempotentWrite
		prefixed                     = kmsg.ACLResourcePatternTypePrefixed
	)
	return []authzCase{
		{name: "produce", api: 0, topics: []string{"az-produce"}, grants: []grant{onTopic("az-produce", write)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				code, _ := produceCode(t, c, "az-produce", plainBatch(t, 1))
				return code
			}},
		{name: "produce-transactional", api: 0, topics: []string{"az-produce-txn"},
			grants: []grant{onTopic("az-produce-txn", write), onTxn("az-produce-txn", write)}, denied: txnDenied, want: kerr.InvalidTxnState.Code,
			send: sendTransactionalProduce},
		{name: "fetch", api: 1, topics: []string{"az-fetch"}, grants: []grant{onTopic("az-fetch", read)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 { return fetchCode(t, c, "az-fetch", 0) }},
		{name: "fetch-prefixed", api: 1, topics: []string{"az-prefixed-fetch"},
			grants: []grant{{kmsg.ACLResourceTypeTopic, "az-prefixed-", prefixed, read}}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 { return fetchCode(t, c, "az-prefixed-fetch", 0) }},
		{name: "list-offsets", api: 2, topics: []string{"az-list-offsets"}, grants: []grant{onTopic("az-list-offsets", describe)}, denied: topicDenied,
			send: sendListOffsets},
		{name: "metadata", api: 3, topics: []string{"az-metadata"}, grants: []grant{onTopic("az-metadata", describe)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 { return metadataCode(t, c, "az-metadata", false) }},
		{name: "metadata-all-topics", api: 3, topics: []string{"az-metadata-all"}, grants: []grant{onTopic("az-metadata-all", describe)}, denied: topicDenied,
			send: sendMetadataAll},
		{name: "metadata-auto-create", api: 3, grants: []grant{onTopic("az-auto", describe), onTopic("az-auto", create)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 { return metadataCode(t, c, "az-auto", true) }},
		{name: "offset-commit", api: 8, topics: []string{"az-commit"}, grants: []grant{onGroup("az-commit", read), onTopic("az-commit", read)}, denied: groupDenied,
			send: func(t *testing.T, c *rawConn) int16 { return commitCode(t, c, "az-commit", "az-commit") }},
		{name: "offset-fetch", api: 9, topics: []string{"az-offset-fetch"}, grants: []grant{onGroup("az-offset-fetch", describe), onTopic("az-offset-fetch", describe)},
			denied: groupDenied, send: sendOffsetFetch},
		{name: "find-coordinator-group", api: 10, grants: []grant{onGroup("az-find", describe)}, denied: groupDenied,
			send: func(t *testing.T, c *rawConn) int16 { return findCoordinatorCode(t, c, 0, "az-find") }},
		{name: "find-coordinator-txn", api: 10, grants: []grant{onTxn("az-find-txn", describe)}, denied: txnDenied,
			send: func(t *testing.T, c *rawConn) int16 { return findCoordinatorCode(t, c, 1, "az-find-txn") }},
		{name: "join-group", api: 11, grants: []grant{onGroup("az-join", read)}, denied: groupDenied, want: kerr.MemberIDRequired.Code,
			send: func(t *testing.T, c *rawConn) int16 {
				return c.roundTrip(joinReq("az-join", ""), 9).(*kmsg.JoinGroupResponse).ErrorCode
			}},
		{name: "heartbeat", api: 12, grants: []grant{onGroup("az-heartbeat", read)}, denied: groupDenied, want: kerr.UnknownMemberID.Code,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrHeartbeatRequest()
				req.Group, req.Generation, req.MemberID = "az-heartbeat", 1, "m"
				return c.roundTrip(req, 4).(*kmsg.HeartbeatResponse).ErrorCode
			}},
		{name: "leave-group", api: 13, grants: []grant{onGroup("az-leave", read)}, denied: groupDenied, want: kerr.UnknownMemberID.Code,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrLeaveGroupRequest()
				req.Group, req.MemberID = "az-leave", "m"
				return c.roundTrip(req, 2).(*kmsg.LeaveGroupResponse).ErrorCode
			}},
		{name: "sync-group", api: 14, grants: []grant{onGroup("az-sync", read)}, denied: groupDenied, want: kerr.UnknownMemberID.Code,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrSyncGroupRequest()
				req.Group, req.Generation, req.MemberID = "az-sync", 1, "m"
				return c.roundTrip(req, 5).(*kmsg.SyncGroupResponse).ErrorCode
			}},
		{name: "describe-groups", api: 15, grants: []grant{onGroup("az-describe", describe)}, denied: groupDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrDescribeGroupsRequest()
				req.Groups = []string{"az-describe"}
				return c.roundTrip(req, 5).(*kmsg.DescribeGroupsResponse).Groups[0].ErrorCode
			}},
		{name: "list-groups", api: 16, topics: []string{"az-list-groups"}, grants: []grant{onGroup("az-list-groups", describe)}, denied: groupDenied,
			setup: func(t *testing.T, c *rawConn) {
				wantCode(t, "commit", commitCode(t, c, "az-list-groups", "az-list-groups"))
			},
			send: func(t *testing.T, c *rawConn) int16 {
				resp := c.roundTrip(kmsg.NewPtrListGroupsRequest(), 4).(*kmsg.ListGroupsResponse)
				return listed(slices.ContainsFunc(resp.Groups, func(g kmsg.ListGroupsResponseGroup) bool { return g.Group == "az-list-groups" }), groupDenied)
			}},
		{name: "create-topics", api: 19, grants: []grant{onTopic("az-create", create)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrCreateTopicsRequest()
				rt := kmsg.NewCreateTopicsRequestTopic()
				rt.Topic, rt.NumPartitions, rt.ReplicationFactor = "az-create", 1, 1
				req.Topics = append(req.Topics, rt)
				return c.roundTrip(req, 7).(*kmsg.CreateTopicsResponse).Topics[0].ErrorCode
			}},
		{name: "delete-topics", api: 20, topics: []string{"az-delete"}, grants: []grant{onTopic("az-delete", del)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrDeleteTopicsRequest()
				name := "az-delete"
				req.Topics = []kmsg.DeleteTopicsRequestTopic{{Topic: &name}}
				return c.roundTrip(req, 6).(*kmsg.DeleteTopicsResponse).Topics[0].ErrorCode
			}},
		{name: "delete-records", api: 21, topics: []string{"az-delete-records"}, grants: []grant{onTopic("az-delete-records", del)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return deleteRecords(t, c, 2, "az-delete-records", 0, -1).ErrorCode
			}},
		{name: "init-producer-id-transactional", api: 22, grants: []grant{onTxn("az-init", write)}, denied: txnDenied,
			send: func(t *testing.T, c *rawConn) int16 { return initProducerIDCode(t, c, "az-init") }},
		{name: "init-producer-id-idempotent", api: 22, grants: []grant{onCluster(idempotentWrite)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 { return initProducerIDCode(t, c, "") }},
		{name: "init-producer-id-write-some-topic", api: 22, grants: []grant{onTopic("az-any-topic", write)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 { return initProducerIDCode(t, c, "") }},
		{name: "offset-for-leader-epoch", api: 23, topics: []string{"az-epoch"}, grants: []grant{onTopic("az-epoch", describe)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				resp := c.roundTrip(offsetForEpochReq("az-epoch", 0, -1, 0), 4).(*kmsg.OffsetForLeaderEpochResponse)
				return resp.Topics[0].Partitions[0].ErrorCode
			}},
		{name: "add-partitions-to-txn", api: 24, topics: []string{"az-add-partitions"},
			grants: []grant{onTxn("az-add-partitions", write), onTopic("az-add-partitions", write)}, denied: txnDenied, want: kerr.InvalidProducerIDMapping.Code,
			send: sendAddPartitionsToTxn},
		{name: "add-offsets-to-txn", api: 25, grants: []grant{onTxn("az-add-offsets", write), onGroup("az-add-offsets", read)},
			denied: txnDenied, want: kerr.InvalidProducerIDMapping.Code,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrAddOffsetsToTxnRequest()
				req.TransactionalID, req.ProducerID, req.Group = "az-add-offsets", 1, "az-add-offsets"
				return c.roundTrip(req, 3).(*kmsg.AddOffsetsToTxnResponse).ErrorCode
			}},
		{name: "end-txn", api: 26, grants: []grant{onTxn("az-end", write)}, denied: txnDenied, want: kerr.InvalidProducerIDMapping.Code,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrEndTxnRequest()
				req.TransactionalID, req.ProducerID = "az-end", 1
				return c.roundTrip(req, 3).(*kmsg.EndTxnResponse).ErrorCode
			}},
		{name: "txn-offset-commit", api: 28, topics: []string{"az-txn-commit"},
			grants: []grant{onTxn("az-txn-commit", write), onGroup("az-txn-commit", read), onTopic("az-txn-commit", read)},
			denied: txnDenied, want: kerr.InvalidTxnState.Code, send: sendTxnOffsetCommit},
		{name: "describe-acls", api: 29, grants: []grant{onCluster(describe)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return c.roundTrip(anyFilter(), 3).(*kmsg.DescribeACLsResponse).ErrorCode
			}},
		{name: "create-acls", api: 30, grants: []grant{onCluster(alter)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return createACLs(t, c, 3, topicACL("az-created", kmsg.ACLResourcePatternTypeLiteral, "User:x", read, kmsg.ACLPermissionTypeAllow))[0].ErrorCode
			}},
		{name: "delete-acls", api: 31, grants: []grant{onCluster(alter)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				f := kmsg.NewDeleteACLsRequestFilter()
				f.ResourceType, f.ResourcePatternType = kmsg.ACLResourceTypeTopic, kmsg.ACLResourcePatternTypeAny
				f.Operation, f.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
				name := "az-nothing-here"
				f.ResourceName = &name
				req := kmsg.NewPtrDeleteACLsRequest()
				req.Filters = []kmsg.DeleteACLsRequestFilter{f}
				return c.roundTrip(req, 3).(*kmsg.DeleteACLsResponse).Results[0].ErrorCode
			}},
		{name: "describe-configs-topic", api: 32, topics: []string{"az-describe-configs"}, grants: []grant{onTopic("az-describe-configs", describeConfigs)},
			denied: topicDenied, send: func(t *testing.T, c *rawConn) int16 {
				return describeConfigsCode(t, c, kmsg.ConfigResourceTypeTopic, "az-describe-configs")
			}},
		{name: "describe-configs-broker", api: 32, grants: []grant{onCluster(describeConfigs)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return describeConfigsCode(t, c, kmsg.ConfigResourceTypeBroker, "1")
			}},
		{name: "alter-configs", api: 33, topics: []string{"az-alter-configs"}, grants: []grant{onTopic("az-alter-configs", alterConfig)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrAlterConfigsRequest()
				res := kmsg.NewAlterConfigsRequestResource()
				res.ResourceType, res.ResourceName = kmsg.ConfigResourceTypeTopic, "az-alter-configs"
				req.Resources = append(req.Resources, res)
				return c.roundTrip(req, 2).(*kmsg.AlterConfigsResponse).Resources[0].ErrorCode
			}},
		{name: "describe-log-dirs", api: 35, grants: []grant{onCluster(describe)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return c.roundTrip(kmsg.NewPtrDescribeLogDirsRequest(), 4).(*kmsg.DescribeLogDirsResponse).ErrorCode
			}},
		{name: "create-partitions", api: 37, topics: []string{"az-create-partitions"}, grants: []grant{onTopic("az-create-partitions", alter)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrCreatePartitionsRequest()
				rt := kmsg.NewCreatePartitionsRequestTopic()
				rt.Topic, rt.Count = "az-create-partitions", 2
				req.Topics = append(req.Topics, rt)
				return c.roundTrip(req, 3).(*kmsg.CreatePartitionsResponse).Topics[0].ErrorCode
			}},
		{name: "delete-groups", api: 42, topics: []string{"az-delete-group"}, grants: []grant{onGroup("az-delete-group", del)}, denied: groupDenied,
			setup: func(t *testing.T, c *rawConn) {
				wantCode(t, "commit", commitCode(t, c, "az-delete-group", "az-delete-group"))
			},
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrDeleteGroupsRequest()
				req.Groups = []string{"az-delete-group"}
				return c.roundTrip(req, 2).(*kmsg.DeleteGroupsResponse).Groups[0].ErrorCode
			}},
		{name: "elect-leaders", api: 43, grants: []grant{onCluster(alter)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return c.roundTrip(kmsg.NewPtrElectLeadersRequest(), 2).(*kmsg.ElectLeadersResponse).ErrorCode
			}},
		{name: "incremental-alter-configs", api: 44, topics: []string{"az-incremental"}, grants: []grant{onTopic("az-incremental", alterConfig)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrIncrementalAlterConfigsRequest()
				res := kmsg.NewIncrementalAlterConfigsRequestResource()
				res.ResourceType, res.ResourceName = kmsg.ConfigResourceTypeTopic, "az-incremental"
				req.Resources = append(req.Resources, res)
				return c.roundTrip(req, 1).(*kmsg.IncrementalAlterConfigsResponse).Resources[0].ErrorCode
			}},
		{name: "alter-partition-reassignments", api: 45, topics: []string{"az-reassign"}, grants: []grant{onCluster(alter)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return c.roundTrip(reassignReq("az-reassign", 0, []int32{1}), 0).(*kmsg.AlterPartitionAssignmentsResponse).ErrorCode
			}},
		{name: "list-partition-reassignments", api: 46, grants: []grant{onCluster(describe)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return c.roundTrip(kmsg.NewPtrListPartitionReassignmentsRequest(), 0).(*kmsg.ListPartitionReassignmentsResponse).ErrorCode
			}},
		{name: "offset-delete", api: 47, topics: []string{"az-offset-delete"},
			grants: []grant{onGroup("az-offset-delete", del), onTopic("az-offset-delete", read)}, denied: groupDenied,
			setup: func(t *testing.T, c *rawConn) {
				wantCode(t, "commit", commitCode(t, c, "az-offset-delete", "az-offset-delete"))
			},
			send: sendOffsetDelete},
		{name: "describe-client-quotas", api: 48, grants: []grant{onCluster(describeConfigs)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 { return describeQuotas(t, c, 1, false).ErrorCode }},
		{name: "alter-client-quotas", api: 49, grants: []grant{onCluster(alterConfig)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return alterQuotas(t, c, 1, quotaEntry("user", strp("az"), setQuota("producer_byte_rate", 1024)))[0].ErrorCode
			}},
		{name: "describe-user-scram-credentials", api: 50, grants: []grant{onCluster(describe)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return c.roundTrip(kmsg.NewPtrDescribeUserSCRAMCredentialsRequest(), 0).(*kmsg.DescribeUserSCRAMCredentialsResponse).ErrorCode
			}},
		{name: "alter-user-scram-credentials", api: 51, grants: []grant{onCluster(alter)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
				req.Upsertions = []kmsg.AlterUserSCRAMCredentialsRequestUpsertion{upsertion("az-user", 1, 4096)}
				return c.roundTrip(req, 0).(*kmsg.AlterUserSCRAMCredentialsResponse).Results[0].ErrorCode
			}},
		{name: "describe-cluster-authorized-operations", api: 60, grants: []grant{onCluster(describe)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrDescribeClusterRequest()
				req.IncludeClusterAuthorizedOperations = true
				ops := c.roundTrip(req, 1).(*kmsg.DescribeClusterResponse).ClusterAuthorizedOperations
				return listed(ops == 1<<kmsg.ACLOperationDescribe, clusterDenied)
			}},
		{name: "describe-producers", api: 61, topics: []string{"az-producers"}, grants: []grant{onTopic("az-producers", read)}, denied: topicDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrDescribeProducersRequest()
				req.Topics = []kmsg.DescribeProducersRequestTopic{{Topic: "az-producers", Partitions: []int32{0}}}
				return c.roundTrip(req, 0).(*kmsg.DescribeProducersResponse).Topics[0].Partitions[0].ErrorCode
			}},
		{name: "describe-transactions", api: 65, grants: []grant{onTxn("az-describe-txn", describe)}, denied: txnDenied, want: kerr.TransactionalIDNotFound.Code,
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrDescribeTransactionsRequest()
				req.TransactionalIDs = []string{"az-describe-txn"}
				return c.roundTrip(req, 0).(*kmsg.DescribeTransactionsResponse).TransactionStates[0].ErrorCode
			}},
		{name: "list-transactions", api: 66, grants: []grant{onTxn("az-list-txn", describe)}, denied: txnDenied,
			setup: func(t *testing.T, c *rawConn) { wantCode(t, "init", initProducerIDCode(t, c, "az-list-txn")) },
			send: func(t *testing.T, c *rawConn) int16 {
				resp := c.roundTrip(kmsg.NewPtrListTransactionsRequest(), 1).(*kmsg.ListTransactionsResponse)
				return listed(slices.ContainsFunc(resp.TransactionStates, func(s kmsg.ListTransactionsResponseTransactionState) bool {
					return s.TransactionalID == "az-list-txn"
				}), txnDenied)
			}},
		{name: "consumer-group-heartbeat", api: 68, topics: []string{"az-cg-heartbeat"},
			grants: []grant{onGroup("az-cg-heartbeat", read), onTopic("az-cg-heartbeat", describe)}, denied: groupDenied,
			send: func(t *testing.T, c *rawConn) int16 { return consumerHeartbeatCode(t, c, "az-cg-heartbeat") }},
		{name: "consumer-group-describe", api: 69, topics: []string{"az-cg-describe"},
			grants: []grant{onGroup("az-cg-describe", describe), onTopic("az-cg-describe", describe)}, denied: groupDenied,
			setup: func(t *testing.T, c *rawConn) {
				wantCode(t, "heartbeat", consumerHeartbeatCode(t, c, "az-cg-describe"))
			},
			send: func(t *testing.T, c *rawConn) int16 {
				req := kmsg.NewPtrConsumerGroupDescribeRequest()
				req.Groups = []string{"az-cg-describe"}
				return c.roundTrip(req, 1).(*kmsg.ConsumerGroupDescribeResponse).Groups[0].ErrorCode
			}},
		{name: "list-config-resources", api: 74, grants: []grant{onCluster(describeConfigs)}, denied: clusterDenied,
			send: func(t *testing.T, c *rawConn) int16 {
				return c.roundTrip(kmsg.NewPtrListConfigResourcesRequest(), 1).(*kmsg.ListConfigResourcesResponse).ErrorCode
			}},
		{name: "describe-topic-partitions", api: 75, topics: []string{"az-describe-partitions"}, grants: []grant{onTopic("az-describe-partitions", describe)},
			denied: topicDenied, send: func(t *testing.T, c *rawConn) int16 {
				resp := c.roundTrip(describePartitionsReq(2000, nil, "az-describe-partitions"), 0).(*kmsg.DescribeTopicPartitionsResponse)
				return resp.Topics[0].ErrorCode
			}},
	}
}

func sendTransactionalProduce(t *testing.T, c *rawConn) int16 {
	h := batch.Header{ProducerID: 1, ProducerEpoch: 0, BaseSequence: 0, Attributes: 0x10, BaseTimestamp: time.Now().UnixMilli()}
	b, err := batch.Build(h, batch.Record{Value: []byte("txn")})
	if err != nil {
		t.Fatal(err)
	}
	req := produceReq("az-produce-txn", b)
	id := "az-produce-txn"
	req.TransactionID = &id
	resp := c.roundTrip(req, 11).(*kmsg.ProduceResponse)
	return resp.Topics[0].Partitions[0].ErrorCode
}

func sendListOffsets(t *testing.T, c *rawConn) int16 {
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = "az-list-offsets"
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Timestamp = -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return c.roundTrip(req, 7).(*kmsg.ListOffsetsResponse).Topics[0].Partitions[0].ErrorCode
}

func metadataCode(t *testing.T, c *rawConn, topic string, autoCreate bool) int16 {
	req := kmsg.NewPtrMetadataRequest()
	req.Topics = []kmsg.MetadataRequestTopic{{Topic: &topic}}
	req.AllowAutoTopicCreation = autoCreate
	resp := c.roundTrip(req, 12).(*kmsg.MetadataResponse)
	if len(resp.Topics) != 1 {
		t.Fatalf("%d topics in %+v", len(resp.Topics), resp.Topics)
	}
	return resp.Topics[0].ErrorCode
}

func sendMetadataAll(t *testing.T, c *rawConn) int16 {
	resp := c.roundTrip(kmsg.NewPtrMetadataRequest(), 12).(*kmsg.MetadataResponse)
	return listed(slices.ContainsFunc(resp.Topics, func(mt kmsg.MetadataResponseTopic) bool {
		return mt.Topic != nil && *mt.Topic == "az-metadata-all"
	}), topicDenied)
}

// commitCode commits offset 0 of topic partition 0 for a simple consumer
// of group and returns the partition's code.
func commitCode(t *testing.T, c *rawConn, group, topic string) int16 {
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.Generation = group, -1
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewOffsetCommitRequestTopicPartition()
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := c.roundTrip(req, 8).(*kmsg.OffsetCommitResponse)
	return resp.Topics[0].Partitions[0].ErrorCode
}

func sendOffsetFetch(t *testing.T, c *rawConn) int16 {
	req := kmsg.NewPtrOffsetFetchRequest()
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = "az-offset-fetch"
	rg.Topics = []kmsg.OffsetFetchRequestGroupTopic{{Topic: "az-offset-fetch", Partitions: []int32{0}}}
	req.Groups = append(req.Groups, rg)
	resp := c.roundTrip(req, 8).(*kmsg.OffsetFetchResponse)
	g := resp.Groups[0]
	if g.ErrorCode != 0 {
		return g.ErrorCode
	}
	return g.Topics[0].Partitions[0].ErrorCode
}

func findCoordinatorCode(t *testing.T, c *rawConn, keyType int8, key string) int16 {
	req := kmsg.NewPtrFindCoordinatorRequest()
	req.CoordinatorType, req.CoordinatorKeys = keyType, []string{key}
	return c.roundTrip(req, 4).(*kmsg.FindCoordinatorResponse).Coordinators[0].ErrorCode
}

func initProducerIDCode(t *testing.T, c *rawConn, txnID string) int16 {
	req := kmsg.NewPtrInitProducerIDRequest()
	if txnID != "" {
		req.TransactionalID = &txnID
	}
	req.TransactionTimeoutMillis = 60000
	return c.roundTrip(req, 4).(*kmsg.InitProducerIDResponse).ErrorCode
}

func sendAddPartitionsToTxn(t *testing.T, c *rawConn) int16 {
	req := kmsg.NewPtrAddPartitionsToTxnRequest()
	req.TransactionalID, req.ProducerID = "az-add-partitions", 1
	req.Topics = []kmsg.AddPartitionsToTxnRequestTopic{{Topic: "az-add-partitions", Partitions: []int32{0}}}
	return c.roundTrip(req, 3).(*kmsg.AddPartitionsToTxnResponse).Topics[0].Partitions[0].ErrorCode
}

func sendTxnOffsetCommit(t *testing.T, c *rawConn) int16 {
	req := kmsg.NewPtrTxnOffsetCommitRequest()
	req.TransactionalID, req.Group, req.ProducerID = "az-txn-commit", "az-txn-commit", 1
	rt := kmsg.NewTxnOffsetCommitRequestTopic()
	rt.Topic = "az-txn-commit"
	rt.Partitions = []kmsg.TxnOffsetCommitRequestTopicPartition{kmsg.NewTxnOffsetCommitRequestTopicPartition()}
	req.Topics = append(req.Topics, rt)
	return c.roundTrip(req, 3).(*kmsg.TxnOffsetCommitResponse).Topics[0].Partitions[0].ErrorCode
}

func describeConfigsCode(t *testing.T, c *rawConn, typ kmsg.ConfigResourceType, name string) int16 {
	req := kmsg.NewPtrDescribeConfigsRequest()
	res := kmsg.NewDescribeConfigsRequestResource()
	res.ResourceType, res.ResourceName = typ, name
	req.Resources = append(req.Resources, res)
	return c.roundTrip(req, 4).(*kmsg.DescribeConfigsResponse).Resources[0].ErrorCode
}

func sendOffsetDelete(t *testing.T, c *rawConn) int16 {
	req := kmsg.NewPtrOffsetDeleteRequest()
	req.Group = "az-offset-delete"
	req.Topics = []kmsg.OffsetDeleteRequestTopic{{Topic: "az-offset-delete", Partitions: []kmsg.OffsetDeleteRequestTopicPartition{{Partition: 0}}}}
	resp := c.roundTrip(req, 0).(*kmsg.OffsetDeleteResponse)
	if resp.ErrorCode != 0 {
		return resp.ErrorCode
	}
	return resp.Topics[0].Partitions[0].ErrorCode
}

func consumerHeartbeatCode(t *testing.T, c *rawConn, group string) int16 {
	req := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	req.Group, req.MemberID, req.RebalanceTimeoutMillis = group, "11111111-2222-3333-4444-555555555555", 10000
	req.SubscribedTopicNames = []string{group}
	req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
	return c.roundTrip(req, 1).(*kmsg.ConsumerGroupHeartbeatResponse).ErrorCode
}
