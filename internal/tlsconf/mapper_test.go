package tlsconf

import (
	"strings"
	"testing"
)

// The cases of Kafka's SslPrincipalMapperTest.

func TestValidRules(t *testing.T) {
	for _, rules := range []string{
		"DEFAULT",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, DEFAULT",
		"RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/",
		"RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L",
		"RULE:^cn=(.?),ou=(.?),dc=(.?),dc=(.?)$/$1@$2/U",
		"RULE:^CN=([^,ADEFLTU,]+)(,.*|$)/$1/",
		"RULE:^CN=([^,DEFAULT,]+)(,.*|$)/$1/",
	} {
		if _, err := NewPrincipalMapper(rules); err != nil {
			t.Errorf("%s: %v", rules, err)
		}
	}
}

func TestInvalidRules(t *testing.T) {
	for _, rules := range []string{
		"default",
		"DEFAUL",
		"DEFAULT/L",
		"DEFAULT/U",
		"RULE:CN=(.*?),OU=ServiceUsers.*/$1",
		"rule:^CN=(.*?),OU=ServiceUsers.*$/$1/",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L/U",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/L",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/U",
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/LU",
	} {
		if _, err := NewPrincipalMapper(rules); err == nil {
			t.Errorf("%s accepted", rules)
		}
	}
}

func TestPrincipalMapper(t *testing.T) {
	m, err := NewPrincipalMapper(strings.Join([]string{
		"RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L",
		"RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L",
		"RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U",
		"RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U",
		"DEFAULT",
	}, ", "))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ dn, want string }{
		{"CN=Duke,OU=ServiceUsers,O=Org,C=US", "duke"},
		{"CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US", "duke@sme"},
		{"cn=duke,ou=sme,dc=mycp,dc=com", "DUKE@SME"},
		{"cN=duke,OU=JavaSoft,O=Sun Microsystems", "DUKE"},
		{"OU=JavaSoft,O=Sun Microsystems,C=US", "OU=JavaSoft,O=Sun Microsystems,C=US"},
	} {
		if got, err := m.Map(tt.dn); err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.dn, got, err, tt.want)
		}
	}
}

func TestRulesSplitting(t *testing.T) {
	for _, tt := range []struct{ want, rules string }{
		{"[DEFAULT]", ""}, // Kafka: [] for "", then DEFAULT for null; Samsa has no null
		{"[DEFAULT]", "DEFAULT"},
		{"[RULE:/]", "RULE://"},
		{"[RULE:/.*]", "RULE:/.*/"},
		{"[RULE:/.*/L]", "RULE:/.*/L"},
		{"[RULE:/, DEFAULT]", "RULE://,DEFAULT"},
		{"[RULE:/, DEFAULT]", "  RULE:// ,  DEFAULT  "},
		{"[RULE:   /     , DEFAULT]", "  RULE:   /     / ,  DEFAULT  "},
		{"[RULE:  /     /U, DEFAULT]", "  RULE:  /     /U   ,DEFAULT  "},
		{"[RULE:([A-Z]*)/$1/U, RULE:([a-z]+)/$1, DEFAULT]", "  RULE:([A-Z]*)/$1/U   ,RULE:([a-z]+)/$1/,   DEFAULT  "},
		{"[]", ",   , , ,      , , ,   "},
		{"[RULE:/, DEFAULT]", ",,RULE://,,,DEFAULT,,"},
		{"[RULE: /   , DEFAULT]", ",  , RULE: /   /    ,,,   DEFAULT, ,   "},
		{"[RULE:   /  /U, DEFAULT]", "     ,  , RULE:   /  /U    ,,  ,DEFAULT, ,"},
		{`[RULE:\/\\\(\)\n\t/\/\/]`, `RULE:\/\\\(\)\n\t/\/\//`},
		{`[RULE:\**\/+/*/L, RULE:\/*\**/**]`, `RULE:\**\/+/*/L,RULE:\/*\**/**/`},
		{
			`[RULE:,RULE:,/,RULE:,\//U, RULE:,/RULE:,, RULE:,RULE:,/L,RULE:,/L, RULE:, DEFAULT, /DEFAULT, DEFAULT]`,
			`RULE:,RULE:,/,RULE:,\//U,RULE:,/RULE:,/,RULE:,RULE:,/L,RULE:,/L,RULE:, DEFAULT, /DEFAULT/,DEFAULT`,
		},
	} {
		m, err := NewPrincipalMapper(tt.rules)
		if err != nil {
			t.Errorf("%q: %v", tt.rules, err)
			continue
		}
		if got := m.String(); got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.rules, got, tt.want)
		}
	}
}

func TestCommaWithWhitespace(t *testing.T) {
	m, err := NewPrincipalMapper(`RULE:^CN=((\\, *|\w)+)(,.*|$)/$1/,DEFAULT`)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := m.Map(`CN=Tkac\, Adam,OU=ITZ,DC=geodis,DC=cz`); err != nil || got != `Tkac\, Adam` {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestReplacementSyntax(t *testing.T) {
	for _, tt := range []struct{ rules, dn, want string }{
		{`RULE:^CN=(\w+),O=(\w+)$/$2-$1/`, "CN=a,O=b", "b-a"},
		{`RULE:^CN=(\w+)$/$12/`, "CN=a", "a2"},  // $12 with one group: $1 then "2"
		{`RULE:^CN=(\w+)$/$4x/`, "CN=a", "$4x"}, // no group 4: literal
		{`RULE:^CN=(\w+)$/\$1/`, "CN=a", "$1"},  // escaped
		{`RULE:^CN=(?P<user>\w+)$/${user}!/`, "CN=a", "a!"},
		{`RULE:^CN=x$/y/,DEFAULT`, "CN=z", "CN=z"}, // no match: next rule
	} {
		m, err := NewPrincipalMapper(tt.rules)
		if err != nil {
			t.Fatalf("%s: %v", tt.rules, err)
		}
		if got, err := m.Map(tt.dn); err != nil || got != tt.want {
			t.Errorf("%s on %s: %q, %v; want %q", tt.rules, tt.dn, got, err, tt.want)
		}
	}
	m, _ := NewPrincipalMapper(`RULE:^CN=x$/y/`)
	if _, err := m.Map("CN=z"); err == nil || !strings.Contains(err.Error(), "no rules apply") {
		t.Errorf("no rule applied: %v", err)
	}
}
