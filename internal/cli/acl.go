package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func aclCommands() []*command {
	return []*command{aclCreateCommand(), aclListCommand(), aclDeleteCommand()}
}

// aclFlags are the kafka-acls.sh style flags the acl commands share.
type aclFlags struct {
	allow, deny           stringList
	allowHosts, denyHosts stringList
	ops                   stringList
	topics, groups, txns  stringList
	cluster               bool
	pattern               string
}

func (f *aclFlags) register(fs *flagSet, defaultPattern string) {
	fs.Var(&f.allow, "allow-principal", "`principal` to allow (User:alice), repeatable")
	fs.Var(&f.deny, "deny-principal", "`principal` to deny (User:mallory), repeatable")
	fs.Var(&f.allowHosts, "allow-host", "`host` the allowed principals may connect from, repeatable (default * on create, any on list/delete)")
	fs.Var(&f.denyHosts, "deny-host", "`host` the denied principals are denied from, repeatable (default * on create, any on list/delete)")
	fs.Var(&f.ops, "operation", "`OP`: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALL; repeatable")
	fs.Var(&f.topics, "topic", "topic `name` (resource), repeatable")
	fs.Var(&f.groups, "group", "consumer group `id` (resource), repeatable")
	fs.Var(&f.txns, "transactional-id", "transactional `id` (resource), repeatable")
	fs.BoolVar(&f.cluster, "cluster", false, "the cluster (resource)")
	fs.StringVar(&f.pattern, "resource-pattern-type", defaultPattern, "how resource names match: literal, prefixed; list and delete also match, any")
}

func (f *aclFlags) hasResource() bool {
	return len(f.topics)+len(f.groups)+len(f.txns) > 0 || f.cluster
}

func (f *aclFlags) hasPrincipal() bool { return len(f.allow)+len(f.deny) > 0 }

// builder turns the flags into a kadm ACL builder. For a filter (list,
// delete) what is not given matches anything; for create, hosts default
// to * as in kafka-acls.sh.
func (f *aclFlags) builder(filter bool) (*kadm.ACLBuilder, error) {
	b := kadm.NewACLs()
	pattern, err := kmsg.ParseACLResourcePatternType(f.pattern)
	if err != nil || pattern == kmsg.ACLResourcePatternTypeUnknown {
		return nil, usagef("--resource-pattern-type %q: want literal, prefixed, match or any", f.pattern)
	}
	b.ResourcePatternType(pattern)
	ops, err := parseOperations(f.ops)
	if err != nil {
		return nil, err
	}
	b.Operations(ops...)
	f.addResources(b, filter)
	f.addPrincipals(b, filter)
	return b, nil
}

func parseOperations(names []string) ([]kadm.ACLOperation, error) {
	var ops []kadm.ACLOperation
	for _, n := range names {
		op, err := kmsg.ParseACLOperation(n)
		if err != nil || op == kmsg.ACLOperationUnknown {
			return nil, usagef("--operation %q: want one of %s", n, strings.Join(kmsg.ACLOperationStrings(), ", "))
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func (f *aclFlags) addResources(b *kadm.ACLBuilder, filter bool) {
	if filter && !f.hasResource() {
		b.AnyResource()
		return
	}
	if len(f.topics) > 0 {
		b.Topics(f.topics...)
	}
	if len(f.groups) > 0 {
		b.Groups(f.groups...)
	}
	if len(f.txns) > 0 {
		b.TransactionalIDs(f.txns...)
	}
	if f.cluster {
		b.Clusters()
	}
}

func (f *aclFlags) addPrincipals(b *kadm.ACLBuilder, filter bool) {
	if filter && !f.hasPrincipal() {
		b.Allow().AllowHosts().Deny().DenyHosts()
		return
	}
	hosts := func(h stringList) []string {
		if len(h) == 0 && !filter {
			return []string{"*"}
		}
		return h // empty matches any host in a filter
	}
	if len(f.allow) > 0 {
		b.Allow(f.allow...).AllowHosts(hosts(f.allowHosts)...)
	}
	if len(f.deny) > 0 {
		b.Deny(f.deny...).DenyHosts(hosts(f.denyHosts)...)
	}
}

// aclRow is one ACL as list and delete print it.
type aclRow struct {
	ResourceType string  `json:"resource_type"`
	Name         string  `json:"name"`
	Pattern      string  `json:"pattern"`
	Principal    string  `json:"principal"`
	Host         string  `json:"host"`
	Operation    string  `json:"operation"`
	Permission   string  `json:"permission"`
	Error        *string `json:"error,omitempty"`
}

func (s *session) printACLs(rows []aclRow) error {
	if s.g.json {
		return writeJSON(s.env.Stdout, rows)
	}
	t := newTable(s.env.Stdout, "RESOURCE-TYPE", "NAME", "PATTERN", "PRINCIPAL", "HOST", "OPERATION", "PERMISSION")
	for _, r := range rows {
		perm := r.Permission
		if r.Error != nil {
			perm += " (" + *r.Error + ")"
		}
		t.row(r.ResourceType, r.Name, r.Pattern, r.Principal, r.Host, r.Operation, perm)
	}
	t.flush()
	return nil
}

// aclError explains SECURITY_DISABLED, which alone says little: the broker
// runs without an authorizer, so it has no ACLs to manage.
func aclError(err error, msg string) error {
	err = withMessage(err, msg)
	if errors.Is(err, kerr.SecurityDisabled) {
		return fmt.Errorf("%w: the broker has no authorizer (set authorizer.class.name to manage ACLs)", err)
	}
	return err
}

func aclCreateCommand() *command {
	return &command{
		path: "acl create", maxArgs: 0,
		summary: "grant or deny operations on topics, groups, the cluster or transactional ids",
		details: `
Creates one ACL per principal, host, operation and resource given. Hosts
default to * (any). Needs a broker with an authorizer (authorizer.class.name);
without one it exits 1 with SECURITY_DISABLED.

Examples:
  samsa acl create --allow-principal User:alice --operation READ --operation DESCRIBE --topic orders
  samsa acl create --allow-principal User:alice --operation READ --group billing-
      --resource-pattern-type prefixed
  samsa acl create --deny-principal User:mallory --deny-host 10.0.0.7 --operation ALL --cluster`,
		setup: func(fs *flagSet) action {
			var f aclFlags
			f.register(fs, "literal")
			return func(ctx context.Context, s *session, _ []string) error { return createACLs(ctx, s, &f) }
		},
	}
}

func createACLs(ctx context.Context, s *session, f *aclFlags) error {
	if !f.hasPrincipal() || !f.hasResource() || len(f.ops) == 0 {
		return usagef("needs --allow-principal or --deny-principal, --operation, and a resource (--topic, --group, --cluster, --transactional-id)")
	}
	b, err := f.builder(false)
	if err == nil {
		err = b.ValidateCreate()
	}
	if err != nil {
		return asUsage(err)
	}
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	created, err := adm.CreateACLs(ctx, b)
	if err != nil {
		return aclError(err, "")
	}
	var rows []aclRow
	var results []result
	for _, c := range created {
		err := aclError(c.Err, c.ErrMessage)
		rows = append(rows, aclRow{c.Type.String(), c.Name, c.Pattern.String(), c.Principal, c.Host, c.Operation.String(), c.Permission.String(), errString(err)})
		results = append(results, result{fmt.Sprintf("%s %s %s %s", c.Permission, c.Principal, c.Operation, c.Name), err})
	}
	if err := s.printACLs(rows); err != nil {
		return err
	}
	return summarize("create acl", results)
}

// asUsage makes kadm's builder validation errors usage errors (exit 2).
func asUsage(err error) error {
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	return usagef("%v", err)
}

func aclListCommand() *command {
	return &command{
		path: "acl list", maxArgs: 0,
		summary: "list ACLs, all or those matching the flags",
		details: `
Flags narrow the list; without them every ACL is listed. The pattern type
defaults to any; match also finds the prefixed and wildcard ACLs that apply
to a literal name.

Examples:
  samsa acl list
  samsa acl list --topic orders --resource-pattern-type match
  samsa acl list --allow-principal User:alice --json`,
		setup: func(fs *flagSet) action {
			var f aclFlags
			f.register(fs, "any")
			return func(ctx context.Context, s *session, _ []string) error { return listACLs(ctx, s, &f) }
		},
	}
}

func listACLs(ctx context.Context, s *session, f *aclFlags) error {
	b, err := f.builder(true)
	if err != nil {
		return err
	}
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	described, err := adm.DescribeACLs(ctx, b)
	if err != nil {
		return aclError(err, "")
	}
	rows := []aclRow{}
	seen := map[aclRow]bool{} // filters overlap (allow and deny of any principal)
	for _, d := range described {
		if d.Err != nil {
			return aclError(d.Err, d.ErrMessage)
		}
		for _, a := range d.Described {
			r := aclRow{a.Type.String(), a.Name, a.Pattern.String(), a.Principal, a.Host, a.Operation.String(), a.Permission.String(), nil}
			if !seen[r] {
				seen[r] = true
				rows = append(rows, r)
			}
		}
	}
	return s.printACLs(rows)
}

func aclDeleteCommand() *command {
	return &command{
		path: "acl delete", maxArgs: 0,
		summary: "delete the ACLs matching the flags and print them",
		details: `
Deletes every ACL the flags match (the pattern type defaults to literal)
and prints those deleted. At least a principal or a resource is required,
so that a bare 'acl delete' cannot remove every ACL.

Examples:
  samsa acl delete --allow-principal User:alice --operation READ --topic orders
  samsa acl delete --topic orders               # every ACL on the topic
  samsa acl delete --allow-principal User:alice --resource-pattern-type any`,
		setup: func(fs *flagSet) action {
			var f aclFlags
			f.register(fs, "literal")
			return func(ctx context.Context, s *session, _ []string) error { return deleteACLs(ctx, s, &f) }
		},
	}
}

func deleteACLs(ctx context.Context, s *session, f *aclFlags) error {
	if !f.hasPrincipal() && !f.hasResource() {
		return usagef("needs a principal (--allow-principal, --deny-principal) or a resource (--topic, --group, --cluster, --transactional-id)")
	}
	b, err := f.builder(true)
	if err != nil {
		return err
	}
	adm, err := s.admin()
	if err != nil {
		return err
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	deleted, err := adm.DeleteACLs(ctx, b)
	if err != nil {
		return aclError(err, "")
	}
	rows := []aclRow{}
	var firstErr error
	for _, d := range deleted {
		if d.Err != nil && firstErr == nil {
			firstErr = aclError(d.Err, d.ErrMessage)
		}
		for _, a := range d.Deleted {
			err := aclError(a.Err, a.ErrMessage)
			rows = append(rows, aclRow{a.Type.String(), a.Name, a.Pattern.String(), a.Principal, a.Host, a.Operation.String(), a.Permission.String(), errString(err)})
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	if err := s.printACLs(rows); err != nil {
		return err
	}
	if firstErr != nil {
		return firstErr
	}
	if len(rows) == 0 {
		s.warn("no ACL matched")
	}
	return nil
}
