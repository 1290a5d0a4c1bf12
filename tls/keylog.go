package tls

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Key log labels (NSS key log format,
// https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/).
const (
	// LabelClientRandom gives a TLS 1.2 (or earlier) session's 48-byte
	// master secret.
	LabelClientRandom = "CLIENT_RANDOM"
	// The TLS 1.3 secrets (RFC 8446 7.1).
	LabelClientEarlyTrafficSecret     = "CLIENT_EARLY_TRAFFIC_SECRET"
	LabelClientHandshakeTrafficSecret = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
	LabelServerHandshakeTrafficSecret = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
	LabelClientTrafficSecret0         = "CLIENT_TRAFFIC_SECRET_0"
	LabelServerTrafficSecret0         = "SERVER_TRAFFIC_SECRET_0"
	LabelEarlyExporterSecret          = "EARLY_EXPORTER_SECRET"
	LabelExporterSecret               = "EXPORTER_SECRET"
)

// SecretsTypeTLSKeyLog is the secrets type of a pcapng Decryption Secrets
// Block holding an NSS key log ("TLSK"); pcap.SecretsTLSKeyLog is the same
// value.
const SecretsTypeTLSKeyLog = 0x544c534b

// ErrKeyLog is wrapped by every error about a malformed key log line.
var ErrKeyLog = errors.New("tls: bad key log line")

// Secrets are the secrets a key log holds for one client random. A field
// is nil when the log has no line for it.
type Secrets struct {
	MasterSecret                 []byte // CLIENT_RANDOM (TLS 1.2 and earlier)
	ClientEarlyTrafficSecret     []byte
	ClientHandshakeTrafficSecret []byte
	ServerHandshakeTrafficSecret []byte
	ClientTrafficSecret0         []byte
	ServerTrafficSecret0         []byte
	EarlyExporterSecret          []byte
	ExporterSecret               []byte
}

// field returns the field of s that label names, or nil for a label the
// key log format has but decryption does not use (and for unknown ones).
func (s *Secrets) field(label string) *[]byte {
	switch label {
	case LabelClientRandom:
		return &s.MasterSecret
	case LabelClientEarlyTrafficSecret:
		return &s.ClientEarlyTrafficSecret
	case LabelClientHandshakeTrafficSecret:
		return &s.ClientHandshakeTrafficSecret
	case LabelServerHandshakeTrafficSecret:
		return &s.ServerHandshakeTrafficSecret
	case LabelClientTrafficSecret0:
		return &s.ClientTrafficSecret0
	case LabelServerTrafficSecret0:
		return &s.ServerTrafficSecret0
	case LabelEarlyExporterSecret:
		return &s.EarlyExporterSecret
	case LabelExporterSecret:
		return &s.ExporterSecret
	}
	return nil
}

// KeyLog is a set of secrets indexed by client random, read from NSS key
// log files (SSLKEYLOGFILE) and pcapng Decryption Secrets Blocks. It is
// safe for concurrent use: sessions look keys up while a capture's secrets
// are still being added.
type KeyLog struct {
	mu sync.RWMutex
	m  map[[32]byte]*Secrets
	// resumable maps a TLS 1.2 session ID or session ticket to the
	// master secret of the full handshake that created it, learnt from
	// the sessions decrypted with this log: a resumed session reuses the
	// master secret, and not every TLS library logs it again (crypto/tls
	// does not). Wireshark keeps the same map.
	resumable map[resumptionKey][masterLen]byte
}

// maxResumable bounds the resumption map: when full it is emptied, so a
// capture of endless handshakes cannot grow it without bound (the
// resumptions that then fail say their key is missing). Its entries are
// of a fixed size, about 100 bytes with the map's own, so the map holds
// at most about 7 MiB.
const maxResumable = 1 << 16

// masterLen is the length of a TLS 1.0-1.2 master secret.
const masterLen = 48

// resumptionKey is a session ID or ticket's kind and SHA-256. A ticket
// may be 64 KiB long (RFC 5077 3.3): kept whole, the tickets of a capture
// that issues them endlessly would fill the map with 4 GiB.
type resumptionKey [1 + sha256.Size]byte

func makeResumptionKey(ticket bool, id []byte) resumptionKey {
	var k resumptionKey
	if ticket {
		k[0] = 't'
	} else {
		k[0] = 'i'
	}
	h := sha256.Sum256(id)
	copy(k[1:], h[:])
	return k
}

// remember records the master secret of a full TLS 1.2 handshake under
// a session ID or ticket that can resume it.
func (k *KeyLog) remember(ticket bool, id, master []byte) {
	if k == nil || len(id) == 0 || len(master) != masterLen {
		return
	}
	key := makeResumptionKey(ticket, id)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.resumable == nil || len(k.resumable) >= maxResumable {
		k.resumable = make(map[resumptionKey][masterLen]byte)
	}
	k.resumable[key] = [masterLen]byte(master)
}

// resumed returns the master secret remembered for a session ID or
// ticket, or nil.
func (k *KeyLog) resumed(ticket bool, id []byte) []byte {
	if k == nil || len(id) == 0 {
		return nil
	}
	key := makeResumptionKey(ticket, id)
	k.mu.RLock()
	defer k.mu.RUnlock()
	ms, ok := k.resumable[key]
	if !ok {
		return nil
	}
	return ms[:]
}

// NewKeyLog returns an empty key log.
func NewKeyLog() *KeyLog { return &KeyLog{m: make(map[[32]byte]*Secrets)} }

// ParseKeyLog reads an NSS key log. Blank lines and lines starting with
// '#' are skipped, as are lines whose label is not a TLS one (RSA, QUIC
// labels of later generations, ...). A malformed line is an error naming
// its line number; the KeyLog returned holds every well-formed line even
// then, so a caller may warn and go on.
func ParseKeyLog(r io.Reader) (*KeyLog, error) {
	k := NewKeyLog()
	err := k.Read(r)
	return k, err
}

// Read adds the lines of an NSS key log to k, as ParseKeyLog reads them.
// The error reports the first malformed line (and how many others there
// were); the well-formed lines are added regardless.
func (k *KeyLog) Read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	var first error
	bad := 0
	for line := 1; sc.Scan(); line++ {
		if err := k.addLine(sc.Bytes()); err != nil {
			if first == nil {
				first = fmt.Errorf("key log line %d: %w", line, err)
			}
			bad++
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading key log: %w", err)
	}
	if bad > 1 {
		return fmt.Errorf("%w (and %d more malformed lines)", first, bad-1)
	}
	return first
}

// AddSecretsBlock adds the secrets of a pcapng Decryption Secrets Block
// (pcap.Reader.Secrets) of type TLS key log; blocks of other types (SSH,
// WireGuard, ...) are ignored.
func (k *KeyLog) AddSecretsBlock(typ uint32, data []byte) error {
	if typ != SecretsTypeTLSKeyLog {
		return nil
	}
	if err := k.Read(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("decryption secrets block: %w", err)
	}
	return nil
}

// addLine parses one key log line: LABEL <client random hex> <secret hex>.
func (k *KeyLog) addLine(line []byte) error {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] == '#' {
		return nil
	}
	f := bytes.Fields(line)
	if len(f) != 3 {
		return fmt.Errorf("%w: %d fields, want 3 (label, client random, secret)", ErrKeyLog, len(f))
	}
	label := string(f[0])
	if (&Secrets{}).field(label) == nil {
		return nil // not a label we use
	}
	var cr [32]byte
	if len(f[1]) != 64 {
		return fmt.Errorf("%w: %s: client random has %d hex digits, want 64", ErrKeyLog, label, len(f[1]))
	}
	if _, err := hex.Decode(cr[:], f[1]); err != nil {
		return fmt.Errorf("%w: %s: client random: %v", ErrKeyLog, label, err)
	}
	secret := make([]byte, hex.DecodedLen(len(f[2])))
	if _, err := hex.Decode(secret, f[2]); err != nil || len(f[2])%2 != 0 {
		return fmt.Errorf("%w: %s: secret is not hex", ErrKeyLog, label)
	}
	return k.Add(label, cr[:], secret)
}

// Add records one secret: label is a key log label (LabelClientRandom,
// LabelClientHandshakeTrafficSecret, ...), clientRandom the 32 bytes of
// the ClientHello's random. A later line for the same label and random
// replaces an earlier one.
func (k *KeyLog) Add(label string, clientRandom, secret []byte) error {
	if len(clientRandom) != 32 {
		return fmt.Errorf("%w: %s: client random of %d bytes, want 32", ErrKeyLog, label, len(clientRandom))
	}
	if label == LabelClientRandom && len(secret) != 48 {
		return fmt.Errorf("%w: %s: master secret of %d bytes, want 48", ErrKeyLog, label, len(secret))
	}
	if len(secret) == 0 || len(secret) > 64 {
		return fmt.Errorf("%w: %s: secret of %d bytes", ErrKeyLog, label, len(secret))
	}
	cr := [32]byte(clientRandom)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = make(map[[32]byte]*Secrets)
	}
	s := k.m[cr]
	if s == nil {
		s = &Secrets{}
		k.m[cr] = s
	}
	p := s.field(label)
	if p == nil {
		return fmt.Errorf("%w: unknown label %q", ErrKeyLog, label)
	}
	*p = bytes.Clone(secret)
	return nil
}

// Lookup returns a copy of the secrets logged for a client random.
func (k *KeyLog) Lookup(clientRandom [32]byte) (Secrets, bool) {
	if k == nil {
		return Secrets{}, false
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	s, ok := k.m[clientRandom]
	if !ok {
		return Secrets{}, false
	}
	return *s, true
}

// Len returns the number of client randoms k has secrets for.
func (k *KeyLog) Len() int {
	if k == nil {
		return 0
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.m)
}
