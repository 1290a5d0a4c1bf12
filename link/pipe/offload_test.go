package pipe

import (
	"bytes"
	"errors"
	"net"
	"testing"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/tcp"
)

var (
	superSrc = [4]byte{192, 0, 2, 1}
	superDst = [4]byte{192, 0, 2, 2}
)

// superFrame returns a TCP super-frame over IPv4 with payload bytes of
// data in segments of mss, laid out as a stack hands it to a GSOWriter:
// the IP header whole, the TCP checksum field the pseudo-header's
// partial sum.
func superFrame(t *testing.T, payload, mss int) ([]byte, link.GSO) {
	t.Helper()
	const hl = ethernet.HeaderLen + ipv4.MinHeaderLen + tcp.HeaderLen
	f := make([]byte, hl+payload)
	ethernet.Encode(f, DefaultAddrB, DefaultAddrA, ethernet.TypeIPv4)
	ip := ipv4.Fields{TTL: 64, Protocol: ipv4.ProtoTCP, Src: superSrc, Dst: superDst, PayloadLen: tcp.HeaderLen + payload, Flags: ipv4.FlagDF, ID: 7}
	if _, err := ip.Encode(f[ethernet.HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	seg := f[ethernet.HeaderLen+ipv4.MinHeaderLen:]
	tf := tcp.Fields{SrcPort: 40000, DstPort: 80, Seq: 1000, Ack: 1, Flags: tcp.FlagACK | tcp.FlagPSH, Window: 512}
	if _, err := tf.Encode(seg); err != nil {
		t.Fatal(err)
	}
	for i := range payload {
		seg[tcp.HeaderLen+i] = byte(i*7 + i>>8)
	}
	sum := checksum.Pseudo(superSrc, superDst, uint8(ipv4.ProtoTCP), uint16(len(seg)))
	seg[16], seg[17] = byte(checksum.Fold(sum)>>8), byte(checksum.Fold(sum))
	return f, link.GSO{NetworkOff: ethernet.HeaderLen, TransportOff: ethernet.HeaderLen + ipv4.MinHeaderLen, HeaderLen: hl, SegmentSize: mss}
}

// TestOffloadWhole: with Offload, a super-frame written with WriteGSO is
// read whole by ReadFramesOffload, as the writer left it, with its
// segment size and the checksum vouched for; ordinary frames around it
// come with the zero RxOffload, in order.
func TestOffloadWhole(t *testing.T) {
	a, b := New(Config{Offload: true})
	defer a.Close()
	if a.MaxGSO() != maxSuperFrame || b.MaxReadFrame() != maxSuperFrame {
		t.Fatalf("MaxGSO %d, MaxReadFrame %d; want %d", a.MaxGSO(), b.MaxReadFrame(), maxSuperFrame)
	}
	super, gso := superFrame(t, 10*1448+100, 1448)
	if err := a.WriteFrame(frame(100, a.addr, 1)); err != nil {
		t.Fatal(err)
	}
	if err := a.WriteGSO(super, gso); err != nil {
		t.Fatal(err)
	}
	if err := a.WriteFrame(frame(100, a.addr, 2)); err != nil {
		t.Fatal(err)
	}
	bufs := [][]byte{make([]byte, maxSuperFrame), make([]byte, maxSuperFrame), make([]byte, maxSuperFrame)}
	lens := make([]int, 3)
	offs := make([]link.RxOffload, 3)
	n, err := b.ReadFramesOffload(bufs, lens, offs)
	if err != nil || n != 3 {
		t.Fatalf("ReadFramesOffload = %d, %v; want 3 frames", n, err)
	}
	if seqOf(bufs[0]) != 1 || seqOf(bufs[2]) != 2 || offs[0] != (link.RxOffload{}) || offs[2] != (link.RxOffload{}) {
		t.Errorf("the ordinary frames: seq %d and %d, offloads %+v and %+v", seqOf(bufs[0]), seqOf(bufs[2]), offs[0], offs[2])
	}
	if !bytes.Equal(bufs[1][:lens[1]], super) {
		t.Errorf("the super-frame read is not the one written (%d bytes, %d written)", lens[1], len(super))
	}
	if want := (link.RxOffload{ChecksumValid: true, SegmentSize: 1448}); offs[1] != want {
		t.Errorf("the super-frame's offload %+v, want %+v", offs[1], want)
	}
	if st := b.Stats(); st.RxFrames != 3 || st.RxQueued != 0 {
		t.Errorf("Stats %+v: want 3 frames read, none queued", st)
	}
}

// TestOffloadCut: a reader through ReadFrames gets a super-frame cut into
// the wire-size segments it stands for, each with its own sequence
// number, lengths and complete checksums, PSH on the last only, its
// payload the super-frame's; a buffer short of a segment gets it cut.
func TestOffloadCut(t *testing.T) {
	const mss, payload = 1448, 5*1448 + 300
	a, b := New(Config{Offload: true})
	defer a.Close()
	super, gso := superFrame(t, payload, mss)
	if err := a.WriteGSO(super, gso); err != nil {
		t.Fatal(err)
	}
	var got []byte
	bufs := [][]byte{make([]byte, 1518), make([]byte, 1518)}
	lens := make([]int, 2)
	segs := 0
	for segs < 6 {
		n, err := b.ReadFrames(bufs, lens)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			f := bufs[i][:lens[i]]
			ip := ipv4.Header(f[ethernet.HeaderLen:])
			if ip.Check() != nil || int(ip.TotalLen()) != len(f)-ethernet.HeaderLen {
				t.Fatalf("segment %d: a bad IPv4 header (%v, total length %d in %d bytes)", segs, ip.Check(), ip.TotalLen(), len(f))
			}
			h := tcp.Header(ip.Payload())
			if !h.ChecksumValid(superSrc, superDst) {
				t.Errorf("segment %d: a wrong TCP checksum", segs)
			}
			if want := uint32(1000 + segs*mss); h.Seq() != want {
				t.Errorf("segment %d: seq %d, want %d", segs, h.Seq(), want)
			}
			if h.Flags().Has(tcp.FlagPSH) != (segs == 5) {
				t.Errorf("segment %d: flags %v", segs, h.Flags())
			}
			got = append(got, h.Payload()...)
			segs++
		}
	}
	if !bytes.Equal(got, super[gso.HeaderLen:]) {
		t.Errorf("the segments carry %d bytes, not the super-frame's %d", len(got), payload)
	}
	if st := b.Stats(); st.RxFrames != 6 || st.RxQueued != 0 {
		t.Errorf("Stats %+v: want 6 frames read, none queued", st)
	}

	// A short buffer: the first segment, cut to it.
	if err := a.WriteGSO(super, gso); err != nil {
		t.Fatal(err)
	}
	short := make([]byte, 60)
	if n, err := b.ReadFrame(short); err != nil || n != 60 {
		t.Fatalf("ReadFrame into 60 bytes = %d, %v", n, err)
	}
	full := make([]byte, 1518)
	n, err := b.ReadFrame(full)
	if err != nil {
		t.Fatal(err)
	}
	if h := tcp.Header(full[ethernet.HeaderLen+ipv4.MinHeaderLen : n]); h.Seq() != 1000+mss {
		t.Errorf("after a cut first segment, the next has seq %d, want %d", h.Seq(), 1000+mss)
	}
}

// TestOffloadQueueRoom: a super-frame takes the room of its segments in
// the queue, and one that does not fit is dropped and counted, as a NIC
// whose ring lacks the descriptors would; reading it whole frees its room.
func TestOffloadQueueRoom(t *testing.T) {
	a, b := New(Config{Offload: true, Queue: 10})
	defer a.Close()
	super, gso := superFrame(t, 8*1000, 1000) // 8 segments
	if err := a.WriteGSO(super, gso); err != nil {
		t.Fatal(err)
	}
	if err := a.WriteGSO(super, gso); err != nil {
		t.Fatal(err)
	}
	if st := a.Stats(); st.TxFrames != 1 || st.TxDropped != 1 {
		t.Fatalf("two super-frames of 8 into a queue of 10: Stats %+v, want 1 sent and 1 dropped", st)
	}
	for i := range 3 {
		if err := a.WriteFrame(frame(100, a.addr, uint32(i))); err != nil {
			t.Fatal(err)
		}
	}
	if st := a.Stats(); st.TxFrames != 3 || st.TxDropped != 2 {
		t.Fatalf("3 frames behind a super-frame of 8 in a queue of 10: Stats %+v, want 3 sent (2 fitting) and 2 dropped", st)
	}
	bufs := [][]byte{make([]byte, maxSuperFrame)}
	lens, offs := make([]int, 1), make([]link.RxOffload, 1)
	if n, err := b.ReadFramesOffload(bufs, lens, offs); n != 1 || err != nil || offs[0].SegmentSize != 1000 {
		t.Fatalf("ReadFramesOffload = %d, %v, %+v", n, err, offs[0])
	}
	if err := a.WriteGSO(super, gso); err != nil {
		t.Fatal(err)
	}
	if st := a.Stats(); st.TxFrames != 4 || st.TxDropped != 2 {
		t.Errorf("a super-frame of 8 behind 2 frames in a queue of 10: Stats %+v, want it sent", st)
	}
}

// TestOffloadRefused: without Offload an end takes no super-frame, and
// with it one longer than MaxGSO or not laid out as it says is refused
// with ErrFrameSize; a closed end refuses with net.ErrClosed.
func TestOffloadRefused(t *testing.T) {
	super, gso := superFrame(t, 4*1000, 1000)
	a, _ := New(Config{})
	if a.MaxGSO() != 0 || a.MaxReadFrame() != 0 {
		t.Errorf("without Offload: MaxGSO %d, MaxReadFrame %d; want 0", a.MaxGSO(), a.MaxReadFrame())
	}
	if err := a.WriteGSO(super, gso); !errors.Is(err, ErrFrameSize) {
		t.Errorf("WriteGSO without Offload: %v, want ErrFrameSize", err)
	}
	a.Close()

	a, b := New(Config{Offload: true})
	if err := a.WriteGSO(make([]byte, maxSuperFrame+1), gso); !errors.Is(err, ErrFrameSize) {
		t.Errorf("WriteGSO of a frame over MaxGSO: %v, want ErrFrameSize", err)
	}
	bad := gso
	bad.NetworkOff = 2 // no IP header there
	if err := a.WriteGSO(super, bad); !errors.Is(err, ErrFrameSize) {
		t.Errorf("WriteGSO of a frame not laid out as gso says: %v, want ErrFrameSize", err)
	}
	b.Close()
	if err := a.WriteGSO(super, gso); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteGSO to a closed peer: %v, want net.ErrClosed", err)
	}
}
