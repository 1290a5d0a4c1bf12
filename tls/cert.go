package tls

import (
	//lint:ignore SA1019 DSA keys still appear in captured certificates: read, never made
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"time"
)

// CertSummary is what an analyser shows of a certificate: the fields
// Wireshark, Zeek's x509.log and Arkime display. Names follow OpenSSL's,
// as Zeek's and Arkime's do ("rsaEncryption", "sha256WithRSAEncryption",
// "prime256v1").
type CertSummary struct {
	// SHA256 and SHA1 are the fingerprints of the DER, in lower-case hex
	// (Zeek logs the SHA-256, Arkime the SHA-1).
	SHA256, SHA1 string
	// Size is the length of the DER.
	Size int

	// Version is the X.509 version (1, 2 or 3).
	Version int
	// Serial is the serial number's magnitude in lower-case hex, an even
	// number of digits without leading zero bytes ("0b6771"); Negative
	// says the DER integer was negative (a broken but seen encoding).
	Serial   string
	Negative bool
	// SerialDER is the serial number's DER content octets in lower-case
	// hex, sign byte included ("008a07e08d4ab50a7b"), as Wireshark and
	// Arkime show it.
	SerialDER string

	// Subject and Issuer are the distinguished names as RFC 4514 strings,
	// most specific attribute first and with OpenSSL's short attribute
	// names, as Zeek logs them ("CN=www.example.com,O=Example,C=US").
	Subject, Issuer string
	// The common name, organization and organizational unit values of
	// the subject and issuer, in the certificate's order.
	SubjectCN, SubjectO, SubjectOU []string
	IssuerCN, IssuerO, IssuerOU    []string

	NotBefore, NotAfter time.Time

	// Subject alternative names.
	DNSNames       []string
	IPAddresses    []net.IP
	EmailAddresses []string
	URIs           []string

	// KeyAlgorithm is the public key algorithm ("rsaEncryption",
	// "id-ecPublicKey", "ED25519", or the OID when unknown); Key says
	// what the key is in a phrase ("RSA 2048", "ECDSA P-256", "Ed25519").
	KeyAlgorithm string
	Key          string
	// KeyType is "rsa", "dsa", "ecdsa", "ed25519", ... (lower case, as
	// Zeek logs it); KeyBits the key's size (the modulus for RSA and DSA,
	// the field for EC, the encoded key for other algorithms).
	KeyType string
	KeyBits int
	// RSAExponent is an RSA key's public exponent.
	RSAExponent int
	// Curve is an EC key's curve by OpenSSL's short name ("prime256v1",
	// "secp384r1"), "explicit" when the key spells out its parameters
	// (as CVE-2020-0601's certificates do) or the OID when unknown.
	Curve string

	// SignatureAlgorithm is the certificate's signature algorithm
	// ("sha256WithRSAEncryption", "ecdsa-with-SHA256", or the OID).
	SignatureAlgorithm string

	// Basic constraints, when the extension is present.
	HasBasicConstraints bool
	IsCA                bool
	MaxPathLen          int // -1 when absent

	// Err is why crypto/x509 refused the certificate, nil if it did not.
	// The fields above are then what could still be read of it: the
	// fingerprints always, and whatever of the TBSCertificate parsed.
	Err error
}

// SummarizeCert summarises a DER certificate. It never fails: a
// certificate that crypto/x509 refuses is read as far as it goes, and
// Err says why it was refused.
func SummarizeCert(der []byte) *CertSummary {
	s := &CertSummary{Size: len(der), MaxPathLen: -1}
	h256 := sha256.Sum256(der)
	h1 := sha1.Sum(der)
	s.SHA256 = hex.EncodeToString(h256[:])
	s.SHA1 = hex.EncodeToString(h1[:])

	c, err := x509.ParseCertificate(der)
	if err != nil {
		s.Err = err
		s.laxParse(der)
		return s
	}
	s.Version = c.Version
	s.setSerial(c.SerialNumber)
	if _, fields, ok := tbsFields(der); ok {
		s.SerialDER = hex.EncodeToString(fields[0].Bytes)
	}
	s.setNames(c.RawSubject, c.RawIssuer)
	s.NotBefore, s.NotAfter = c.NotBefore, c.NotAfter
	s.DNSNames, s.IPAddresses, s.EmailAddresses = c.DNSNames, c.IPAddresses, c.EmailAddresses
	for _, u := range c.URIs {
		s.URIs = append(s.URIs, u.String())
	}
	s.setKey(c.RawSubjectPublicKeyInfo, c.PublicKey)
	s.SignatureAlgorithm = oidName(sigAlgNames, sigAlgOID(der))
	if c.BasicConstraintsValid {
		s.HasBasicConstraints = true
		s.IsCA = c.IsCA
		if c.MaxPathLen > 0 || c.MaxPathLenZero {
			s.MaxPathLen = c.MaxPathLen
		}
	}
	return s
}

// String returns a one-line summary: subject, issuer, key and validity.
func (s *CertSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "subject %q issuer %q key %s", s.Subject, s.Issuer, s.Key)
	if !s.NotBefore.IsZero() || !s.NotAfter.IsZero() {
		fmt.Fprintf(&b, " valid %s to %s", s.NotBefore.UTC().Format(time.DateOnly), s.NotAfter.UTC().Format(time.DateOnly))
	}
	if s.Err != nil {
		fmt.Fprintf(&b, " (%v)", s.Err)
	}
	return b.String()
}

func (s *CertSummary) setSerial(n *big.Int) {
	if n == nil {
		return
	}
	s.Negative = n.Sign() < 0
	s.Serial = hex.EncodeToString(new(big.Int).Abs(n).Bytes())
	if s.Serial == "" {
		s.Serial = "00"
	}
}

func (s *CertSummary) setNames(subject, issuer []byte) {
	var sub, iss pkix.RDNSequence
	if _, err := asn1.Unmarshal(subject, &sub); err == nil {
		s.Subject = FormatDN(sub)
		s.SubjectCN, s.SubjectO, s.SubjectOU = dnValues(sub, oidCN), dnValues(sub, oidO), dnValues(sub, oidOU)
	}
	if _, err := asn1.Unmarshal(issuer, &iss); err == nil {
		s.Issuer = FormatDN(iss)
		s.IssuerCN, s.IssuerO, s.IssuerOU = dnValues(iss, oidCN), dnValues(iss, oidO), dnValues(iss, oidOU)
	}
}

var (
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}
)

func dnValues(dn pkix.RDNSequence, oid asn1.ObjectIdentifier) []string {
	var v []string
	for _, rdn := range dn {
		for _, atv := range rdn {
			if atv.Type.Equal(oid) {
				v = append(v, attrString(atv.Value))
			}
		}
	}
	return v
}

// dnAttrNames are OpenSSL's short names of the attribute types that
// appear in certificates, which Zeek and OpenSSL's RFC 2253 output use.
var dnAttrNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "street",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.13":                   "description",
	"2.5.4.15":                   "businessCategory",
	"2.5.4.17":                   "postalCode",
	"2.5.4.41":                   "name",
	"2.5.4.42":                   "GN",
	"2.5.4.43":                   "initials",
	"2.5.4.44":                   "generationQualifier",
	"2.5.4.46":                   "dnQualifier",
	"2.5.4.65":                   "pseudonym",
	"2.5.4.97":                   "organizationIdentifier",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"1.2.840.113549.1.9.2":       "unstructuredName",
	"1.3.6.1.4.1.311.60.2.1.1":   "jurisdictionL",
	"1.3.6.1.4.1.311.60.2.1.2":   "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.3":   "jurisdictionC",
}

// FormatDN formats a distinguished name as an RFC 4514 string: the RDNs
// in reverse order (most specific first), joined by ",", the attributes of
// a multi-valued RDN by "+", OpenSSL's short names for the attribute types
// (the dotted OID for others), special characters escaped with "\", and
// values that are not strings as "#" and the hex of their DER. Non-ASCII
// text is kept as UTF-8, where OpenSSL's RFC 2253 mode (and so Zeek)
// escapes each byte as \XX; for ASCII names the two agree.
func FormatDN(dn pkix.RDNSequence) string {
	var b strings.Builder
	for i := len(dn) - 1; i >= 0; i-- {
		if i < len(dn)-1 {
			b.WriteByte(',')
		}
		for j, atv := range dn[i] {
			if j > 0 {
				b.WriteByte('+')
			}
			oid := atv.Type.String()
			if n, ok := dnAttrNames[oid]; ok {
				b.WriteString(n)
			} else {
				b.WriteString(oid)
			}
			b.WriteByte('=')
			if str, ok := atv.Value.(string); ok {
				escapeDNValue(&b, str)
			} else if der, err := asn1.Marshal(atv.Value); err == nil {
				b.WriteByte('#')
				b.WriteString(hex.EncodeToString(der))
			}
		}
	}
	return b.String()
}

// escapeDNValue writes v escaped as RFC 4514 2.4 requires.
func escapeDNValue(b *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';',
			c == '#' && i == 0,
			c == ' ' && (i == 0 || i == len(v)-1):
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(b, "\\%02X", c)
		default:
			b.WriteByte(c)
		}
	}
}

// attrString returns an attribute value as text.
func attrString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// Public key and signature algorithm OIDs, by OpenSSL's names.
var keyAlgNames = map[string]string{
	"1.2.840.113549.1.1.1":    "rsaEncryption",
	"1.2.840.113549.1.1.10":   "rsassaPss",
	"1.2.840.10040.4.1":       "dsaEncryption",
	"1.2.840.10045.2.1":       "id-ecPublicKey",
	"1.3.101.110":             "X25519",
	"1.3.101.111":             "X448",
	"1.3.101.112":             "ED25519",
	"1.3.101.113":             "ED448",
	"1.2.840.113549.1.3.1":    "dhKeyAgreement",
	"2.16.840.1.101.3.4.3.17": "ML-DSA-44",
	"2.16.840.1.101.3.4.3.18": "ML-DSA-65",
	"2.16.840.1.101.3.4.3.19": "ML-DSA-87",
	"1.2.643.7.1.1.1.1":       "gost2012_256",
	"1.2.643.7.1.1.1.2":       "gost2012_512",
}

var sigAlgNames = map[string]string{
	"1.2.840.113549.1.1.2":    "md2WithRSAEncryption",
	"1.2.840.113549.1.1.3":    "md4WithRSAEncryption",
	"1.2.840.113549.1.1.4":    "md5WithRSAEncryption",
	"1.2.840.113549.1.1.5":    "sha1WithRSAEncryption",
	"1.2.840.113549.1.1.10":   "rsassaPss",
	"1.2.840.113549.1.1.11":   "sha256WithRSAEncryption",
	"1.2.840.113549.1.1.12":   "sha384WithRSAEncryption",
	"1.2.840.113549.1.1.13":   "sha512WithRSAEncryption",
	"1.2.840.113549.1.1.14":   "sha224WithRSAEncryption",
	"1.3.14.3.2.29":           "sha1WithRSA",
	"1.2.840.10040.4.3":       "dsaWithSHA1",
	"2.16.840.1.101.3.4.3.1":  "dsa_with_SHA224",
	"2.16.840.1.101.3.4.3.2":  "dsa_with_SHA256",
	"1.2.840.10045.4.1":       "ecdsa-with-SHA1",
	"1.2.840.10045.4.3.1":     "ecdsa-with-SHA224",
	"1.2.840.10045.4.3.2":     "ecdsa-with-SHA256",
	"1.2.840.10045.4.3.3":     "ecdsa-with-SHA384",
	"1.2.840.10045.4.3.4":     "ecdsa-with-SHA512",
	"1.3.101.112":             "ED25519",
	"1.3.101.113":             "ED448",
	"2.16.840.1.101.3.4.3.17": "ML-DSA-44",
	"2.16.840.1.101.3.4.3.18": "ML-DSA-65",
	"2.16.840.1.101.3.4.3.19": "ML-DSA-87",
	"1.2.156.10197.1.501":     "SM2-with-SM3",
	"1.2.643.7.1.1.3.2":       "GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)",
	"1.2.643.7.1.1.3.3":       "GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)",
}

// curves: OID, OpenSSL short name, NIST or common name, field size.
var curves = map[string]struct {
	name, nist string
	bits       int
}{
	"1.2.840.10045.3.1.1":   {"prime192v1", "P-192", 192},
	"1.3.132.0.33":          {"secp224r1", "P-224", 224},
	"1.2.840.10045.3.1.7":   {"prime256v1", "P-256", 256},
	"1.3.132.0.34":          {"secp384r1", "P-384", 384},
	"1.3.132.0.35":          {"secp521r1", "P-521", 521},
	"1.3.132.0.10":          {"secp256k1", "secp256k1", 256},
	"1.3.36.3.3.2.8.1.1.7":  {"brainpoolP256r1", "brainpoolP256r1", 256},
	"1.3.36.3.3.2.8.1.1.11": {"brainpoolP384r1", "brainpoolP384r1", 384},
	"1.3.36.3.3.2.8.1.1.13": {"brainpoolP512r1", "brainpoolP512r1", 512},
	"1.2.156.10197.1.301":   {"SM2", "SM2", 256},
}

func oidName(names map[string]string, oid asn1.ObjectIdentifier) string {
	s := oid.String()
	if n, ok := names[s]; ok {
		return n
	}
	return s
}

type spki struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// setKey describes the key of a SubjectPublicKeyInfo; pub is
// crypto/x509's parse of it, nil when there is none.
func (s *CertSummary) setKey(raw []byte, pub any) {
	var info spki
	if _, err := asn1.Unmarshal(raw, &info); err != nil {
		return
	}
	oid := info.Algorithm.Algorithm
	s.KeyAlgorithm = oidName(keyAlgNames, oid)
	switch oid.String() {
	case "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10":
		s.KeyType = "rsa"
		if k, ok := pub.(*rsa.PublicKey); ok {
			s.KeyBits, s.RSAExponent = k.N.BitLen(), k.E
		} else {
			var k struct {
				N *big.Int
				E int
			}
			if _, err := asn1.Unmarshal(info.PublicKey.RightAlign(), &k); err == nil && k.N != nil {
				s.KeyBits, s.RSAExponent = k.N.BitLen(), k.E
			}
		}
		s.Key = "RSA " + strconv.Itoa(s.KeyBits)
	case "1.2.840.10040.4.1":
		s.KeyType = "dsa"
		if k, ok := pub.(*dsa.PublicKey); ok {
			s.KeyBits = k.P.BitLen()
		} else {
			var p struct{ P, Q, G *big.Int }
			if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p); err == nil && p.P != nil {
				s.KeyBits = p.P.BitLen()
			}
		}
		s.Key = "DSA " + strconv.Itoa(s.KeyBits)
	case "1.2.840.10045.2.1":
		s.KeyType = "ecdsa"
		var curve asn1.ObjectIdentifier
		nist := ""
		if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &curve); err != nil {
			s.Curve, nist = "explicit", "explicit parameters"
		} else if c, ok := curves[curve.String()]; ok {
			s.Curve, nist, s.KeyBits = c.name, c.nist, c.bits
		} else {
			s.Curve, nist = curve.String(), curve.String()
		}
		if k, ok := pub.(*ecdsa.PublicKey); ok && s.KeyBits == 0 {
			s.KeyBits = k.Curve.Params().BitSize
		}
		s.Key = "ECDSA " + nist
	case "1.3.101.112":
		s.KeyType, s.Key, s.KeyBits = "ed25519", "Ed25519", 8*ed25519.PublicKeySize
	case "1.3.101.113":
		s.KeyType, s.Key, s.KeyBits = "ed448", "Ed448", 456
	default:
		s.KeyType = s.KeyAlgorithm
		s.KeyBits = info.PublicKey.BitLength
		s.Key = s.KeyAlgorithm + " " + strconv.Itoa(s.KeyBits)
	}
}

// certOuter is a certificate's outer SEQUENCE.
type certOuter struct {
	TBS    asn1.RawValue
	SigAlg pkix.AlgorithmIdentifier
}

// sigAlgOID returns the certificate's outer signature algorithm.
func sigAlgOID(der []byte) asn1.ObjectIdentifier {
	var c certOuter
	if _, err := asn1.Unmarshal(der, &c); err != nil {
		return nil
	}
	return c.SigAlg.Algorithm
}

// tbsFields returns the elements of the TBSCertificate after the version:
// serialNumber, signature, issuer, validity, subject,
// subjectPublicKeyInfo and the optional [1], [2] and [3]; version is 1
// when the version field is absent.
func tbsFields(der []byte) (version int, fields []asn1.RawValue, ok bool) {
	var c certOuter
	if _, err := asn1.Unmarshal(der, &c); err != nil {
		return 0, nil, false
	}
	if _, err := asn1.Unmarshal(c.TBS.FullBytes, &fields); err != nil {
		return 0, nil, false
	}
	version = 1
	if len(fields) > 0 && fields[0].Class == asn1.ClassContextSpecific && fields[0].Tag == 0 {
		var v int
		if _, err := asn1.Unmarshal(fields[0].Bytes, &v); err == nil {
			version = v + 1
		}
		fields = fields[1:]
	}
	if len(fields) < 6 {
		return version, nil, false
	}
	return version, fields, true
}

// laxParse reads what it can of a certificate crypto/x509 refused.
func (s *CertSummary) laxParse(der []byte) {
	if oid := sigAlgOID(der); oid != nil {
		s.SignatureAlgorithm = oidName(sigAlgNames, oid)
	}
	version, fields, ok := tbsFields(der)
	if !ok {
		return
	}
	s.Version = version
	if fields[0].Tag == asn1.TagInteger && len(fields[0].Bytes) > 0 {
		s.SerialDER = hex.EncodeToString(fields[0].Bytes)
		n := new(big.Int).SetBytes(fields[0].Bytes)
		if fields[0].Bytes[0]&0x80 != 0 { // two's complement
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(fields[0].Bytes))))
		}
		s.setSerial(n)
	}
	s.setNames(fields[4].FullBytes, fields[2].FullBytes)
	var validity struct{ NotBefore, NotAfter time.Time }
	if _, err := asn1.Unmarshal(fields[3].FullBytes, &validity); err == nil {
		s.NotBefore, s.NotAfter = validity.NotBefore, validity.NotAfter
	}
	s.setKey(fields[5].FullBytes, nil)
	for _, f := range fields[6:] {
		if f.Class == asn1.ClassContextSpecific && f.Tag == 3 {
			s.laxExtensions(f.Bytes)
		}
	}
}

var (
	oidExtSAN              = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
)

// laxExtensions reads the subject alternative names and basic
// constraints out of an Extensions sequence.
func (s *CertSummary) laxExtensions(b []byte) {
	var exts []pkix.Extension
	if _, err := asn1.Unmarshal(b, &exts); err != nil {
		return
	}
	for _, e := range exts {
		switch {
		case e.Id.Equal(oidExtSAN):
			var names []asn1.RawValue
			if _, err := asn1.Unmarshal(e.Value, &names); err != nil {
				continue
			}
			for _, n := range names {
				if n.Class != asn1.ClassContextSpecific {
					continue
				}
				switch n.Tag {
				case 1:
					s.EmailAddresses = append(s.EmailAddresses, string(n.Bytes))
				case 2:
					s.DNSNames = append(s.DNSNames, string(n.Bytes))
				case 6:
					s.URIs = append(s.URIs, string(n.Bytes))
				case 7:
					if len(n.Bytes) == 4 || len(n.Bytes) == 16 {
						s.IPAddresses = append(s.IPAddresses, net.IP(n.Bytes))
					}
				}
			}
		case e.Id.Equal(oidExtBasicConstraints):
			var bc struct {
				IsCA       bool `asn1:"optional"`
				MaxPathLen int  `asn1:"optional,default:-1"`
			}
			if _, err := asn1.Unmarshal(e.Value, &bc); err == nil {
				s.HasBasicConstraints, s.IsCA, s.MaxPathLen = true, bc.IsCA, bc.MaxPathLen
			}
		}
	}
}
