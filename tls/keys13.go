package tls

import (
	"crypto"
	"crypto/hkdf"
	"fmt"
)

// hkdfExpandLabel is TLS 1.3's HKDF-Expand-Label (RFC 8446 7.1): HKDF-
// Expand of secret with the HkdfLabel {length, "tls13 " + label,
// context}.
func hkdfExpandLabel(h crypto.Hash, secret []byte, label string, context []byte, n int) ([]byte, error) {
	if len(label) > 255-6 || len(context) > 255 {
		return nil, fmt.Errorf("HKDF label or context too long")
	}
	info := make([]byte, 0, 4+6+len(label)+len(context))
	info = append(info, byte(n>>8), byte(n), byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	return hkdf.Expand(newHash(h), secret, string(info), n)
}

// trafficKeys13 derives a traffic secret's write key and IV (RFC 8446
// 7.3).
func trafficKeys13(p suiteParams, secret []byte) (key, iv []byte, err error) {
	if key, err = hkdfExpandLabel(p.prf, secret, "key", nil, p.keyLen); err != nil {
		return nil, nil, err
	}
	if iv, err = hkdfExpandLabel(p.prf, secret, "iv", nil, 12); err != nil {
		return nil, nil, err
	}
	return key, iv, nil
}

// newCipher13 returns the record protection of a TLS 1.3 traffic secret.
func newCipher13(p suiteParams, secret []byte) (*aead13, error) {
	if !p.tls13 {
		return nil, fmt.Errorf("not a TLS 1.3 cipher suite")
	}
	if len(secret) != p.prf.Size() {
		return nil, fmt.Errorf("traffic secret of %d bytes, want %d for %v", len(secret), p.prf.Size(), p.prf)
	}
	key, iv, err := trafficKeys13(p, secret)
	if err != nil {
		return nil, err
	}
	a, err := newAEAD(p, key)
	if err != nil {
		return nil, err
	}
	c := &aead13{aead: a}
	copy(c.iv[:], iv)
	return c, nil
}

// nextTrafficSecret13 is the traffic secret after a KeyUpdate (RFC 8446
// 7.2): application_traffic_secret_N+1 =
// HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "",
// Hash.length).
func nextTrafficSecret13(p suiteParams, secret []byte) ([]byte, error) {
	return hkdfExpandLabel(p.prf, secret, "traffic upd", nil, p.prf.Size())
}
