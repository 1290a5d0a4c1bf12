package tuntap

import (
	"encoding/binary"
	"io"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/vnet"
)

// The whole path (link.OffloadReader): each packet is read with readv
// straight into the reader's buffer, behind the room for a TUN's
// synthetic header, its virtio-net header apart; a TCP super-packet or a
// TCP segment whose checksum the kernel left partial (or vouched for) is
// handed over as it is, with what the kernel said of it, so that the
// stack takes 64 KiB of a connection's data without cutting it or
// summing a byte of it. What the stack must not take unverified or whole
// (UDP super-packets, other protocols' partial checksums) goes the way
// ReadFrames takes it.

// MaxReadFrame returns the size of a buffer that holds any frame
// ReadFramesOffload gives (link.OffloadReader): a 64 KiB packet and its
// link header, on the offload path; 0 on the plain path, which hands
// over no super-frames.
func (d *Device) MaxReadFrame() int {
	if d.off == nil {
		return 0
	}
	return d.pre + vnetMaxPacket
}

// ReadFramesOffload is ReadFrames handing over the kernel's TCP
// super-packets whole and its TCP checksums unverified, with what the
// kernel said of each frame in offs (link.OffloadReader). Buffers shorter
// than MaxReadFrame get what ReadFrames gives, with the zero RxOffload.
func (d *Device) ReadFramesOffload(bufs [][]byte, lens []int, offs []link.RxOffload) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	clear(offs[:len(bufs)])
	whole := d.off != nil
	for _, b := range bufs {
		whole = whole && len(b) >= d.MaxReadFrame()
	}
	if !whole {
		return d.ReadFrames(bufs, lens)
	}
	o := d.off
	o.mu.Lock()
	defer o.mu.Unlock()
	o.offs = offs
	defer func() { o.offs = nil }()
	return d.readFramesLocked(bufs, lens, o.wholeFn)
}

// readWhole is the poller's callback on the whole path: it reads packets
// into o.bufs while they have room, and asks the poller to wait only
// while nothing has been read.
func (o *offload) readWhole(fd uintptr) bool {
	for o.n < len(o.bufs) {
		buf := o.bufs[o.n]
		p := buf[o.pre:]
		o.riov[1].Base = &p[0]
		o.riov[1].SetLen(len(p))
		r, _, e := unix.Syscall(unix.SYS_READV, fd, uintptr(unsafe.Pointer(&o.riov[0])), uintptr(len(o.riov)))
		o.riov[1].Base = nil
		switch {
		case e == unix.EINTR:
			continue
		case e == unix.EAGAIN:
			return o.n > 0
		case e != 0:
			o.rerr = e
			return true
		case r == 0:
			o.rerr = io.EOF
			return true
		}
		o.n += o.takeWhole(int(r))
	}
	return true
}

// takeWhole takes the packet of k bytes (header included) just read into
// o.rhdr and o.bufs[o.n]: as it is, when the stack may take it so,
// behind a TUN's synthetic header; else the way take does. It returns
// how many frames went into o.bufs.
func (o *offload) takeWhole(k int) int {
	h, err := vnet.NewHeader(o.rhdr[:])
	if k < vnet.HeaderLen || err != nil || h.Check() != nil {
		o.dropped.Add(1)
		return 0
	}
	buf := o.bufs[o.n]
	pkt := buf[o.pre : o.pre+k-vnet.HeaderLen]
	if o.pre != 0 && (len(pkt) == 0 || !l3Header(buf, o.addr, pkt[0])) {
		o.dropped.Add(1)
		return 0
	}
	netOff := o.netOff(pkt)
	switch typ := h.GSOType() &^ vnet.GSOECN; {
	case typ == vnet.GSOTCPv4 || typ == vnet.GSOTCPv6:
		// The Segmenter reads only the headers: that the packet is TCP
		// over IP, whole, with a segment size.
		if _, ok := o.segmenter(pkt, h, netOff); !ok {
			return 0
		}
		o.wholes.Add(1)
		o.lens[o.n] = o.pre + len(pkt)
		o.offs[o.n] = link.RxOffload{ChecksumValid: true, SegmentSize: h.GSOSize()}
		return 1
	case typ == vnet.GSONone && h.Flags()&(vnet.NeedsCsum|vnet.DataValid) != 0 && tcpChecksummed(pkt, netOff, h):
		o.lens[o.n] = o.pre + len(pkt)
		o.offs[o.n] = link.RxOffload{ChecksumValid: true}
		return 1
	case typ == vnet.GSONone:
		if vnet.Complete(pkt, h) != nil {
			o.dropped.Add(1)
			return 0
		}
		if h.Flags()&vnet.NeedsCsum != 0 {
			o.completed.Add(1)
		}
		o.lens[o.n] = o.pre + len(pkt)
		return 1
	}
	// A UDP super-packet: cut as ReadFrames cuts it, from a copy, since
	// its first segment goes where it lies now.
	n := copy(o.rbuf, o.rhdr[:])
	n += copy(o.rbuf[n:], pkt)
	return o.take(o.rbuf[:n], o.bufs[o.n:], o.lens[o.n:])
}

// tcpChecksummed reports whether pkt, an IP packet at netOff that is no
// super-packet, is a TCP segment whose checksum the kernel vouches for:
// left partial for a NIC to complete (NEEDS_CSUM, the partial sum where
// TCP's checksum lies) or verified (DATA_VALID).
func tcpChecksummed(pkt []byte, netOff int, h vnet.Header) bool {
	if len(pkt) < netOff+1 {
		return false
	}
	ip := pkt[netOff:]
	var tOff int
	switch ip[0] >> 4 {
	case 4:
		if len(ip) < 20 || ip[9] != 6 || binary.BigEndian.Uint16(ip[6:])&0x3fff != 0 {
			return false
		}
		tOff = netOff + int(ip[0]&0x0f)*4
	case 6:
		if len(ip) < 40 || ip[6] != 6 {
			return false
		}
		tOff = netOff + 40
	default:
		return false
	}
	if len(pkt) < tOff+20 {
		return false
	}
	if h.Flags()&vnet.NeedsCsum != 0 {
		return h.CsumStart() == tOff && h.CsumOffset() == tcpCsumOffset
	}
	return true
}
