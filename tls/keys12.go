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
	"fmt"
	"hash"
)

// pHash fills out with P_hash(secret, seed) (RFC 5246 5).
func pHash(out []byte, newHash func() hash.Hash, secret, seed []byte) {
	h := hmac.New(newHash, secret)
	h.Write(seed)
	a := h.Sum(nil) // A(1)
	for len(out) > 0 {
		h.Reset()
		h.Write(a)
		h.Write(seed)
		out = out[copy(out, h.Sum(nil)):]
		h.Reset()
		h.Write(a)
		a = h.Sum(a[:0])
	}
}

// prf12 is TLS 1.2's PRF with the cipher suite's hash (RFC 5246 5).
func prf12(h crypto.Hash, secret []byte, label string, seed []byte, n int) []byte {
	out := make([]byte, n)
	pHash(out, newHash(h), secret, append([]byte(label), seed...))
	return out
}

// prf10 is the PRF of TLS 1.0 and 1.1 (RFC 2246 5): P_MD5 of the first
// half of the secret XOR P_SHA-1 of the second (the halves share a byte
// when the length is odd).
func prf10(secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	half := (len(secret) + 1) / 2
	out := make([]byte, n)
	pHash(out, md5.New, secret[:half], ls)
	o2 := make([]byte, n)
	pHash(o2, sha1.New, secret[len(secret)-half:], ls)
	for i := range out {
		out[i] ^= o2[i]
	}
	return out
}

// keys12 derives the record ciphers of both directions of a TLS 1.0-1.2
// session from its master secret (RFC 5246 6.3: the key block is
// client MAC key, server MAC key, client key, server key, client IV,
// server IV). etm says encrypt-then-MAC was negotiated (RFC 7366; CBC
// suites only).
func keys12(v Version, p suiteParams, master []byte, clientRandom, serverRandom [32]byte, etm bool) (client, server recordCipher, err error) {
	if p.tls13 {
		return nil, nil, fmt.Errorf("TLS 1.3 cipher suite in %v", v)
	}
	if v < VersionTLS10 || v > VersionTLS12 {
		return nil, nil, fmt.Errorf("%v records are not decrypted", v)
	}
	macLen := 0
	if p.mac != 0 {
		macLen = p.mac.Size()
	}
	ivLen := p.ivLen()
	n := 2*macLen + 2*p.keyLen + 2*ivLen
	seed := make([]byte, 0, 64)
	seed = append(seed, serverRandom[:]...)
	seed = append(seed, clientRandom[:]...)
	var kb []byte
	if v == VersionTLS12 {
		kb = prf12(p.prf, master, "key expansion", seed, n)
	} else {
		kb = prf10(master, "key expansion", seed, n)
	}
	take := func(k int) []byte {
		b := kb[:k:k]
		kb = kb[k:]
		return b
	}
	cMAC, sMAC := take(macLen), take(macLen)
	cKey, sKey := take(p.keyLen), take(p.keyLen)
	cIV, sIV := take(ivLen), take(ivLen)
	if client, err = newCipher12(v, p, cMAC, cKey, cIV, etm); err != nil {
		return nil, nil, err
	}
	if server, err = newCipher12(v, p, sMAC, sKey, sIV, etm); err != nil {
		return nil, nil, err
	}
	return client, server, nil
}

func newCipher12(v Version, p suiteParams, macKey, key, iv []byte, etm bool) (recordCipher, error) {
	switch p.bulk {
	case bulkAESGCM, bulkChaCha20Poly1305:
		if v != VersionTLS12 {
			return nil, fmt.Errorf("AEAD cipher suite in %v", v)
		}
		a, err := newAEAD(p, key)
		if err != nil {
			return nil, err
		}
		c := &aead12{aead: a, explicit: p.bulk == bulkAESGCM}
		copy(c.iv[:], iv)
		return c, nil
	case bulkAESCBC, bulk3DESCBC:
		var b cipher.Block
		var err error
		if p.bulk == bulkAESCBC {
			b, err = aes.NewCipher(key)
		} else {
			b, err = des.NewTripleDESCipher(key)
		}
		if err != nil {
			return nil, err
		}
		return newCBC(b, newMACState(p.mac, macKey), iv, v >= VersionTLS11, etm), nil
	case bulkRC4:
		c, err := rc4.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return &rc4Cipher{rc4: c, mac: newMACState(p.mac, macKey)}, nil
	}
	return nil, fmt.Errorf("unknown bulk cipher %d", p.bulk)
}
