package tlsconf

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf16"
)

// DistinguishedName writes a certificate subject (its DER bytes,
// x509.Certificate.RawSubject) as Java's X500Principal.getName() does, the
// string Kafka's principal mapping rules are matched against:
//
//	CN=alice,OU=Users,O=Example\, Inc.,C=US
//
// RDNs last-encoded first, as RFC 2253 orders them; the attribute
// keywords Java knows for RFC 2253 (CN, C, L, ST, O, OU, STREET, DC, UID),
// any other attribute as its dotted OID with the DER value in hex
// (1.2.840.113549.1.9.1=#16...); the escaping of Java's AVA.toRFC2253String.
// Go's pkix.Name.String differs (other keywords, re-encoded values), hence
// this.
func DistinguishedName(rawSubject []byte) (string, error) {
	var rdns []relativeNameSET
	rest, err := asn1.Unmarshal(rawSubject, &rdns)
	if err != nil {
		return "", err
	}
	if len(rest) != 0 {
		return "", errors.New("tlsconf: trailing data after the subject")
	}
	var b strings.Builder
	for i := len(rdns) - 1; i >= 0; i-- {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		for j, atv := range rdns[i] {
			if j > 0 {
				b.WriteByte('+')
			}
			writeAttribute(&b, atv)
		}
	}
	return b.String(), nil
}

// relativeNameSET is a SET OF attributes (asn1 decodes a slice type whose
// name ends in SET as a SET).
type relativeNameSET []attribute

type attribute struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// rfc2253Keywords are the keywords Java's AVAKeyword table enables for
// RFC 2253.
var rfc2253Keywords = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.9":                    "STREET",
	"0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1":  "UID",
}

func writeAttribute(b *strings.Builder, atv attribute) {
	keyword, known := rfc2253Keywords[atv.Type.String()]
	if !known {
		keyword = atv.Type.String()
	}
	b.WriteString(keyword)
	b.WriteByte('=')
	s, isString := derString(atv.Value)
	if !known || !isString {
		b.WriteByte('#')
		b.WriteString(hex.EncodeToString(atv.Value.FullBytes))
		return
	}
	writeEscaped(b, s)
}

// derString decodes the string types Java's isDerString accepts.
func derString(v asn1.RawValue) (string, bool) {
	if v.Class != asn1.ClassUniversal {
		return "", false
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String:
		return string(v.Bytes), true
	case asn1.TagT61String, asn1.TagGeneralString:
		return latin1(v.Bytes), true
	case asn1.TagBMPString:
		if len(v.Bytes)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(v.Bytes)/2)
		for i := range u {
			u[i] = uint16(v.Bytes[2*i])<<8 | uint16(v.Bytes[2*i+1])
		}
		return string(utf16.Decode(u)), true
	}
	return "", false
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// writeEscaped escapes as AVA.toRFC2253String: the specials anywhere, NUL
// as \00, and leading and trailing spaces and carriage returns.
func writeEscaped(b *strings.Builder, s string) {
	runes := []rune(s)
	lead, trail := 0, len(runes)-1
	for lead < len(runes) && (runes[lead] == ' ' || runes[lead] == '\r') {
		lead++
	}
	for trail >= 0 && (runes[trail] == ' ' || runes[trail] == '\r') {
		trail--
	}
	for i, c := range runes {
		switch {
		case c == 0:
			b.WriteString(`\00`)
			continue
		case strings.ContainsRune(`,=+<>#;"\`, c), i < lead, i > trail:
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
}
