package tlsconf

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// PrincipalMapper maps a certificate subject to a user name by
// ssl.principal.mapping.rules, as Kafka's SslPrincipalMapper:
//
//	DEFAULT                        the subject unchanged
//	RULE:pattern/replacement/[LU]  if pattern matches the whole subject, the
//	                               subject with the pattern's matches
//	                               replaced ($1.. name groups, \ escapes),
//	                               then lower- (L) or upper-cased (U)
//
// Rules are separated by commas and tried in order; the first that applies
// wins. A subject no rule applies to is an error (Kafka's NoMatchingRule),
// which fails the connection.
type PrincipalMapper struct {
	rules []rule
}

// Kafka's RULE_PATTERN and RULE_SPLITTER, unchanged: RE2's leftmost-first
// matching picks the same alternatives as Java's backtracking here.
const rulePattern = `(DEFAULT)|RULE:((\\.|[^\\/])*)/((\\.|[^\\/])*)/([LU]?).*?|(.*?)`

var (
	ruleSplitter = regexp.MustCompile(`\s*(` + rulePattern + `)\s*(,\s*|$)`)
	ruleParser   = regexp.MustCompile(`^(?:` + rulePattern + `)`)
)

// NewPrincipalMapper parses rules; "" means DEFAULT.
func NewPrincipalMapper(rules string) (*PrincipalMapper, error) {
	if rules == "" {
		rules = "DEFAULT"
	}
	m := &PrincipalMapper{}
	for _, text := range splitRules(rules) {
		r, ok, err := parseRule(text)
		if err != nil {
			return nil, err
		}
		if ok {
			m.rules = append(m.rules, r)
		}
	}
	return m, nil
}

func splitRules(rules string) []string {
	var out []string
	for _, m := range ruleSplitter.FindAllStringSubmatch(strings.TrimSpace(rules), -1) {
		out = append(out, m[1])
	}
	return out
}

// parseRule parses one rule; ok is false for an empty one (ignored).
func parseRule(text string) (r rule, ok bool, err error) {
	m := ruleParser.FindStringSubmatchIndex(text)
	if m == nil {
		return rule{}, false, fmt.Errorf("tlsconf: invalid principal mapping rule: %s", text)
	}
	if m[1] != len(text) {
		return rule{}, false, fmt.Errorf("tlsconf: invalid principal mapping rule: `%s`, unmatched substring: `%s`", text, text[m[1]:])
	}
	group := func(i int) (string, bool) {
		if m[2*i] < 0 {
			return "", false
		}
		return text[m[2*i]:m[2*i+1]], true
	}
	if _, isDefault := group(1); isDefault {
		return rule{isDefault: true}, true, nil
	}
	pattern, isRule := group(2)
	if !isRule {
		return rule{}, false, nil
	}
	replacement, _ := group(4)
	caseFlag, _ := group(6)
	return newRule(pattern, replacement, caseFlag)
}

func newRule(pattern, replacement, caseFlag string) (rule, bool, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return rule{}, false, fmt.Errorf("tlsconf: principal mapping rule pattern %q: %v", pattern, err)
	}
	whole, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return rule{}, false, err
	}
	return rule{pattern: re, whole: whole, replacement: replacement,
		lower: caseFlag == "L", upper: caseFlag == "U"}, true, nil
}

// Map returns the user name for a subject in RFC 2253 form.
func (m *PrincipalMapper) Map(dn string) (string, error) {
	for _, r := range m.rules {
		name, ok, err := r.apply(dn)
		if err != nil {
			return "", err
		}
		if ok {
			return name, nil
		}
	}
	return "", fmt.Errorf("tlsconf: no rules apply to %s, rules %s", dn, m)
}

// String lists the rules as Kafka prints them.
func (m *PrincipalMapper) String() string {
	parts := make([]string, len(m.rules))
	for i, r := range m.rules {
		parts[i] = r.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

type rule struct {
	isDefault    bool
	pattern      *regexp.Regexp
	whole        *regexp.Regexp // pattern anchored at both ends: Java's matches()
	replacement  string
	lower, upper bool
}

func (r rule) apply(dn string) (string, bool, error) {
	if r.isDefault {
		return dn, true, nil
	}
	if !r.whole.MatchString(dn) {
		return "", false, nil
	}
	out, err := replaceAll(r.pattern, dn, escapeMissingGroups(r.replacement, r.pattern.NumSubexp()))
	if err != nil {
		return "", false, err
	}
	switch {
	case r.lower:
		out = strings.ToLower(out)
	case r.upper:
		out = strings.ToUpper(out)
	}
	return out, true, nil
}

func (r rule) String() string {
	if r.isDefault {
		return "DEFAULT"
	}
	s := "RULE:" + r.pattern.String() + "/" + r.replacement
	switch {
	case r.lower:
		s += "/L"
	case r.upper:
		s += "/U"
	}
	return s
}

var backReference = regexp.MustCompile(`\$(\d+)`)

// escapeMissingGroups makes a reference to a group the pattern does not
// have literal text, as Kafka's escapeLiteralBackReferences (taken from
// NiFi): $12 with 3 groups is group 1 followed by "2"; $4 with 3 groups
// is "$4". Patterns without groups are left alone.
func escapeMissingGroups(replacement string, groups int) string {
	if groups == 0 {
		return replacement
	}
	var b strings.Builder
	last := 0
	for _, m := range backReference.FindAllStringSubmatchIndex(replacement, -1) {
		digits := replacement[m[2]:m[3]]
		if digits[0] == '0' {
			continue
		}
		n, _ := strconv.Atoi(digits)
		for n > groups && n >= 10 {
			n /= 10
		}
		if n > groups {
			b.WriteString(replacement[last:m[0]])
			b.WriteByte('\\')
			last = m[0]
		}
	}
	b.WriteString(replacement[last:])
	return b.String()
}

// replaceAll is Java's String.replaceAll: every match of re in s replaced
// by replacement in Java's syntax ($n, ${name}, backslash escapes).
func replaceAll(re *regexp.Regexp, s, replacement string) (string, error) {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[0]])
		if err := expandJava(&b, re, s, m, replacement); err != nil {
			return "", err
		}
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

var errGroupReference = errors.New("tlsconf: illegal group reference in principal mapping rule")

// expandJava appends a replacement as Java's Matcher.appendReplacement: a
// backslash quotes the next character; $ takes as many digits as still
// name an existing group, or ${name}.
func expandJava(b *strings.Builder, re *regexp.Regexp, s string, m []int, repl string) error {
	appendGroup := func(g int) {
		if m[2*g] >= 0 {
			b.WriteString(s[m[2*g]:m[2*g+1]])
		}
	}
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '\\':
			i++
			if i == len(repl) {
				return fmt.Errorf("tlsconf: principal mapping rule replacement ends in an escape")
			}
			b.WriteByte(repl[i])
		case c != '$':
			b.WriteByte(c)
		case i+1 < len(repl) && repl[i+1] == '{':
			end := strings.IndexByte(repl[i:], '}')
			if end < 0 {
				return errGroupReference
			}
			g := re.SubexpIndex(repl[i+2 : i+end])
			if g < 0 {
				return fmt.Errorf("tlsconf: principal mapping rule: no group %q", repl[i+2:i+end])
			}
			appendGroup(g)
			i += end
		default:
			g, n := groupNumber(repl[i+1:], re.NumSubexp())
			if n == 0 {
				return errGroupReference
			}
			if g > re.NumSubexp() {
				return fmt.Errorf("tlsconf: principal mapping rule: no group %d", g)
			}
			appendGroup(g)
			i += n
		}
	}
	return nil
}

// groupNumber reads a group reference after $: the first digit, then more
// digits while the number still names a group. n is the digits consumed.
func groupNumber(s string, groups int) (g, n int) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, 0
	}
	g, n = int(s[0]-'0'), 1
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		next := g*10 + int(s[n]-'0')
		if next > groups {
			break
		}
		g, n = next, n+1
	}
	return g, n
}
