package tls

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"testing"
)

// TLS 1.0 AES-CBC with encrypt-then-MAC (RFC 7366): the IV of a record is
// the last ciphertext block of the one before, whether or not that one's
// MAC verified. A record whose MAC fails (a corrupted byte) leaves the
// chained IV stale, and the next record, whose MAC is over its ciphertext
// and verifies, is "decrypted" with a wrong first block.
func TestTLS10EncryptThenMACChainsIV(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 16)
	macKey := bytes.Repeat([]byte{9}, 20)
	iv0 := bytes.Repeat([]byte{3}, 16)
	blk, _ := aes.NewCipher(key)
	hdrFor := func(n int) []byte { return []byte{byte(ContentApplicationData), 3, 1, byte(n >> 8), byte(n)} }
	iv := bytes.Clone(iv0)
	seal := func(seq uint64, content []byte) []byte {
		pad := 16 - (len(content)+1)%16
		pt := append(bytes.Clone(content), bytes.Repeat([]byte{byte(pad)}, pad+1)...)
		ct := make([]byte, len(pt))
		cipher.NewCBCEncrypter(blk, iv).CryptBlocks(ct, pt)
		copy(iv, ct[len(ct)-16:])
		m := hmac.New(sha1.New, macKey)
		var h [13]byte
		binary.BigEndian.PutUint64(h[:], seq)
		copy(h[8:], hdrFor(0)[:3])
		binary.BigEndian.PutUint16(h[11:], uint16(len(ct)))
		m.Write(h[:])
		m.Write(ct)
		frag := append(ct, m.Sum(nil)...)
		return append(hdrFor(len(frag)), frag...)
	}
	r1 := seal(0, []byte("first record, thirty-two bytes!!"))
	r2 := seal(1, []byte("second record: the plaintext we want back"))
	r1[len(r1)-1] ^= 1 // a corrupted MAC byte in the capture

	c := newCBC(blk, newMACState(crypto.SHA1, macKey), bytes.Clone(iv0), false, true)
	dst := make([]byte, MaxCiphertext+5)
	pt, _, err := c.open(dst, 0, r1[:5], r1[5:])
	if !errors.Is(err, errBadMAC) || pt != nil {
		t.Errorf("record 1, its MAC corrupted: %q, %v; want no plaintext and %v", pt, err, errBadMAC)
	}
	pt, _, err = c.open(dst, 1, r2[:5], r2[5:])
	if err != nil || string(pt) != "second record: the plaintext we want back" {
		t.Errorf("record 2: %q, %v; want its plaintext, decrypted with the IV record 1 left", pt, err)
	}
}
