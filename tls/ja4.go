package tls

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// The JA4 client fingerprint, as FoxIO's JA4 specification defines it
// (technical_details/JA4.md of github.com/FoxIO-LLC/ja4, BSD-3-Clause):
//
//	t13d1516h2_8daaf6152771_e5627efa2ab1
//	a          b            c
//
// a: the transport (t for TLS over TCP, q for QUIC, d for DTLS), the
// version (the highest non-GREASE entry of supported_versions, else the
// legacy version), d if there is a server_name extension and i if not,
// the number of cipher suites and of extensions (GREASE left out, capped
// at 99), and the first and last characters of the first ALPN protocol
// ("00" if none). b: the first 12 hex digits of the SHA-256 of the cipher
// suites as 4-digit hex, sorted, joined by ",". c: the same of the sorted
// extensions less server_name and ALPN, followed by "_" and the signature
// algorithms in wire order (no "_" when there are none). A list with
// nothing in it hashes to "000000000000".
//
// Only JA4 itself is implemented here: the rest of the JA4+ family (JA4S,
// JA4H, JA4X, ...) is under FoxIO's own licence.

// JA4Fingerprint is a ClientHello's JA4 in its four forms.
type JA4Fingerprint struct {
	// JA4 is the fingerprint: t13d1516h2_8daaf6152771_e5627efa2ab1.
	JA4 string
	// JA4R (JA4_r) is the raw fingerprint: the sorted lists instead of
	// their hashes.
	JA4R string
	// JA4O (JA4_o) is the fingerprint of the lists in wire order, with
	// server_name and ALPN kept among the extensions.
	JA4O string
	// JA4RO (JA4_ro) is the raw form of JA4O.
	JA4RO string
}

// JA4 protocol characters.
const (
	JA4TCP  = 't'
	JA4QUIC = 'q'
	JA4DTLS = 'd'
)

// JA4 returns the JA4 fingerprint of a ClientHello sent over TCP.
func JA4(ch *ClientHello) JA4Fingerprint { return JA4Proto(ch, JA4TCP) }

// JA4Proto returns the JA4 fingerprint of a ClientHello carried by proto
// (JA4TCP, JA4QUIC or JA4DTLS).
func JA4Proto(ch *ClientHello, proto byte) JA4Fingerprint {
	var ciphers, exts, extsKept, sigs []uint16
	for _, c := range ch.CipherSuites {
		if !IsGREASE(c) {
			ciphers = append(ciphers, c)
		}
	}
	sni := false
	for _, e := range ch.Extensions {
		if IsGREASE(e.Type) {
			continue
		}
		exts = append(exts, e.Type)
		switch e.Type {
		case ExtServerName:
			sni = true
		case ExtALPN:
		default:
			extsKept = append(extsKept, e.Type)
		}
	}
	for _, s := range ch.SignatureAlgorithms {
		if !IsGREASE(s) {
			sigs = append(sigs, s)
		}
	}

	a := make([]byte, 0, 10)
	a = append(a, proto)
	a = append(a, ja4Version(ch, proto)...)
	if sni {
		a = append(a, 'd')
	} else {
		a = append(a, 'i')
	}
	a = appendCount(a, len(ciphers))
	a = appendCount(a, len(exts))
	a = append(a, ja4ALPN(ch)...)

	sortedCiphers := hexList(slices.Sorted(slices.Values(ciphers)))
	sortedExts := hexList(slices.Sorted(slices.Values(extsKept)))
	origCiphers := hexList(ciphers)
	origExts := hexList(exts)
	sigList := hexList(sigs)

	withSigs := func(e string) string {
		if len(sigs) == 0 {
			return e
		}
		return e + "_" + sigList
	}
	prefix := string(a) + "_"
	var f JA4Fingerprint
	f.JA4 = prefix + ja4Hash(sortedCiphers) + "_" + ja4ExtHash(sortedExts, withSigs(sortedExts))
	f.JA4R = prefix + sortedCiphers + "_" + withSigs(sortedExts)
	f.JA4O = prefix + ja4Hash(origCiphers) + "_" + ja4ExtHash(origExts, withSigs(origExts))
	f.JA4RO = prefix + origCiphers + "_" + withSigs(origExts)
	return f
}

// String returns the JA4 fingerprint.
func (f JA4Fingerprint) String() string { return f.JA4 }

// ja4Version returns the two-character version: the highest non-GREASE
// supported_versions entry (for DTLS, whose numbers count down, the
// lowest), else the legacy version.
func ja4Version(ch *ClientHello, proto byte) string {
	v := ch.Version
	found := false
	for _, sv := range ch.SupportedVersions {
		if IsGREASE(uint16(sv)) {
			continue
		}
		if !found || (proto != JA4DTLS && sv > v) || (proto == JA4DTLS && sv < v) {
			v, found = sv, true
		}
	}
	switch v {
	case VersionTLS13:
		return "13"
	case VersionTLS12:
		return "12"
	case VersionTLS11:
		return "11"
	case VersionTLS10:
		return "10"
	case VersionSSL30:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

// ja4ALPN returns the first and last characters of the first ALPN
// protocol, "00" if there is none or it is empty. When either end is not
// an ASCII letter or digit, the first and last characters of the
// protocol's hex are used instead.
func ja4ALPN(ch *ClientHello) string {
	if len(ch.ALPN) == 0 || len(ch.ALPN[0]) == 0 {
		return "00"
	}
	p := ch.ALPN[0]
	first, last := p[0], p[len(p)-1]
	if isAlnum(first) && isAlnum(last) {
		return string([]byte{first, last})
	}
	const digits = "0123456789abcdef"
	return string([]byte{digits[first>>4], digits[last&0x0f]})
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// appendCount appends n as two decimal digits, capped at 99.
func appendCount(b []byte, n int) []byte {
	n = min(n, 99)
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// hexList formats v as 4-digit lower-case hex joined by ",".
func hexList(v []uint16) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 5*len(v))
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, digits[x>>12], digits[x>>8&0xf], digits[x>>4&0xf], digits[x&0xf])
	}
	return string(b)
}

// ja4Hash returns the first 12 hex digits of the SHA-256 of s, or twelve
// zeros when s (a list) is empty.
func ja4Hash(s string) string {
	if s == "" {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// ja4ExtHash hashes the extension part: twelve zeros when the extension
// list is empty, whatever follows it.
func ja4ExtHash(exts, full string) string {
	if exts == "" {
		return "000000000000"
	}
	return ja4Hash(full)
}
