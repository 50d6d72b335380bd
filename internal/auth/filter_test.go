package auth

import "testing"

func ptr(s string) *string { return &s }

func TestFilterMatches(t *testing.T) {
	literal := allow(ResourceTopic, "orders", PatternLiteral, "User:alice", OpRead)
	wildcard := allow(ResourceTopic, "*", PatternLiteral, "User:alice", OpRead)
	prefixed := allow(ResourceTopic, "ord", PatternPrefixed, "User:alice", OpRead)
	any := Filter{ResourceType: ResourceAny, PatternType: PatternAny, Operation: OpAny, Permission: PermissionAny}
	with := func(change func(*Filter)) Filter { f := any; change(&f); return f }
	tests := []struct {
		name   string
		filter Filter
		acl    ACL
		want   bool
	}{
		{"any", any, literal, true},
		{"resource type", with(func(f *Filter) { f.ResourceType = ResourceGroup }), literal, false},
		{"name exact", with(func(f *Filter) { f.ResourceName = ptr("orders") }), literal, true},
		{"name any pattern compares exactly", with(func(f *Filter) { f.ResourceName = ptr("orders") }), prefixed, false},
		{"literal pattern", with(func(f *Filter) { f.PatternType = PatternLiteral }), prefixed, false},
		{"prefixed pattern", with(func(f *Filter) { f.PatternType = PatternPrefixed }), prefixed, true},
		{"match literal", with(func(f *Filter) { f.PatternType, f.ResourceName = PatternMatch, ptr("orders") }), literal, true},
		{"match wildcard", with(func(f *Filter) { f.PatternType, f.ResourceName = PatternMatch, ptr("orders") }), wildcard, true},
		{"match prefix", with(func(f *Filter) { f.PatternType, f.ResourceName = PatternMatch, ptr("orders") }), prefixed, true},
		{"match other name", with(func(f *Filter) { f.PatternType, f.ResourceName = PatternMatch, ptr("payments") }), prefixed, false},
		{"match without name", with(func(f *Filter) { f.PatternType = PatternMatch }), prefixed, true},
		{"principal", with(func(f *Filter) { f.Principal = ptr("User:bob") }), literal, false},
		{"host", with(func(f *Filter) { f.Host = ptr("*") }), literal, true},
		{"operation", with(func(f *Filter) { f.Operation = OpWrite }), literal, false},
		{"permission", with(func(f *Filter) { f.Permission = PermissionDeny }), literal, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.filter.Matches(tt.acl); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFilterValidate(t *testing.T) {
	good := Filter{ResourceType: ResourceAny, PatternType: PatternMatch, Operation: OpAny, Permission: PermissionAny}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Filter{
		{ResourceType: ResourceUnknown, PatternType: PatternAny, Operation: OpAny, Permission: PermissionAny},
		{ResourceType: ResourceAny, PatternType: PatternUnknown, Operation: OpAny, Permission: PermissionAny},
		{ResourceType: ResourceAny, PatternType: PatternAny, Operation: OpUnknown, Permission: PermissionAny},
		{ResourceType: ResourceAny, PatternType: PatternAny, Operation: OpAny, Permission: 9},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestACLValidate(t *testing.T) {
	good := allow(ResourceTopic, "t", PatternLiteral, "User:alice", OpRead)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*ACL){
		"any resource":   func(a *ACL) { a.ResourceType = ResourceAny },
		"match pattern":  func(a *ACL) { a.PatternType = PatternMatch },
		"any operation":  func(a *ACL) { a.Operation = OpAny },
		"any permission": func(a *ACL) { a.Permission = PermissionAny },
		"empty name":     func(a *ACL) { a.ResourceName = "" },
		"cluster name":   func(a *ACL) { a.ResourceType = ResourceCluster },
		"principal":      func(a *ACL) { a.Principal = "alice" },
	} {
		bad := good
		change(&bad)
		if bad.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestNamesRoundTrip(t *testing.T) {
	for op := OpUnknown; op <= OpTwoPhaseCommit; op++ {
		text, _ := op.MarshalText()
		var back Operation
		if err := back.UnmarshalText(text); err != nil || back != op {
			t.Fatalf("%v: %s -> %v, %v", op, text, back, err)
		}
	}
	var rt ResourceType
	if err := rt.UnmarshalText([]byte("transactional_id")); err != nil || rt != ResourceTransactionalID {
		t.Fatalf("got %v, %v", rt, err)
	}
}
