package tls

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	gotls "crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A TLS 1.0-1.2 CBC record whose bytes were changed must fail its MAC
// check and give no plaintext, whichever way the MAC and the encryption
// are composed: MAC-then-encrypt (RFC 5246 6.2.3.2) or encrypt-then-MAC
// (RFC 7366), with TLS 1.0's chained IV or TLS 1.1's explicit one. A MAC
// check that always passed would show a tampered record as decrypted.

// cbcSealer protects records as a TLS 1.0-1.2 CBC suite's sender does.
type cbcSealer struct {
	block    cipher.Block
	macHash  crypto.Hash
	macKey   []byte
	iv       []byte // TLS 1.0's chained IV; TLS 1.1's explicit IVs are made from it
	explicit bool
	etm      bool
}

// mac is the record MAC over seq, the header's type and version, and data.
func (c *cbcSealer) mac(seq uint64, typ ContentType, data []byte) []byte {
	m := hmac.New(newHash(c.macHash), c.macKey)
	var h [13]byte
	binary.BigEndian.PutUint64(h[:], seq)
	h[8], h[9], h[10] = byte(typ), 3, 1
	binary.BigEndian.PutUint16(h[11:], uint16(len(data)))
	m.Write(h[:])
	m.Write(data)
	return m.Sum(nil)
}

// seal returns record seq carrying content, header included.
func (c *cbcSealer) seal(seq uint64, typ ContentType, content []byte) []byte {
	bs := c.block.BlockSize()
	pt := bytes.Clone(content)
	if !c.etm {
		pt = append(pt, c.mac(seq, typ, content)...)
	}
	pad := bs - (len(pt)+1)%bs
	if pad == bs {
		pad = 0
	}
	pt = append(pt, bytes.Repeat([]byte{byte(pad)}, pad+1)...)
	iv := c.iv
	var frag []byte
	if c.explicit {
		// A fresh IV per record, sent in front of it.
		iv = bytes.Clone(c.iv)
		iv[0] ^= byte(seq + 1)
		frag = append(frag, iv...)
	}
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(c.block, iv).CryptBlocks(ct, pt)
	if !c.explicit {
		copy(c.iv, ct[len(ct)-bs:])
	}
	frag = append(frag, ct...)
	if c.etm {
		frag = append(frag, c.mac(seq, typ, frag)...)
	}
	hdr := []byte{byte(typ), 3, 1, byte(len(frag) >> 8), byte(len(frag))}
	return append(hdr, frag...)
}

// cbcPair returns a sealer and the cipher that opens its records.
func cbcPair(h crypto.Hash, explicit, etm bool) (*cbcSealer, *cbcCipher) {
	key := bytes.Repeat([]byte{7}, 16)
	macKey := bytes.Repeat([]byte{9}, h.Size())
	iv := bytes.Repeat([]byte{3}, 16)
	blk, _ := aes.NewCipher(key)
	s := &cbcSealer{block: blk, macHash: h, macKey: macKey, iv: bytes.Clone(iv), explicit: explicit, etm: etm}
	return s, newCBC(blk, newMACState(h, macKey), bytes.Clone(iv), explicit, etm)
}

func TestCBCTamperedRecordFailsMAC(t *testing.T) {
	content := []byte("GET /account/transfer?to=mallory&amount=1000000 HTTP/1.1\r\n")
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256} {
		for _, explicit := range []bool{false, true} {
			for _, etm := range []bool{false, true} {
				name := fmt.Sprintf("%v/explicit-iv=%v/etm=%v", h, explicit, etm)
				sealer, _ := cbcPair(h, explicit, etm)
				rec := sealer.seal(0, ContentApplicationData, content)
				frag := rec[RecordHeaderLen:]
				bs, ms := 16, h.Size()
				ivLen := 0
				if explicit {
					ivLen = bs
				}
				// Where to change a byte: the first block of ciphertext
				// (content), the MAC (in the clear after the ciphertext with
				// encrypt-then-MAC, inside its last blocks otherwise), and
				// the explicit IV.
				places := map[string]int{"ciphertext": ivLen + 3}
				if etm {
					places["mac"] = len(frag) - ms/2
				} else {
					places["mac"] = len(frag) - 2*bs + 1
				}
				if explicit {
					places["iv"] = 5
				}
				for where, at := range places {
					t.Run(name+"/"+where, func(t *testing.T) {
						// A fresh cipher for each case: TLS 1.0's chained IV
						// moves on with every record opened.
						_, c := cbcPair(h, explicit, etm)
						dst := make([]byte, MaxCiphertext+RecordHeaderLen)
						pt, _, err := c.open(dst, 0, rec[:RecordHeaderLen], bytes.Clone(frag))
						if err != nil || !bytes.Equal(pt, content) {
							t.Fatalf("untouched record: %q, %v", pt, err)
						}
						_, c = cbcPair(h, explicit, etm)
						bad := bytes.Clone(frag)
						bad[at] ^= 0x20
						pt, _, err = c.open(dst, 0, rec[:RecordHeaderLen], bad)
						if !errors.Is(err, errBadMAC) || pt != nil {
							t.Errorf("byte %d of %d changed: plaintext %q, error %v; want no plaintext and %v", at, len(bad), pt, err, errBadMAC)
						}
					})
				}
			}
		}
	}
}

// TestCBCMACOverSequenceNumbers: after lost bytes a record is checked
// against several sequence numbers (openSearch); a tampered one matches
// none of them.
func TestCBCMACOverSequenceNumbers(t *testing.T) {
	for _, etm := range []bool{false, true} {
		sealer, c := cbcPair(crypto.SHA1, true, etm)
		rec := sealer.seal(5, ContentApplicationData, []byte("record number five"))
		dst := make([]byte, MaxCiphertext+RecordHeaderLen)
		pt, _, seq, err := c.openSearch(dst, 2, 8, rec[:RecordHeaderLen], rec[RecordHeaderLen:])
		if err != nil || seq != 5 || string(pt) != "record number five" {
			t.Fatalf("etm=%v: untouched record: %q, seq %d, %v", etm, pt, seq, err)
		}
		bad := bytes.Clone(rec)
		if etm {
			bad[len(bad)-1] ^= 1 // the MAC
		} else {
			bad[RecordHeaderLen+16+2] ^= 1 // the MAC is encrypted: change the ciphertext
		}
		pt, _, _, err = c.openSearch(dst, 2, 8, bad[:RecordHeaderLen], bad[RecordHeaderLen:])
		if !errors.Is(err, errBadMAC) || pt != nil {
			t.Errorf("etm=%v: tampered record: %q, %v; want %v", etm, pt, err, errBadMAC)
		}
	}
}

// TestSessionTamperedCBCRecord decrypts a crypto/tls TLS 1.2 conversation
// (AES-CBC, HMAC-SHA1, MAC-then-encrypt) in which one application data
// record of the server's was changed on the way: that record is reported
// as failed with a bad MAC and shows no plaintext, and the records around
// it decrypt as before.
func TestSessionTamperedCBCRecord(t *testing.T) {
	sxCerts(t)
	suite := gotls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
	for _, version := range []uint16{gotls.VersionTLS12, gotls.VersionTLS10} {
		t.Run(gotls.VersionName(version), func(t *testing.T) {
			x := sxExchange{
				client:     &gotls.Config{InsecureSkipVerify: true, CipherSuites: []uint16{suite}, MinVersion: version, MaxVersion: version},
				server:     &gotls.Config{Certificates: []gotls.Certificate{sxRSACert}, CipherSuites: []uint16{suite}, MinVersion: version, MaxVersion: version},
				clientData: sxData(1, 100), serverData: sxData(2, 50000),
			}
			res := sxConverse(t, x)
			kl, err := ParseKeyLog(strings.NewReader(res.keylog))
			if err != nil {
				t.Fatal(err)
			}
			var cli, srv []byte
			for _, ch := range res.wire {
				if ch.dir == FromClient {
					cli = append(cli, ch.data...)
				} else {
					srv = append(srv, ch.data...)
				}
			}
			// The server's application data records.
			var apps []int
			for off := 0; off < len(srv); {
				rec, n, err := ParseRecord(srv[off:])
				if err != nil {
					t.Fatal(err)
				}
				if rec.Type == ContentApplicationData {
					apps = append(apps, off)
				}
				off += n
			}
			if len(apps) < 3 {
				t.Fatalf("%d application data records", len(apps))
			}
			// Change a byte in the middle of the second one.
			victim := apps[1]
			_, n, _ := ParseRecord(srv[victim:])
			srv[victim+n/2] ^= 0x01
			s, r := newRecordedSession(kl)
			s.Feed(FromClient, cli, res.wire[0].ts)
			s.Feed(FromServer, srv, res.wire[0].ts)
			s.Close()
			var got *Event
			for i, e := range r.events {
				if e.Dir != FromServer || e.Offset != int64(victim) {
					continue
				}
				switch e.Kind {
				case EventRecord:
					got = &r.events[i]
				case EventApplicationData:
					if e.Decrypted || e.Data != nil {
						t.Errorf("tampered record shown as decrypted: %d bytes", len(e.Data))
					}
				}
			}
			if got == nil {
				t.Fatal("no event for the tampered record")
			}
			if got.Decrypted || !errors.Is(got.Err, errBadMAC) {
				t.Errorf("tampered record: decrypted %v, error %v; want %v", got.Decrypted, got.Err, errBadMAC)
			}
			sum := s.Summary()
			if sum.Failed[FromServer] != 1 || sum.Decrypted[FromServer] != sum.Encrypted[FromServer]-1 {
				t.Errorf("server records: encrypted %d, decrypted %d, failed %d; want one failed, the rest decrypted",
					sum.Encrypted[FromServer], sum.Decrypted[FromServer], sum.Failed[FromServer])
			}
		})
	}
}
