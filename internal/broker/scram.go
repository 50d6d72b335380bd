package broker

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/meta"
)

// SCRAM credentials (KIP-554), managed as a Kafka 4 controller does
// (ScramControlManager): the client sends a salt and the salted password
// it derived, the broker keeps the stored and server keys.

// ScramCredentials are the stored credentials, for SCRAM authentication:
// Lookup(mechanism, user) gives a user's salt, keys and iterations.
func (b *Broker) ScramCredentials() *meta.Scram { return b.sec.scram }

// ScramDeletion removes one user's credential for a mechanism (Kafka's
// wire code: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512).
type ScramDeletion struct {
	User      string
	Mechanism auth.ScramMechanism
}

// ScramUpsertion sets one user's credential for a mechanism.
type ScramUpsertion struct {
	User           string
	Mechanism      auth.ScramMechanism
	Iterations     int32
	Salt           []byte
	SaltedPassword []byte
}

// ScramResult is the outcome for one user.
type ScramResult struct {
	User string
	Err  error
}

var alteredTwice = errorf(kerr.DuplicateResource, "A user credential cannot be altered twice in the same request")

// AlterUserScram applies deletions and upsertions, one result per user:
// a user named more than once in the request is DUPLICATE_RESOURCE and
// nothing is done for it; invalid changes fail alone; the valid ones are
// persisted together before the answer.
func (b *Broker) AlterUserScram(dels []ScramDeletion, ups []ScramUpsertion) []ScramResult {
	b.sec.scramMu.Lock() // a deletion's existence check holds until it is stored
	defer b.sec.scramMu.Unlock()
	count := make(map[string]int)
	for _, d := range dels {
		count[d.User]++
	}
	for _, u := range ups {
		count[u.User]++
	}
	var results []ScramResult
	var remove []meta.ScramKey
	var put []meta.ScramRecord
	for _, d := range dels {
		if count[d.User] > 1 {
			continue
		}
		err := b.validateScramDeletion(d)
		if err == nil {
			remove = append(remove, meta.ScramKey{User: d.User, Mechanism: d.Mechanism.Name()})
		}
		results = append(results, ScramResult{User: d.User, Err: err})
	}
	for _, u := range ups {
		if count[u.User] > 1 {
			continue
		}
		err := validateScramUpsertion(u)
		if err == nil {
			put = append(put, scramRecord(u))
		}
		results = append(results, ScramResult{User: u.User, Err: err})
	}
	results = b.storeScram(results, remove, put)
	return append(results, duplicateUsers(dels, ups, count)...)
}

// duplicateUsers answers each user named more than once, in request order.
func duplicateUsers(dels []ScramDeletion, ups []ScramUpsertion, count map[string]int) []ScramResult {
	var users []string
	for _, d := range dels {
		users = append(users, d.User)
	}
	for _, u := range ups {
		users = append(users, u.User)
	}
	var out []ScramResult
	for _, user := range users {
		if count[user] > 1 {
			out = append(out, ScramResult{User: user, Err: alteredTwice})
			count[user] = 0
		}
	}
	return out
}

// storeScram persists the valid changes; if that fails, every change that
// was valid fails with a storage error.
func (b *Broker) storeScram(results []ScramResult, remove []meta.ScramKey, put []meta.ScramRecord) []ScramResult {
	if len(remove) == 0 && len(put) == 0 {
		return results
	}
	if err := b.sec.scram.Change(remove, put); err != nil {
		b.lg.Error("persisting scram credentials failed", "err", err)
		for i := range results {
			if results[i].Err == nil {
				results[i].Err = errorf(kerr.KafkaStorageError, "%v", err)
			}
		}
		return results
	}
	b.lg.Info("scram credentials altered", "deleted", len(remove), "upserted", len(put))
	return results
}

func validateScramUser(user string, m auth.ScramMechanism) error {
	if user == "" {
		return errorf(kerr.UnacceptableCredential, "Username must not be empty")
	}
	if m.Name() == "" {
		return errorf(kerr.UnsupportedSaslMechanism, "Unknown SCRAM mechanism")
	}
	return nil
}

func (b *Broker) validateScramDeletion(d ScramDeletion) error {
	if err := validateScramUser(d.User, d.Mechanism); err != nil {
		return err
	}
	if !b.sec.scram.Has(meta.ScramKey{User: d.User, Mechanism: d.Mechanism.Name()}) {
		return errorf(kerr.ResourceNotFound, "Attempt to delete a user credential that does not exist")
	}
	return nil
}

func validateScramUpsertion(u ScramUpsertion) error {
	if err := validateScramUser(u.User, u.Mechanism); err != nil {
		return err
	}
	switch {
	case len(u.Salt) == 0:
		return errorf(kerr.UnacceptableCredential, "Credential must have a salt")
	case u.Iterations < auth.ScramMinIterations:
		return errorf(kerr.UnacceptableCredential, "Too few iterations")
	case u.Iterations > auth.ScramMaxIterations:
		return errorf(kerr.UnacceptableCredential, "Too many iterations")
	}
	return nil
}

func scramRecord(u ScramUpsertion) meta.ScramRecord {
	stored, server := auth.ScramKeys(u.Mechanism, u.SaltedPassword)
	return meta.ScramRecord{
		User: u.User, Mechanism: u.Mechanism.Name(), Salt: slices.Clone(u.Salt),
		StoredKey: stored, ServerKey: server, Iterations: int(u.Iterations),
	}
}

// ScramUserInfo describes one user's credentials (DescribeUserScramCredentials).
type ScramUserInfo struct {
	User        string
	Err         error
	Credentials []ScramCredentialInfo
}

// ScramCredentialInfo is one mechanism a user has a credential for.
type ScramCredentialInfo struct {
	Mechanism  auth.ScramMechanism
	Iterations int32
}

// DescribeUserScram describes the users asked for, or every user with a
// credential when none is named, as Kafka's ScramImage.describe: an
// unknown user is RESOURCE_NOT_FOUND, one named twice DUPLICATE_RESOURCE.
func (b *Broker) DescribeUserScram(users []string) []ScramUserInfo {
	byUser := make(map[string][]ScramCredentialInfo)
	var all []string
	for _, r := range b.sec.scram.All() {
		if _, ok := byUser[r.User]; !ok {
			all = append(all, r.User)
		}
		byUser[r.User] = append(byUser[r.User], ScramCredentialInfo{Mechanism: auth.ScramMechanismNamed(r.Mechanism), Iterations: int32(r.Iterations)})
	}
	if len(users) == 0 {
		users = all
	}
	count := make(map[string]int, len(users))
	for _, u := range users {
		count[u]++
	}
	var out []ScramUserInfo
	for _, u := range users {
		switch n := count[u]; {
		case n == 0: // already answered
			continue
		case n > 1:
			out = append(out, ScramUserInfo{User: u, Err: errorf(kerr.DuplicateResource, "Cannot describe SCRAM credentials for the same user twice in a single request: %s", u)})
		case len(byUser[u]) == 0:
			out = append(out, ScramUserInfo{User: u, Err: errorf(kerr.ResourceNotFound, "Attempt to describe a user credential that does not exist: %s", u)})
		default:
			out = append(out, ScramUserInfo{User: u, Credentials: byUser[u]})
		}
		count[u] = 0
	}
	return out
}
