package tls

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// bulkCipher is the record protection algorithm of a cipher suite.
type bulkCipher uint8

const (
	bulkAESGCM bulkCipher = iota + 1
	bulkChaCha20Poly1305
	bulkAESCBC
	bulk3DESCBC
	bulkRC4
)

// suiteParams is what decryption needs to know of a cipher suite.
type suiteParams struct {
	tls13  bool
	bulk   bulkCipher
	keyLen int
	// mac is the record MAC's hash for the CBC and stream suites of TLS
	// 1.2 and earlier (0 for AEADs).
	mac crypto.Hash
	// prf is the TLS 1.2 PRF's hash, or TLS 1.3's HKDF hash.
	prf crypto.Hash
}

// Cipher suites this package decrypts, by IANA number. The key exchange
// does not matter to decryption (the key log gives the master secret), so
// every suite with a supported record protection is listed.
var decryptSuites = map[uint16]suiteParams{
	// TLS 1.3 (RFC 8446 B.4).
	0x1301: {tls13: true, bulk: bulkAESGCM, keyLen: 16, prf: crypto.SHA256},
	0x1302: {tls13: true, bulk: bulkAESGCM, keyLen: 32, prf: crypto.SHA384},
	0x1303: {tls13: true, bulk: bulkChaCha20Poly1305, keyLen: 32, prf: crypto.SHA256},

	// AES-GCM (RFC 5288, RFC 5289, RFC 5487).
	0x009c: gcm128, 0x009d: gcm256, // RSA
	0x009e: gcm128, 0x009f: gcm256, // DHE_RSA
	0x00a0: gcm128, 0x00a1: gcm256, // DH_RSA
	0x00a2: gcm128, 0x00a3: gcm256, // DHE_DSS
	0x00a4: gcm128, 0x00a5: gcm256, // DH_DSS
	0x00a6: gcm128, 0x00a7: gcm256, // DH_anon
	0x00a8: gcm128, 0x00a9: gcm256, // PSK
	0x00aa: gcm128, 0x00ab: gcm256, // DHE_PSK
	0x00ac: gcm128, 0x00ad: gcm256, // RSA_PSK
	0xc02b: gcm128, 0xc02c: gcm256, // ECDHE_ECDSA
	0xc02d: gcm128, 0xc02e: gcm256, // ECDH_ECDSA
	0xc02f: gcm128, 0xc030: gcm256, // ECDHE_RSA
	0xc031: gcm128, 0xc032: gcm256, // ECDH_RSA
	0xd001: gcm128, 0xd002: gcm256, // ECDHE_PSK (RFC 8442)

	// ChaCha20-Poly1305 (RFC 7905).
	0xcca8: chacha, 0xcca9: chacha, 0xccaa: chacha, 0xccab: chacha,
	0xccac: chacha, 0xccad: chacha, 0xccae: chacha,

	// AES-CBC with HMAC-SHA1 (RFC 3268, RFC 4492, RFC 4279, RFC 5489).
	0x002f: cbc128sha, 0x0035: cbc256sha, // RSA
	0x0030: cbc128sha, 0x0036: cbc256sha, // DH_DSS
	0x0031: cbc128sha, 0x0037: cbc256sha, // DH_RSA
	0x0032: cbc128sha, 0x0038: cbc256sha, // DHE_DSS
	0x0033: cbc128sha, 0x0039: cbc256sha, // DHE_RSA
	0x0034: cbc128sha, 0x003a: cbc256sha, // DH_anon
	0x008c: cbc128sha, 0x008d: cbc256sha, // PSK
	0x0090: cbc128sha, 0x0091: cbc256sha, // DHE_PSK
	0x0094: cbc128sha, 0x0095: cbc256sha, // RSA_PSK
	0xc004: cbc128sha, 0xc005: cbc256sha, // ECDH_ECDSA
	0xc009: cbc128sha, 0xc00a: cbc256sha, // ECDHE_ECDSA
	0xc00e: cbc128sha, 0xc00f: cbc256sha, // ECDH_RSA
	0xc013: cbc128sha, 0xc014: cbc256sha, // ECDHE_RSA
	0xc018: cbc128sha, 0xc019: cbc256sha, // ECDH_anon
	0xc035: cbc128sha, 0xc036: cbc256sha, // ECDHE_PSK

	// AES-CBC with HMAC-SHA256 and HMAC-SHA384 (RFC 5246, RFC 5289,
	// RFC 5487).
	0x003c: cbc128sha256, 0x003d: cbc256sha256, // RSA
	0x003e: cbc128sha256, 0x003f: cbc128sha256, 0x0040: cbc128sha256, // DH_DSS, DH_RSA, DHE_DSS
	0x0067: cbc128sha256, 0x0068: cbc256sha256, 0x0069: cbc256sha256, // DHE_RSA, DH_DSS, DH_RSA
	0x006a: cbc256sha256, 0x006b: cbc256sha256, // DHE_DSS, DHE_RSA
	0x006c: cbc128sha256, 0x006d: cbc256sha256, // DH_anon
	0x00ae: cbc128sha256, 0x00af: cbc256sha384, // PSK
	0x00b2: cbc128sha256, 0x00b3: cbc256sha384, // DHE_PSK
	0x00b6: cbc128sha256, 0x00b7: cbc256sha384, // RSA_PSK
	0xc023: cbc128sha256, 0xc024: cbc256sha384, // ECDHE_ECDSA
	0xc025: cbc128sha256, 0xc026: cbc256sha384, // ECDH_ECDSA
	0xc027: cbc128sha256, 0xc028: cbc256sha384, // ECDHE_RSA
	0xc029: cbc128sha256, 0xc02a: cbc256sha384, // ECDH_RSA
	0xc037: cbc128sha256, 0xc038: cbc256sha384, // ECDHE_PSK

	// 3DES-EDE-CBC with HMAC-SHA1.
	0x000a: des3, 0x000d: des3, 0x0010: des3, 0x0013: des3, 0x0016: des3, 0x001b: des3,
	0xc003: des3, 0xc008: des3, 0xc00d: des3, 0xc012: des3, 0xc017: des3,

	// RC4 with HMAC-MD5 and HMAC-SHA1.
	0x0004: {bulk: bulkRC4, keyLen: 16, mac: crypto.MD5, prf: crypto.SHA256},
	0x0018: {bulk: bulkRC4, keyLen: 16, mac: crypto.MD5, prf: crypto.SHA256},
	0x0005: rc4sha, 0xc002: rc4sha, 0xc007: rc4sha, 0xc00c: rc4sha, 0xc011: rc4sha, 0xc016: rc4sha,
}

var (
	gcm128       = suiteParams{bulk: bulkAESGCM, keyLen: 16, prf: crypto.SHA256}
	gcm256       = suiteParams{bulk: bulkAESGCM, keyLen: 32, prf: crypto.SHA384}
	chacha       = suiteParams{bulk: bulkChaCha20Poly1305, keyLen: 32, prf: crypto.SHA256}
	cbc128sha    = suiteParams{bulk: bulkAESCBC, keyLen: 16, mac: crypto.SHA1, prf: crypto.SHA256}
	cbc256sha    = suiteParams{bulk: bulkAESCBC, keyLen: 32, mac: crypto.SHA1, prf: crypto.SHA256}
	cbc128sha256 = suiteParams{bulk: bulkAESCBC, keyLen: 16, mac: crypto.SHA256, prf: crypto.SHA256}
	cbc256sha256 = suiteParams{bulk: bulkAESCBC, keyLen: 32, mac: crypto.SHA256, prf: crypto.SHA256}
	cbc256sha384 = suiteParams{bulk: bulkAESCBC, keyLen: 32, mac: crypto.SHA384, prf: crypto.SHA384}
	des3         = suiteParams{bulk: bulk3DESCBC, keyLen: 24, mac: crypto.SHA1, prf: crypto.SHA256}
	rc4sha       = suiteParams{bulk: bulkRC4, keyLen: 16, mac: crypto.SHA1, prf: crypto.SHA256}
)

// CanDecrypt reports whether the package decrypts records protected with
// the cipher suite id (given the secrets in a key log).
func CanDecrypt(id uint16) bool {
	_, ok := decryptSuites[id]
	return ok
}

// ivLen is the length of the IV material the key block (TLS 1.2) or the
// key schedule (TLS 1.3) gives per direction.
func (p suiteParams) ivLen() int {
	switch p.bulk {
	case bulkAESGCM:
		if p.tls13 {
			return 12
		}
		return 4 // the implicit part of the nonce (RFC 5288 3)
	case bulkChaCha20Poly1305:
		return 12
	case bulkAESCBC:
		return aes.BlockSize // used by TLS 1.0 only
	case bulk3DESCBC:
		return des.BlockSize
	}
	return 0
}

func newHash(h crypto.Hash) func() hash.Hash {
	switch h {
	case crypto.MD5:
		return md5.New
	case crypto.SHA1:
		return sha1.New
	case crypto.SHA256:
		return sha256.New
	case crypto.SHA384:
		return sha512.New384
	}
	panic("tls: unexpected hash " + h.String())
}

// Errors of record decryption.
var (
	// ErrDecrypt is wrapped by every error about a record that failed to
	// decrypt or authenticate.
	ErrDecrypt = errors.New("record failed to decrypt")
	errBadMAC  = fmt.Errorf("%w: bad record MAC", ErrDecrypt)
	errBadPad  = fmt.Errorf("%w: bad padding", ErrDecrypt)
	errAEAD    = fmt.Errorf("%w: authentication failed", ErrDecrypt)
	errShortCT = fmt.Errorf("%w: fragment too short for the cipher", ErrDecrypt)
	errNoInner = fmt.Errorf("%w: TLS 1.3 inner plaintext has no content type", ErrDecrypt)
	errBlocks  = fmt.Errorf("%w: fragment is not a whole number of blocks", ErrDecrypt)
	errNoState = fmt.Errorf("%w: cipher state lost in a gap", ErrDecrypt)
)

// recordCipher removes the protection of one direction's records.
type recordCipher interface {
	// open authenticates and decrypts the record with header hdr (5
	// bytes) and fragment frag as record number seq, writing the
	// plaintext into dst's storage (dst has room for frag). It returns
	// the plaintext and its content type (TLS 1.3's inner type; hdr's
	// otherwise).
	open(dst []byte, seq uint64, hdr, frag []byte) ([]byte, ContentType, error)
	// stateful reports whether a record's decryption depends on the one
	// before it beyond the sequence number (TLS 1.0 CBC's chained IV,
	// RC4's key stream), so that a gap loses the state.
	stateful() bool
	// lose marks the state lost after a gap.
	lose()
	// catchUp brings a stateful cipher's state past records that went by
	// before it existed (keys found late): skipped bytes of fragments in
	// all, of which tail is the end of the last (up to maxTail bytes).
	catchUp(skipped int64, tail []byte)
}

// maxTail is how much of a fragment's end catchUp may need: a CBC block
// and the largest MAC after it (encrypt-then-MAC with SHA-384).
const maxTail = 16 + 48

// aead13 is TLS 1.3's record protection (RFC 8446 5.2, 5.3).
type aead13 struct {
	aead  cipher.AEAD
	iv    [12]byte
	nonce [12]byte
}

func (c *aead13) open(dst []byte, seq uint64, hdr, frag []byte) ([]byte, ContentType, error) {
	if len(frag) < c.aead.Overhead()+1 {
		return nil, 0, errShortCT
	}
	c.nonce = c.iv
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], seq)
	for i := range 8 {
		c.nonce[4+i] ^= s[i]
	}
	pt, err := c.aead.Open(dst[:0], c.nonce[:], frag, hdr[:RecordHeaderLen])
	if err != nil {
		return nil, 0, errAEAD
	}
	// TLSInnerPlaintext: content, type, zeros (RFC 8446 5.2).
	i := len(pt) - 1
	for i >= 0 && pt[i] == 0 {
		i--
	}
	if i < 0 {
		return nil, 0, errNoInner
	}
	return pt[:i], ContentType(pt[i]), nil
}

func (c *aead13) stateful() bool        { return false }
func (c *aead13) lose()                 {}
func (c *aead13) catchUp(int64, []byte) {}

// aead12 is TLS 1.2's AEAD record protection: AES-GCM with an explicit
// 8-byte nonce after a 4-byte implicit one (RFC 5288 3), or
// ChaCha20-Poly1305 with the IV XORed with the sequence number (RFC 7905
// 2).
type aead12 struct {
	aead     cipher.AEAD
	explicit bool
	iv       [12]byte
	nonce    [12]byte
	ad       [13]byte
}

func (c *aead12) open(dst []byte, seq uint64, hdr, frag []byte) ([]byte, ContentType, error) {
	ct := frag
	if c.explicit {
		if len(frag) < 8 {
			return nil, 0, errShortCT
		}
		copy(c.nonce[:4], c.iv[:4])
		copy(c.nonce[4:], frag[:8])
		ct = frag[8:]
	} else {
		c.nonce = c.iv
		var s [8]byte
		binary.BigEndian.PutUint64(s[:], seq)
		for i := range 8 {
			c.nonce[4+i] ^= s[i]
		}
	}
	if len(ct) < c.aead.Overhead() {
		return nil, 0, errShortCT
	}
	// additional_data = seq_num + type + version + length (RFC 5246 6.2.3.3).
	binary.BigEndian.PutUint64(c.ad[:], seq)
	copy(c.ad[8:11], hdr[:3])
	binary.BigEndian.PutUint16(c.ad[11:], uint16(len(ct)-c.aead.Overhead()))
	pt, err := c.aead.Open(dst[:0], c.nonce[:], ct, c.ad[:])
	if err != nil {
		return nil, 0, errAEAD
	}
	return pt, RecordHeader(hdr).Type(), nil
}

func (c *aead12) stateful() bool        { return false }
func (c *aead12) lose()                 {}
func (c *aead12) catchUp(int64, []byte) {}

// macState computes TLS's record MAC (RFC 5246 6.2.3.1) without
// allocating: HMAC(key, seq_num + type + version + length + content).
type macState struct {
	h   hash.Hash
	hdr [13]byte
	sum []byte
}

func newMACState(h crypto.Hash, key []byte) *macState {
	return &macState{h: hmac.New(newHash(h), key), sum: make([]byte, 0, h.Size())}
}

func (m *macState) size() int { return m.h.Size() }

// verify reports whether mac is the MAC of the record (seq, hdr's type and
// version, and the authenticated bytes data).
func (m *macState) verify(seq uint64, hdr []byte, data, mac []byte) bool {
	binary.BigEndian.PutUint64(m.hdr[:], seq)
	copy(m.hdr[8:11], hdr[:3])
	binary.BigEndian.PutUint16(m.hdr[11:], uint16(len(data)))
	m.h.Reset()
	m.h.Write(m.hdr[:])
	m.h.Write(data)
	m.sum = m.h.Sum(m.sum[:0])
	return hmac.Equal(m.sum, mac)
}

// search verifies mac against the sequence numbers seq to seq+more and
// returns the first that matches.
func (m *macState) search(seq, more uint64, hdr, data, mac []byte) (uint64, bool) {
	for i := uint64(0); i <= more; i++ {
		if m.verify(seq+i, hdr, data, mac) {
			return seq + i, true
		}
	}
	return 0, false
}

// cbcCipher is a block cipher in CBC mode with HMAC, MAC-then-encrypt
// (RFC 5246 6.2.3.2) or encrypt-then-MAC (RFC 7366). TLS 1.1 and later
// send an explicit IV in each record; TLS 1.0 chains the last ciphertext
// block of a record into the next.
type cbcCipher struct {
	block    cipher.Block
	dec      cipher.BlockMode
	mac      *macState
	explicit bool
	etm      bool
	iv       []byte // TLS 1.0's chained IV
	prev     []byte // the IV of the record being opened, iv having moved on
	lost     bool
}

// ivSetter is implemented by the standard library's CBC decrypter, so one
// decrypter serves every record.
type ivSetter interface{ SetIV([]byte) }

func newCBC(block cipher.Block, mac *macState, iv []byte, explicit, etm bool) *cbcCipher {
	return &cbcCipher{
		block: block, dec: cipher.NewCBCDecrypter(block, make([]byte, block.BlockSize())),
		mac: mac, explicit: explicit, etm: etm, iv: iv,
	}
}

func (c *cbcCipher) setIV(iv []byte) {
	if s, ok := c.dec.(ivSetter); ok {
		s.SetIV(iv)
		return
	}
	c.dec = cipher.NewCBCDecrypter(c.block, iv)
}

func (c *cbcCipher) open(dst []byte, seq uint64, hdr, frag []byte) ([]byte, ContentType, error) {
	pt, typ, _, err := c.openSearch(dst, seq, 0, hdr, frag)
	return pt, typ, err
}

// seqSearcher is a stateful cipher that can open a record once and check
// it against several sequence numbers (after lost bytes, when records may
// have been lost), since opening it twice would run its state on twice.
type seqSearcher interface {
	openSearch(dst []byte, seq, more uint64, hdr, frag []byte) ([]byte, ContentType, uint64, error)
}

// openSearch is open, with the MAC checked against the sequence numbers
// seq to seq+more; it returns the one that matched.
func (c *cbcCipher) openSearch(dst []byte, seq, more uint64, hdr, frag []byte) ([]byte, ContentType, uint64, error) {
	bs := c.block.BlockSize()
	ms := c.mac.size()
	typ := RecordHeader(hdr).Type()
	body := frag
	var mac []byte
	if c.etm {
		if len(frag) < ms {
			return nil, 0, 0, errShortCT
		}
		body, mac = frag[:len(frag)-ms], frag[len(frag)-ms:]
	}
	if len(body)%bs != 0 {
		return nil, 0, 0, errBlocks
	}
	if len(body) < bs {
		return nil, 0, 0, errShortCT
	}
	// Encrypt-then-MAC's MAC covers the explicit IV with the ciphertext
	// (RFC 7366 3: "IV + ENC(content + padding + padding_length)").
	authed := body
	var iv []byte
	if c.explicit {
		iv, body = body[:bs], body[bs:]
		if len(body) < bs {
			return nil, 0, 0, errShortCT
		}
	} else {
		// TLS 1.0: the record's last ciphertext block is the next
		// record's IV, whatever becomes of this record, so it is taken
		// first; and a record after lost ones, whose IV went with them,
		// cannot be opened, but the one after it can.
		c.prev = append(c.prev[:0], c.iv...)
		iv = c.prev
		copy(c.iv, body[len(body)-bs:])
		if c.lost {
			c.lost = false
			return nil, 0, 0, errNoState
		}
	}
	if c.etm {
		var ok bool
		if seq, ok = c.mac.search(seq, more, hdr, authed, mac); !ok {
			return nil, 0, 0, errBadMAC
		}
	}
	c.setIV(iv)
	pt := dst[:len(body)]
	c.dec.CryptBlocks(pt, body)
	// Padding: padding_length+1 bytes of value padding_length at the end.
	pad := int(pt[len(pt)-1])
	if pad+1 > len(pt) {
		return nil, 0, 0, errBadPad
	}
	for _, b := range pt[len(pt)-1-pad:] {
		if int(b) != pad {
			return nil, 0, 0, errBadPad
		}
	}
	pt = pt[:len(pt)-1-pad]
	if c.etm {
		return pt, typ, seq, nil
	}
	if len(pt) < ms {
		return nil, 0, 0, errShortCT
	}
	content, mac := pt[:len(pt)-ms], pt[len(pt)-ms:]
	seq, ok := c.mac.search(seq, more, hdr, content, mac)
	if !ok {
		return nil, 0, 0, errBadMAC
	}
	return content, typ, seq, nil
}

func (c *cbcCipher) stateful() bool { return !c.explicit }
func (c *cbcCipher) lose()          { c.lost = true }

// catchUp takes TLS 1.0's chained IV from the last record that went by.
func (c *cbcCipher) catchUp(_ int64, tail []byte) {
	if c.explicit {
		return
	}
	end := len(tail)
	if c.etm {
		end -= c.mac.size()
	}
	if bs := c.block.BlockSize(); end >= bs {
		copy(c.iv, tail[end-bs:end])
		c.lost = false
	} else {
		c.lost = true
	}
}

// rc4Cipher is RC4 with HMAC, MAC-then-encrypt; its key stream runs on
// from record to record.
type rc4Cipher struct {
	rc4  *rc4.Cipher
	mac  *macState
	lost bool
}

func (c *rc4Cipher) open(dst []byte, seq uint64, hdr, frag []byte) ([]byte, ContentType, error) {
	if c.lost {
		return nil, 0, errNoState
	}
	pt := dst[:len(frag)]
	c.rc4.XORKeyStream(pt, frag)
	ms := c.mac.size()
	if len(pt) < ms {
		return nil, 0, errShortCT
	}
	content, mac := pt[:len(pt)-ms], pt[len(pt)-ms:]
	if !c.mac.verify(seq, hdr, content, mac) {
		return nil, 0, errBadMAC
	}
	return content, RecordHeader(hdr).Type(), nil
}

func (c *rc4Cipher) stateful() bool { return true }
func (c *rc4Cipher) lose()          { c.lost = true }

// catchUp runs the key stream on past the bytes that went by.
func (c *rc4Cipher) catchUp(skipped int64, _ []byte) {
	var scratch [4096]byte
	for skipped > 0 {
		n := min(skipped, int64(len(scratch)))
		c.rc4.XORKeyStream(scratch[:n], scratch[:n])
		skipped -= n
	}
}

// newAEAD returns the AEAD of a GCM or ChaCha20-Poly1305 suite.
func newAEAD(p suiteParams, key []byte) (cipher.AEAD, error) {
	switch p.bulk {
	case bulkAESGCM:
		b, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return cipher.NewGCM(b)
	case bulkChaCha20Poly1305:
		return chacha20poly1305.New(key)
	}
	return nil, fmt.Errorf("tls: %d is not an AEAD", p.bulk)
}
