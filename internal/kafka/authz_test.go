package kafka

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestEveryAPIHasAnAuthorizationRule fails when an API is served without
// an entry in the authorization table: with ACLs on, it would be served to
// anyone. APIs used before authentication are the only exceptions.
func TestEveryAPIHasAnAuthorizationRule(t *testing.T) {
	for key := range apis {
		if _, ok := authzRules[key]; !ok && !unauthenticatedAPIs[key] {
			t.Errorf("%s (key %d) is served but has no authorization rule in authzRules", kmsg.NameForKey(key), key)
		}
	}
	for key := range authzRules {
		if _, ok := apis[key]; !ok {
			t.Errorf("authzRules has a rule for %s (key %d), which is not served", kmsg.NameForKey(key), key)
		}
	}
}

func TestSplitKeepsNonNil(t *testing.T) {
	items := []int{1, 2, 3, 4}
	refused := split(&items, func(i *int) bool { return *i%2 == 0 })
	if len(items) != 2 || items[0] != 2 || items[1] != 4 || len(refused) != 2 || refused[0] != 1 || refused[1] != 3 {
		t.Fatalf("kept %v, refused %v", items, refused)
	}
	all := []int{1}
	split(&all, func(*int) bool { return false })
	if all == nil || len(all) != 0 {
		t.Fatalf("refusing everything left %#v, want an empty non-nil slice", all)
	}
}
