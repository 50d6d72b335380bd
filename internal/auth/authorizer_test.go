package auth

import (
	"net/netip"
	"testing"
)

var (
	alice     = Client{Principal: User("alice"), Addr: netip.MustParseAddr("10.0.0.1")}
	aliceIPv6 = Client{Principal: User("alice"), Addr: netip.MustParseAddr("::ffff:10.0.0.1")}
	bob       = Client{Principal: User("bob"), Addr: netip.MustParseAddr("10.0.0.2")}
	admin     = Client{Principal: User("admin"), Addr: netip.MustParseAddr("10.0.0.3")}
)

func topic(name string) Resource { return Resource{Type: ResourceTopic, Name: name} }
func group(name string) Resource { return Resource{Type: ResourceGroup, Name: name} }

func allow(rt ResourceType, name string, pt PatternType, principal string, op Operation) ACL {
	return ACL{ResourceType: rt, ResourceName: name, PatternType: pt, Principal: principal, Host: Wildcard, Operation: op, Permission: PermissionAllow}
}

func deny(rt ResourceType, name string, pt PatternType, principal string, op Operation) ACL {
	a := allow(rt, name, pt, principal, op)
	a.Permission = PermissionDeny
	return a
}

func TestAuthorize(t *testing.T) {
	onHost := allow(ResourceTopic, "hosted", PatternLiteral, "User:alice", OpRead)
	onHost.Host = "10.0.0.1"
	tests := []struct {
		name   string
		cfg    Config
		acls   []ACL
		client Client
		op     Operation
		res    Resource
		want   bool
	}{
		{"off allows everything", Config{}, nil, bob, OpWrite, topic("t"), true},
		{"no acl denies", Config{Enabled: true}, nil, alice, OpRead, topic("t"), false},
		{"no acl, allow everyone", Config{Enabled: true, AllowIfNoACL: true}, nil, alice, OpRead, topic("t"), true},
		{"acl for someone else: no fallback", Config{Enabled: true, AllowIfNoACL: true},
			[]ACL{allow(ResourceTopic, "t", PatternLiteral, "User:bob", OpRead)}, alice, OpRead, topic("t"), false},
		{"literal allow", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead)}, alice, OpRead, topic("t"), true},
		{"literal other name", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead)}, alice, OpRead, topic("t2"), false},
		{"other operation", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead)}, alice, OpWrite, topic("t"), false},
		{"other resource type", Config{Enabled: true}, []ACL{allow(ResourceGroup, "t", PatternLiteral, "User:alice", OpRead)}, alice, OpRead, topic("t"), false},
		{"wildcard name", Config{Enabled: true}, []ACL{allow(ResourceTopic, "*", PatternLiteral, "User:alice", OpRead)}, alice, OpRead, topic("anything"), true},
		{"wildcard principal", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:*", OpRead)}, bob, OpRead, topic("t"), true},
		{"prefixed", Config{Enabled: true}, []ACL{allow(ResourceTopic, "orders-", PatternPrefixed, "User:alice", OpRead)}, alice, OpRead, topic("orders-eu"), true},
		{"prefixed is the whole name", Config{Enabled: true}, []ACL{allow(ResourceTopic, "orders", PatternPrefixed, "User:alice", OpRead)}, alice, OpRead, topic("orders"), true},
		{"prefixed longer than name", Config{Enabled: true}, []ACL{allow(ResourceTopic, "orders-eu", PatternPrefixed, "User:alice", OpRead)}, alice, OpRead, topic("orders"), false},
		{"prefixed * is not a wildcard", Config{Enabled: true}, []ACL{allow(ResourceTopic, "*", PatternPrefixed, "User:alice", OpRead)}, alice, OpRead, topic("t"), false},
		{"deny beats allow", Config{Enabled: true}, []ACL{
			allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead),
			deny(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead)}, alice, OpRead, topic("t"), false},
		{"prefixed deny beats literal allow", Config{Enabled: true}, []ACL{
			allow(ResourceTopic, "orders-eu", PatternLiteral, "User:alice", OpAll),
			deny(ResourceTopic, "orders", PatternPrefixed, "User:*", OpWrite)}, alice, OpWrite, topic("orders-eu"), false},
		{"deny of another operation", Config{Enabled: true}, []ACL{
			allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead),
			deny(ResourceTopic, "t", PatternLiteral, "User:alice", OpWrite)}, alice, OpRead, topic("t"), true},
		{"deny ALL", Config{Enabled: true}, []ACL{
			allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead),
			deny(ResourceTopic, "*", PatternLiteral, "User:alice", OpAll)}, alice, OpRead, topic("t"), false},
		{"allow ALL", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpAll)}, alice, OpAlterConfigs, topic("t"), true},
		{"read implies describe", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead)}, alice, OpDescribe, topic("t"), true},
		{"write implies describe", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpWrite)}, alice, OpDescribe, topic("t"), true},
		{"delete implies describe", Config{Enabled: true}, []ACL{allow(ResourceGroup, "g", PatternLiteral, "User:alice", OpDelete)}, alice, OpDescribe, group("g"), true},
		{"alter implies describe", Config{Enabled: true}, []ACL{allow(ResourceCluster, ClusterName, PatternLiteral, "User:alice", OpAlter)}, alice, OpDescribe, Cluster, true},
		{"create does not imply describe", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpCreate)}, alice, OpDescribe, topic("t"), false},
		{"alter configs implies describe configs", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpAlterConfigs)}, alice, OpDescribeConfigs, topic("t"), true},
		{"describe implies nothing", Config{Enabled: true}, []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpDescribe)}, alice, OpRead, topic("t"), false},
		{"deny read does not deny describe", Config{Enabled: true}, []ACL{
			allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpDescribe),
			deny(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead)}, alice, OpDescribe, topic("t"), true},
		{"host matches", Config{Enabled: true}, []ACL{onHost}, alice, OpRead, topic("hosted"), true},
		{"IPv4-mapped host matches", Config{Enabled: true}, []ACL{onHost}, aliceIPv6, OpRead, topic("hosted"), true},
		{"other host", Config{Enabled: true}, []ACL{onHost}, Client{Principal: User("alice"), Addr: netip.MustParseAddr("10.9.9.9")}, OpRead, topic("hosted"), false},
		{"super user", Config{Enabled: true, SuperUsers: ParseSuperUsers("User:root; User:admin")},
			[]ACL{deny(ResourceTopic, "*", PatternLiteral, "User:*", OpAll)}, admin, OpWrite, topic("t"), true},
		{"not a super user", Config{Enabled: true, SuperUsers: ParseSuperUsers("User:admin")}, nil, bob, OpWrite, topic("t"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAuthorizer(tt.cfg, tt.acls)
			if got := a.Authorize(tt.client, tt.op, tt.res); got != tt.want {
				t.Fatalf("Authorize(%v, %v, %v) = %v, want %v", tt.client.Principal, tt.op, tt.res, got, tt.want)
			}
		})
	}
}

func TestAuthorizeByResourceType(t *testing.T) {
	tests := []struct {
		name string
		acls []ACL
		want bool
	}{
		{"nothing", nil, false},
		{"literal allow", []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpWrite)}, true},
		{"ALL counts", []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpAll)}, true},
		{"other operation", []ACL{allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead)}, false},
		{"literal deny of the same name", []ACL{
			allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpWrite),
			deny(ResourceTopic, "t", PatternLiteral, "User:alice", OpWrite)}, false},
		{"deny of another name", []ACL{
			allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpWrite),
			deny(ResourceTopic, "u", PatternLiteral, "User:alice", OpWrite)}, true},
		{"prefix deny covers prefix allow", []ACL{
			allow(ResourceTopic, "orders-eu", PatternPrefixed, "User:alice", OpWrite),
			deny(ResourceTopic, "orders", PatternPrefixed, "User:alice", OpWrite)}, false},
		{"prefix deny does not cover a shorter allow", []ACL{
			allow(ResourceTopic, "ord", PatternPrefixed, "User:alice", OpWrite),
			deny(ResourceTopic, "orders", PatternPrefixed, "User:alice", OpWrite)}, true},
		{"wildcard deny", []ACL{
			allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpWrite),
			deny(ResourceTopic, "*", PatternLiteral, "User:*", OpWrite)}, false},
		{"wildcard allow", []ACL{allow(ResourceTopic, "*", PatternLiteral, "User:*", OpWrite)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAuthorizer(Config{Enabled: true}, tt.acls)
			if got := a.AuthorizeByResourceType(alice, OpWrite, ResourceTopic); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuthorizeDoesNotAllocate(t *testing.T) {
	var acls []ACL
	for _, n := range []string{"a", "b", "orders", "payments"} {
		acls = append(acls, allow(ResourceTopic, n, PatternLiteral, "User:alice", OpRead),
			allow(ResourceTopic, n+"-", PatternPrefixed, "User:bob", OpWrite))
	}
	a := NewAuthorizer(Config{Enabled: true}, acls)
	allocs := testing.AllocsPerRun(100, func() {
		a.Authorize(bob, OpWrite, topic("orders-eu"))
	})
	if allocs != 0 {
		t.Fatalf("Authorize allocates %v times per call", allocs)
	}
}

func BenchmarkAuthorize(b *testing.B) {
	var acls []ACL
	for i := range 1000 {
		acls = append(acls, allow(ResourceTopic, "topic-"+string(rune('a'+i%26))+string(rune('a'+i/26%26)), PatternLiteral, "User:alice", OpRead))
	}
	acls = append(acls, allow(ResourceTopic, "orders-", PatternPrefixed, "User:bob", OpWrite))
	a := NewAuthorizer(Config{Enabled: true}, acls)
	b.ReportAllocs()
	for b.Loop() {
		a.Authorize(bob, OpWrite, topic("orders-eu"))
	}
}
