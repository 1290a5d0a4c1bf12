package live

import (
	"bytes"
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/medina-net/medina/pcap"
)

// ringPacket describes one packet to lay out in a fake ring block.
type ringPacket struct {
	data    []byte
	wireLen int
	pktType uint8
	ifindex int32
	vlanTCI uint32
	status  uint32
}

// fakeRing lays out one block of packets as the kernel does, each at
// offset mac (from its tpacket3_hdr), and returns a Handle reading it.
func fakeRing(t *testing.T, lt pcap.LinkType, mac int, pkts ...ringPacket) *Handle {
	t.Helper()
	const blockSize = 1 << 16
	ring := make([]byte, blockSize)
	off := 48
	native.PutUint32(ring[blockStatusOff:], unix.TP_STATUS_USER)
	native.PutUint32(ring[blockNumPktsOff:], uint32(len(pkts)))
	native.PutUint32(ring[blockFirstPktOff:], uint32(off))
	for i, p := range pkts {
		size := (mac + len(p.data) + 15) &^ 15
		if i < len(pkts)-1 {
			native.PutUint32(ring[off+tp3NextOff:], uint32(size))
		}
		native.PutUint32(ring[off+tp3SecOff:], 1700000000)
		native.PutUint32(ring[off+tp3NsecOff:], uint32(100+i))
		native.PutUint32(ring[off+tp3SnaplenOff:], uint32(len(p.data)))
		native.PutUint32(ring[off+tp3LenOff:], uint32(p.wireLen))
		native.PutUint32(ring[off+tp3StatusOff:], p.status)
		native.PutUint16(ring[off+tp3MacOff:], uint16(mac))
		native.PutUint32(ring[off+tp3VlanTCIOff:], p.vlanTCI)
		binary.BigEndian.PutUint16(ring[off+sllProtocolAt:], 0x0800)
		native.PutUint32(ring[off+sllIfIndexAt:], uint32(p.ifindex))
		native.PutUint16(ring[off+sllHaTypeAt:], 1)
		ring[off+sllPktTypeAt] = p.pktType
		ring[off+sllHaLenAt] = 6
		copy(ring[off+sllAddrAt:], []byte{2, 0, 0, 0, 0, 7})
		copy(ring[off+mac:], p.data)
		off += size
	}
	h := &Handle{ring: ring, blockSize: blockSize, blockNr: 1, linkType: lt, cooked: cookedHeaderLen(lt) > 0,
		snaplen: pcap.MaxSnaplen, vlanOff: vlanOffset(lt), loIndex: 1, device: "fake"}
	h.held, h.left, h.next = true, len(pkts), 48
	return h
}

// TestRingDecode reads packets laid out as the kernel lays them out: the
// cooked headers, the direction and the loopback's outgoing copies, a
// VLAN tag put back, the snapshot length, and corrupt offsets.
func TestRingDecode(t *testing.T) {
	ip := bytes.Repeat([]byte{0x45}, 40)
	h := fakeRing(t, pcap.LinkTypeLinuxSLL2, 112,
		ringPacket{data: ip, wireLen: 60, pktType: packetHost, ifindex: 3},
		ringPacket{data: ip, wireLen: 40, pktType: packetOutgoing, ifindex: 1}, // lo: dropped
		ringPacket{data: ip[:20], wireLen: 40, pktType: packetOutgoing, ifindex: 4},
	)
	p, err := h.packet()
	if err != nil || p == nil {
		t.Fatalf("first: %v %v", p, err)
	}
	wantHdr := []byte{8, 0, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 7, 0, 0}
	if !bytes.Equal(p.Data[:20], wantHdr) || !bytes.Equal(p.Data[20:], ip) || p.Length != 80 ||
		p.Sec != 1700000000 || p.Frac != 100 || p.FracPerSec != 1e9 || p.Flags != 1|1<<2 {
		t.Errorf("first: % x len %d time %d.%d flags %#x", p.Data[:20], p.Length, p.Sec, p.Frac, p.Flags)
	}
	if p, err := h.packet(); p != nil || err != nil {
		t.Errorf("the loopback's outgoing copy was kept: %v %v", p, err)
	}
	p, err = h.packet()
	if err != nil || p == nil || len(p.Data) != 40 || p.Length != 60 || p.Data[10] != packetOutgoing || p.Flags != 2 {
		t.Errorf("third: %v %v", p, err)
	}

	// LINUX_SLL, -Q in.
	h = fakeRing(t, pcap.LinkTypeLinuxSLL, 112,
		ringPacket{data: ip, wireLen: 40, pktType: packetBroadcast, ifindex: 3},
		ringPacket{data: ip, wireLen: 40, pktType: packetOutgoing, ifindex: 3})
	h.direction = In
	p, err = h.packet()
	if err != nil || p == nil || !bytes.Equal(p.Data[:16], []byte{0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 7, 0, 0, 8, 0}) || p.Flags != 1|3<<2 {
		t.Errorf("SLL: %v %v", p, err)
	}
	if p, err := h.packet(); p != nil || err != nil {
		t.Errorf("-Q in kept an outgoing packet")
	}

	// Ethernet with a VLAN tag to put back, and a snapshot length.
	eth := append([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 8, 0}, ip...)
	h = fakeRing(t, pcap.LinkTypeEthernet, 96,
		ringPacket{data: eth, wireLen: len(eth), vlanTCI: 0x2005, status: unix.TP_STATUS_VLAN_VALID})
	h.snaplen = 30
	p, err = h.packet()
	want := append(append(append([]byte{}, eth[:12]...), 0x81, 0, 0x20, 5), eth[12:]...)[:30]
	if err != nil || p == nil || !bytes.Equal(p.Data, want) || p.Length != len(eth)+4 {
		t.Errorf("VLAN: % x (%d) %v\nwant % x", p.Data, p.Length, err, want)
	}

	// A packet that points outside its block, or whose header leaves no
	// room, is an error, not a panic.
	h = fakeRing(t, pcap.LinkTypeEthernet, 96, ringPacket{data: eth, wireLen: len(eth)})
	native.PutUint32(h.ring[48+tp3SnaplenOff:], 1<<20)
	if _, err := h.packet(); err == nil {
		t.Errorf("a caplen past the block was accepted")
	}
	h = fakeRing(t, pcap.LinkTypeLinuxSLL2, tp3HdrEnd+4, ringPacket{data: ip, wireLen: 40})
	if _, err := h.packet(); err == nil {
		t.Errorf("a cooked packet without room for its header was accepted")
	}
	h = fakeRing(t, pcap.LinkTypeEthernet, 8, ringPacket{data: eth, wireLen: 40})
	if _, err := h.packet(); err == nil {
		t.Errorf("a mac offset inside the header was accepted")
	}
}

// TestRingDecodeDoesNotAllocate: reading a packet out of the ring
// allocates nothing.
func TestRingDecodeDoesNotAllocate(t *testing.T) {
	ip := bytes.Repeat([]byte{0x45}, 40)
	h := fakeRing(t, pcap.LinkTypeLinuxSLL2, 112, ringPacket{data: ip, wireLen: 60, pktType: packetHost, ifindex: 3})
	allocs := testing.AllocsPerRun(1000, func() {
		h.next, h.left = 48, 1
		if p, err := h.packet(); p == nil || err != nil {
			t.Fatal(p, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations a packet", allocs)
	}
}
