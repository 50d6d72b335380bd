package tlsconf

import (
	"encoding/asn1"
	"testing"
)

type rawATV struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

func str(tag int, s string) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: []byte(s)}
}

// TestDistinguishedName checks the strings Java's X500Principal.getName()
// gives for the same subjects.
func TestDistinguishedName(t *testing.T) {
	oid := func(ids ...int) asn1.ObjectIdentifier { return ids }
	cn, ou, o, c, dc, uid := oid(2, 5, 4, 3), oid(2, 5, 4, 11), oid(2, 5, 4, 10), oid(2, 5, 4, 6),
		oid(0, 9, 2342, 19200300, 100, 1, 25), oid(0, 9, 2342, 19200300, 100, 1, 1)
	email, serial := oid(1, 2, 840, 113549, 1, 9, 1), oid(2, 5, 4, 5)
	type set []rawATV
	for _, tt := range []struct {
		rdns []set // in encoding order
		want string
	}{
		{[]set{{{c, str(asn1.TagPrintableString, "US")}}, {{o, str(asn1.TagPrintableString, "Sun Microsystems")}},
			{{ou, str(asn1.TagUTF8String, "JavaSoft")}}, {{cn, str(asn1.TagUTF8String, "Duke")}}},
			"CN=Duke,OU=JavaSoft,O=Sun Microsystems,C=US"},
		{[]set{{{dc, str(asn1.TagIA5String, "com")}}, {{dc, str(asn1.TagIA5String, "example")}}, {{uid, str(asn1.TagUTF8String, "jdoe")}}},
			"UID=jdoe,DC=example,DC=com"},
		{[]set{{{cn, str(asn1.TagUTF8String, "x")}}, {{email, str(asn1.TagIA5String, "a@b.c")}}},
			"1.2.840.113549.1.9.1=#16056140622e63,CN=x"},
		{[]set{{{cn, str(asn1.TagUTF8String, `a,b+c=d"e\f<g>h;i#j`)}}}, `CN=a\,b\+c\=d\"e\\f\<g\>h\;i\#j`},
		{[]set{{{cn, str(asn1.TagUTF8String, "  padded ")}}}, `CN=\ \ padded\ `},
		{[]set{{{cn, str(asn1.TagUTF8String, "Zoë")}}}, "CN=Zoë"},
		{[]set{{{cn, str(asn1.TagUTF8String, "multi")}, {serial, str(asn1.TagPrintableString, "42")}}}, "2.5.4.5=#13023432+CN=multi"}, // DER order: SET OF sorts
		{[]set{{{cn, asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagBMPString, Bytes: []byte{0, 'h', 0, 'i'}}}}}, "CN=hi"},
	} {
		// asn1 marshals a slice of slices as SEQUENCE OF SEQUENCE; the
		// inner ones must be SETs, so encode them through the SET type.
		var rdns []testRDNSET
		for _, s := range tt.rdns {
			rdns = append(rdns, testRDNSET(s))
		}
		der, err := asn1.Marshal(rdns)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DistinguishedName(der)
		if err != nil || got != tt.want {
			t.Errorf("got %q, %v; want %q", got, err, tt.want)
		}
	}
}

type testRDNSET []rawATV
