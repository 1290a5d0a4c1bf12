package main

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcpstream"
	"github.com/medina-net/medina/tls"
)

// The TLS view (--tls, --tls-only, --tls-sessions): every TCP connection
// of the capture is reassembled (package tcpstream) and decoded as TLS
// when its first bytes are TLS, whatever its port (package tls). Its
// lines follow the line of the packet that completed what they show:
//
//	    TLS 10.0.0.1.51000 > 10.0.0.2.443: ClientHello TLS 1.2 (supports TLS 1.3, TLS 1.2), SNI example.com, ALPN [h2, http/1.1], JA3 ..., JA4 ...
//	    TLS 10.0.0.2.443 > 10.0.0.1.51000: ServerHello TLS 1.3, TLS_AES_128_GCM_SHA256, ALPN h2, JA3S ...
//	    TLS 10.0.0.1.51000 > 10.0.0.2.443: application data, 78 bytes, decrypted
//
// followed, for decrypted application data, by the plaintext in the
// layout -X or -x gives packets (with either), or -A's otherwise. With
// --tls-only the packet lines are left out and each TLS line starts with
// the packet's timestamp instead of the indent. --tls-sessions adds a
// summary line per TLS connection when it ends; alone, it prints those and
// nothing else.
//
// What the view holds is bounded by the reassembly's budget: the
// Assembler's MaxBufferedTotal (--tls-memory, 64 MiB by default) and
// MaxBufferedPerStream (4 MiB, or the total when it is less) bound each
// connection's out-of-order data, its TLS session's buffers and state
// (tls.StreamDecoder charges them) and what the view keeps for its summary
// (charged here), together. Past the bounds the least recently active
// connections are dropped (tcpstream.CloseMemory: their TLS lines stop,
// and their summary says "ended memory"), and a warning at the end says
// how many.

// tlsIndent starts a TLS line that follows its packet's line.
const tlsIndent = "    "

// tlsView decodes the TLS of a capture for the printer.
type tlsView struct {
	p   *printer
	asm *tcpstream.Assembler
	dec *tls.StreamDecoder
	// keys is the key log: --keylog's and SSLKEYLOGFILE's lines, and the
	// capture's Decryption Secrets Blocks as the reader meets them (a
	// block comes after the ClientHello whose secrets it holds, so every
	// session is given the log, empty or not). While it is empty,
	// missing keys go unmentioned: there were none to miss.
	keys        *tls.KeyLog
	secretsSeen int

	// pkt is the packet being handled: its timestamp starts --tls-only
	// lines.
	pkt *pcap.Packet
	// conns holds what the view keeps of each TLS connection for its
	// summary.
	conns map[*tcpstream.Stream]*tlsConn
	// segments that were not TCP or had no room for a TCP header are not
	// the view's business; bad counts TCP headers that did not parse.
	bad int
}

// tlsConn is what the view keeps of one connection for its summary.
type tlsConn struct {
	ja3, ja4 string
	cert     string // the subject of the server's first certificate
	hasCert  bool
}

// tlsConnCost is what a tlsConn costs beside its strings: its record and
// its entry in the view's table.
const tlsConnCost = 128

// newTLSView returns the view for opt, with the key log files read. An
// unreadable key log is an error; a malformed line is a warning on stderr
// (the good lines are used).
func newTLSView(p *printer, opt *options, warn func(string)) (*tlsView, error) {
	v := &tlsView{p: p, keys: tls.NewKeyLog(), conns: make(map[*tcpstream.Stream]*tlsConn)}
	files := []string{}
	if opt.keylog != "" {
		files = append(files, opt.keylog)
	}
	if env := os.Getenv("SSLKEYLOGFILE"); env != "" && env != opt.keylog {
		files = append(files, env)
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("key log: %w", err)
		}
		err = v.keys.Read(f)
		f.Close()
		if err != nil {
			warn(fmt.Sprintf("key log %s: %v", name, err))
		}
	}
	v.dec = &tls.StreamDecoder{KeyLog: v.keys, OnEvent: v.event, OnClose: v.closed}
	v.asm = tcpstream.NewAssembler(tlsConfig(opt), v.dec)
	return v, nil
}

// tlsConfig is the reassembly's configuration: tcpstream's defaults, and
// --tls-memory's total.
func tlsConfig(opt *options) tcpstream.Config {
	return tcpstream.Config{MaxBufferedTotal: opt.tlsMemory}
}

// secrets takes the Decryption Secrets Blocks the reader has met since the
// last call into the key log. A block of another kind, or a malformed
// one, is a warning.
func (v *tlsView) secrets(r *pcap.Reader, warn func(string)) {
	all := r.Secrets()
	for _, s := range all[v.secretsSeen:] {
		if s.Type != pcap.SecretsTLSKeyLog {
			warn(fmt.Sprintf("decryption secrets of type 0x%08x ignored: only TLS key logs are read", uint32(s.Type)))
			continue
		}
		if err := v.keys.AddSecretsBlock(uint32(s.Type), s.Data); err != nil {
			warn(fmt.Sprintf("decryption secrets block: %v", err))
		}
	}
	v.secretsSeen = len(all)
}

// packet hands one packet to the reassembly; the TLS lines it completes
// are appended to the printer's output.
func (v *tlsView) packet(pkt *pcap.Packet) {
	v.pkt = pkt
	if _, err := v.asm.AddFrame(pkt.LinkType, pkt.Data, pkt.Time()); err != nil {
		v.bad++
	}
}

// end ends every connection: the capture is over. Segments whose TCP
// header was malformed or cut short by the capture, which the view had
// to leave out, and connections dropped for the memory bounds, are
// counted in warnings.
func (v *tlsView) end(warn func(string)) {
	v.asm.Close()
	if v.bad > 0 {
		warn(fmt.Sprintf("TLS view: %d TCP segment%s with a malformed or cut header left out", v.bad, plural(v.bad)))
	}
	if n := v.asm.Stats().Shed; n > 0 {
		cfg := tlsConfig(v.p.opt)
		total := cfg.MaxBufferedTotal
		if total == 0 {
			total = tcpstream.DefaultMaxBufferedTotal
		}
		per := min(total, tcpstream.DefaultMaxBufferedPerStream)
		warn(fmt.Sprintf("TLS view: %d connection%s dropped to stay within its memory bound (%s in all, %s per connection; --tls-memory sets the total)",
			n, plural(int(n)), mib(total), mib(per)))
	}
}

// mib prints a size in MiB, to four digits.
func mib(n int) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'g', 4, 64) + " MiB"
}

// lineStart begins a TLS line about the bytes dir of s sends.
func (v *tlsView) lineStart(s *tcpstream.Stream, dir tls.Direction, what string) {
	p := v.p
	if p.opt.tlsOnly {
		p.printTimestamp(v.pkt)
	} else {
		p.s(tlsIndent)
	}
	p.s(what)
	p.c(' ')
	src, dst := v.dec.Endpoints(s)
	if dir == tls.FromServer {
		src, dst = dst, src
	}
	p.s(addrPortString(src))
	p.s(" > ")
	p.s(addrPortString(dst))
	p.s(": ")
}

// addrPortString prints an address and port as tcpdump does: 10.0.0.1.443.
func addrPortString(ap netip.AddrPort) string {
	return ap.Addr().String() + "." + strconv.Itoa(int(ap.Port()))
}

// event prints one TLS event.
func (v *tlsView) event(s *tcpstream.Stream, e tls.Event) {
	if !v.p.opt.tlsLines() {
		v.remember(s, e)
		return
	}
	p := v.p
	dir := e.Dir
	switch e.Kind {
	case tls.EventNotTLS:
		return // not TLS: the connection is not the view's
	case tls.EventRecord:
		// Records are shown through what they carry; only a record whose
		// content cannot be known gets a line of its own.
		if !e.Encrypted || e.Decrypted || e.ContentType == tls.ContentApplicationData || e.ContentType == tls.ContentAlert {
			return
		}
		v.lineStart(s, dir, "TLS")
		p.f("encrypted %s record, %d bytes", e.ContentType, e.Length)
		v.whyNot(e.Err)
	case tls.EventHandshake:
		v.lineStart(s, dir, "TLS")
		v.handshake(s, e)
	case tls.EventChangeCipherSpec:
		v.lineStart(s, dir, "TLS")
		p.s("ChangeCipherSpec")
		v.resumption(e.Resumption)
	case tls.EventAlert:
		v.lineStart(s, dir, "TLS")
		if e.Encrypted && !e.Decrypted {
			p.f("encrypted alert, %d bytes", e.Length)
			v.whyNot(e.Err)
			break
		}
		p.f("Alert %s %s", tls.AlertLevelName(e.AlertLevel), tls.AlertName(e.AlertDescription))
		if e.Decrypted {
			p.s(", decrypted")
		}
	case tls.EventApplicationData:
		v.lineStart(s, dir, "TLS")
		if !e.Decrypted {
			p.f("application data, %d bytes, encrypted", e.Length)
			v.whyNot(e.Err)
			break
		}
		p.f("application data, %d bytes, decrypted", len(e.Data))
		v.plaintext(e.Data)
	case tls.EventHeartbeat:
		v.lineStart(s, dir, "TLS")
		p.f("Heartbeat, %d bytes", len(e.Data))
	case tls.EventSSLv2:
		v.lineStart(s, dir, "SSLv2")
		if e.ClientHello != nil {
			p.s("ClientHello")
			v.clientHello(s, e.ClientHello)
		} else {
			p.f("record, %d bytes", e.Length)
		}
	case tls.EventPreamble:
		v.lineStart(s, dir, "TLS")
		p.f("after %d bytes of plaintext: %q", e.Length, e.Data[:min(len(e.Data), 32)])
	case tls.EventError:
		if errors.Is(e.Err, tls.ErrNoKey) && v.keys.Len() == 0 {
			return
		}
		v.lineStart(s, dir, "TLS")
		p.s("note: ")
		v.text(errString(e.Err))
	default:
		return
	}
	if e.Err != nil && e.Kind != tls.EventError && e.Kind != tls.EventRecord && !(e.Encrypted && !e.Decrypted) {
		p.s(" [")
		v.text(errString(e.Err))
		p.c(']')
	}
	p.c('\n')
}

// remember keeps what a summary needs when no TLS lines are printed.
func (v *tlsView) remember(s *tcpstream.Stream, e tls.Event) {
	if !v.p.opt.tlsSessions || e.Kind != tls.EventHandshake && e.Kind != tls.EventSSLv2 {
		return
	}
	switch {
	case e.ClientHello != nil:
		if c := v.conn(s); c.ja4 == "" {
			v.fingerprints(s, tls.JA3(e.ClientHello).Hash, tls.JA4(e.ClientHello).JA4)
		}
	case e.Certificate != nil && e.Dir == tls.FromServer && len(e.Certificate.Entries) > 0:
		if c := v.conn(s); !c.hasCert {
			v.serverCert(s, tls.SummarizeCert(e.Certificate.Entries[0].Data).Subject)
		}
	}
}

// conn returns the view's record of s, made (and charged to s) on first
// use.
func (v *tlsView) conn(s *tcpstream.Stream) *tlsConn {
	c := v.conns[s]
	if c == nil {
		c = &tlsConn{}
		v.conns[s] = c
		s.Charge(tlsConnCost)
	}
	return c
}

// fingerprints keeps the first ClientHello's fingerprints for s's
// summary.
func (v *tlsView) fingerprints(s *tcpstream.Stream, ja3, ja4 string) {
	if c := v.conn(s); c.ja4 == "" {
		c.ja3, c.ja4 = ja3, ja4
		s.Charge(len(ja3) + len(ja4))
	}
}

// serverCert keeps the subject of the server's first certificate for s's
// summary.
func (v *tlsView) serverCert(s *tcpstream.Stream, subject string) {
	if c := v.conn(s); !c.hasCert {
		c.cert, c.hasCert = subject, true
		s.Charge(len(subject))
	}
}

// whyNot ends a line about an encrypted record with why it was not
// decrypted, when there were keys to try.
func (v *tlsView) whyNot(err error) {
	switch {
	case err == nil:
	case errors.Is(err, tls.ErrNoKey):
		if v.keys.Len() > 0 {
			v.p.s(" (no key)")
		}
	default:
		v.p.s(", not decrypted: ")
		v.text(errString(err))
	}
}

// text prints a string from the wire (a name, a protocol, an error that
// may quote one) as tcpdump prints untrusted text, byte by byte with
// fn_print_char's escapes ("M-" for the high bit, "^" for a control
// character): a capture's bytes never reach the terminal raw, and what
// is printable ASCII reads as it is.
func (v *tlsView) text(s string) {
	for i := 0; i < len(s); i++ {
		v.p.printChar(s[i])
	}
}

// quoted prints a string from the wire between double quotes, escaped as
// text does. The certificate names it is given are RFC 4514 strings, in
// which a quote is escaped with a backslash, so a name cannot end the
// quotes early.
func (v *tlsView) quoted(s string) {
	v.p.c('"')
	v.text(s)
	v.p.c('"')
}

// errString is an error's message without the package prefix.
func errString(err error) string {
	return strings.TrimPrefix(err.Error(), "tls: ")
}

// plaintext dumps decrypted data as -X or -x would a packet's bytes, or as
// -A does.
func (v *tlsView) plaintext(b []byte) {
	p := v.p
	switch {
	case p.opt.X > 0:
		p.hexASCIIDump("\n\t", b)
	case p.opt.x > 0:
		p.hexDump(b)
	default:
		p.asciiDump(b)
	}
}

// handshake prints a handshake message's line.
func (v *tlsView) handshake(s *tcpstream.Stream, e tls.Event) {
	p := v.p
	switch {
	case e.ClientHello != nil:
		p.s("ClientHello")
		v.clientHello(s, e.ClientHello)
	case e.ServerHello != nil:
		v.serverHello(e.ServerHello, e.Resumption)
	case e.EncryptedExtensions != nil:
		p.s(handshakeName(e.Handshake))
		p.f(", %d bytes", len(e.Data))
		v.encryptedExtensions(e.EncryptedExtensions)
	case e.Certificate != nil:
		v.certificate(s, e)
		return // its decrypted mark is on its first line
	default:
		p.s(handshakeName(e.Handshake))
		p.f(", %d bytes", len(e.Data))
	}
	if e.Encrypted {
		p.s(", decrypted")
	}
}

// handshakeName is a message's name as one word, as the RFCs spell it.
func handshakeName(t tls.HandshakeType) string {
	return strings.ReplaceAll(t.String(), " ", "")
}

// clientHello prints what matters of a ClientHello, and keeps its
// fingerprints for the summary.
func (v *tlsView) clientHello(s *tcpstream.Stream, ch *tls.ClientHello) {
	p := v.p
	p.c(' ')
	p.s(ch.Version.String())
	if vs := realVersions(ch.SupportedVersions); len(vs) > 0 {
		p.s(" (supports ")
		p.s(strings.Join(vs, ", "))
		p.c(')')
	}
	if ch.ServerName != "" {
		p.s(", SNI ")
		v.text(ch.ServerName)
	}
	if len(ch.ALPN) > 0 {
		p.s(", ALPN [")
		for i, proto := range ch.ALPN {
			if i > 0 {
				p.s(", ")
			}
			v.text(proto)
		}
		p.c(']')
	}
	p.f(", %d cipher suites", len(ch.CipherSuites))
	ja3, ja4 := tls.JA3(ch).Hash, tls.JA4(ch).JA4
	p.s(", JA3 ")
	p.s(ja3)
	p.s(", JA4 ")
	p.s(ja4)
	v.fingerprints(s, ja3, ja4)
}

// realVersions names the versions of a supported_versions list, GREASE
// left out.
func realVersions(vs []tls.Version) []string {
	var names []string
	for _, ver := range vs {
		if !tls.IsGREASE(uint16(ver)) {
			names = append(names, ver.String())
		}
	}
	return names
}

// serverHello prints what matters of a ServerHello or HelloRetryRequest,
// and how it resumes a session when it says it does.
func (v *tlsView) serverHello(sh *tls.ServerHello, r tls.Resumption) {
	p := v.p
	if sh.IsHelloRetryRequest {
		p.s("HelloRetryRequest ")
	} else {
		p.s("ServerHello ")
	}
	p.s(sh.NegotiatedVersion().String())
	p.s(", ")
	p.s(tls.CipherSuiteName(sh.CipherSuite))
	if sh.KeyShareGroup != 0 {
		p.s(", group ")
		p.s(tls.GroupName(sh.KeyShareGroup))
	}
	if sh.ALPN != "" {
		p.s(", ALPN ")
		v.text(sh.ALPN)
	}
	if sh.PSKSelected {
		p.s(", PSK")
	}
	if sh.ExtendedMasterSecret {
		p.s(", EMS")
	}
	if sh.EncryptThenMAC {
		p.s(", encrypt-then-MAC")
	}
	if r != tls.ResumedByPSK { // said above
		v.resumption(r)
	}
	if !sh.IsHelloRetryRequest {
		p.s(", JA3S ")
		p.s(tls.JA3S(sh).Hash)
	}
}

// resumption says how a handshake resumes, on the line of the message
// that shows it does: ", resumed by session ID" (or session ticket, or
// PSK), or ", abbreviated handshake" when that is all that is known.
func (v *tlsView) resumption(r tls.Resumption) {
	switch r {
	case tls.NotResumed:
	case tls.ResumedUnknown:
		v.p.s(", abbreviated handshake")
	default:
		v.p.s(", resumed by ")
		v.p.s(r.String())
	}
}

// encryptedExtensions prints what a TLS 1.3 server said in its
// EncryptedExtensions: the answers a TLS 1.2 server gives in its
// ServerHello (ALPN first), then the names of the extensions not decoded.
func (v *tlsView) encryptedExtensions(m *tls.EncryptedExtensionsMsg) {
	p := v.p
	if m.ALPN != "" {
		p.s(", ALPN ")
		v.text(m.ALPN)
	}
	if m.ServerNameAck {
		p.s(", SNI acknowledged")
	}
	if m.MaxFragmentLength != 0 {
		if m.MaxFragmentLength <= 4 {
			p.f(", max fragment length %d", 256<<m.MaxFragmentLength)
		} else {
			p.f(", max fragment length code %d", m.MaxFragmentLength)
		}
	}
	if m.RecordSizeLimit != 0 {
		p.f(", record size limit %d", m.RecordSizeLimit)
	}
	if len(m.SupportedGroups) > 0 {
		p.s(", groups [")
		for i, g := range m.SupportedGroups {
			if i > 0 {
				p.s(", ")
			}
			p.s(tls.GroupName(g))
		}
		p.c(']')
	}
	if m.EarlyData {
		p.s(", early data accepted")
	}
	first := true
	for _, e := range m.Extensions {
		switch e.Type {
		case tls.ExtALPN, tls.ExtServerName, tls.ExtMaxFragmentLength, tls.ExtRecordSizeLimit, tls.ExtSupportedGroups, tls.ExtEarlyData:
			continue
		}
		if first {
			p.s(", other extensions [")
			first = false
		} else {
			p.s(", ")
		}
		p.s(tls.ExtensionName(e.Type))
	}
	if !first {
		p.c(']')
	}
}

// certificate prints a Certificate message: a line, then a line per
// certificate with its subject, issuer, names, validity, key and SHA-256.
func (v *tlsView) certificate(s *tcpstream.Stream, e tls.Event) {
	p := v.p
	m := e.Certificate
	p.f("Certificate, %d certificate%s", len(m.Entries), plural(len(m.Entries)))
	if e.Encrypted {
		p.s(", decrypted")
	}
	for i, ent := range m.Entries {
		cs := tls.SummarizeCert(ent.Data)
		if i == 0 && e.Dir == tls.FromServer {
			v.serverCert(s, cs.Subject)
		}
		p.s("\n")
		p.s(tlsIndent)
		p.s(tlsIndent)
		p.f("[%d] subject ", i)
		v.quoted(cs.Subject)
		p.s(", issuer ")
		v.quoted(cs.Issuer)
		if names := certNames(cs); len(names) > 0 {
			p.s(", SAN ")
			for j, name := range names {
				if j > 0 {
					p.c(' ')
				}
				v.text(name)
			}
		}
		if !cs.NotBefore.IsZero() || !cs.NotAfter.IsZero() {
			p.f(", valid %s to %s", cs.NotBefore.UTC().Format(time.RFC3339), cs.NotAfter.UTC().Format(time.RFC3339))
		}
		if cs.Key != "" {
			p.s(", ")
			v.text(cs.Key)
		}
		p.s(", SHA-256 ")
		p.s(cs.SHA256)
		if cs.Err != nil {
			p.s(" [")
			v.text(cs.Err.Error())
			p.c(']')
		}
	}
}

// plural is "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// certNames lists a certificate's subject alternative names.
func certNames(cs *tls.CertSummary) []string {
	names := append([]string(nil), cs.DNSNames...)
	for _, ip := range cs.IPAddresses {
		names = append(names, ip.String())
	}
	names = append(names, cs.EmailAddresses...)
	return append(names, cs.URIs...)
}

// closed prints a connection's summary line with --tls-sessions.
func (v *tlsView) closed(s *tcpstream.Stream, sess *tls.Session, reason tcpstream.CloseReason) {
	c := v.conns[s]
	delete(v.conns, s)
	if !v.p.opt.tlsSessions {
		return
	}
	sum := sess.Summary()
	if !sum.TLS {
		return
	}
	p := v.p
	v.lineStart(s, tls.FromClient, "TLS session")
	switch {
	case sum.Version != 0:
		p.s(sum.Version.String())
		p.s(", ")
		p.s(tls.CipherSuiteName(sum.CipherSuite))
	case sum.SSLv2:
		p.s("SSL 2.0")
	default:
		p.s("no ServerHello")
	}
	if sum.Midstream {
		p.s(", picked up mid-stream")
	}
	if sum.ServerName != "" {
		p.s(", SNI ")
		v.text(sum.ServerName)
	}
	if sum.ALPN != "" {
		p.s(", ALPN ")
		v.text(sum.ALPN)
	}
	if sum.Resumed {
		p.s(", resumed")
		if sum.ResumedBy != tls.ResumedUnknown && sum.ResumedBy != tls.NotResumed {
			p.s(" by ")
			p.s(sum.ResumedBy.String())
		}
	}
	if sum.HelloRetryRequest {
		p.s(", HelloRetryRequest")
	}
	if c != nil && c.ja4 != "" {
		p.s(", JA3 ")
		p.s(c.ja3)
		p.s(", JA4 ")
		p.s(c.ja4)
	}
	if c != nil && c.hasCert {
		p.s(", certificate ")
		v.quoted(c.cert)
	}
	switch {
	case sum.Unsupported:
		p.s(", decryption not supported")
	case sum.KeysFound:
		p.s(", keys found")
	case v.keys.Len() > 0 && sum.Version != 0:
		p.s(", no keys")
	}
	for d := tls.FromClient; d <= tls.FromServer; d++ {
		p.f("; %s %d records", tcpstream.Direction(d), sum.Records[d])
		if sum.Encrypted[d] > 0 {
			p.f(", %d encrypted, %d decrypted", sum.Encrypted[d], sum.Decrypted[d])
		}
		if sum.Failed[d] > 0 {
			p.f(", %d failed", sum.Failed[d])
		}
		p.f(", %d bytes of application data", sum.AppDataBytes[d])
		if sum.Decrypted[d] > 0 {
			p.f(" (%d plaintext)", sum.PlaintextBytes[d])
		}
		if sum.Lost[d] > 0 {
			p.f(", %d bytes lost", sum.Lost[d])
		}
	}
	if sum.Alerts > 0 {
		p.f("; %d alert%s, last %s %s", sum.Alerts, plural(sum.Alerts), tls.AlertLevelName(sum.LastAlert[0]), tls.AlertName(sum.LastAlert[1]))
	}
	p.f("; ended %s", reason)
	p.c('\n')
}
