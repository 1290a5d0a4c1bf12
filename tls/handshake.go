package tls

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// HandshakeType is a handshake message type (RFC 8446 4, RFC 5246 7.4).
type HandshakeType uint8

// Handshake message types.
const (
	HelloRequest        HandshakeType = 0
	ClientHelloType     HandshakeType = 1
	ServerHelloType     HandshakeType = 2
	HelloVerifyRequest  HandshakeType = 3
	NewSessionTicket    HandshakeType = 4
	EndOfEarlyData      HandshakeType = 5
	EncryptedExtensions HandshakeType = 8
	Certificate         HandshakeType = 11
	ServerKeyExchange   HandshakeType = 12
	CertificateRequest  HandshakeType = 13
	ServerHelloDone     HandshakeType = 14
	CertificateVerify   HandshakeType = 15
	ClientKeyExchange   HandshakeType = 16
	Finished            HandshakeType = 20
	CertificateURL      HandshakeType = 21
	CertificateStatus   HandshakeType = 22
	KeyUpdate           HandshakeType = 24
	CompressedCert      HandshakeType = 25
	MessageHash         HandshakeType = 254
)

var handshakeNames = map[HandshakeType]string{
	HelloRequest: "Hello Request", ClientHelloType: "Client Hello", ServerHelloType: "Server Hello",
	HelloVerifyRequest: "Hello Verify Request", NewSessionTicket: "New Session Ticket",
	EndOfEarlyData: "End of Early Data", EncryptedExtensions: "Encrypted Extensions",
	Certificate: "Certificate", ServerKeyExchange: "Server Key Exchange",
	CertificateRequest: "Certificate Request", ServerHelloDone: "Server Hello Done",
	CertificateVerify: "Certificate Verify", ClientKeyExchange: "Client Key Exchange",
	Finished: "Finished", CertificateURL: "Certificate URL", CertificateStatus: "Certificate Status",
	KeyUpdate: "Key Update", CompressedCert: "Compressed Certificate", MessageHash: "Message Hash",
}

// String names t as Wireshark does ("Client Hello").
func (t HandshakeType) String() string {
	if s, ok := handshakeNames[t]; ok {
		return s
	}
	return "Unknown (" + strconv.Itoa(int(t)) + ")"
}

// HandshakeHeaderLen is the length of a handshake message header: type
// and 24-bit length.
const HandshakeHeaderLen = 4

// ErrMalformed is wrapped by every error about a handshake message or
// extension whose lengths do not add up.
var ErrMalformed = errors.New("tls: malformed handshake message")

// ParseHandshake reads the handshake message at the start of b (the
// concatenated fragments of handshake records: a message may span
// records, and a record hold several messages). It returns the type, the
// body and the bytes taken, or ErrShort when b ends inside the message.
func ParseHandshake(b []byte) (HandshakeType, []byte, int, error) {
	if len(b) < HandshakeHeaderLen {
		return 0, nil, 0, ErrShort
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if len(b) < HandshakeHeaderLen+n {
		return 0, nil, 0, ErrShort
	}
	return HandshakeType(b[0]), b[HandshakeHeaderLen : HandshakeHeaderLen+n], HandshakeHeaderLen + n, nil
}

// Extension is one extension, in wire order.
type Extension struct {
	Type uint16
	Data []byte // aliases the message
}

// Extension types that the hellos' and EncryptedExtensions' accessors
// decode (IANA registry).
const (
	ExtServerName           uint16 = 0
	ExtMaxFragmentLength    uint16 = 1
	ExtStatusRequest        uint16 = 5
	ExtSupportedGroups      uint16 = 10
	ExtECPointFormats       uint16 = 11
	ExtSignatureAlgorithms  uint16 = 13
	ExtALPN                 uint16 = 16
	ExtSCT                  uint16 = 18
	ExtEncryptThenMAC       uint16 = 22
	ExtExtendedMasterSecret uint16 = 23
	ExtRecordSizeLimit      uint16 = 28
	ExtSessionTicket        uint16 = 35
	ExtPreSharedKey         uint16 = 41
	ExtEarlyData            uint16 = 42
	ExtSupportedVersions    uint16 = 43
	ExtCookie               uint16 = 44
	ExtPSKKeyExchangeModes  uint16 = 45
	ExtKeyShare             uint16 = 51
	ExtRenegotiationInfo    uint16 = 0xff01
)

// ClientHello is a parsed ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2).
// Slices alias the message. The fields after Extensions are decoded from
// the extensions when present.
type ClientHello struct {
	Version            Version // legacy_version
	Random             [32]byte
	SessionID          []byte
	CipherSuites       []uint16
	CompressionMethods []byte
	Extensions         []Extension

	ServerName           string
	ALPN                 []string
	SupportedVersions    []Version
	SupportedGroups      []uint16
	ECPointFormats       []uint8
	SignatureAlgorithms  []uint16
	KeyShareGroups       []uint16
	PSKModes             []uint8
	ExtendedMasterSecret bool
	SessionTicket        []byte // the ticket offered, if any (empty extension: none)
	HasSessionTicketExt  bool
	PSKIdentities        [][]byte
}

// ServerHello is a parsed ServerHello; a HelloRetryRequest (RFC 8446
// 4.1.3) is one with the special random, and IsHelloRetryRequest says so.
type ServerHello struct {
	Version           Version // legacy_version
	Random            [32]byte
	SessionID         []byte
	CipherSuite       uint16
	CompressionMethod uint8
	Extensions        []Extension

	SelectedVersion      Version // from supported_versions; 0 if absent
	ALPN                 string
	KeyShareGroup        uint16
	ExtendedMasterSecret bool
	EncryptThenMAC       bool
	PSKSelected          bool
	IsHelloRetryRequest  bool
}

// helloRetryRandom is SHA-256("HelloRetryRequest") (RFC 8446 4.1.3).
var helloRetryRandom = [32]byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// NegotiatedVersion returns the version the server chose: the
// supported_versions extension's for TLS 1.3, the legacy field otherwise.
func (sh *ServerHello) NegotiatedVersion() Version {
	if sh.SelectedVersion != 0 {
		return sh.SelectedVersion
	}
	return sh.Version
}

// reader is a cursor over a message with length-checked reads; the first
// failure sticks, so a parser reads on and checks once.
type reader struct {
	b   []byte
	off int
	err error
	msg string
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s: %s at byte %d of %d", ErrMalformed, r.msg, what, r.off, len(r.b))
	}
}

func (r *reader) bytes(n int, what string) []byte {
	if r.err != nil || n < 0 || r.off+n > len(r.b) {
		r.fail(what)
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) u8(what string) uint8 {
	if b := r.bytes(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16(what string) uint16 {
	if b := r.bytes(2, what); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

// vec reads a vector whose length takes lenBytes (1, 2 or 3) bytes.
func (r *reader) vec(lenBytes int, what string) []byte {
	var n int
	for i := 0; i < lenBytes; i++ {
		n = n<<8 | int(r.u8(what+" length"))
	}
	return r.bytes(n, what)
}

func (r *reader) done() bool { return r.err == nil && r.off == len(r.b) }

// u16s splits b into big-endian 16-bit values.
func u16s(b []byte) []uint16 {
	v := make([]uint16, len(b)/2)
	for i := range v {
		v[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	return v
}

// parseExtensions reads an extension block (a vector of extensions).
func parseExtensions(r *reader) []Extension {
	if r.done() {
		return nil // no extensions at all (SSL 3.0, old TLS)
	}
	block := r.vec(2, "extensions")
	er := &reader{b: block, msg: r.msg}
	var exts []Extension
	for er.err == nil && er.off < len(block) {
		t := er.u16("extension type")
		d := er.vec(2, "extension data")
		exts = append(exts, Extension{Type: t, Data: d})
	}
	if er.err != nil && r.err == nil {
		r.err = er.err
	}
	return exts
}

// ParseClientHello parses the body of a ClientHello.
func ParseClientHello(body []byte) (*ClientHello, error) {
	r := &reader{b: body, msg: "ClientHello"}
	ch := &ClientHello{}
	ch.Version = Version(r.u16("version"))
	copy(ch.Random[:], r.bytes(32, "random"))
	ch.SessionID = r.vec(1, "session id")
	ch.CipherSuites = u16s(r.vec(2, "cipher suites"))
	ch.CompressionMethods = r.vec(1, "compression methods")
	ch.Extensions = parseExtensions(r)
	if r.err != nil {
		return nil, r.err
	}
	for _, e := range ch.Extensions {
		if err := ch.decodeExtension(e); err != nil {
			return ch, err
		}
	}
	return ch, nil
}

func (ch *ClientHello) decodeExtension(e Extension) error {
	r := &reader{b: e.Data, msg: "ClientHello extension " + strconv.Itoa(int(e.Type))}
	switch e.Type {
	case ExtServerName:
		list := &reader{b: r.vec(2, "server name list"), msg: r.msg}
		for list.err == nil && list.off < len(list.b) {
			typ := list.u8("name type")
			name := list.vec(2, "host name")
			if typ == 0 && ch.ServerName == "" {
				ch.ServerName = string(name)
			}
		}
		r.err = list.err
	case ExtALPN:
		list := &reader{b: r.vec(2, "protocol list"), msg: r.msg}
		for list.err == nil && list.off < len(list.b) {
			ch.ALPN = append(ch.ALPN, string(list.vec(1, "protocol")))
		}
		r.err = list.err
	case ExtSupportedVersions:
		for _, v := range u16s(r.vec(1, "versions")) {
			ch.SupportedVersions = append(ch.SupportedVersions, Version(v))
		}
	case ExtSupportedGroups:
		ch.SupportedGroups = u16s(r.vec(2, "groups"))
	case ExtECPointFormats:
		ch.ECPointFormats = r.vec(1, "point formats")
	case ExtSignatureAlgorithms:
		ch.SignatureAlgorithms = u16s(r.vec(2, "signature algorithms"))
	case ExtKeyShare:
		list := &reader{b: r.vec(2, "key shares"), msg: r.msg}
		for list.err == nil && list.off < len(list.b) {
			ch.KeyShareGroups = append(ch.KeyShareGroups, list.u16("group"))
			list.vec(2, "key exchange")
		}
		r.err = list.err
	case ExtPSKKeyExchangeModes:
		ch.PSKModes = r.vec(1, "modes")
	case ExtExtendedMasterSecret:
		ch.ExtendedMasterSecret = true
	case ExtSessionTicket:
		ch.HasSessionTicketExt = true
		ch.SessionTicket = e.Data
		r.off = len(e.Data)
	case ExtPreSharedKey:
		ids := &reader{b: r.vec(2, "identities"), msg: r.msg}
		for ids.err == nil && ids.off < len(ids.b) {
			ch.PSKIdentities = append(ch.PSKIdentities, ids.vec(2, "identity"))
			ids.bytes(4, "obfuscated ticket age")
		}
		r.vec(2, "binders")
		if r.err == nil {
			r.err = ids.err
		}
	default:
		return nil
	}
	return r.err
}

// extKeyShareDraft is key_share's extension number in TLS 1.3 drafts
// before 23.
const extKeyShareDraft = 40

// ParseServerHello parses the body of a ServerHello (or HelloRetryRequest),
// of the TLS 1.3 drafts too.
func ParseServerHello(body []byte) (*ServerHello, error) {
	r := &reader{b: body, msg: "ServerHello"}
	sh := &ServerHello{}
	sh.Version = Version(r.u16("version"))
	copy(sh.Random[:], r.bytes(32, "random"))
	if sh.Version>>8 == 0x7f {
		// TLS 1.3 drafts before 22 put the draft version here and have
		// no session id or compression method.
		sh.SelectedVersion = sh.Version
	} else {
		sh.SessionID = r.vec(1, "session id")
	}
	sh.CipherSuite = r.u16("cipher suite")
	if sh.Version>>8 != 0x7f {
		sh.CompressionMethod = r.u8("compression method")
	}
	sh.Extensions = parseExtensions(r)
	if r.err != nil {
		return nil, r.err
	}
	sh.IsHelloRetryRequest = sh.Random == helloRetryRandom
	for _, e := range sh.Extensions {
		er := &reader{b: e.Data, msg: "ServerHello extension " + strconv.Itoa(int(e.Type))}
		switch e.Type {
		case ExtSupportedVersions:
			sh.SelectedVersion = Version(er.u16("selected version"))
		case ExtALPN:
			list := &reader{b: er.vec(2, "protocol list"), msg: er.msg}
			sh.ALPN = string(list.vec(1, "protocol"))
			er.err = list.err
		case ExtKeyShare:
			sh.KeyShareGroup = er.u16("group")
		case extKeyShareDraft:
			// key_share's code point before TLS 1.3 draft 23, and in the
			// experiment versions of that time; unassigned since, so a
			// ServerHello that carries it speaks one of those.
			if sh.KeyShareGroup == 0 {
				sh.KeyShareGroup = er.u16("group")
			}
		case ExtExtendedMasterSecret:
			sh.ExtendedMasterSecret = true
		case ExtEncryptThenMAC:
			sh.EncryptThenMAC = true
		case ExtPreSharedKey:
			sh.PSKSelected = true
		}
		if er.err != nil {
			return sh, er.err
		}
	}
	return sh, nil
}

// EncryptedExtensionsMsg is a parsed EncryptedExtensions message (RFC
// 8446 4.3.1): TLS 1.3 moved the server's answers to the ClientHello's
// extensions that do not set up the keys out of the ServerHello and into
// this message, the first the server encrypts. Slices alias the message.
// The fields after Extensions are decoded from the extensions when
// present.
type EncryptedExtensionsMsg struct {
	Extensions []Extension

	// ALPN is the protocol the server selected (RFC 7301 3.1).
	ALPN string
	// ServerNameAck says the server used the ClientHello's server_name:
	// it answers with the extension, empty (RFC 6066 3).
	ServerNameAck bool
	// MaxFragmentLength is the code of the max_fragment_length the
	// server accepted (RFC 6066 4: 1 to 4 for 2^9 to 2^12 bytes), 0 when
	// absent.
	MaxFragmentLength uint8
	// RecordSizeLimit is the largest record the server will take
	// (RFC 8449), 0 when absent.
	RecordSizeLimit uint16
	// SupportedGroups are the groups the server prefers, for the
	// client's next connections (RFC 8446 4.2.7).
	SupportedGroups []uint16
	// EarlyData says the server accepted the client's 0-RTT data (RFC
	// 8446 4.2.10).
	EarlyData bool
}

// ParseEncryptedExtensions parses the body of an EncryptedExtensions
// message. An extension whose content is malformed is an error returned
// with the message, its fields decoded as far as they go.
func ParseEncryptedExtensions(body []byte) (*EncryptedExtensionsMsg, error) {
	r := &reader{b: body, msg: "EncryptedExtensions"}
	m := &EncryptedExtensionsMsg{}
	block := r.vec(2, "extensions")
	if r.err == nil && !r.done() {
		r.fail("trailing bytes")
	}
	if r.err != nil {
		return nil, r.err
	}
	er := &reader{b: block, msg: r.msg}
	for er.err == nil && er.off < len(block) {
		t := er.u16("extension type")
		d := er.vec(2, "extension data")
		if er.err == nil {
			m.Extensions = append(m.Extensions, Extension{Type: t, Data: d})
		}
	}
	if er.err != nil {
		return nil, er.err
	}
	var first error
	for _, e := range m.Extensions {
		if err := m.decodeExtension(e); err != nil && first == nil {
			first = err
		}
	}
	return m, first
}

// decodeExtension decodes one extension of an EncryptedExtensions
// message into m, reporting content that is not the extension's form.
func (m *EncryptedExtensionsMsg) decodeExtension(e Extension) error {
	r := &reader{b: e.Data, msg: "EncryptedExtensions extension " + strconv.Itoa(int(e.Type))}
	switch e.Type {
	case ExtALPN:
		// Exactly one protocol: the server's choice.
		list := &reader{b: r.vec(2, "protocol list"), msg: r.msg}
		m.ALPN = string(list.vec(1, "protocol"))
		if list.err == nil && !list.done() {
			list.fail("more than one protocol")
		}
		if r.err == nil {
			r.err = list.err
		}
	case ExtServerName:
		m.ServerNameAck = true
	case ExtMaxFragmentLength:
		m.MaxFragmentLength = r.u8("max fragment length")
	case ExtRecordSizeLimit:
		m.RecordSizeLimit = r.u16("record size limit")
	case ExtSupportedGroups:
		g := r.vec(2, "groups")
		if len(g)%2 != 0 {
			r.fail("odd length of the group list")
		}
		m.SupportedGroups = u16s(g)
	case ExtEarlyData:
		m.EarlyData = true
	default:
		return nil
	}
	if r.err == nil && !r.done() {
		r.fail("trailing bytes")
	}
	return r.err
}

// CertificateEntry is one certificate of a Certificate message: its DER
// and, in TLS 1.3, the extensions sent with it (an OCSP response in
// status_request, SCTs). Slices alias the message.
type CertificateEntry struct {
	Data       []byte
	Extensions []Extension
}

// CertificateMsg is a parsed Certificate message: RFC 5246 7.4.2's list
// of DER certificates (SSL 3.0 to TLS 1.2), or RFC 8446 4.4.2's request
// context and entries with extensions.
type CertificateMsg struct {
	Context []byte // TLS 1.3 certificate_request_context
	Entries []CertificateEntry
}

// ParseCertificateMsg parses the body of a Certificate message in TLS
// 1.3's form when tls13 is set, TLS 1.2's otherwise. On a malformed list
// it returns the entries before the fault with the error.
func ParseCertificateMsg(body []byte, tls13 bool) (*CertificateMsg, error) {
	r := &reader{b: body, msg: "Certificate"}
	m := &CertificateMsg{}
	if tls13 {
		m.Context = r.vec(1, "certificate request context")
	}
	list := &reader{b: r.vec(3, "certificate list"), msg: r.msg}
	if r.err != nil {
		return nil, r.err
	}
	for list.err == nil && list.off < len(list.b) {
		e := CertificateEntry{Data: list.vec(3, "certificate")}
		if tls13 {
			exts := &reader{b: list.vec(2, "certificate extensions"), msg: r.msg}
			for exts.err == nil && exts.off < len(exts.b) {
				t := exts.u16("extension type")
				d := exts.vec(2, "extension data")
				e.Extensions = append(e.Extensions, Extension{Type: t, Data: d})
			}
			if exts.err != nil && list.err == nil {
				list.err = exts.err
			}
		}
		if list.err == nil {
			m.Entries = append(m.Entries, e)
		}
	}
	if list.err != nil {
		return m, list.err
	}
	if !r.done() {
		r.fail("trailing bytes")
		return m, r.err
	}
	return m, nil
}

// SSLv2HeaderLen is the length of the two-byte header of an SSL 2.0
// record as old clients send their first ClientHello (RFC 5246 E.2).
const SSLv2HeaderLen = 2

// IsSSLv2ClientHello reports whether b starts like an SSL 2.0 record
// holding a CLIENT-HELLO: a two-byte header with the high bit set, message
// type 1 and a version of SSL 2.0 or SSL 3.0 and later. It needs 5 bytes.
func IsSSLv2ClientHello(b []byte) bool {
	if len(b) < 5 || b[0]&0x80 == 0 || b[2] != 1 {
		return false
	}
	v := uint16(b[3])<<8 | uint16(b[4])
	n := int(b[0]&0x7f)<<8 | int(b[1])
	return (v == 0x0002 || v>>8 == 3) && n >= 9
}

// ParseSSLv2ClientHello parses an SSL 2.0 record holding a CLIENT-HELLO
// (RFC 5246 E.2) at the start of b, returning it as a ClientHello (the
// cipher specs that are TLS cipher suites, those with a zero first byte,
// in CipherSuites; the challenge right-aligned in Random, as TLS takes it)
// and the bytes it takes. ErrShort means b ends inside the record.
func ParseSSLv2ClientHello(b []byte) (*ClientHello, int, error) {
	if len(b) < 5 {
		return nil, 0, ErrShort
	}
	if !IsSSLv2ClientHello(b) {
		return nil, 0, fmt.Errorf("%w: not an SSL 2.0 CLIENT-HELLO", ErrNotTLS)
	}
	n := SSLv2HeaderLen + (int(b[0]&0x7f)<<8 | int(b[1]))
	if len(b) < n {
		return nil, 0, ErrShort
	}
	r := &reader{b: b[SSLv2HeaderLen:n], msg: "SSL 2.0 CLIENT-HELLO"}
	r.u8("message type")
	ch := &ClientHello{Version: Version(r.u16("version"))}
	specLen := int(r.u16("cipher specs length"))
	sidLen := int(r.u16("session id length"))
	chalLen := int(r.u16("challenge length"))
	specs := r.bytes(specLen, "cipher specs")
	ch.SessionID = r.bytes(sidLen, "session id")
	chal := r.bytes(chalLen, "challenge")
	if r.err == nil && (specLen%3 != 0 || chalLen < 16 || chalLen > 32) {
		r.fail("cipher specs or challenge length")
	}
	if r.err != nil {
		return nil, n, r.err
	}
	for i := 0; i+3 <= len(specs); i += 3 {
		if specs[i] == 0 {
			ch.CipherSuites = append(ch.CipherSuites, uint16(specs[i+1])<<8|uint16(specs[i+2]))
		}
	}
	copy(ch.Random[32-len(chal):], chal)
	return ch, n, nil
}
