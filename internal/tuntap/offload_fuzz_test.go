//go:build linux

package tuntap

import (
	"encoding/binary"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/vnet"
)

// FuzzOffloadTake feeds the offload path's packet handling whatever the
// kernel might hand a reader: a virtio-net header and a frame (a TAP's)
// or an IP packet (a TUN's, when layer3) of any bytes. It must never
// panic, never return more frames than buffers nor longer ones, and keep
// its queue within maxSegments; what it cannot handle it counts as
// dropped. A TUN's frames all carry the synthetic header.
func FuzzOffloadTake(f *testing.F) {
	addSeeds(f, 4)
	// One offload state for every input, its queue emptied between
	// them: its 128 KiB of read buffers made afresh for each input
	// would slow the fuzzer to a crawl.
	addr := ethernet.Addr{2, 0, 0, 0, 0, 1}
	tap, tun := newOffload(false, 1518, 0, addr), newOffload(false, 1518, l3Pre, addr)
	f.Fuzz(func(t *testing.T, pkt []byte, nbufs int, layer3 bool) {
		o := tap
		if layer3 {
			o = tun
		}
		nbufs = 1 + (nbufs&0x7fffffff)%16
		o.head, o.tail = 0, 0
		o.dropped.Store(0)
		bufs := make([][]byte, nbufs)
		for i := range bufs {
			bufs[i] = make([]byte, 1518)
		}
		lens := make([]int, nbufs)
		n := o.take(pkt, bufs, lens)
		if n < 0 || n > nbufs {
			t.Fatalf("%d frames into %d buffers", n, nbufs)
		}
		for i := range n {
			if lens[i] < 0 || lens[i] > len(bufs[i]) {
				t.Fatalf("frame %d: length %d in a %d-byte buffer", i, lens[i], len(bufs[i]))
			}
			if layer3 {
				fr := ethernet.Frame(bufs[i][:lens[i]])
				v := bufs[i][l3Pre] >> 4
				if fr.Dst() != addr || v == 4 && fr.Type() != ethernet.TypeIPv4 || v == 6 && fr.Type() != ethernet.TypeIPv6 || v != 4 && v != 6 {
					t.Fatalf("frame %d from a TUN: header % x before version %d", i, bufs[i][:l3Pre], v)
				}
			}
		}
		if o.tail > maxSegments || o.head > o.tail {
			t.Fatalf("queue head %d, tail %d", o.head, o.tail)
		}
		if n == 0 && o.tail == 0 && o.dropped.Load() == 0 {
			t.Fatalf("%d bytes neither taken nor counted as dropped", len(pkt))
		}
		// Draining gives back exactly what was queued.
		queued := o.tail - o.head
		if got := o.drain(bufs, lens); got != min(queued, nbufs) {
			t.Fatalf("drained %d of %d queued frames into %d buffers", got, queued, nbufs)
		}
	})
}

// FuzzOffloadTakeWhole feeds the whole path (ReadFramesOffload) what the
// kernel might hand a reader, as readv leaves it: a virtio-net header in
// its own buffer, the rest in the reader's. It must never panic, never
// return more frames than buffers nor longer ones, and vouch only for
// TCP: a frame handed over with RxOffload says so of a TCP segment over
// IPv4 or IPv6 whose header fits the frame, whole when it is a
// super-frame.
func FuzzOffloadTakeWhole(f *testing.F) {
	addSeeds(f, 2)
	addr := ethernet.Addr{2, 0, 0, 0, 0, 1}
	tap, tun := newOffload(true, 1518, 0, addr), newOffload(true, 1518, l3Pre, addr)
	bufs := make([][]byte, 16)
	for i := range bufs {
		bufs[i] = make([]byte, l3Pre+vnetMaxPacket)
	}
	lens := make([]int, len(bufs))
	offs := make([]link.RxOffload, len(bufs))
	f.Fuzz(func(t *testing.T, pkt []byte, nbufs int, layer3 bool) {
		o := tap
		if layer3 {
			o = tun
		}
		nbufs = 1 + (nbufs&0x7fffffff)%len(bufs)
		if len(pkt) > vnet.HeaderLen+vnetMaxPacket {
			pkt = pkt[:vnet.HeaderLen+vnetMaxPacket] // the kernel's packets are no longer
		}
		o.head, o.tail = 0, 0
		o.bufs, o.lens, o.offs, o.n = bufs[:nbufs], lens[:nbufs], offs[:nbufs], 0
		clear(offs)
		k := copy(o.rhdr[:], pkt)
		if len(pkt) > k {
			copy(bufs[0][o.pre:], pkt[k:])
		}
		n := o.takeWhole(len(pkt))
		if n < 0 || n > nbufs {
			t.Fatalf("%d frames into %d buffers", n, nbufs)
		}
		for i := range n {
			if lens[i] < 0 || lens[i] > len(bufs[i]) {
				t.Fatalf("frame %d: length %d in a %d-byte buffer", i, lens[i], len(bufs[i]))
			}
			off := offs[i]
			if off == (link.RxOffload{}) {
				continue
			}
			fr := bufs[i][:lens[i]]
			netOff := o.netOff(fr[o.pre:]) + o.pre
			if len(fr) < netOff+20 {
				t.Fatalf("frame %d (%d bytes) vouched for (%+v) with no room for an IP header", i, len(fr), off)
			}
			var proto byte
			switch fr[netOff] >> 4 {
			case 4:
				proto = fr[netOff+9]
			case 6:
				if len(fr) < netOff+40 {
					t.Fatalf("frame %d: an IPv6 packet of %d bytes vouched for", i, len(fr)-netOff)
				}
				proto = fr[netOff+6]
			default:
				t.Fatalf("frame %d: IP version %d vouched for", i, fr[netOff]>>4)
			}
			if proto != 6 || !off.ChecksumValid {
				t.Fatalf("frame %d: protocol %d vouched for as %+v", i, proto, off)
			}
		}
	})
}

// addSeeds gives both offload fuzz targets their seeds, with nbufs
// buffers for the super-packets: a TCP super-packet over IPv4 (3000
// bytes of payload in segments of 1448) behind an Ethernet header (a
// TAP's), the same behind none (a TUN's: the checksum from the IP
// packet's start), and the start of it as one segment with a partial
// checksum, and with a checksum vouched for.
func addSeeds(f *testing.F, nbufs int) {
	frame := make([]byte, 14+20+20+3000)
	binary.BigEndian.PutUint16(frame[12:], 0x0800)
	ip := frame[14:]
	ip[0], ip[9] = 0x45, 6
	binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
	ip[20+12] = 5 << 4
	add := func(h vnet.Fields, pkt []byte, n int, layer3 bool) {
		hb := make([]byte, vnet.HeaderLen)
		h.Encode(hb)
		f.Add(append(hb, pkt...), n, layer3)
	}
	h := vnet.Fields{Flags: vnet.NeedsCsum, GSOType: vnet.GSOTCPv4, GSOSize: 1448, CsumStart: 34, CsumOffset: 16}
	add(h, frame, nbufs, false)
	h.CsumStart = 20
	add(h, frame[14:], nbufs, true)
	h.GSOType, h.GSOSize = vnet.GSONone, 0
	add(h, frame[14:100], 1, true)
	h.CsumStart = 34
	add(h, frame[:100], 1, false)
	h.Flags = vnet.DataValid
	add(h, frame[:100], 1, false)
}
