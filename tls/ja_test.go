package tls

import (
	"encoding/binary"
	"strings"
	"testing"
)

// helloBuilder writes ClientHello bodies for tests.
type helloBuilder struct {
	version Version
	ciphers []uint16
	exts    []Extension
	noExts  bool
}

func u16be(v ...uint16) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.BigEndian.PutUint16(b[2*i:], x)
	}
	return b
}

// vec prefixes b with its length in n bytes.
func lenPrefixed(n int, b []byte) []byte {
	out := make([]byte, n, n+len(b))
	l := len(b)
	for i := n - 1; i >= 0; i-- {
		out[i] = byte(l)
		l >>= 8
	}
	return append(out, b...)
}

func (h helloBuilder) body() []byte {
	b := u16be(uint16(h.version))
	b = append(b, make([]byte, 32)...) // random
	b = append(b, 0)                   // session id
	b = append(b, lenPrefixed(2, u16be(h.ciphers...))...)
	b = append(b, 1, 0) // compression: null
	if h.noExts {
		return b
	}
	var exts []byte
	for _, e := range h.exts {
		exts = append(exts, u16be(e.Type)...)
		exts = append(exts, lenPrefixed(2, e.Data)...)
	}
	return append(b, lenPrefixed(2, exts)...)
}

func extSNI(name string) Extension {
	return Extension{ExtServerName, lenPrefixed(2, append([]byte{0}, lenPrefixed(2, []byte(name))...))}
}

func extALPN(protos ...string) Extension {
	var l []byte
	for _, p := range protos {
		l = append(l, lenPrefixed(1, []byte(p))...)
	}
	return Extension{ExtALPN, lenPrefixed(2, l)}
}

func extList16(t uint16, v ...uint16) Extension { return Extension{t, lenPrefixed(2, u16be(v...))} }

func extVersions(v ...uint16) Extension {
	return Extension{ExtSupportedVersions, lenPrefixed(1, u16be(v...))}
}

// specHello is the ClientHello of the JA4 specification's example, with
// GREASE values added where Chrome puts them.
func specHello(t *testing.T) *ClientHello {
	t.Helper()
	ciphers := []uint16{0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	var exts []Extension
	exts = append(exts, Extension{0x0a0a, nil})
	for _, typ := range []uint16{0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015} {
		switch typ {
		case ExtServerName:
			exts = append(exts, extSNI("www.google.com"))
		case ExtALPN:
			exts = append(exts, extALPN("h2", "http/1.1"))
		case ExtSignatureAlgorithms:
			exts = append(exts, extList16(typ, 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601))
		case ExtSupportedVersions:
			exts = append(exts, extVersions(0x3a3a, 0x0304, 0x0303))
		case ExtSupportedGroups:
			exts = append(exts, extList16(typ, 0x4a4a, 0x001d, 0x0017, 0x0018))
		case ExtECPointFormats:
			exts = append(exts, Extension{typ, []byte{1, 0}})
		case ExtPSKKeyExchangeModes:
			exts = append(exts, Extension{typ, []byte{1, 1}})
		case ExtKeyShare:
			exts = append(exts, Extension{typ, lenPrefixed(2, append(u16be(0x001d), lenPrefixed(2, make([]byte, 32))...))})
		default:
			exts = append(exts, Extension{typ, nil})
		}
	}
	exts = append(exts, Extension{0x1a1a, []byte{0}})
	ch, err := ParseClientHello(helloBuilder{version: VersionTLS12, ciphers: ciphers, exts: exts}.body())
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestJA4Spec(t *testing.T) {
	f := JA4(specHello(t))
	want := JA4Fingerprint{
		JA4:   "t13d1516h2_8daaf6152771_e5627efa2ab1",
		JA4R:  "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601",
		JA4RO: "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601",
		JA4O:  "t13d1516h2_acb858a92679_18f69afefd3d",
	}
	if f != want {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
	if f.String() != want.JA4 {
		t.Errorf("String() = %s", f.String())
	}
}

func TestJA4Parts(t *testing.T) {
	base := func(exts ...Extension) *ClientHello {
		ch, err := ParseClientHello(helloBuilder{version: VersionTLS12, ciphers: []uint16{0x1301}, exts: exts}.body())
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	for _, tc := range []struct {
		name string
		ch   *ClientHello
		want string // the a part, or a whole fingerprint when it has "_"
	}{
		{"no extensions, legacy version", base(), "t12i0100"},
		{"SSL 3.0", func() *ClientHello {
			ch, _ := ParseClientHello(helloBuilder{version: VersionSSL30, ciphers: []uint16{4}, noExts: true}.body())
			return ch
		}(), "ts3i010000_" + ja4Hash("0004") + "_000000000000"},
		{"supported_versions max, GREASE ignored", base(extVersions(0xfafa, 0x0302, 0x0304, 0x0303)), "t13i0101"},
		{"draft version is unknown", base(extVersions(0x7f12, 0x0303)), "t00i0101"},
		{"ALPN http/1.1", base(extALPN("http/1.1")), "t12i0101h1"},
		{"ALPN one character", base(extALPN("x")), "t12i0101xx"},
		{"ALPN empty first value", base(extALPN("", "h2")), "t12i010100"},
		{"ALPN 0xab", base(extALPN("\xab")), "t12i0101ab"},
		{"ALPN 0xab 0xcd", base(extALPN("\xab\xcd")), "t12i0101ad"},
		{"ALPN 0x30 0xab", base(extALPN("0\xab")), "t12i01013b"},
		{"ALPN 0x30 0x31 0xab 0xcd", base(extALPN("01\xab\xcd")), "t12i01013d"},
		{"ALPN 0x30 0xab 0xcd 0x31", base(extALPN("0\xab\xcd1")), "t12i010101"},
		{"SNI and ALPN only: empty extension hash", base(extSNI("a.example"), extALPN("h2")),
			"t12d0102h2_" + ja4Hash("1301") + "_000000000000"},
		{"no signature algorithms: no underscore", base(Extension{ExtExtendedMasterSecret, nil}),
			"t12i010100_" + ja4Hash("1301") + "_" + ja4Hash("0017")},
	} {
		got := JA4(tc.ch).JA4
		if strings.Contains(tc.want, "_") {
			if got != tc.want {
				t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
			}
		} else if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: got %s, want prefix %s", tc.name, got, tc.want)
		}
	}
}

func TestJA4Caps(t *testing.T) {
	ciphers := make([]uint16, 120)
	var exts []Extension
	for i := range ciphers {
		ciphers[i] = uint16(0x0100 + i)
		exts = append(exts, Extension{uint16(0x0100 + i), nil})
	}
	ch, err := ParseClientHello(helloBuilder{version: VersionTLS12, ciphers: ciphers, exts: exts}.body())
	if err != nil {
		t.Fatal(err)
	}
	if got := JA4(ch).JA4[:10]; got != "t12i999900" {
		t.Errorf("got %s", got)
	}
	if got := JA4Proto(ch, JA4QUIC).JA4[:1]; got != "q" {
		t.Errorf("QUIC: got %s", got)
	}
}

func TestJA3(t *testing.T) {
	ch := specHello(t)
	f := JA3(ch)
	want := "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0"
	if f.Raw != want {
		t.Errorf("JA3 = %s\nwant  %s", f.Raw, want)
	}
	if f.Hash != JA3Hash(want) || len(f.Hash) != 32 {
		t.Errorf("hash %s", f.Hash)
	}
	// No extension block at all: three empty fields.
	old, err := ParseClientHello(helloBuilder{version: VersionSSL30, ciphers: []uint16{4, 5, 0xff}, noExts: true}.body())
	if err != nil {
		t.Fatal(err)
	}
	if got := JA3(old).Raw; got != "768,4-5-255,,," {
		t.Errorf("SSL 3.0 JA3 = %q", got)
	}
	// The MD5 of the empty-extension form, as salesforce/ja3 computes it.
	if got := JA3Hash("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"); got != "ada70206e40642a3e4461f35503241d5" {
		t.Errorf("JA3Hash = %s", got)
	}
}

func TestJA3S(t *testing.T) {
	body := u16be(0x0303)
	body = append(body, make([]byte, 32)...)
	body = append(body, 0)
	body = append(body, u16be(0xc02f)...)
	body = append(body, 0)
	exts := append(u16be(0xff01), lenPrefixed(2, []byte{0})...)
	exts = append(exts, u16be(0x000b)...)
	exts = append(exts, lenPrefixed(2, []byte{1, 0})...)
	exts = append(exts, u16be(0x0023)...)
	exts = append(exts, lenPrefixed(2, nil)...)
	body = append(body, lenPrefixed(2, exts)...)
	sh, err := ParseServerHello(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := JA3S(sh).Raw; got != "771,49199,65281-11-35" {
		t.Errorf("JA3S = %s", got)
	}
}

// FuzzJA parses arbitrary bytes as a ClientHello and a ServerHello and
// fingerprints whatever parses: nothing may panic.
func FuzzJA(f *testing.F) {
	f.Add(helloBuilder{version: VersionTLS12, ciphers: []uint16{0x0a0a, 0x1301}, exts: []Extension{extSNI("x"), extALPN("h2"), extVersions(0x0304), extList16(ExtSignatureAlgorithms, 0x0403)}}.body())
	f.Add(helloBuilder{version: VersionSSL30, ciphers: []uint16{4}, noExts: true}.body())
	f.Add([]byte{3, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		if ch, _ := ParseClientHello(b); ch != nil {
			j3 := JA3(ch)
			j4 := JA4(ch)
			JA4Proto(ch, JA4DTLS)
			if len(j3.Hash) != 32 || len(j4.JA4) != 36 {
				t.Fatalf("bad fingerprint lengths: %q %q", j3.Hash, j4.JA4)
			}
		}
		if sh, _ := ParseServerHello(b); sh != nil {
			JA3S(sh)
		}
	})
}
