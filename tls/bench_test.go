package tls

import (
	"bytes"
	gotls "crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// Benchmarks of a Session decrypting a bulk conversation, the work of
// netdump --tls-sessions --keylog once the TCP streams are reassembled
// (bench/tls-vs-tshark.sh measures the whole of it against tshark):
//
//	go test ./tls -run '^$' -bench SessionDecrypt -benchmem -count 3
//
// Each records a crypto/tls conversation over loopback TCP once per
// process (both sides writing at once: 1 MiB from the client, 4 MiB from
// the server, then close_notify), as the tests of session_gotls_test.go
// do, then decrypts it with a fresh Session per op. MB/s counts the bytes
// on the wire, both directions, headers included. Two ways of feeding:
//
//	writes:   one Feed per write crypto/tls made (a record, or a handshake
//	          flight), the recorded chunks as they are
//	segments: the same bytes in pieces of at most 1448 bytes, the payload
//	          of a full-size TCP segment over Ethernet with timestamps, as
//	          netdump's reassembly hands them over from a capture
//
// Before timing, one decryption is checked: every encrypted record
// decrypted and each side's data as plaintext, so that a benchmark cannot
// measure a Session that has given up.

func BenchmarkSessionDecryptAES128GCM(b *testing.B) {
	benchSessionDecrypt(b, gotls.VersionTLS13, gotls.TLS_AES_128_GCM_SHA256)
}

// crypto/tls has no setting for the TLS 1.3 cipher suites (its server
// picks AES-128-GCM when both ends have AES hardware), so AES-256-GCM and
// ChaCha20-Poly1305 are measured under TLS 1.2, whose suites can be
// chosen: the AEADs are the same, and the record layers differ only in
// the nonce and TLS 1.3's inner content type. bench/tls-vs-tshark.sh
// measures all three TLS 1.3 suites, with curl choosing them.

func BenchmarkSessionDecryptTLS12AES128GCM(b *testing.B) {
	benchSessionDecrypt(b, gotls.VersionTLS12, gotls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
}

func BenchmarkSessionDecryptTLS12AES256GCM(b *testing.B) {
	benchSessionDecrypt(b, gotls.VersionTLS12, gotls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
}

func BenchmarkSessionDecryptTLS12ChaCha20(b *testing.B) {
	benchSessionDecrypt(b, gotls.VersionTLS12, gotls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
}

// What each side of a benchmark conversation sends.
const (
	benchClientBytes = 1 << 20
	benchServerBytes = 4 << 20
	// benchSegment is the largest piece the segments benchmarks feed:
	// MTU 1500 less 20 bytes of IPv4 header and 32 of TCP header with
	// timestamps.
	benchSegment = 1448
)

func benchSessionDecrypt(b *testing.B, version, suite uint16) {
	conv := benchConversation(b, version, suite)
	for _, feed := range []struct {
		name   string
		chunks []sxChunk
	}{
		{"writes", conv.chunks},
		{"segments", conv.segments},
	} {
		b.Run(feed.name, func(b *testing.B) {
			if err := conv.check(feed.chunks); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(conv.wire)
			b.ReportAllocs()
			for b.Loop() {
				s := NewSession(SessionConfig{KeyLog: conv.keys})
				for _, ch := range feed.chunks {
					s.Feed(ch.dir, ch.data, ch.ts)
				}
				s.Close()
			}
		})
	}
}

// benchConv is a recorded conversation and what decrypting it must give.
type benchConv struct {
	version, suite uint16
	chunks         []sxChunk // as crypto/tls wrote them
	segments       []sxChunk // the same, in pieces of at most benchSegment
	keys           *KeyLog
	wire           int64    // bytes of chunks, both directions
	plain          [2]int64 // application data each side sent
}

// check decrypts chunks once and compares the summary with what the
// conversation holds.
func (c *benchConv) check(chunks []sxChunk) error {
	s := NewSession(SessionConfig{KeyLog: c.keys})
	for _, ch := range chunks {
		s.Feed(ch.dir, ch.data, ch.ts)
	}
	s.Close()
	sum := s.Summary()
	switch {
	case sum.Version != Version(c.version) || sum.CipherSuite != c.suite:
		return fmt.Errorf("session: %v 0x%04x, crypto/tls negotiated %v 0x%04x", sum.Version, sum.CipherSuite, Version(c.version), c.suite)
	case !sum.KeysFound || sum.Errors != 0 || sum.Failed != [2]int{} || sum.Decrypted != sum.Encrypted:
		return fmt.Errorf("session: keys found %v, %d errors, encrypted %v, decrypted %v, failed %v",
			sum.KeysFound, sum.Errors, sum.Encrypted, sum.Decrypted, sum.Failed)
	case sum.PlaintextBytes != c.plain:
		return fmt.Errorf("session: %v bytes of plaintext, want %v", sum.PlaintextBytes, c.plain)
	}
	return nil
}

var (
	benchConvMu sync.Mutex
	benchConvs  = map[[2]uint16]*benchConv{}
)

// benchConversation returns the conversation for a version and suite,
// recording it on first use.
func benchConversation(b *testing.B, version, suite uint16) *benchConv {
	b.Helper()
	benchConvMu.Lock()
	defer benchConvMu.Unlock()
	key := [2]uint16{version, suite}
	if c := benchConvs[key]; c != nil {
		return c
	}
	c, err := benchRecord(b, version, suite)
	if err != nil {
		b.Fatal(err)
	}
	benchConvs[key] = c
	return c
}

// benchRecord records a conversation between a crypto/tls client and
// server over loopback TCP: the handshake, the client sending
// benchClientBytes while the server sends benchServerBytes, and each
// side's close_notify.
func benchRecord(tb testing.TB, version, suite uint16) (*benchConv, error) {
	sxCerts(tb)
	kl := &sxSafeBuffer{}
	client := &gotls.Config{InsecureSkipVerify: true, MinVersion: version, MaxVersion: version, KeyLogWriter: kl}
	server := &gotls.Config{Certificates: []gotls.Certificate{sxECert}, MinVersion: version, MaxVersion: version, KeyLogWriter: kl}
	if version != gotls.VersionTLS13 {
		client.CipherSuites = []uint16{suite}
		server.CipherSuites = []uint16{suite}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, err
	}
	defer a.Close()
	bc, err := ln.Accept()
	if err != nil {
		return nil, err
	}
	defer bc.Close()

	wire := &sxWire{}
	c := gotls.Client(&sxTap{Conn: a, dir: FromClient, wire: wire}, client)
	s := gotls.Server(&sxTap{Conn: bc, dir: FromServer, wire: wire}, server)
	clientData, serverData := sxData(21, benchClientBytes), sxData(22, benchServerBytes)
	// Each end sends its data and its close_notify while it reads the
	// other's until the other's close_notify.
	talk := func(conn *gotls.Conn, send, want []byte) error {
		if err := conn.Handshake(); err != nil {
			return err
		}
		werr := make(chan error, 1)
		go func() {
			_, err := conn.Write(send)
			if err == nil {
				err = conn.CloseWrite()
			}
			werr <- err
		}()
		got, rerr := io.ReadAll(conn)
		if err := errors.Join(<-werr, rerr); err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("read %d bytes, not the %d sent", len(got), len(want))
		}
		return nil
	}
	errs := make(chan error, 2)
	go func() { errs <- talk(s, serverData, clientData) }()
	cerr := talk(c, clientData, serverData)
	if err := errors.Join(cerr, <-errs); err != nil {
		return nil, fmt.Errorf("recording %s %s: %w", gotls.VersionName(version), gotls.CipherSuiteName(suite), err)
	}
	st := c.ConnectionState()
	if st.Version != version || st.CipherSuite != suite {
		return nil, fmt.Errorf("negotiated %s %s, not %s %s", gotls.VersionName(st.Version), gotls.CipherSuiteName(st.CipherSuite),
			gotls.VersionName(version), gotls.CipherSuiteName(suite))
	}

	keys, err := ParseKeyLog(strings.NewReader(kl.String()))
	if err != nil {
		return nil, err
	}
	conv := &benchConv{version: version, suite: suite, keys: keys,
		plain: [2]int64{FromClient: int64(len(clientData)), FromServer: int64(len(serverData))}}
	wire.mu.Lock()
	conv.chunks = wire.chunks
	wire.mu.Unlock()
	for _, ch := range conv.chunks {
		conv.wire += int64(len(ch.data))
		for d := ch.data; len(d) > 0; {
			n := min(len(d), benchSegment)
			conv.segments = append(conv.segments, sxChunk{dir: ch.dir, data: d[:n], ts: ch.ts})
			d = d[n:]
		}
	}
	return conv, nil
}
