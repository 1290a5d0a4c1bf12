package tls

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/medina-net/medina/internal/corpus"
)

// sxRecorder collects a session's events, copying what they alias.
type sxRecorder struct {
	events []Event
	// plain is each direction's decrypted application data.
	plain [2][]byte
}

func (r *sxRecorder) add(e Event) {
	e.Data = bytes.Clone(e.Data)
	e.ClientHello, e.ServerHello, e.EncryptedExtensions, e.Certificate = nil, nil, nil, nil
	r.events = append(r.events, e)
	if e.Kind == EventApplicationData && e.Decrypted {
		r.plain[e.Dir] = append(r.plain[e.Dir], e.Data...)
	}
}

// of returns the events of a kind.
func (r *sxRecorder) of(k EventKind) []Event {
	var out []Event
	for _, e := range r.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// handshakes lists a direction's handshake message types.
func (r *sxRecorder) handshakes(d Direction) []HandshakeType {
	var out []HandshakeType
	for _, e := range r.events {
		if e.Kind == EventHandshake && e.Dir == d {
			out = append(out, e.Handshake)
		}
	}
	return out
}

// errs returns the events with an error.
func (r *sxRecorder) errs() []Event {
	var out []Event
	for _, e := range r.events {
		if e.Err != nil || e.Kind == EventError || e.Kind == EventNotTLS {
			out = append(out, e)
		}
	}
	return out
}

func newRecordedSession(kl *KeyLog) (*Session, *sxRecorder) {
	r := &sxRecorder{}
	return NewSession(SessionConfig{KeyLog: kl, OnEvent: r.add}), r
}

func illustratedDir(t *testing.T, version string) string {
	t.Helper()
	return filepath.Join(corpus.Need(t), "tls", "illustrated-"+version)
}

func readKeyLogFile(t testing.TB, path string) *KeyLog {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kl, err := ParseKeyLog(f)
	if err != nil {
		t.Fatal(err)
	}
	return kl
}

// illustratedRandom is the client random of both Illustrated captures.
func illustratedRandom() [32]byte {
	var r [32]byte
	for i := range r {
		r[i] = byte(i)
	}
	return r
}

func TestIllustrated13Keys(t *testing.T) {
	dir := illustratedDir(t, "tls13")
	kl := readKeyLogFile(t, filepath.Join(dir, "keylog.txt"))
	sec, ok := kl.Lookup(illustratedRandom())
	if !ok {
		t.Fatal("no secrets for the client random")
	}
	f, err := os.Open(filepath.Join(dir, "derived_keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok {
			want[k] = v
		}
	}
	p := decryptSuites[0x1302] // TLS_AES_256_GCM_SHA384
	for _, c := range []struct {
		prefix string
		secret []byte
	}{
		{"S_HS", sec.ServerHandshakeTrafficSecret},
		{"C_HS", sec.ClientHandshakeTrafficSecret},
		{"S_AP", sec.ServerTrafficSecret0},
		{"C_AP", sec.ClientTrafficSecret0},
	} {
		key, iv, err := trafficKeys13(p, c.secret)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(key); got != want[c.prefix+"_KEY"] {
			t.Errorf("%s_KEY = %s, want %s", c.prefix, got, want[c.prefix+"_KEY"])
		}
		if got := hex.EncodeToString(iv); got != want[c.prefix+"_IV"] {
			t.Errorf("%s_IV = %s, want %s", c.prefix, got, want[c.prefix+"_IV"])
		}
	}
}

// TestIllustrated13Records decrypts each encrypted record of the
// Illustrated TLS 1.3 capture on its own and compares it with the
// upstream plaintext (inner content plus its type byte).
func TestIllustrated13Records(t *testing.T) {
	dir := illustratedDir(t, "tls13")
	kl := readKeyLogFile(t, filepath.Join(dir, "keylog.txt"))
	sec, _ := kl.Lookup(illustratedRandom())
	p := decryptSuites[0x1302]
	for _, c := range []struct {
		enc, plain string
		secret     []byte
		seq        uint64
	}{
		{"serverencextensions", "serverextensions", sec.ServerHandshakeTrafficSecret, 0},
		{"serverenccert", "servercert", sec.ServerHandshakeTrafficSecret, 1},
		{"serverenccertverify", "servercertverify", sec.ServerHandshakeTrafficSecret, 2},
		{"serverencfinished", "serverfinished", sec.ServerHandshakeTrafficSecret, 3},
		{"clientencfinished", "clientfinished", sec.ClientHandshakeTrafficSecret, 0},
		{"clientencdata", "clientdata", sec.ClientTrafficSecret0, 0},
		{"serverencticket1", "serverticket1", sec.ServerTrafficSecret0, 0},
		{"serverencticket2", "serverticket2", sec.ServerTrafficSecret0, 1},
		{"serverencdata", "serverdata", sec.ServerTrafficSecret0, 2},
	} {
		enc, err := os.ReadFile(filepath.Join(dir, "caps", c.enc))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, "caps", c.plain))
		if err != nil {
			t.Fatal(err)
		}
		ci, err := newCipher13(p, c.secret)
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := ParseRecord(enc)
		if err != nil {
			t.Fatal(err)
		}
		pt, typ, err := ci.open(make([]byte, len(enc)), c.seq, enc[:5], rec.Fragment)
		if err != nil {
			t.Errorf("%s: %v", c.enc, err)
			continue
		}
		if got := append(bytes.Clone(pt), byte(typ)); !bytes.Equal(got, want) {
			t.Errorf("%s: decrypted\n%x\nwant (%s)\n%x", c.enc, got, c.plain, want)
		}
	}
}

// TestIllustrated12Records decrypts the encrypted records of the
// Illustrated TLS 1.2 capture (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA) on their
// own. Upstream's plaintexts are what openssl enc left of the CBC
// decryption: the content, then (for most) the MAC and the padding length.
func TestIllustrated12Records(t *testing.T) {
	dir := illustratedDir(t, "tls12")
	kl := readKeyLogFile(t, filepath.Join(dir, "keylog.txt"))
	sec, ok := kl.Lookup(illustratedRandom())
	if !ok || len(sec.MasterSecret) != 48 {
		t.Fatal("no master secret for the client random")
	}
	var serverRandom [32]byte
	for i := range serverRandom {
		serverRandom[i] = byte(0x70 + i)
	}
	cc, sc, err := keys12(VersionTLS12, decryptSuites[0xc013], sec.MasterSecret, illustratedRandom(), serverRandom, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		enc, plain string
		ci         recordCipher
		seq        uint64
	}{
		{"clientfinished", "clientfinishedplain", cc, 0},
		{"clientdata", "clientdataplain", cc, 1},
		{"clientalert", "clientalertplain", cc, 2},
		{"serverfinished", "serverfinishedplain", sc, 0},
		{"serverdata", "serverdataplain", sc, 1},
	} {
		enc, err := os.ReadFile(filepath.Join(dir, "caps", c.enc))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, "caps", c.plain))
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := ParseRecord(enc)
		if err != nil {
			t.Fatal(err)
		}
		pt, _, err := c.ci.open(make([]byte, len(enc)), c.seq, enc[:5], rec.Fragment)
		if err != nil {
			t.Errorf("%s: %v", c.enc, err)
			continue
		}
		// The content, then either nothing or the MAC (20) and the
		// padding length byte.
		if !bytes.HasPrefix(want, pt) || (len(want) != len(pt) && len(want) != len(pt)+21) {
			t.Errorf("%s: decrypted\n%x\nwant (%s)\n%x", c.enc, pt, c.plain, want)
		}
	}
}

// TestIllustratedCaptures runs the Illustrated captures through a
// Session with their key logs and checks every record decrypts to the
// upstream plaintext.
func TestIllustratedCaptures(t *testing.T) {
	for _, c := range []struct {
		version                string
		client, server         []HandshakeType
		clientData, serverData string
	}{
		{
			version:    "tls13",
			client:     []HandshakeType{ClientHelloType, Finished},
			server:     []HandshakeType{ServerHelloType, EncryptedExtensions, Certificate, CertificateVerify, Finished, NewSessionTicket, NewSessionTicket},
			clientData: "ping", serverData: "pong",
		},
		{
			version:    "tls12",
			client:     []HandshakeType{ClientHelloType, ClientKeyExchange, Finished},
			server:     []HandshakeType{ServerHelloType, Certificate, ServerKeyExchange, ServerHelloDone, Finished},
			clientData: "ping", serverData: "pong",
		},
	} {
		t.Run(c.version, func(t *testing.T) {
			dir := illustratedDir(t, c.version)
			kl := readKeyLogFile(t, filepath.Join(dir, "keylog.txt"))
			conns := sxConns(t, filepath.Join(dir, "capture.pcap"))
			if len(conns) != 1 {
				t.Fatalf("%d connections, want 1", len(conns))
			}
			s, r := newRecordedSession(kl)
			conns[0].feed(s)
			for _, e := range r.errs() {
				t.Errorf("error event: %v", e)
			}
			if got := r.handshakes(FromClient); !equalTypes(got, c.client) {
				t.Errorf("client handshake messages %v, want %v", got, c.client)
			}
			if got := r.handshakes(FromServer); !equalTypes(got, c.server) {
				t.Errorf("server handshake messages %v, want %v", got, c.server)
			}
			if string(r.plain[FromClient]) != c.clientData || string(r.plain[FromServer]) != c.serverData {
				t.Errorf("application data %q / %q, want %q / %q", r.plain[FromClient], r.plain[FromServer], c.clientData, c.serverData)
			}
			sum := s.Summary()
			if !sum.TLS || !sum.KeysFound || sum.ServerName != "example.ulfheim.net" {
				t.Errorf("summary %+v", sum)
			}
			// Each decrypted record against the upstream bytes.
			checkIllustratedRecords(t, dir, c.version, r)
		})
	}
}

// checkIllustratedRecords finds each caps/ record in the session's
// events by its bytes and compares the decryption with the plaintext.
func checkIllustratedRecords(t *testing.T, dir, version string, r *sxRecorder) {
	var pairs [][2]string
	if version == "tls13" {
		pairs = [][2]string{
			{"serverencextensions", "serverextensions"}, {"serverenccert", "servercert"},
			{"serverenccertverify", "servercertverify"}, {"serverencfinished", "serverfinished"},
			{"clientencfinished", "clientfinished"}, {"clientencdata", "clientdata"},
			{"serverencticket1", "serverticket1"}, {"serverencticket2", "serverticket2"},
			{"serverencdata", "serverdata"},
		}
	} else {
		pairs = [][2]string{
			{"clientfinished", "clientfinishedplain"}, {"clientdata", "clientdataplain"},
			{"clientalert", "clientalertplain"}, {"serverfinished", "serverfinishedplain"},
			{"serverdata", "serverdataplain"},
		}
	}
	// Map each event's (dir, offset) to the content it gave.
	type content struct {
		typ  ContentType
		data []byte
	}
	got := map[[2]int64][]content{}
	for _, e := range r.events {
		k := [2]int64{int64(e.Dir), e.Offset}
		switch e.Kind {
		case EventHandshake:
			hdr := []byte{byte(e.Handshake), byte(len(e.Data) >> 16), byte(len(e.Data) >> 8), byte(len(e.Data))}
			got[k] = append(got[k], content{ContentHandshake, append(hdr, e.Data...)})
		case EventApplicationData, EventAlert:
			got[k] = append(got[k], content{e.InnerType, e.Data})
		}
	}
	for _, p := range pairs {
		enc, err := os.ReadFile(filepath.Join(dir, "caps", p[0]))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, "caps", p[1]))
		if err != nil {
			t.Fatal(err)
		}
		// Find the record event whose length and direction match, by
		// the record's position: the Offset of a record event.
		d := FromServer
		if strings.HasPrefix(p[0], "client") {
			d = FromClient
		}
		found := false
		for _, e := range r.events {
			if e.Kind != EventRecord || e.Dir != d || e.Length != len(enc)-5 || !e.Decrypted {
				continue
			}
			var all []byte
			for _, c := range got[[2]int64{int64(d), e.Offset}] {
				all = append(all, c.data...)
			}
			if version == "tls13" {
				all = append(all, byte(e.InnerType))
				if bytes.Equal(all, want) {
					found = true
				}
			} else if len(all) > 0 && bytes.HasPrefix(want, all) && (len(want) == len(all) || len(want) == len(all)+21) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no decrypted record matching %s", p[0], p[1])
		}
	}
}

func equalTypes(a, b []HandshakeType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
