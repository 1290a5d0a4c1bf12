package tls

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A synthetic TLS 1.3 conversation (TLS_AES_128_GCM_SHA256) with random
// secrets put in a key log.
type rv13 struct {
	suite uint16
	t     *testing.T
	p     suiteParams
	cr    [32]byte
	sec   map[string][]byte
	seq   map[string]uint64 // per secret label
}

func newRV13(t *testing.T) *rv13 {
	r := &rv13{suite: 0x1301, t: t, p: decryptSuites[0x1301], sec: map[string][]byte{}, seq: map[string]uint64{}}
	rand.Read(r.cr[:])
	for _, l := range []string{LabelClientEarlyTrafficSecret, LabelClientHandshakeTrafficSecret, LabelServerHandshakeTrafficSecret, LabelClientTrafficSecret0, LabelServerTrafficSecret0} {
		s := make([]byte, 32)
		rand.Read(s)
		r.sec[l] = s
	}
	return r
}

// keylog returns a key log with the given labels (all when none).
func (r *rv13) keylog(labels ...string) *KeyLog {
	if len(labels) == 0 {
		for l := range r.sec {
			labels = append(labels, l)
		}
	}
	var b strings.Builder
	for _, l := range labels {
		fmt.Fprintf(&b, "%s %s %s\n", l, hex.EncodeToString(r.cr[:]), hex.EncodeToString(r.sec[l]))
	}
	kl, err := ParseKeyLog(strings.NewReader(b.String()))
	if err != nil {
		r.t.Fatal(err)
	}
	return kl
}

func (r *rv13) clientHello(early bool) []byte {
	exts := []Extension{{ExtSupportedVersions, []byte{2, 3, 4}}}
	if early {
		exts = append(exts, Extension{ExtEarlyData, nil})
	}
	body := helloBuilder{version: VersionTLS12, ciphers: []uint16{r.suite}, exts: exts}.body()
	copy(body[2:34], r.cr[:])
	return ptRecord(ContentHandshake, VersionTLS10, ptMessage(ClientHelloType, body))
}

func (r *rv13) serverHelloMsg() []byte {
	body := u16be(uint16(VersionTLS12))
	body = append(body, bytes.Repeat([]byte{0x5a}, 32)...)
	body = append(body, 0)
	body = append(body, u16be(r.suite)...)
	body = append(body, 0)
	ext := append(u16be(ExtSupportedVersions), lenPrefixed(2, u16be(uint16(VersionTLS13)))...)
	body = append(body, lenPrefixed(2, ext)...)
	return ptMessage(ServerHelloType, body)
}

// seal seals content under the secret named by label at the next
// sequence number of that label (or of key, if given).
func (r *rv13) sealWith(secret []byte, seqKey string, typ ContentType, content []byte, pad int) []byte {
	seq := r.seq[seqKey]
	r.seq[seqKey]++
	key, iv, err := trafficKeys13(r.p, secret)
	if err != nil {
		r.t.Fatal(err)
	}
	a, _ := newAEAD(r.p, key)
	inner := append(bytes.Clone(content), byte(typ))
	inner = append(inner, make([]byte, pad)...)
	n := len(inner) + a.Overhead()
	hdr := []byte{byte(ContentApplicationData), 3, 3, byte(n >> 8), byte(n)}
	nonce := bytes.Clone(iv)
	for i := range 8 {
		nonce[4+i] ^= byte(seq >> (56 - 8*i))
	}
	return a.Seal(hdr, nonce, inner, hdr)
}

func (r *rv13) seal(label string, typ ContentType, content []byte) []byte {
	return r.sealWith(r.sec[label], label, typ, content, 0)
}

func feedAll(s *Session, feeds []ptFeed) {
	for i, f := range feeds {
		if f.gap > 0 {
			s.Gap(f.dir, f.gap)
			continue
		}
		s.Feed(f.dir, f.data, time.Unix(int64(i), 0))
	}
	s.Close()
}

func dumpEvents(t *testing.T, r *sxRecorder) {
	for _, e := range r.events {
		t.Log(e)
	}
}
