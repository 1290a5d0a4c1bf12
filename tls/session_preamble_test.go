package tls

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Tests of the Session's start: TLS found after a plaintext preamble
// (STARTTLS and the like), the bound on that search, and the hellos of a
// TLS 1.3 client whose HelloRetryRequest the capture missed.

// ptRecord is a record of type typ holding frag.
func ptRecord(typ ContentType, v Version, frag []byte) []byte {
	return append([]byte{byte(typ), byte(v >> 8), byte(v), byte(len(frag) >> 8), byte(len(frag))}, frag...)
}

// ptMessage is a handshake message.
func ptMessage(typ HandshakeType, body []byte) []byte {
	return append([]byte{byte(typ)}, lenPrefixed(3, body)...)
}

// ptClientHello is a ClientHello record naming server.
func ptClientHello(server string) []byte {
	body := helloBuilder{version: VersionTLS12, ciphers: []uint16{0xc02f, 0x009c}, exts: []Extension{extSNI(server)}}.body()
	return ptRecord(ContentHandshake, VersionTLS10, ptMessage(ClientHelloType, body))
}

// ptServerHello is a TLS 1.2 ServerHello record choosing suite.
func ptServerHello(suite uint16) []byte {
	body := u16be(uint16(VersionTLS12))
	body = append(body, bytes.Repeat([]byte{0x5a}, 32)...) // random
	body = append(body, 0)                                 // session ID
	body = append(body, u16be(suite)...)
	body = append(body, 0)    // compression
	body = append(body, 0, 0) // no extensions
	return ptRecord(ContentHandshake, VersionTLS12, ptMessage(ServerHelloType, body))
}

// ptFeed is one Feed (or with gap > 0, one Gap) of a test.
type ptFeed struct {
	dir  Direction
	data []byte
	gap  int
}

// ptRun feeds a session and returns what it reported.
func ptRun(feeds []ptFeed) (*Session, *sxRecorder) {
	s, r := newRecordedSession(nil)
	for i, f := range feeds {
		if f.gap > 0 {
			s.Gap(f.dir, f.gap)
			continue
		}
		s.Feed(f.dir, f.data, time.Unix(int64(i), 0))
	}
	s.Close()
	return s, r
}

// ptSplit cuts b at the offsets given (ascending), giving Feeds of dir.
func ptSplit(dir Direction, b []byte, at ...int) []ptFeed {
	var out []ptFeed
	prev := 0
	for _, a := range append(at, len(b)) {
		if a > prev {
			out = append(out, ptFeed{dir: dir, data: b[prev:a]})
			prev = a
		}
	}
	return out
}

// ptSummary describes the events of a session, one per line, without
// times: the client's, then the server's (the order within a direction
// is what a Session promises).
func ptSummary(r *sxRecorder) string {
	var b strings.Builder
	events := slices.Clone(r.events)
	slices.SortStableFunc(events, func(x, y Event) int { return int(x.Dir) - int(y.Dir) })
	for _, e := range events {
		e.Time = time.Time{}
		b.WriteString(e.String())
		if e.Kind == EventHandshake && e.Handshake == ClientHelloType {
			if ch, _ := ParseClientHello(e.Data); ch != nil {
				b.WriteString(" sni=" + ch.ServerName)
			}
		}
		if e.Kind == EventPreamble || e.Kind == EventNotTLS {
			fmt.Fprintf(&b, " %q", e.Data)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// The plaintext of an SMTP STARTTLS exchange.
const (
	smtpBanner    = "220 mx.example.net ESMTP ready\r\n"
	smtpEHLO      = "EHLO client.example.org\r\n"
	smtpEHLOReply = "250-mx.example.net at your service\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n"
	smtpSTARTTLS  = "STARTTLS\r\n"
	smtpGoAhead   = "220 2.0.0 Ready to start TLS\r\n"
	smtpClient    = smtpEHLO + smtpSTARTTLS
	smtpServer    = smtpBanner + smtpEHLOReply + smtpGoAhead
)

// ptSMTP is an SMTP STARTTLS conversation: each side's bytes whole, and
// the Feeds in the order they are sent (the banner, EHLO, its reply,
// STARTTLS, the go-ahead, then the hellos).
func ptSMTP() (client, server []byte, feeds []ptFeed) {
	ch, sh := ptClientHello("mx.example.net"), ptServerHello(0xc02f)
	client = slices.Concat([]byte(smtpClient), ch)
	server = slices.Concat([]byte(smtpServer), sh)
	feeds = []ptFeed{
		{dir: FromServer, data: []byte(smtpBanner)},
		{dir: FromClient, data: []byte(smtpEHLO)},
		{dir: FromServer, data: []byte(smtpEHLOReply)},
		{dir: FromClient, data: []byte(smtpSTARTTLS)},
		{dir: FromServer, data: []byte(smtpGoAhead)},
		{dir: FromClient, data: ch},
		{dir: FromServer, data: sh},
	}
	return client, server, feeds
}

// The events of the SMTP conversation, however it is cut.
func wantSMTP() string {
	c, s := len(smtpClient), len(smtpServer)
	return fmt.Sprintf(`client @0 preamble %d bytes %q
client @%d record handshake TLS 1.0 len=%d
client @%d handshake Client Hello sni=mx.example.net
server @0 preamble %d bytes %q
server @%d record handshake TLS 1.2 len=%d
server @%d handshake Server Hello
`, c, smtpClient, c, len(ptClientHello("mx.example.net"))-RecordHeaderLen, c,
		s, smtpServer[:preambleShown], s, len(ptServerHello(0xc02f))-RecordHeaderLen, s)
}

func TestPreambleSMTP(t *testing.T) {
	_, _, feeds := ptSMTP()
	s, r := ptRun(feeds)
	if got, want := ptSummary(r), wantSMTP(); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	sum := s.Summary()
	if !sum.TLS || sum.Midstream || sum.Preamble != [2]int64{int64(len(smtpClient)), int64(len(smtpServer))} || sum.CipherSuite != 0xc02f || sum.ServerName != "mx.example.net" {
		t.Errorf("summary %+v", sum)
	}
}

// TestPreambleSplits cuts each direction of the SMTP conversation at
// every place (and the client's again at every place near its hello, so
// that the record header and the handshake header straddle Feeds),
// feeding either side first.
func TestPreambleSplits(t *testing.T) {
	client, server, _ := ptSMTP()
	want := wantSMTP()
	near := func(i, at int) bool { return i >= at-2 && i <= at+helloProbe+2 }
	run := func(feeds []ptFeed, what string) {
		t.Helper()
		if _, r := ptRun(feeds); ptSummary(r) != want {
			t.Fatalf("%s:\n%s\nwant:\n%s", what, ptSummary(r), want)
		}
	}
	for i := 1; i < len(client); i++ {
		for k := 1; k < len(server); k++ {
			if testing.Short() && k%9 != 0 && !near(k, len(smtpServer)) {
				continue
			}
			c, sv := ptSplit(FromClient, client, i), ptSplit(FromServer, server, k)
			run(slices.Concat(c, sv), fmt.Sprintf("client cut at %d, server's at %d, client first", i, k))
			run(slices.Concat(sv, c), fmt.Sprintf("client cut at %d, server's at %d, server first", i, k))
		}
		if !near(i, len(smtpClient)) {
			continue
		}
		for j := 1; j < i; j++ {
			c := ptSplit(FromClient, client, j, i)
			run(slices.Concat(c, ptSplit(FromServer, server, len(smtpServer)+3)), fmt.Sprintf("client cut at %d and %d", j, i))
		}
	}
}

// TestPreambleByteAtATime feeds the conversation a byte at a time,
// alternating directions.
func TestPreambleByteAtATime(t *testing.T) {
	client, server, _ := ptSMTP()
	var feeds []ptFeed
	for i := 0; i < max(len(client), len(server)); i++ {
		if i < len(server) {
			feeds = append(feeds, ptFeed{dir: FromServer, data: server[i : i+1]})
		}
		if i < len(client) {
			feeds = append(feeds, ptFeed{dir: FromClient, data: client[i : i+1]})
		}
	}
	_, r := ptRun(feeds)
	if got, want := ptSummary(r), wantSMTP(); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}

// TestPreambleStraddle puts the hello's record header across two Feeds
// at each place, after a preamble that is itself split.
func TestPreambleStraddle(t *testing.T) {
	pre := []byte("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
	ch := ptClientHello("example.com")
	client := slices.Concat(pre, ch)
	for cut := len(pre) - 3; cut <= len(pre)+helloProbe+1; cut++ {
		feeds := ptSplit(FromClient, client, 10, cut)
		feeds = append(feeds, ptFeed{dir: FromServer, data: []byte("HTTP/1.1 200 Connection established\r\n\r\n")})
		feeds = append(feeds, ptFeed{dir: FromServer, data: ptServerHello(0x009c)})
		s, r := ptRun(feeds)
		got := ptSummary(r)
		want := fmt.Sprintf("client @0 preamble %d bytes %q\nclient @%d record handshake TLS 1.0 len=%d\nclient @%d handshake Client Hello sni=example.com\n",
			len(pre), pre, len(pre), len(ch)-RecordHeaderLen, len(pre))
		if !strings.HasPrefix(got, want) || !strings.Contains(got, "server @39 handshake Server Hello\n") {
			t.Errorf("cut at %d:\n%s\nwant it to start:\n%s", cut, got, want)
		}
		if sum := s.Summary(); sum.Preamble != [2]int64{int64(len(pre)), 39} {
			t.Errorf("cut at %d: preamble %v", cut, sum.Preamble)
		}
	}
}

// TestPreambleTooLong: a preamble longer than maxPreamble means the
// stream is not TLS, however it is fed, and a hello at the limit is
// still found.
func TestPreambleTooLong(t *testing.T) {
	ch := ptClientHello("late.example")
	line := []byte("* OK a long banner line, not TLS at all\r\n")
	filler := func(n int) []byte { return bytes.Repeat(line, n/len(line)+1)[:n] }
	for _, chunk := range []int{1 << 20, 4096, 1000, 7} {
		for _, n := range []int{maxPreamble - 1, maxPreamble, maxPreamble + 1, 3 * maxPreamble} {
			client := slices.Concat(filler(n), ch)
			var feeds []ptFeed
			for i := 0; i < len(client); i += chunk {
				feeds = append(feeds, ptFeed{dir: FromClient, data: client[i:min(i+chunk, len(client))]})
			}
			s, r := ptRun(feeds)
			got := ptSummary(r)
			if n <= maxPreamble {
				want := fmt.Sprintf("client @0 preamble %d bytes %q\n", n, filler(preambleShown))
				if !strings.HasPrefix(got, want) || !strings.Contains(got, "handshake Client Hello sni=late.example") || !s.Summary().TLS {
					t.Errorf("preamble %d, chunks of %d:\n%s", n, chunk, got)
				}
				continue
			}
			want := fmt.Sprintf("client @0 not_tls %q\n", filler(16))
			if got != want || s.Summary().TLS {
				t.Errorf("preamble %d, chunks of %d:\n%s\nwant:\n%s", n, chunk, got, want)
			}
		}
	}
}

// TestPreambleBoundedMemory: a direction searching for its hello keeps
// only a few bytes, however much it is fed and however it is cut.
func TestPreambleBoundedMemory(t *testing.T) {
	s, r := newRecordedSession(nil)
	s.Feed(FromClient, []byte("GET / HTTP/1.1\r\n"), time.Time{})
	// Bytes that look like the start of a record again and again.
	junk := bytes.Repeat([]byte{22, 3, 1, 0x40, 0, 1, 0x10}, 1000)
	for i := 0; i < 16; i++ {
		s.Feed(FromServer, junk[:len(junk)-i], time.Time{})
		s.Feed(FromClient, junk[i:], time.Time{})
		for d := range s.h {
			if h := &s.h[d]; len(h.buf) >= helloProbe || cap(h.buf) > 4*(MaxCiphertext+RecordHeaderLen) {
				t.Fatalf("%v holds %d bytes (capacity %d)", h.dir, len(h.buf), cap(h.buf))
			}
		}
	}
	if len(r.of(EventNotTLS)) != 1 {
		t.Errorf("events:\n%s", ptSummary(r))
	}
}

// TestPreambleNotTLS: a connection that is not TLS is said to be so
// when it ends, if the limit was not reached before.
func TestPreambleNotTLS(t *testing.T) {
	_, r := ptRun([]ptFeed{
		{dir: FromClient, data: []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")},
		{dir: FromServer, data: []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")},
	})
	if got, want := ptSummary(r), "client @0 not_tls \"GET / HTTP/1.1\\r\\n\"\n"; got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}

// TestPreambleServerNeverAnswers: the client's TLS began after a
// preamble; the server's hello never comes.
func TestPreambleServerNeverAnswers(t *testing.T) {
	ch := ptClientHello("quiet.example")
	s, r := ptRun([]ptFeed{
		{dir: FromServer, data: []byte("+OK POP3 ready\r\n")},
		{dir: FromClient, data: []byte("STLS\r\n")},
		{dir: FromServer, data: []byte("+OK Begin TLS\r\n")},
		{dir: FromClient, data: ch},
		{dir: FromServer, data: []byte("-ERR what was that\r\n")},
	})
	want := fmt.Sprintf("client @0 preamble 6 bytes \"STLS\\r\\n\"\nclient @6 record handshake TLS 1.0 len=%d\nclient @6 handshake Client Hello sni=quiet.example\n", len(ch)-RecordHeaderLen)
	if got := ptSummary(r); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	if sum := s.Summary(); !sum.TLS || sum.Preamble != [2]int64{6, 0} {
		t.Errorf("summary %+v", sum)
	}
	// Past the limit the server's direction is given up.
	_, r = ptRun([]ptFeed{
		{dir: FromClient, data: []byte("STLS\r\n")},
		{dir: FromClient, data: ch},
		{dir: FromServer, data: bytes.Repeat([]byte("-ERR no\r\n"), maxPreamble/8)},
	})
	if errs := r.of(EventError); len(errs) != 1 || errs[0].Dir != FromServer || !strings.Contains(errs[0].Err.Error(), "no Server Hello in the first") {
		t.Errorf("events:\n%s", ptSummary(r))
	}
}

// TestPreambleGap: bytes lost in a preamble are skipped with it.
func TestPreambleGap(t *testing.T) {
	ch := ptClientHello("gap.example")
	s, r := ptRun([]ptFeed{
		{dir: FromClient, data: []byte("a001 STARTTLS\r\n")},
		{dir: FromClient, gap: 100},
		{dir: FromClient, data: []byte("a002 ")},
		{dir: FromClient, data: ch},
	})
	want := fmt.Sprintf("client @0 preamble 120 bytes %q\nclient @120 record handshake TLS 1.0 len=%d\nclient @120 handshake Client Hello sni=gap.example\n", "a001 STARTTLS\r\n", len(ch)-RecordHeaderLen)
	if got := ptSummary(r); got != want || s.Summary().Preamble[FromClient] != 120 {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}

// TestPreambleBinary: binary preambles (SOCKS 5, PostgreSQL's SSLRequest)
// and a server that answers before the client.
func TestPreambleBinary(t *testing.T) {
	ch, sh := ptClientHello("db.example"), ptServerHello(0xc02f)
	for _, c := range []struct {
		name           string
		client, server []byte
	}{
		{"socks5", []byte{5, 1, 0, 5, 1, 0, 3, 10, 'd', 'b', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 1, 187}, []byte{5, 0, 5, 0, 0, 1, 10, 0, 0, 1, 1, 187}},
		{"postgres", []byte{0, 0, 0, 8, 4, 210, 22, 47}, []byte("S")},
		// A preamble that holds the start of a handshake record.
		{"lookalike", []byte{'x', 22, 3, 1, 0, 10, 1, 0, 0, 6, 1, 2, 3, 4, 5, 6}, []byte{22, 3, 3, 0, 50, 2, 0, 0, 1}},
	} {
		_, r := ptRun([]ptFeed{
			{dir: FromClient, data: c.client},
			{dir: FromServer, data: c.server},
			{dir: FromClient, data: ch},
			{dir: FromServer, data: sh},
		})
		want := fmt.Sprintf("client @0 preamble %d bytes %q\nclient @%d record handshake TLS 1.0 len=%d\nclient @%d handshake Client Hello sni=db.example\n"+
			"server @0 preamble %d bytes %q\nserver @%d record handshake TLS 1.2 len=%d\nserver @%d handshake Server Hello\n",
			len(c.client), c.client, len(c.client), len(ch)-RecordHeaderLen, len(c.client),
			len(c.server), c.server, len(c.server), len(sh)-RecordHeaderLen, len(c.server))
		if got := ptSummary(r); got != want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.name, got, want)
		}
	}
}

// TestStartUnchanged: what the start of a connection said before the
// search for preambles still holds: a ClientHello at the start, an SSL
// 2.0 ClientHello, and a capture that begins in the middle.
func TestStartUnchanged(t *testing.T) {
	ch, sh := ptClientHello("a.example"), ptServerHello(0xc02f)
	s, r := ptRun([]ptFeed{{dir: FromServer, data: sh}, {dir: FromClient, data: ch}})
	if got := ptSummary(r); strings.Contains(got, "preamble") || !strings.Contains(got, "server @0 handshake Server Hello") || s.Summary().Midstream {
		t.Errorf("plain start:\n%s", got)
	}
	// SSL 2.0 CLIENT-HELLO: one cipher spec, a 16-byte challenge.
	v2 := []byte{0x80, 0x1c, 1, 3, 1, 0, 3, 0, 0, 0, 16, 0x00, 0x00, 0x2f}
	v2 = append(v2, bytes.Repeat([]byte{7}, 16)...)
	s, r = ptRun([]ptFeed{{dir: FromClient, data: v2}})
	if got := ptSummary(r); !s.Summary().SSLv2 || !strings.HasPrefix(got, "client @0 sslv2") {
		t.Errorf("SSL 2.0:\n%s", got)
	}
	// Midstream: application data records, a few bytes at a time.
	app := slices.Concat(ptRecord(ContentApplicationData, VersionTLS12, make([]byte, 30)), ptRecord(ContentApplicationData, VersionTLS12, make([]byte, 20)))
	s, r = ptRun(ptSplit(FromClient, app, 3, 20, 36))
	if got := ptSummary(r); !s.Summary().Midstream || len(r.of(EventApplicationData)) != 2 || strings.Contains(got, "preamble") {
		t.Errorf("midstream:\n%s", got)
	}
}

// TestMissedHelloRetryRequest: a TLS 1.3 client's second ClientHello,
// after the compatibility ChangeCipherSpec, when the capture missed the
// server's HelloRetryRequest: it is plaintext, not a record protected by
// the keys the ChangeCipherSpec would install in TLS 1.2.
func TestMissedHelloRetryRequest(t *testing.T) {
	ch1, ch2 := ptClientHello("first.example"), ptClientHello("second.example")
	ccs := ptRecord(ContentChangeCipherSpec, VersionTLS12, []byte{1})
	_, r := ptRun([]ptFeed{{dir: FromClient, data: slices.Concat(ch1, ccs, ch2)}})
	got := ptSummary(r)
	if !strings.Contains(got, "handshake Client Hello sni=first.example") || !strings.Contains(got, "handshake Client Hello sni=second.example") || strings.Contains(got, "encrypted") {
		t.Errorf("events:\n%s", got)
	}
	// A TLS 1.2 resumption's encrypted Finished after the CCS stays
	// encrypted.
	fin := ptRecord(ContentHandshake, VersionTLS12, bytes.Repeat([]byte{0xa5}, 40))
	_, r = ptRun([]ptFeed{{dir: FromClient, data: slices.Concat(ch1, ccs, fin)}})
	if got := ptSummary(r); !strings.Contains(got, "record handshake TLS 1.2 len=40 encrypted") {
		t.Errorf("events:\n%s", got)
	}
}

// TestPreambleServerWaits: when the server's hello is found first (its
// bytes came before the client's ClientHello), it waits for the client's,
// so that the handshake is read in order and the keys are found with the
// client's random.
func TestPreambleServerWaits(t *testing.T) {
	ch, sh := ptClientHello("order.example"), ptServerHello(0xc02f)
	kl := NewKeyLog()
	if err := kl.Add(LabelClientRandom, make([]byte, 32), bytes.Repeat([]byte{1}, 48)); err != nil {
		t.Fatal(err)
	}
	s, r := newRecordedSession(kl)
	s.Feed(FromClient, []byte(smtpClient), time.Time{})
	s.Feed(FromServer, slices.Concat([]byte(smtpServer), sh), time.Time{})
	s.Feed(FromClient, ch, time.Time{})
	s.Close()
	var order []string
	for _, e := range r.events {
		if e.Kind == EventHandshake {
			order = append(order, e.Handshake.String())
		}
	}
	if want := []string{"Client Hello", "Server Hello"}; !slices.Equal(order, want) {
		t.Errorf("handshake messages %q, want %q", order, want)
	}
	if sum := s.Summary(); !sum.KeysFound || len(r.errs()) > 0 {
		t.Errorf("keys found %v; errors:\n%s", sum.KeysFound, ptSummary(r))
	}
}
