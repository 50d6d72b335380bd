package broker

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/samsa-streaming/samsa/internal/auth"
	"github.com/samsa-streaming/samsa/internal/meta"
)

// security is the broker's authorization state: the authorizer front ends
// check requests with, the ACLs it decides from (acls.json) and the SCRAM
// credentials SASL authenticates with (scram_credentials.json).
type security struct {
	authorizer *auth.Authorizer
	acls       *meta.ACLs
	scram      *meta.Scram
	// aclMu orders ACL changes: the store's write, then the authorizer's
	// new index, so that the index always reflects the latest write.
	aclMu sync.Mutex
	// scramMu serializes credential changes (AlterUserScram).
	scramMu sync.Mutex
}

func (b *Broker) openSecurity() error {
	acls, err := meta.OpenACLs(b.dataDir)
	if err != nil {
		return err
	}
	scram, err := meta.OpenScram(b.dataDir)
	if err != nil {
		return err
	}
	cfg := auth.Config{
		Enabled:      b.cfg.AuthorizerEnabled(),
		SuperUsers:   auth.ParseSuperUsers(b.cfg.SuperUsers()),
		AllowIfNoACL: b.cfg.AllowEveryoneIfNoACL(),
	}
	b.sec.authorizer, b.sec.acls, b.sec.scram = auth.NewAuthorizer(cfg, acls.All()), acls, scram
	return nil
}

// Authorizer decides what each request may do (authorizer.class.name;
// when unset it allows everything).
func (b *Broker) Authorizer() *auth.Authorizer { return b.sec.authorizer }

var securityDisabled = errorf(kerr.SecurityDisabled, "No Authorizer is configured.")

// DescribeACLs returns the ACLs f selects (DescribeAcls): SECURITY_DISABLED
// without an authorizer, INVALID_REQUEST for a filter with UNKNOWN parts.
func (b *Broker) DescribeACLs(f auth.Filter) ([]auth.ACL, error) {
	if !b.sec.authorizer.Enabled() {
		return nil, securityDisabled
	}
	if err := f.Validate(); err != nil {
		return nil, errorf(kerr.InvalidRequest, "%v", err)
	}
	return b.sec.authorizer.ACLs(f), nil
}

// CreateACLs validates each ACL and stores the valid ones together,
// persisted before the answer; one error per ACL. An ACL that exists
// already is a success, as in Kafka.
func (b *Broker) CreateACLs(acls []auth.ACL) []error {
	errs := make([]error, len(acls))
	if !b.sec.authorizer.Enabled() {
		return fill(errs, securityDisabled)
	}
	var valid []auth.ACL
	var applied []int
	for i, a := range acls {
		if err := a.Validate(); err != nil {
			errs[i] = errorf(kerr.InvalidRequest, "%v", err)
			continue
		}
		valid, applied = append(valid, a), append(applied, i)
	}
	if len(valid) == 0 {
		return errs
	}
	err := b.changeACLs(valid, nil)
	for _, i := range applied {
		errs[i] = err
	}
	if err == nil {
		b.lg.Info("acls created", "count", len(valid))
	}
	return errs
}

// DeleteACLs deletes the ACLs each filter selects, persisted before the
// answer, and returns them per filter (an ACL selected by several filters
// is reported under the first, as in Kafka) or the filter's error.
func (b *Broker) DeleteACLs(filters []auth.Filter) ([][]auth.ACL, []error) {
	errs := make([]error, len(filters))
	deleted := make([][]auth.ACL, len(filters))
	if !b.sec.authorizer.Enabled() {
		return deleted, fill(errs, securityDisabled)
	}
	b.sec.aclMu.Lock()
	defer b.sec.aclMu.Unlock()
	gone := make(map[auth.ACL]bool)
	all := b.sec.acls.All()
	for i, f := range filters {
		if err := f.Validate(); err != nil {
			errs[i] = errorf(kerr.InvalidRequest, "%v", err)
			continue
		}
		for _, a := range all {
			if f.Matches(a) && !gone[a] {
				gone[a] = true
				deleted[i] = append(deleted[i], a)
			}
		}
	}
	if len(gone) == 0 {
		return deleted, errs
	}
	if err := b.changeACLsLocked(nil, func(a auth.ACL) bool { return gone[a] }); err != nil {
		for i := range filters {
			if errs[i] == nil {
				errs[i], deleted[i] = err, nil
			}
		}
		return deleted, errs
	}
	b.lg.Info("acls deleted", "count", len(gone))
	return deleted, errs
}

func (b *Broker) changeACLs(add []auth.ACL, remove func(auth.ACL) bool) error {
	b.sec.aclMu.Lock()
	defer b.sec.aclMu.Unlock()
	return b.changeACLsLocked(add, remove)
}

func (b *Broker) changeACLsLocked(add []auth.ACL, remove func(auth.ACL) bool) error {
	all, err := b.sec.acls.Change(add, remove)
	if err != nil {
		b.lg.Error("persisting acls failed", "err", err)
		return errorf(kerr.KafkaStorageError, "%v", err)
	}
	b.sec.authorizer.SetACLs(all)
	return nil
}

func fill(errs []error, err error) []error {
	for i := range errs {
		errs[i] = err
	}
	return errs
}
