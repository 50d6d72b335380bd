package kafka

import (
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ApiVersions v0-5
//
// Behavior:
//
//   - Lists every API key in the apis table with its version range.
//
//   - A version above ours gets a v0 response with UNSUPPORTED_VERSION and
//     the key list, so the client retries at a version we speak (KIP-511).
//
//   - v3+: client software name and version must match
//     [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? or INVALID_REQUEST.
//
//   - v5: a client naming a cluster id and node id that are not ours gets
//     REBOOTSTRAP_REQUIRED (KIP-1242); naming only one is INVALID_REQUEST.
//
//   - v3+: features (tagged fields): transaction.version, supported 0-2,
//     finalized at samsa.transaction.version (2 by default, as a new Kafka
//     4 cluster): clients use transaction protocol v2 only when it is 2.
//     No other feature is advertised.
//
// Version notes: v1 throttle; v3 flexible, client software, features.
func (c *conn) handleApiVersions(r *request) outcome {
	resp := kmsg.NewPtrApiVersionsResponse()
	if r.kreq == nil {
		resp.Version = 0
		resp.ErrorCode = kerr.UnsupportedVersion.Code
		r.failed = true
		resp.ApiKeys = apiKeys()
		return respond(resp)
	}
	req := r.kreq.(*kmsg.ApiVersionsRequest)
	resp.Version = req.Version
	if code := c.checkApiVersionsRequest(req); code != 0 {
		r.failed = true
		resp.ErrorCode = code
		return respond(resp)
	}
	resp.ApiKeys = apiKeys()
	c.addFeatures(resp)
	return respond(resp)
}

// featuresEpoch is the epoch of the finalized features; they change only
// with a restart, which is all a client needs to know.
const featuresEpoch = 1

func (c *conn) addFeatures(resp *kmsg.ApiVersionsResponse) {
	sf := kmsg.NewApiVersionsResponseSupportedFeature()
	sf.Name, sf.MinVersion, sf.MaxVersion = "transaction.version", 0, 2
	resp.SupportedFeatures = []kmsg.ApiVersionsResponseSupportedFeature{sf}
	ff := kmsg.NewApiVersionsResponseFinalizedFeature()
	level := c.s.b.Config().TransactionVersion()
	ff.Name, ff.MinVersionLevel, ff.MaxVersionLevel = "transaction.version", level, level
	resp.FinalizedFeatures = []kmsg.ApiVersionsResponseFinalizedFeature{ff}
	resp.FinalizedFeaturesEpoch = featuresEpoch
}

func (c *conn) checkApiVersionsRequest(req *kmsg.ApiVersionsRequest) int16 {
	if req.Version >= 3 && (!validSoftwareID(req.ClientSoftwareName) || !validSoftwareID(req.ClientSoftwareVersion)) {
		return kerr.InvalidRequest.Code
	}
	if req.Version >= 5 {
		hasCluster, hasNode := req.ClusterID != nil, req.NodeID != -1
		switch {
		case hasCluster != hasNode:
			return kerr.InvalidRequest.Code
		case hasCluster && (*req.ClusterID != c.s.b.ClusterID() || req.NodeID != c.s.b.NodeID()):
			return kerr.RebootstrapRequired.Code
		}
	}
	return 0
}

func apiKeys() []kmsg.ApiVersionsResponseApiKey {
	keys := make([]kmsg.ApiVersionsResponseApiKey, 0, len(apis))
	for key, a := range apis {
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey, k.MinVersion, k.MaxVersion = key, a.min, a.max
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].ApiKey < keys[j].ApiKey })
	return keys
}

func validSoftwareID(s string) bool {
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
	if s == "" || !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !alnum(c) && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
