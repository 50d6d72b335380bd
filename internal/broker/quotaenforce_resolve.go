package broker

import "github.com/samsa-streaming/samsa/internal/quota"

// Which quota applies to a client, with Kafka's precedence
// (ClientQuotaManager's DefaultQuotaCallback):
//
//	1. /users/<user>/clients/<client-id>
//	2. /users/<user>/clients/<default>
//	3. /users/<user>
//	4. /users/<default>/clients/<client-id>
//	5. /users/<default>/clients/<default>
//	6. /users/<default>
//	7. /clients/<client-id>
//	8. /clients/<default>
//
// The first entity setting the key decides which clients share a rate:
// levels 1, 2, 4, 5 measure each (user, client id) alone, 3 and 6 each user
// across its client ids, 7 and 8 each client id across users. The bound is
// then looked up for that rate, so levels 1-2-4-5, 3-6 and 7-8 fall back
// within their group only, as in Kafka. Unauthenticated connections are
// the user ANONYMOUS like any other name.

// entityRef is a user and/or client-id quota entity as a map key: for
// each type, whether the entity has it, and its name ("" for <default>).
type entityRef struct {
	hasUser, hasClient bool
	user, client       string
}

// Entity names are never empty (AlterClientQuotas refuses them), so ""
// can stand for <default>. A request's client id may be empty; levels 1
// and 2 (and 4 and 5) then look the same, which rateID treats alike.
const defaultName = ""

func userRef(name string) entityRef { return entityRef{hasUser: true, user: name} }

func clientRef(name string) entityRef { return entityRef{hasClient: true, client: name} }

func userClientRef(user, client string) entityRef {
	return entityRef{hasUser: true, user: user, hasClient: true, client: client}
}

func refOf(e QuotaEntity) (entityRef, bool) {
	var ref entityRef
	for _, p := range e {
		name := defaultName
		if p.Name != nil {
			name = *p.Name
		}
		switch p.Type {
		case QuotaUser:
			ref.hasUser, ref.user = true, name
		case QuotaClientID:
			ref.hasClient, ref.client = true, name
		default:
			return entityRef{}, false // ip entities take no byte rates
		}
	}
	return ref, true
}

// quotaIndex holds the value of one quota key for each entity that sets it.
type quotaIndex map[entityRef]float64

func newQuotaIndex(all []EntityQuotas, key string) quotaIndex {
	idx := make(quotaIndex)
	for _, e := range all {
		v, ok := e.Values[key]
		ref, isUserClient := refOf(e.Entity)
		if ok && isUserClient {
			idx[ref] = v
		}
	}
	return idx
}

func (idx quotaIndex) has(ref entityRef) bool {
	_, ok := idx[ref]
	return ok
}

// resolve returns the rate c's requests add to and its bound; false when
// no quota applies to c.
func (idx quotaIndex) resolve(c QuotaClient) (quota.ID, float64, bool) {
	id := idx.rateID(c)
	bound, ok := idx.bound(id)
	return id, bound, ok
}

// rateID is Kafka's quotaMetricTags: the user and client id the rate is
// kept for, "" where the quota is shared.
func (idx quotaIndex) rateID(c QuotaClient) quota.ID {
	u, cid := c.User, c.ClientID
	switch {
	case idx.has(userClientRef(u, cid)), idx.has(userClientRef(u, defaultName)):
		return quota.ID{User: u, ClientID: cid}
	case idx.has(userRef(u)):
		return quota.ID{User: u}
	case idx.has(userClientRef(defaultName, cid)), idx.has(userClientRef(defaultName, defaultName)):
		return quota.ID{User: u, ClientID: cid}
	case idx.has(userRef(defaultName)):
		return quota.ID{User: u}
	}
	return quota.ID{ClientID: cid}
}

// bound is Kafka's quotaLimit: the quota of the most specific entity of
// the rate's kind. An empty client id therefore only ever gets a user
// quota, as in Kafka.
func (idx quotaIndex) bound(id quota.ID) (float64, bool) {
	u, cid := id.User, id.ClientID
	var candidates []entityRef
	switch {
	case u != "" && cid != "":
		candidates = []entityRef{userClientRef(u, cid), userClientRef(u, defaultName),
			userClientRef(defaultName, cid), userClientRef(defaultName, defaultName)}
	case u != "":
		candidates = []entityRef{userRef(u), userRef(defaultName)}
	case cid != "":
		candidates = []entityRef{clientRef(cid), clientRef(defaultName)}
	}
	for _, ref := range candidates {
		if v, ok := idx[ref]; ok {
			return v, true
		}
	}
	return 0, false
}
