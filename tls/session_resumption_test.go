package tls

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/corpus"
)

// How a TLS 1.0-1.2 session resumed: by the session ID the client offered
// or by its session ticket (RFC 5077), said on the event of the message
// that shows it, and in the summary. crypto/tls resumes by ticket only
// (TestGoTLSResumption); here the other ways, in hand-made handshakes,
// and in captures.

// rsClientHello is a ClientHello record offering a session ID and a
// session ticket (either may be empty).
func rsClientHello(id, ticket []byte) []byte {
	body := u16be(uint16(VersionTLS12))
	body = append(body, bytes.Repeat([]byte{0x11}, 32)...) // random
	body = append(body, lenPrefixed(1, id)...)
	body = append(body, lenPrefixed(2, u16be(0xc02f))...)
	body = append(body, 1, 0) // compression: null
	exts := append(u16be(ExtSessionTicket), lenPrefixed(2, ticket)...)
	body = append(body, lenPrefixed(2, exts)...)
	return ptRecord(ContentHandshake, VersionTLS10, ptMessage(ClientHelloType, body))
}

// rsServerHello is a TLS 1.2 ServerHello record with a session ID.
func rsServerHello(id []byte) []byte {
	body := u16be(uint16(VersionTLS12))
	body = append(body, bytes.Repeat([]byte{0x22}, 32)...) // random
	body = append(body, lenPrefixed(1, id)...)
	body = append(body, u16be(0xc02f)...)
	body = append(body, 0, 0, 0) // compression, no extensions
	return ptRecord(ContentHandshake, VersionTLS12, ptMessage(ServerHelloType, body))
}

// rsTime is the time of every Feed.
var rsTime = time.Unix(1, 0)

var rsCCS = ptRecord(ContentChangeCipherSpec, VersionTLS12, []byte{1})

// rsFinished is an encrypted Finished (bytes no key opens).
var rsFinished = ptRecord(ContentHandshake, VersionTLS12, bytes.Repeat([]byte{0x5c}, 40))

func TestResumptionKinds(t *testing.T) {
	id := bytes.Repeat([]byte{0xa5}, 32)
	other := bytes.Repeat([]byte{0x5a}, 32)
	ticket := bytes.Repeat([]byte{0x77}, 100)
	cert := ptRecord(ContentHandshake, VersionTLS12, ptMessage(Certificate, lenPrefixed(3, nil)))
	cke := ptRecord(ContentHandshake, VersionTLS12, ptMessage(ClientKeyExchange, lenPrefixed(2, make([]byte, 64))))
	for _, c := range []struct {
		name string
		// client's and server's flights, in order: a ClientHello, then
		// the server's records, then the client's.
		ch     []byte
		server [][]byte
		client [][]byte
		want   Resumption
		// at: the handshake message or record type whose event carries
		// the resumption.
		at string
	}{
		{name: "session ID", ch: rsClientHello(id, nil), server: [][]byte{rsServerHello(id), rsCCS, rsFinished},
			want: ResumedBySessionID, at: "Server Hello"},
		{name: "ticket and session ID", ch: rsClientHello(id, ticket), server: [][]byte{rsServerHello(id), rsCCS, rsFinished},
			want: ResumedByTicket, at: "Server Hello"},
		{name: "ticket without a session ID", ch: rsClientHello(nil, ticket), server: [][]byte{rsServerHello(nil), rsCCS, rsFinished},
			want: ResumedByTicket, at: "change_cipher_spec"},
		{name: "ticket, the server's own ID", ch: rsClientHello(nil, ticket), server: [][]byte{rsServerHello(other), rsCCS, rsFinished},
			want: ResumedByTicket, at: "change_cipher_spec"},
		{name: "abbreviated without ticket or ID", ch: rsClientHello(nil, nil), server: [][]byte{rsServerHello(other), rsCCS, rsFinished},
			want: ResumedUnknown, at: "change_cipher_spec"},
		{name: "full handshake", ch: rsClientHello(id, ticket), server: [][]byte{rsServerHello(other), cert},
			client: [][]byte{cke, rsCCS, rsFinished}, want: NotResumed},
		{name: "full handshake whose ServerHelloDone was lost", ch: rsClientHello(nil, ticket),
			server: [][]byte{rsServerHello(other), cert, rsCCS, rsFinished}, client: [][]byte{cke, rsCCS, rsFinished}, want: NotResumed},
	} {
		t.Run(c.name, func(t *testing.T) {
			feeds := []ptFeed{{dir: FromClient, data: c.ch}}
			for _, b := range c.server {
				feeds = append(feeds, ptFeed{dir: FromServer, data: b})
			}
			// The client's flight goes after the server's ServerHello and
			// certificate, before its ChangeCipherSpec.
			if len(c.client) > 0 {
				n := min(2, len(feeds))
				rest := append([]ptFeed(nil), feeds[n:]...)
				feeds = feeds[:n]
				for _, b := range c.client {
					feeds = append(feeds, ptFeed{dir: FromClient, data: b})
				}
				feeds = append(feeds, rest...)
			}
			// Events are recorded with the resumption each carries.
			var at []string
			s := NewSession(SessionConfig{OnEvent: func(e Event) {
				if e.Resumption != NotResumed {
					name := e.Kind.String()
					if e.Kind == EventHandshake {
						name = e.Handshake.String()
					}
					at = append(at, name+" "+e.Resumption.String())
				}
			}})
			for _, f := range feeds {
				s.Feed(f.dir, f.data, rsTime)
			}
			s.Close()
			sum := s.Summary()
			if sum.ResumedBy != c.want || sum.Resumed != (c.want != NotResumed) {
				t.Errorf("summary: Resumed %v, ResumedBy %v; want %v", sum.Resumed, sum.ResumedBy, c.want)
			}
			var want []string
			if c.want != NotResumed {
				want = []string{c.at + " " + c.want.String()}
			}
			if len(at) != len(want) || len(at) > 0 && at[0] != want[0] {
				t.Errorf("events carrying a resumption: %q, want %q", at, want)
			}
		})
	}
}

// TestResumptionCaptures: Arkime's tls-client-sessionid resumes a TLS 1.0
// session by its session ID (the client offers no ticket); Zeek's
// tls1.2-protocol-violation is a full handshake whose ServerHelloDone is
// lost in a malformed message, which is no resumption, and neither is
// the handshake of a TLS 1.3 experiment that echoes the session ID.
func TestResumptionCaptures(t *testing.T) {
	dir := filepath.Join(corpus.Need(t), "tls")
	for _, c := range []struct {
		path string
		want Resumption
	}{
		{"arkime/tls-client-sessionid.pcap", ResumedBySessionID},
		{"zeek/traces/tls1.2-protocol-violation.pcap", NotResumed},
		// Chrome's TLS 1.3 experiment 0x7e01 echoes the session ID
		// (TLS 1.3's compatibility mode): no resumption.
		{"zeek/traces/chrome-63.0.3211.0-canary-tls_experiment.pcap", NotResumed},
	} {
		conns := sxConns(t, filepath.Join(dir, c.path))
		if len(conns) != 1 {
			t.Fatalf("%s: %d connections", c.path, len(conns))
		}
		s := NewSession(SessionConfig{})
		conns[0].feed(s)
		if sum := s.Summary(); sum.ResumedBy != c.want || sum.Resumed != (c.want != NotResumed) {
			t.Errorf("%s: Resumed %v, ResumedBy %v; want %v", c.path, sum.Resumed, sum.ResumedBy, c.want)
		}
	}
}
