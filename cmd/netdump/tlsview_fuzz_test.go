package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/medina-net/medina/internal/hostilecap"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

// FuzzTLSView drives the whole TLS view, reassembly and TLS decoding
// included, with a connection whose two byte streams come from the fuzzer:
// the input is a list of chunks (a header byte: direction, whether to send
// it out of order after the next one, and a length; then the bytes), sent
// as TCP segments after a three-way handshake, with a key log that has a
// secret for every client random the fuzzer might make up (all zeros).
// Printing must never panic, every line must end, no byte of the input
// may reach the output unescaped (every byte printed is printable ASCII,
// a newline or a tab), and the connection must be summarised once when
// the capture ends.
func FuzzTLSView(f *testing.F) {
	// Seeds: the TLS payloads of httpsd's recording, chunked as sent.
	if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pcaps", "httpsd-session.pcapng")); err == nil {
		f.Add(tlsSeedFromCapture(f, data))
	}
	f.Add([]byte{0x05, 0x16, 0x03, 0x01, 0x00, 0x01, 0x01})
	// Hellos whose names are terminal escapes.
	f.Add(slices.Concat(tlsFuzzChunk(false, clientHelloRecord("\x1b]0;x\x07", "\x9b2J")),
		tlsFuzzChunk(true, serverHelloRecord("\x1b[2J"))))
	keylog := filepath.Join(f.TempDir(), "keys")
	zero := "0000000000000000000000000000000000000000000000000000000000000000"
	lines := "CLIENT_RANDOM " + zero + " " + zero + zero[:32] + "\n" +
		"CLIENT_HANDSHAKE_TRAFFIC_SECRET " + zero + " " + zero + "\n" +
		"SERVER_HANDSHAKE_TRAFFIC_SECRET " + zero + " " + zero + "\n" +
		"CLIENT_TRAFFIC_SECRET_0 " + zero + " " + zero + "\n" +
		"SERVER_TRAFFIC_SECRET_0 " + zero + " " + zero + "\n"
	if err := os.WriteFile(keylog, []byte(lines), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		opt, err := parseArgs([]string{"-n", "--tls", "--tls-sessions", "-X", "--keylog", keylog, "-r", "-"})
		if err != nil {
			t.Fatal(err)
		}
		p := newPrinter(opt)
		view, err := newTLSView(p, opt, func(string) {})
		if err != nil {
			t.Fatal(err)
		}
		for _, fr := range tlsFuzzFrames(in) {
			pkt := &pcap.Packet{Data: fr, Length: len(fr), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
			p.out = p.out[:0]
			p.printPacket(pkt)
			view.packet(pkt)
			if n := len(p.out); n > 0 && p.out[n-1] != '\n' {
				t.Fatalf("output does not end a line: %q", p.out[max(0, n-80):])
			}
			checkPrintable(t, string(p.out))
			p.out = p.out[:0]
		}
		view.end(func(string) {})
		checkPrintable(t, string(p.out))
		if len(view.conns) != 0 {
			t.Errorf("%d connections left after the end", len(view.conns))
		}
	})
}

// tlsFuzzChunk is a FuzzTLSView chunk of b (of at most 2332 bytes), with
// zeros after it to the length a chunk header can say.
func tlsFuzzChunk(fromServer bool, b []byte) []byte {
	h := byte((len(b) + 35) / 37)
	n := int(h)*37 + 1
	if fromServer {
		h |= 0x80
	}
	return append(append([]byte{h}, b...), make([]byte, n-len(b))...)
}

// tlsFuzzFrames turns a fuzz input into the frames of one connection.
func tlsFuzzFrames(in []byte) [][]byte {
	const cport, sport = 40000, 8443
	cseq, sseq := uint32(1000), uint32(5000)
	frames := [][]byte{
		tcpFrame(seg{src: hostA, dst: hostB, sport: cport, dport: sport, seq: cseq, flags: 0x02}),
		tcpFrame(seg{src: hostB, dst: hostA, sport: sport, dport: cport, seq: sseq, ack: cseq + 1, flags: 0x12}),
	}
	cseq++
	sseq++
	var held []byte
	for len(in) > 0 {
		h := in[0]
		n := min(int(h&0x3f)*37+1, len(in)-1)
		data := in[1 : 1+n]
		in = in[1+n:]
		var fr []byte
		if h&0x80 == 0 {
			fr = tcpFrame(seg{src: hostA, dst: hostB, sport: cport, dport: sport, seq: cseq, ack: sseq, flags: 0x18, data: data})
			cseq += uint32(len(data))
		} else {
			fr = tcpFrame(seg{src: hostB, dst: hostA, sport: sport, dport: cport, seq: sseq, ack: cseq, flags: 0x18, data: data})
			sseq += uint32(len(data))
		}
		switch {
		case h&0x40 != 0 && held == nil:
			held = fr // sent after the next one
		default:
			frames = append(frames, fr)
			if held != nil {
				frames = append(frames, held)
				held = nil
			}
		}
	}
	if held != nil {
		frames = append(frames, held)
	}
	return append(frames,
		tcpFrame(seg{src: hostA, dst: hostB, sport: cport, dport: sport, seq: cseq, ack: sseq, flags: 0x11}),
		tcpFrame(seg{src: hostB, dst: hostA, sport: sport, dport: cport, seq: sseq, ack: cseq + 1, flags: 0x11}))
}

// tlsSeedFromCapture makes a FuzzTLSView input of the TCP payloads of a
// capture's first connection, in the order captured.
func tlsSeedFromCapture(f *testing.F, data []byte) []byte {
	r, err := pcap.NewReader(bytes.NewReader(data))
	if err != nil {
		f.Fatal(err)
	}
	var out []byte
	var server uint16
	for {
		pkt, err := r.Next()
		if err != nil {
			break
		}
		if len(pkt.Data) < 14+20 || binary.BigEndian.Uint16(pkt.Data[12:]) != 0x0800 || pkt.Data[14+9] != 6 {
			continue
		}
		ihl := int(pkt.Data[14]&0xf) * 4
		h := tcp.Header(pkt.Data[14+ihl:])
		if len(h) < 20 || len(h.Payload()) == 0 {
			continue
		}
		if server == 0 {
			server = h.DstPort()
		}
		dir := byte(0)
		if h.SrcPort() == server {
			dir = 0x80
		}
		for p := h.Payload(); len(p) > 0; {
			n := min(len(p), 0x3f*37+1)
			k := (n - 1) / 37
			n = k*37 + 1
			out = append(out, dir|byte(k))
			out = append(out, p[:n]...)
			p = p[n:]
		}
		if len(out) > 8<<10 {
			break
		}
	}
	return out
}

// fuzzTLSMemory is the TLS view's memory bound in FuzzTLSViewCapture: 64
// KiB, which a few dozen connections fill.
const fuzzTLSMemory = 64 << 10

// FuzzTLSViewCapture reads a whole capture file from the fuzzer, as
// netdump --tls --tls-sessions -e -X does, with the TLS view's memory
// bounded to 64 KiB: nothing may panic, every line must end, what the view
// holds must stay within the bound once each packet is through (and pass
// it by no more than a packet's worth while the packet is), and every
// connection must be summarised and let go at the end. The seeds
// (testdata/fuzz/FuzzTLSViewCapture) are the hostile shapes of
// hostilecap.
func FuzzTLSViewCapture(f *testing.F) {
	f.Add(hostilecap.HalfOpenTLS{Conns: 4, Payload: 20}.Pcap())
	f.Fuzz(func(t *testing.T, capture []byte) {
		opt, err := parseArgs([]string{"-n", "-e", "-X", "--tls", "--tls-sessions", "-r", "-"})
		if err != nil {
			t.Fatal(err)
		}
		opt.tlsMemory = fuzzTLSMemory
		p := newPrinter(opt)
		view, err := newTLSView(p, opt, func(string) {})
		if err != nil {
			t.Fatal(err)
		}
		r, err := pcap.NewReader(bytes.NewReader(capture))
		if err != nil {
			return
		}
		for n := 1; n < 2000; n++ {
			pkt, err := r.Next()
			if err != nil {
				break
			}
			p.printPacket(pkt)
			view.secrets(r, func(string) {})
			view.packet(pkt)
			if n := len(p.out); n > 0 && p.out[n-1] != '\n' {
				t.Fatalf("output does not end a line: %q", p.out[max(0, n-80):])
			}
			p.out = p.out[:0]
			st := view.asm.Stats()
			if st.Buffered > fuzzTLSMemory || st.PeakBuffered > fuzzTLSMemory+len(pkt.Data)+64<<10 {
				t.Fatalf("the TLS view holds %d bytes (peak %d), bound %d", st.Buffered, st.PeakBuffered, fuzzTLSMemory)
			}
		}
		view.end(func(string) {})
		if n := len(p.out); n > 0 && p.out[n-1] != '\n' {
			t.Fatalf("output does not end a line: %q", p.out[max(0, n-80):])
		}
		if st := view.asm.Stats(); len(view.conns) != 0 || st.Buffered != 0 || st.Active != 0 {
			t.Errorf("after the end: %d connections kept, %+v", len(view.conns), st)
		}
	})
}

// hostileSeeds are the seed files of the fuzz targets for the hostile
// shapes of issue 9, by target and name: whole captures for
// FuzzTLSViewCapture (and pcap's FuzzReader, which has the same files),
// one connection's byte streams for FuzzTLSView.
func hostileSeeds() map[string]map[string][]byte {
	half := []byte{0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x3f, 0xfc, 0x03, 0x03}
	chunk := func(server bool, k int, b []byte) []byte {
		h := byte(k)
		if server {
			h |= 0x80
		}
		n := k*37 + 1
		out := append([]byte{h}, b...)
		for len(out) < 1+n {
			out = append(out, byte(len(out)))
		}
		return out[:1+n]
	}
	// Alerts, a byte a segment: two plausible records in a row make a
	// connection picked up in the middle.
	var tiny []byte
	for i := range 60 {
		tiny = append(tiny, 0x00, []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00}[i%7])
	}
	return map[string]map[string][]byte{
		"FuzzTLSViewCapture": {
			"hostile-half-open-tls": hostilecap.HalfOpenTLS{Conns: 48, SYN: true, Payload: 20}.Pcap(),
			"hostile-giant-caplen":  hostilecap.GiantCaplen(0xffffffff),
			"hostile-huge-block":    hostilecap.HugeBlock(0xfffffffc),
			"hostile-deep-vlan":     hostilecap.DeepVLAN(300),
		},
		"FuzzTLSView": {
			// The first 75 bytes of a record of 16 KiB, and no more.
			"hostile-half-open-record": chunk(false, 2, half),
			// A whole record holding the start of a handshake message
			// that says it is 16 MiB long.
			"hostile-huge-handshake-message": chunk(false, 1, []byte{0x16, 0x03, 0x01, 0x00, 0x21, 0x01, 0xff, 0xff, 0xff, 0x03, 0x03}),
			// The server first, with a record of the largest size in
			// long pieces, the client never.
			"hostile-server-max-record": slices.Concat(
				chunk(true, 1, []byte{0x17, 0x03, 0x03, 0x48, 0x00}),
				chunk(true, 0x3f, nil), chunk(true, 0x3f, nil)),
			"hostile-tiny-records": tiny,
		},
	}
}

// TestHostileFuzzSeeds checks that the seed corpora hold the hostile
// shapes, as hostileSeeds makes them; -update writes them.
func TestHostileFuzzSeeds(t *testing.T) {
	for target, seeds := range hostileSeeds() {
		for name, b := range seeds {
			path := filepath.Join("testdata", "fuzz", target, name)
			want := hostilecap.FuzzSeed(b)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: missing or not what hostileSeeds makes (%v): go test ./cmd/netdump -run TestHostileFuzzSeeds -update", path, err)
			}
		}
	}
}
