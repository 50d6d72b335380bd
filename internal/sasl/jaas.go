package sasl

import (
	"errors"
	"fmt"
	"strings"
)

// LoginModule is one entry of a JAAS config (Kafka's sasl.jaas.config):
//
//	org.apache.kafka.common.security.plain.PlainLoginModule required
//	    user_alice="alice-secret" user_admin="admin-secret";
type LoginModule struct {
	Class   string
	Flag    string // required, requisite, sufficient or optional
	Options map[string]string
}

// ParseJAAS parses a JAAS config value as Kafka's JaasConfig does with
// java.io.StreamTokenizer: entries "<class> <flag> (<key>=<value>)* ;",
// values quoted ('...' or "..." with Java escapes) or bare words, // and
// /* */ comments. Errors never quote values (they hold passwords).
func ParseJAAS(text string) ([]LoginModule, error) {
	tz := &tokenizer{s: text}
	var mods []LoginModule
	for {
		tok, err := tz.next()
		if err != nil {
			return nil, err
		}
		if tok.kind == tokEOF {
			break
		}
		m, err := parseModule(tz, tok)
		if err != nil {
			return nil, err
		}
		mods = append(mods, m)
	}
	if len(mods) == 0 {
		return nil, errors.New("sasl: JAAS config has no login module")
	}
	return mods, nil
}

func parseModule(tz *tokenizer, class token) (LoginModule, error) {
	if class.kind != tokWord {
		return LoginModule{}, errors.New("sasl: JAAS config: expected a login module class name")
	}
	flag, err := tz.next()
	if err != nil {
		return LoginModule{}, err
	}
	switch f := strings.ToLower(flag.text); {
	case flag.kind != tokWord:
		return LoginModule{}, errors.New("sasl: JAAS config: login module control flag not specified")
	case f != "required" && f != "requisite" && f != "sufficient" && f != "optional":
		return LoginModule{}, fmt.Errorf("sasl: JAAS config: invalid login module control flag %q", flag.text)
	}
	m := LoginModule{Class: class.text, Flag: strings.ToLower(flag.text), Options: make(map[string]string)}
	for {
		key, err := tz.next()
		if err != nil {
			return m, err
		}
		switch {
		case key.kind == tokSemicolon:
			return m, nil
		case key.kind == tokEOF:
			return m, errors.New("sasl: JAAS config entry not terminated by semi-colon")
		case key.kind != tokWord:
			return m, errors.New("sasl: JAAS config: expected an option name")
		}
		eq, err := tz.next()
		if err != nil {
			return m, err
		}
		value, err := tz.next()
		if err != nil {
			return m, err
		}
		if eq.kind != tokEquals || (value.kind != tokWord && value.kind != tokQuoted) {
			return m, fmt.Errorf("sasl: JAAS config: value not specified for key '%s'", key.text)
		}
		m.Options[key.text] = value.text
	}
}

type tokenKind int8

const (
	tokEOF tokenKind = iota
	tokWord
	tokQuoted
	tokEquals
	tokSemicolon
	tokOther // a number or a stray character: never a valid value
)

type token struct {
	kind tokenKind
	text string
}

// tokenizer splits JAAS text as Kafka's StreamTokenizer setup does: word
// characters are letters, '-', '_', '$' and (after the first) digits and
// '.'; a token starting with a digit or '.' is a number.
type tokenizer struct {
	s   string
	pos int
}

func isWordStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '$' || c >= 0xA0
}

func isWordPart(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' || c == '.' }

func (tz *tokenizer) next() (token, error) {
	if err := tz.skipSpaceAndComments(); err != nil {
		return token{}, err
	}
	if tz.pos >= len(tz.s) {
		return token{kind: tokEOF}, nil
	}
	c := tz.s[tz.pos]
	switch {
	case c == '"' || c == '\'':
		return tz.quoted(c)
	case isWordStart(c):
		start := tz.pos
		for tz.pos < len(tz.s) && isWordPart(tz.s[tz.pos]) {
			tz.pos++
		}
		return token{kind: tokWord, text: tz.s[start:tz.pos]}, nil
	case c >= '0' && c <= '9' || c == '.':
		for tz.pos < len(tz.s) && isWordPart(tz.s[tz.pos]) {
			tz.pos++
		}
		return token{kind: tokOther}, nil
	}
	tz.pos++
	switch c {
	case '=':
		return token{kind: tokEquals}, nil
	case ';':
		return token{kind: tokSemicolon}, nil
	}
	return token{kind: tokOther}, nil
}

func (tz *tokenizer) skipSpaceAndComments() error {
	for tz.pos < len(tz.s) {
		rest := tz.s[tz.pos:]
		switch {
		case rest[0] <= ' ':
			tz.pos++
		case strings.HasPrefix(rest, "//"):
			end := strings.IndexAny(rest, "\r\n")
			if end < 0 {
				end = len(rest)
			}
			tz.pos += end
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				return errors.New("sasl: JAAS config: unterminated comment")
			}
			tz.pos += end + 4
		default:
			return nil
		}
	}
	return nil
}

// quoted reads a quoted string with StreamTokenizer's escapes (\n, \t,
// \\, \", octal, ...). A line end also ends it, as in Java.
func (tz *tokenizer) quoted(q byte) (token, error) {
	tz.pos++
	var b strings.Builder
	for tz.pos < len(tz.s) {
		c := tz.s[tz.pos]
		tz.pos++
		switch {
		case c == q:
			return token{kind: tokQuoted, text: b.String()}, nil
		case c == '\n' || c == '\r':
			return token{kind: tokQuoted, text: b.String()}, nil
		case c == '\\' && tz.pos < len(tz.s):
			b.WriteByte(tz.escape())
		default:
			b.WriteByte(c)
		}
	}
	return token{kind: tokQuoted, text: b.String()}, nil
}

func (tz *tokenizer) escape() byte {
	c := tz.s[tz.pos]
	tz.pos++
	if c >= '0' && c <= '7' {
		n := int(c - '0')
		for i := 0; i < 2 && tz.pos < len(tz.s) && tz.s[tz.pos] >= '0' && tz.s[tz.pos] <= '7' && n*8+int(tz.s[tz.pos]-'0') <= 0xFF; i++ {
			n = n*8 + int(tz.s[tz.pos]-'0')
			tz.pos++
		}
		return byte(n)
	}
	if r, ok := map[byte]byte{'a': 7, 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}[c]; ok {
		return r
	}
	return c
}
