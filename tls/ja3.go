package tls

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
)

// JA3 fingerprints (https://github.com/salesforce/ja3): a ClientHello
// summarised as
//
//	SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
//
// and a ServerHello (JA3S) as
//
//	SSLVersion,Cipher,Extensions
//
// with every value in decimal, the values of a list in wire order joined
// by "-", and GREASE values (RFC 8701) left out. The fingerprint is the
// MD5 of that string, in lower-case hex.

// JA3Fingerprint is a JA3 or JA3S fingerprint.
type JA3Fingerprint struct {
	// Raw is the comma-separated string ("771,4865-4866,0-23,29-23,0").
	Raw string
	// Hash is the MD5 of Raw in lower-case hex.
	Hash string
}

// JA3 returns the JA3 fingerprint of a ClientHello. The version is the
// legacy_version field (771 for a TLS 1.3 ClientHello too), the curves
// and point formats come from the supported_groups and ec_point_formats
// extensions, and a hello with no extension block at all gives three
// empty fields.
func JA3(ch *ClientHello) JA3Fingerprint {
	b := make([]byte, 0, 256)
	b = strconv.AppendUint(b, uint64(ch.Version), 10)
	b = append(b, ',')
	b = appendJA3List(b, ch.CipherSuites)
	b = append(b, ',')
	b = appendJA3Extensions(b, ch.Extensions)
	b = append(b, ',')
	b = appendJA3List(b, ch.SupportedGroups)
	b = append(b, ',')
	for i, f := range ch.ECPointFormats {
		if i > 0 {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(f), 10)
	}
	return newJA3(b)
}

// JA3S returns the JA3S fingerprint of a ServerHello (or
// HelloRetryRequest): its legacy_version, the cipher suite it chose and
// its extensions in wire order.
func JA3S(sh *ServerHello) JA3Fingerprint {
	b := make([]byte, 0, 64)
	b = strconv.AppendUint(b, uint64(sh.Version), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(sh.CipherSuite), 10)
	b = append(b, ',')
	b = appendJA3Extensions(b, sh.Extensions)
	return newJA3(b)
}

// JA3Hash returns the MD5, in lower-case hex, of a JA3 or JA3S string
// (to fingerprint a string built elsewhere).
func JA3Hash(raw string) string {
	sum := md5.Sum([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func newJA3(b []byte) JA3Fingerprint {
	sum := md5.Sum(b)
	return JA3Fingerprint{Raw: string(b), Hash: hex.EncodeToString(sum[:])}
}

// appendJA3List appends the non-GREASE values of v in decimal, joined by
// "-".
func appendJA3List(b []byte, v []uint16) []byte {
	first := true
	for _, x := range v {
		if IsGREASE(x) {
			continue
		}
		if !first {
			b = append(b, '-')
		}
		first = false
		b = strconv.AppendUint(b, uint64(x), 10)
	}
	return b
}

// appendJA3Extensions appends the types of exts in wire order, GREASE
// left out, joined by '-'.
func appendJA3Extensions(b []byte, exts []Extension) []byte {
	first := true
	for _, e := range exts {
		if IsGREASE(e.Type) {
			continue
		}
		if !first {
			b = append(b, '-')
		}
		first = false
		b = strconv.AppendUint(b, uint64(e.Type), 10)
	}
	return b
}
