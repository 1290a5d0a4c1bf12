package main

import (
	"bufio"
	"bytes"
	gotls "crypto/tls"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tls"
)

// tlsNetdump runs netdump (the test binary as the command) with args and
// SSLKEYLOGFILE set to keylogEnv (empty: unset), and returns its standard
// output and error.
func tlsNetdump(t *testing.T, keylogEnv string, args ...string) (string, string, error) {
	t.Helper()
	cmd := netdumpCommand(t, ".", "UTC", args...)
	cmd.Env = append(cmd.Env, "SSLKEYLOGFILE="+keylogEnv)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// httpsdCapture is httpsd's recording with its keys in Decryption Secrets
// Blocks, and the HTTP it carries (examples/httpsd's golden test writes
// all three).
func httpsdCapture(t *testing.T) (capture string, request, response []byte) {
	t.Helper()
	base := filepath.Join(repoRoot(t), "testdata", "pcaps", "httpsd-session")
	request, err := os.ReadFile(base + ".request")
	if err != nil {
		t.Fatal(err)
	}
	response, err = os.ReadFile(base + ".response")
	if err != nil {
		t.Fatal(err)
	}
	return base + ".pcapng", request, response
}

// appDataLine is the line of a decrypted application data record in
// --tls-only output.
var appDataLine = regexp.MustCompile(`^\S+ TLS (\S+) > (\S+): application data, (\d+) bytes, decrypted$`)

// decryptedStreams reads the plaintext back out of --tls-only -x output:
// each decrypted record's hex dump, appended to its sender's stream.
func decryptedStreams(t *testing.T, out string) map[string][]byte {
	t.Helper()
	streams := map[string][]byte{}
	var cur string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := appDataLine.FindStringSubmatch(line); m != nil {
			cur = m[1]
			continue
		}
		if !strings.HasPrefix(line, "\t0x") {
			cur = ""
			continue
		}
		if cur == "" {
			continue
		}
		_, hexPart, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("bad dump line %q", line)
		}
		b, err := hex.DecodeString(strings.ReplaceAll(hexPart, " ", ""))
		if err != nil {
			t.Fatalf("bad dump line %q: %v", line, err)
		}
		streams[cur] = append(streams[cur], b...)
	}
	return streams
}

// TestTLSViewDecryptsHTTPSD is the loop the issue asks for: httpsd's
// recording, keys inside, decrypts in netdump to exactly the HTTP the
// client and server exchanged.
func TestTLSViewDecryptsHTTPSD(t *testing.T) {
	capture, request, response := httpsdCapture(t)
	out, stderr, err := tlsNetdump(t, "", "--tls-only", "-x", "-r", capture)
	if err != nil {
		t.Fatalf("netdump: %v\n%s", err, stderr)
	}
	streams := decryptedStreams(t, out)
	var client, server []byte
	for from, b := range streams {
		if strings.HasSuffix(from, ".443") {
			server = append(server, b...)
		} else {
			client = append(client, b...)
		}
	}
	if !bytes.Equal(client, request) {
		t.Errorf("client plaintext: %d bytes, want the %d of the request (equal prefix %d)", len(client), len(request), commonPrefixLen(client, request))
	}
	if !bytes.Equal(server, response) {
		t.Errorf("server plaintext: %d bytes, want the %d of the response (equal prefix %d)", len(server), len(response), commonPrefixLen(server, response))
	}
	for _, want := range []string{
		"ClientHello TLS 1.2 (supports TLS 1.3, TLS 1.2), SNI httpsd.test",
		"ServerHello TLS 1.3, TLS_AES_128_GCM_SHA256",
		`Certificate, 1 certificate, decrypted`,
		`[0] subject "CN=httpsd.test,O=medina httpsd"`,
		"Alert Warning Close Notify, decrypted",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "encrypted") && !strings.Contains(out, "decrypted") {
		t.Errorf("records left encrypted:\n%s", out)
	}
}

func commonPrefixLen(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// TestTLSViewGolden compares --tls output (packet lines, TLS lines and
// -A dumps) of httpsd's recording with its golden file; -update rewrites
// it.
func TestTLSViewGolden(t *testing.T) {
	capture, _, _ := httpsdCapture(t)
	out, stderr, err := tlsNetdump(t, "", "-n", "--tls", "--tls-sessions", "-r", capture)
	if err != nil {
		t.Fatalf("netdump: %v\n%s", err, stderr)
	}
	golden := goldenName(capture, "tls")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal([]byte(out), want) {
		t.Errorf("output differs from %s: %s", golden, firstDiff(want, []byte(out)))
	}
}

// TestTLSViewKeepsPacketLines checks that --tls only adds lines: without
// them, the output of every project capture is tcpdump's.
func TestTLSViewKeepsPacketLines(t *testing.T) {
	for _, capture := range projectCaptures(t) {
		t.Run(filepath.Base(capture), func(t *testing.T) {
			plain, _, err := tlsNetdump(t, "", "-n", "-r", capture)
			if err != nil {
				t.Fatal(err)
			}
			view, _, err := tlsNetdump(t, "", "-n", "--tls", "-r", capture)
			if err != nil {
				t.Fatal(err)
			}
			if got := stripTLSLines(view); got != plain {
				t.Errorf("--tls changed the packet lines: %s", firstDiff([]byte(plain), []byte(got)))
			}
		})
	}
}

// stripTLSLines removes the TLS view's lines (and the dumps after them)
// from --tls output.
func stripTLSLines(out string) string {
	var b strings.Builder
	inTLS := false
	for _, line := range strings.SplitAfter(out, "\n") {
		switch {
		case strings.HasPrefix(line, tlsIndent+"TLS ") || strings.HasPrefix(line, tlsIndent+"SSLv2 "):
			inTLS = true
		case inTLS && !startsPacketLine(line):
			// a certificate line or a dump of plaintext
		default:
			inTLS = false
			b.WriteString(line)
		}
	}
	return b.String()
}

// packetLineStart matches the timestamp that starts a packet line (-n,
// TZ=UTC, default time format).
var packetLineStart = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{6} `)

func startsPacketLine(line string) bool { return packetLineStart.MatchString(line) }

// illustrated returns an Illustrated TLS capture and its key log from the
// shared corpus.
func illustrated(t *testing.T, version string) (capture, keylog string) {
	t.Helper()
	dir := filepath.Join(sharedCorpus(t), "tls", "illustrated-tls"+version)
	return filepath.Join(dir, "capture.pcap"), filepath.Join(dir, "keylog.txt")
}

// TestTLSViewKeyLog decrypts the Illustrated TLS 1.2 and 1.3 captures with
// their key logs, given by --keylog and by SSLKEYLOGFILE, and checks what
// is said without keys and with keys for other sessions.
func TestTLSViewKeyLog(t *testing.T) {
	for _, version := range []string{"12", "13"} {
		capture, keylog := illustrated(t, version)
		t.Run("tls"+version, func(t *testing.T) {
			decrypted := func(out string) {
				t.Helper()
				for _, want := range []string{"application data, 4 bytes, decrypted\nping\n", "application data, 4 bytes, decrypted\npong\n", ", keys found;"} {
					if !strings.Contains(out, want) {
						t.Errorf("output lacks %q:\n%s", want, out)
					}
				}
			}
			out, stderr, err := tlsNetdump(t, "", "--tls-only", "--tls-sessions", "--keylog", keylog, "-r", capture)
			if err != nil {
				t.Fatalf("%v: %s", err, stderr)
			}
			decrypted(out)
			out, stderr, err = tlsNetdump(t, keylog, "--tls-only", "--tls-sessions", "-r", capture)
			if err != nil {
				t.Fatalf("%v: %s", err, stderr)
			}
			decrypted(out)

			// No keys at all: the records are encrypted, and that is all.
			out, _, err = tlsNetdump(t, "", "--tls-only", "-r", capture)
			if err != nil {
				t.Fatal(err)
			}
			if !encryptedAppData.MatchString(out) {
				t.Errorf("no encrypted application data line without keys:\n%s", out)
			}
			if strings.Contains(out, "decrypted") || strings.Contains(out, "no key") {
				t.Errorf("without keys, the output speaks of decryption:\n%s", out)
			}

			// Keys, but not this session's: each record says so.
			other := filepath.Join(t.TempDir(), "other.keys")
			line := "CLIENT_RANDOM " + strings.Repeat("ab", 32) + " " + strings.Repeat("cd", 48) + "\n"
			if err := os.WriteFile(other, []byte(line), 0o600); err != nil {
				t.Fatal(err)
			}
			out, _, err = tlsNetdump(t, "", "--tls-only", "--tls-sessions", "--keylog", other, "-r", capture)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"note: no key", "bytes, encrypted (no key)", ", no keys;"} {
				if !strings.Contains(out, want) {
					t.Errorf("with another session's keys, output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// encryptedAppData matches a line of application data not decrypted and
// nothing more said of it.
var encryptedAppData = regexp.MustCompile(`(?m)application data, \d+ bytes, encrypted$`)

// TestTLSViewBadKeyLog: a key log that cannot be read stops netdump with
// the reason; a malformed line is a warning and the rest is used.
func TestTLSViewBadKeyLog(t *testing.T) {
	capture, _, _ := httpsdCapture(t)
	missing := filepath.Join(t.TempDir(), "missing.keys")
	_, stderr, err := tlsNetdump(t, "", "--tls", "--keylog", missing, "-r", capture)
	if err == nil || !strings.Contains(stderr, "key log") || !strings.Contains(stderr, "missing.keys") {
		t.Errorf("unreadable key log: err %v, stderr %q", err, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.keys")
	if err := os.WriteFile(bad, []byte("CLIENT_RANDOM nothex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := tlsNetdump(t, "", "--tls-only", "--keylog", bad, "-r", capture)
	if err != nil {
		t.Fatalf("malformed key log line stopped netdump: %v: %s", err, stderr)
	}
	if !strings.Contains(stderr, "bad.keys") || !strings.Contains(stderr, "line 1") {
		t.Errorf("malformed key log line not reported with its place: %q", stderr)
	}
	if !strings.Contains(out, "decrypted") {
		t.Errorf("the capture's own keys were not used after a bad key log line")
	}
}

// TestTLSViewCountsMalformed: a TCP segment whose header is malformed is
// left out of the TLS view and counted in a warning.
func TestTLSViewCountsMalformed(t *testing.T) {
	bad := tcpFrame(seg{sport: 1, dport: 2, off: 8}) // data offset below 20
	good := tcpFrame(seg{sport: 1, dport: 2, flags: 0x02})
	capture := filepath.Join(t.TempDir(), "bad.pcap")
	f, err := os.Create(capture)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pcap.NewWriter(f, pcap.LinkTypeEthernet, 65535, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range [][]byte{bad, good, bad} {
		if err := w.WritePacket(time.Unix(1, 0), fr, len(fr)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := tlsNetdump(t, "", "--tls", "-r", capture)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	if !strings.Contains(stderr, "2 TCP segments with a malformed or cut header left out") {
		t.Errorf("stderr %q does not count the malformed segments", stderr)
	}
}

// TestTLSViewALPN13: a TLS 1.3 server's ALPN is in its EncryptedExtensions;
// the view shows it there, decrypted, and in the session's summary, as it
// shows a TLS 1.2 server's from its ServerHello.
func TestTLSViewALPN13(t *testing.T) {
	for _, c := range []struct {
		version uint16
		line    string // the line that names the server's choice
	}{
		{gotls.VersionTLS12, "ServerHello TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ALPN h2, EMS, JA3S "},
		{gotls.VersionTLS13, "EncryptedExtensions, 11 bytes, ALPN h2, decrypted\n"},
	} {
		t.Run(gotls.VersionName(c.version), func(t *testing.T) {
			dir := t.TempDir()
			chunks, keylog, state := recordTLS(t,
				&gotls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}, MaxVersion: c.version, CurvePreferences: []gotls.CurveID{gotls.X25519}},
				&gotls.Config{Certificates: []gotls.Certificate{tlsServerCert(t)}, NextProtos: []string{"h2"}, MaxVersion: c.version},
				[]byte("GET / HTTP/1.1\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\n\r\n"))
			if state.NegotiatedProtocol != "h2" || state.Version != c.version {
				t.Fatalf("negotiated %q in %s", state.NegotiatedProtocol, gotls.VersionName(state.Version))
			}
			capture := newTLSCapture()
			capture.conversation(chunks)
			capture.fin(false)
			capture.fin(true)
			out, stderr, err := tlsNetdump(t, "", "--tls-only", "--tls-sessions", "--keylog", writeKeyLog(t, dir, keylog),
				"-r", capture.write(t, dir, "alpn.pcap"))
			if err != nil {
				t.Fatalf("%v: %s", err, stderr)
			}
			if !strings.Contains(out, c.line) {
				t.Errorf("output lacks %q:\n%s", c.line, out)
			}
			if !regexp.MustCompile(`TLS session .*, ALPN h2, .*keys found;`).MatchString(out) {
				t.Errorf("the session's summary does not name the ALPN:\n%s", out)
			}
		})
	}
}

// TestTLSViewEncryptedExtensions: what an EncryptedExtensions line says of
// each extension the package decodes, and of the others.
func TestTLSViewEncryptedExtensions(t *testing.T) {
	for _, c := range []struct {
		m    tls.EncryptedExtensionsMsg
		want string
	}{
		{tls.EncryptedExtensionsMsg{}, ""},
		{tls.EncryptedExtensionsMsg{ALPN: "h2", ServerNameAck: true, Extensions: []tls.Extension{{Type: tls.ExtServerName}, {Type: tls.ExtALPN}}},
			", ALPN h2, SNI acknowledged"},
		{tls.EncryptedExtensionsMsg{MaxFragmentLength: 4, RecordSizeLimit: 16385, SupportedGroups: []uint16{0x001d, 0x11ec}, EarlyData: true},
			", max fragment length 4096, record size limit 16385, groups [x25519, X25519MLKEM768], early data accepted"},
		{tls.EncryptedExtensionsMsg{MaxFragmentLength: 9}, ", max fragment length code 9"},
		{tls.EncryptedExtensionsMsg{Extensions: []tls.Extension{{Type: 57}, {Type: tls.ExtEarlyData}, {Type: 0xfe0d}}, EarlyData: true},
			", early data accepted, other extensions [quic_transport_parameters, encrypted_client_hello]"},
	} {
		v := &tlsView{p: newPrinter(&options{})}
		v.encryptedExtensions(&c.m)
		if got := string(v.p.out); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.m, got, c.want)
		}
	}
}

// TestTLSViewResumedByTicket: crypto/tls resumes a TLS 1.2 session with
// the ticket it was given (RFC 5077); the view says so on the ServerHello
// and in the summary.
func TestTLSViewResumedByTicket(t *testing.T) {
	dir := t.TempDir()
	cache := gotls.NewLRUClientSessionCache(4)
	var ticketKey [32]byte
	ticketKey[0] = 1
	// Both connections in one capture: the key log has no secret for the
	// second (crypto/tls logs none for a resumed TLS 1.2 session), which
	// is decrypted with the first's master secret, that its ticket
	// carries.
	var capture *tlsCapture
	var keylog strings.Builder
	for i := range 2 {
		server := &gotls.Config{Certificates: []gotls.Certificate{tlsServerCert(t)}, MaxVersion: gotls.VersionTLS12}
		server.SetSessionTicketKeys([][32]byte{ticketKey})
		chunks, keys, state := recordTLS(t,
			&gotls.Config{InsecureSkipVerify: true, ServerName: "view.test", ClientSessionCache: cache, MaxVersion: gotls.VersionTLS12},
			server, []byte("ping"), []byte("pong"))
		if state.DidResume != (i == 1) {
			t.Fatalf("connection %d: DidResume %v", i, state.DidResume)
		}
		if capture == nil {
			capture = newTLSCapture()
		} else {
			capture.connect()
		}
		capture.conversation(chunks)
		capture.fin(false)
		capture.fin(true)
		keylog.WriteString(keys)
	}
	out, stderr, err := tlsNetdump(t, "", "--tls-only", "--tls-sessions", "--keylog", writeKeyLog(t, dir, keylog.String()),
		"-r", capture.write(t, dir, "ticket.pcap"))
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)40001: ServerHello TLS 1\.2, [^\n]*, resumed by session ticket, JA3S [0-9a-f]+$`),
		regexp.MustCompile(`TLS session 10\.0\.0\.1\.40001 [^\n]*, resumed by session ticket, [^\n]*, keys found;`),
		regexp.MustCompile(`40001: application data, 4 bytes, decrypted\npong\n`),
	} {
		if !want.MatchString(out) {
			t.Errorf("output does not match %v:\n%s", want, out)
		}
	}
}

// TestTLSViewResumedBySessionID: a TLS 1.0 session resumed by the session
// ID the client offered (Arkime's tls-client-sessionid capture: its
// client offers no ticket).
func TestTLSViewResumedBySessionID(t *testing.T) {
	capture := filepath.Join(sharedCorpus(t), "tls", "arkime", "tls-client-sessionid.pcap")
	out, stderr, err := tlsNetdump(t, "", "-n", "--tls-only", "--tls-sessions", "-r", capture)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)ServerHello TLS 1\.0, TLS_DHE_RSA_WITH_AES_128_CBC_SHA, resumed by session ID, JA3S [0-9a-f]+$`),
		regexp.MustCompile(`TLS session [^\n]*, resumed by session ID, `),
	} {
		if !want.MatchString(out) {
			t.Errorf("output does not match %v:\n%s", want, out)
		}
	}
}

// TestTLSViewEscapesWireStrings: the names a capture carries (SNI, ALPN,
// certificate names) are shown as tcpdump shows the bytes of untrusted
// text (fn_print_char: "M-" for the high bit, "^" for a control
// character), so that a hostile capture cannot write terminal escapes.
func TestTLSViewEscapesWireStrings(t *testing.T) {
	dir := t.TempDir()
	capture := newTLSCapture()
	capture.data(false, clientHelloRecord("\x1b]0;owned\x07x.test", "h2\x00", "\x9b31m"))
	capture.data(true, append(serverHelloRecord("\x1b[2J"), certificateRecord(selfSigned(t, "M\u00fcller\u009b", "a\x1b[0m.test"))...))
	capture.fin(false)
	capture.fin(true)
	out, stderr, err := tlsNetdump(t, "", "--tls-only", "--tls-sessions", "-r", capture.write(t, dir, "names.pcap"))
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	for _, want := range []string{
		"ClientHello TLS 1.2, SNI ^[]0;owned^Gx.test, ALPN [h2^@, M-^[31m], ",
		"ServerHello TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ALPN ^[[2J, ",
		`[0] subject "CN=MM-CM-<llerM-BM-^[", issuer "CN=MM-CM-<llerM-BM-^[", SAN a^[[0m.test, `,
		`, SNI ^[]0;owned^Gx.test, ALPN ^[[2J, `,
		`, certificate "CN=MM-CM-<llerM-BM-^["; `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	checkPrintable(t, out)
}

// TestTLSViewNonASCIIALPN: the ClientHello of FoxIO's tls-non-ascii-alpn
// capture offers the protocol 0xba 0xad.
func TestTLSViewNonASCIIALPN(t *testing.T) {
	capture := filepath.Join(sharedCorpus(t), "tls", "ja4", "tls-non-ascii-alpn.pcapng")
	out, stderr, err := tlsNetdump(t, "", "-n", "--tls", "--tls-sessions", "-r", capture)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	if want := "ALPN [M-:M--, http/1.1]"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	checkPrintable(t, out)
}

// checkPrintable fails when out has a byte that is neither printable
// ASCII nor a newline or tab.
func checkPrintable(t *testing.T, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		if c := out[i]; (c < 0x20 || c > 0x7e) && c != '\n' && c != '\t' {
			line := strings.Count(out[:i], "\n") + 1
			t.Errorf("byte 0x%02x on line %d: %q", c, line, strings.Split(out, "\n")[line-1])
			return
		}
	}
}

// TestTLSViewAlertAfterReset: the client sends its close_notify and resets
// the connection; the server's close_notify, sent before the RST reached
// it, comes after the RST. The view decrypts both alerts, says no byte was
// lost, and counts both in the summary.
func TestTLSViewAlertAfterReset(t *testing.T) {
	dir := t.TempDir()
	chunks, keylog, _ := recordTLS(t,
		&gotls.Config{InsecureSkipVerify: true},
		&gotls.Config{Certificates: []gotls.Certificate{tlsServerCert(t)}},
		[]byte("ping"), []byte("pong"))
	// The last chunk of each end is its close_notify.
	last := len(chunks) - 1
	if !chunks[last].fromServer || chunks[last-1].fromServer {
		t.Fatalf("the conversation does not end with the client's close_notify, then the server's")
	}
	capture := newTLSCapture()
	capture.conversation(chunks[:last])
	capture.rst(false)
	capture.data(true, chunks[last].data)
	out, stderr, err := tlsNetdump(t, "", "--tls-only", "--tls-sessions", "--keylog", writeKeyLog(t, dir, keylog),
		"-r", capture.write(t, dir, "reset.pcap"))
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	for _, want := range []string{
		"10.0.0.1.40000 > 10.0.0.2.443: Alert Warning Close Notify, decrypted\n",
		"10.0.0.2.443 > 10.0.0.1.40000: Alert Warning Close Notify, decrypted\n",
		"; 2 alerts, last Warning Close Notify; ended rst\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "lost") {
		t.Errorf("output says bytes were lost:\n%s", out)
	}
}
