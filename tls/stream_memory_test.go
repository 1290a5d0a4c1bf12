package tls

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"
	"path/filepath"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/medina-net/medina/internal/decap"
	"github.com/medina-net/medina/internal/hostilecap"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcpstream"
)

// The memory a StreamDecoder holds is charged to its Assembler's bounds:
// a flood of connections that each start a TLS record and never finish it
// (the 11.7 MB capture of issue 9 that made netdump allocate 2.45 GB)
// must stay within them, and the real sessions in the same capture must
// still be decoded.

// legitFrame is a frame of httpsd's recording (a TLS 1.3 connection with
// its keys), taken apart.
type legitFrame struct {
	src, dst netip.AddrPort
	seg      []byte
	length   int
}

// legitSession returns the TCP segments of httpsd's recording and a key
// log with its secrets.
func legitSession(t testing.TB) ([]legitFrame, *KeyLog) {
	t.Helper()
	r, err := pcap.Open(filepath.Join("..", "testdata", "pcaps", "httpsd-session.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var frames []legitFrame
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seg, ok := decap.TCP(p.LinkType, p.Data)
		if !ok {
			continue
		}
		frames = append(frames, legitFrame{seg.Src, seg.Dst, append([]byte(nil), seg.TCP...), seg.Length})
	}
	keys := NewKeyLog()
	for _, s := range r.Secrets() {
		if err := keys.AddSecretsBlock(uint32(s.Type), s.Data); err != nil {
			t.Fatal(err)
		}
	}
	return frames, keys
}

// httpsdPlaintext is what the server of httpsd's recording sends.
const httpsdPlaintext = 100637

// floodRun is one run of a flood through a StreamDecoder.
type floodRun struct {
	conns int
	cfg   tcpstream.Config
	// sample, if set, is called every sampleEvery connections.
	sample      func(i int)
	sampleEvery int
	// legit counts the real sessions decoded to the end, by the client
	// port they were given; dropped the sessions that ended for the
	// memory bounds.
	legit   map[uint16]Summary
	reasons map[tcpstream.CloseReason]int
	stats   tcpstream.Stats
}

// Client ports of the three copies of the real session: one before the
// flood, one spread over it, one after.
const (
	legitBefore = 50001
	legitDuring = 50002
	legitAfter  = 50003
)

// run feeds the flood, with httpsd's session before it, spread over it,
// and after it.
func (f *floodRun) run(t testing.TB) {
	frames, keys := legitSession(t)
	f.legit = map[uint16]Summary{}
	f.reasons = map[tcpstream.CloseReason]int{}
	dec := &StreamDecoder{KeyLog: keys, OnClose: func(s *tcpstream.Stream, sess *Session, reason tcpstream.CloseReason) {
		f.reasons[reason]++
		if p := s.Client.Port(); p > 50000 && p <= legitAfter {
			f.legit[p] = sess.Summary()
		}
	}}
	asm := tcpstream.NewAssembler(f.cfg, dec)
	ts := hostilecap.Start
	legit := func(port uint16, fr legitFrame) {
		src, dst := fr.src, fr.dst
		if src.Port() != 443 {
			src = netip.AddrPortFrom(src.Addr(), port)
		} else {
			dst = netip.AddrPortFrom(dst.Addr(), port)
		}
		seg := append([]byte(nil), fr.seg...)
		binary.BigEndian.PutUint16(seg[0:], src.Port())
		binary.BigEndian.PutUint16(seg[2:], dst.Port())
		asm.AddTruncated(src, dst, seg, fr.length, ts)
	}
	for _, fr := range frames {
		legit(legitBefore, fr)
	}
	every := max(1, f.conns/(len(frames)+1))
	next, i := 0, 0
	hostilecap.HalfOpenTLS{Conns: f.conns}.Frames(func(frame []byte, fts time.Time) {
		ts = fts
		if _, err := asm.AddFrame(pcap.LinkTypeEthernet, frame, ts); err != nil {
			t.Fatal(err)
		}
		i++
		if i%every == 0 && next < len(frames) {
			legit(legitDuring, frames[next])
			next++
		}
		if f.sample != nil && i%f.sampleEvery == 0 {
			f.sample(i)
		}
	})
	for ; next < len(frames); next++ {
		legit(legitDuring, frames[next])
	}
	for _, fr := range frames {
		legit(legitAfter, fr)
	}
	f.stats = asm.Stats()
	asm.Close()
}

// liveHeap returns the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestStreamDecoderFloodMemory feeds 65,536 connections that each start a
// TLS record to a StreamDecoder, with a real session before, during and
// after them, and checks the live heap against the documented bound
// (sampled every 2,048 connections), and that the real sessions were
// decrypted whole.
func TestStreamDecoderFloodMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("65,536 connections")
	}
	cfg := tcpstream.Config{}
	base := liveHeap()
	bound := uint64(floodBound(cfg))
	var peak uint64
	f := &floodRun{conns: 65536, cfg: cfg, sampleEvery: 2048}
	f.sample = func(i int) {
		h := liveHeap()
		h -= min(base, h)
		peak = max(peak, h)
		if h > bound {
			t.Fatalf("after %d connections: live heap grew by %d bytes, bound %d", i, h, bound)
		}
	}
	f.run(t)
	t.Logf("peak live heap growth %.1f MiB, bound %.1f MiB; %+v; closed %v", float64(peak)/(1<<20), float64(bound)/(1<<20), f.stats, f.reasons)
	for _, p := range []uint16{legitBefore, legitDuring, legitAfter} {
		sum, ok := f.legit[p]
		switch {
		case !ok:
			t.Errorf("port %d: the real session never ended", p)
		case !sum.KeysFound || sum.PlaintextBytes[FromServer] != httpsdPlaintext || sum.Failed != [2]int{}:
			t.Errorf("port %d: keys found %v, %d bytes of plaintext from the server (want %d), failed %v",
				p, sum.KeysFound, sum.PlaintextBytes[FromServer], httpsdPlaintext, sum.Failed)
		}
	}
}

// floodBound is the documented bound on what an Assembler and its
// StreamDecoder hold, for cfg.
func floodBound(cfg tcpstream.Config) int {
	total, streams := cfg.MaxBufferedTotal, cfg.MaxStreams
	if total == 0 {
		total = tcpstream.DefaultMaxBufferedTotal
	}
	if streams == 0 {
		streams = tcpstream.DefaultMaxStreams
	}
	return total + total/4 + streams*1024
}

// BenchmarkStreamDecoderFlood decodes the flood of
// TestStreamDecoderFloodMemory (65,536 connections, with the real session
// before, during and after) with the default bounds, and reports the bytes
// allocated (-benchmem's B/op) and the peak live heap (peak-MiB, sampled
// after a collection every 4,096 connections):
//
//	go test ./tls -run '^$' -bench StreamDecoderFlood -benchmem -count 3
func BenchmarkStreamDecoderFlood(b *testing.B) {
	var peak uint64
	b.ReportAllocs()
	for b.Loop() {
		base := liveHeap()
		f := &floodRun{conns: 65536, sampleEvery: 4096}
		f.sample = func(int) {
			h := liveHeap()
			peak = max(peak, h-min(base, h))
		}
		f.run(b)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
}

// TestSessionCost checks Memory's fixed costs against the structures they
// stand for.
func TestSessionCost(t *testing.T) {
	if n := unsafe.Sizeof(Session{}); n > sessionCost {
		t.Errorf("a Session is %d bytes, sessionCost %d", n, sessionCost)
	}
	if n := unsafe.Sizeof(late12{}); n > lateCost {
		t.Errorf("a late12 is %d bytes, lateCost %d", n, lateCost)
	}
	// The decoding, and the closure that captures the stream and the
	// decoder.
	if n := unsafe.Sizeof(decoding{}) + 3*unsafe.Sizeof(uintptr(0)); n > decodingCost {
		t.Errorf("a decoding is %d bytes with its closure, decodingCost %d", n, decodingCost)
	}
}

// TestSessionMemoryHalfOpen: a session that has the first 100 bytes of a
// record of 16 KiB holds about those bytes, not room for the record; the
// live heap of many such sessions agrees with what Memory says.
func TestSessionMemoryHalfOpen(t *testing.T) {
	var first []byte
	hostilecap.HalfOpenTLS{Conns: 1}.Frames(func(frame []byte, _ time.Time) {
		seg, _ := decap.TCP(pcap.LinkTypeEthernet, frame)
		first = append([]byte(nil), seg.TCP[20:]...)
	})
	const n = 2000
	sessions := make([]*Session, n)
	before := liveHeap()
	for i := range sessions {
		s := NewSession(SessionConfig{})
		s.Feed(FromClient, first, hostilecap.Start)
		sessions[i] = s
	}
	after := liveHeap()
	live := int(after-min(before, after)) / n
	mem := sessions[0].Memory()
	t.Logf("live heap %d bytes a session, Memory %d", live, mem)
	if mem > sessionCost+256 {
		t.Errorf("Memory %d: more than the session and the bytes it has", mem)
	}
	if live > mem+mem/4 {
		t.Errorf("live heap %d bytes a session, Memory says %d", live, mem)
	}
	runtime.KeepAlive(sessions)
}

// TestSessionMemoryDecrypting: sessions that decrypted httpsd's TLS 1.3
// conversation and are not closed hold what Memory says, give or take a
// quarter (the ciphers' state is an estimate).
func TestSessionMemoryDecrypting(t *testing.T) {
	conns := sxConns(t, filepath.Join("..", "testdata", "pcaps", "httpsd-session.pcapng"))
	_, keys := legitSession(t)
	var chunks []sxChunk
	for _, c := range conns {
		chunks = append(chunks, c.chunks...)
	}
	const n = 200
	sessions := make([]*Session, n)
	before := liveHeap()
	for i := range sessions {
		s := NewSession(SessionConfig{KeyLog: keys})
		for _, ch := range chunks {
			if ch.gap > 0 {
				s.Gap(ch.dir, ch.gap)
			} else {
				s.Feed(ch.dir, ch.data, ch.ts)
			}
		}
		sessions[i] = s
	}
	after := liveHeap()
	live := int(after-min(before, after)) / n
	mem := sessions[0].Memory()
	t.Logf("live heap %d bytes a session, Memory %d", live, mem)
	if sum := sessions[0].Summary(); sum.PlaintextBytes[FromServer] != httpsdPlaintext {
		t.Fatalf("decrypted %d bytes", sum.PlaintextBytes[FromServer])
	}
	if live > mem+mem/4 || mem > live+live/4 {
		t.Errorf("live heap %d bytes a session, Memory says %d", live, mem)
	}
	runtime.KeepAlive(sessions)
}

// TestKeyLogResumableBounded: the master secrets remembered for
// resumption are kept under a hash of the ticket, so that a capture that
// issues 64 KiB tickets without end does not make the map hold them.
func TestKeyLogResumableBounded(t *testing.T) {
	k := NewKeyLog()
	master := bytes.Repeat([]byte{7}, masterLen)
	ticket := make([]byte, 65535)
	before := liveHeap()
	for i := range 1000 {
		binary.BigEndian.PutUint32(ticket, uint32(i))
		k.remember(true, ticket, master)
	}
	after := liveHeap()
	if grew := after - min(before, after); grew > 1<<20 {
		t.Errorf("1,000 tickets of 64 KiB: the key log grew by %d bytes", grew)
	}
	binary.BigEndian.PutUint32(ticket, 999)
	if got := k.resumed(true, ticket); !bytes.Equal(got, master) {
		t.Errorf("resumed(ticket 999) = %x", got)
	}
	if got := k.resumed(false, ticket); got != nil {
		t.Errorf("a ticket found as a session ID")
	}
	binary.BigEndian.PutUint32(ticket, 1000)
	if got := k.resumed(true, ticket); got != nil {
		t.Errorf("a ticket never issued found")
	}
}
