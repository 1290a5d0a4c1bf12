//go:build linux

package tuntap

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/vnet"
)

// The offload path. water cannot ask for virtio-net headers, so the
// device is opened here with golang.org/x/sys/unix:
// IFF_TAP or IFF_TUN, IFF_NO_PI, IFF_VNET_HDR, then TUNSETOFFLOAD. Every
// packet then starts with a vnet.Header in both directions. The kernel,
// told the device takes checksum and TCP segmentation offload, hands the
// reader TCP super-packets of up to 64 KiB (its own TSO, or GRO of what
// it forwards) whose checksum is left partial: one read where there were
// forty. The Device cuts them into wire-size frames in software
// (vnet.Segmenter) and completes partial checksums, so what the stack
// reads is what a wire would carry, and pcap.Tap and the impairment
// wrapper above it see ordinary frames. Frames the stack writes go with
// a header that asks nothing of the kernel; TCP super-frames (WriteGSO)
// with one that asks it to segment them.

// maxSegments bounds the frames one super-packet may be cut into: 64 KiB
// at a 1448-byte MSS is 46; a peer announcing a tiny MSS could ask for
// thousands, and those super-packets are dropped and counted instead of
// growing the Device's queue.
const maxSegments = 256

// vnetMaxPacket is the largest packet the kernel hands over with
// offloads: 64 KiB of IP packet behind an Ethernet header and a VLAN tag.
const vnetMaxPacket = 65535 + ethernet.HeaderLen + ethernet.TagLen

// offloadFlags are the offloads asked of the kernel: checksums and TSO
// for both families, and USO where the kernel has it (6.2 and later).
const (
	offloadFlags = unix.TUN_F_CSUM | unix.TUN_F_TSO4 | unix.TUN_F_TSO6
	offloadUSO   = unix.TUN_F_USO4 | unix.TUN_F_USO6
)

// littleEndian reports whether the host stores integers little-end
// first: the kernel writes virtio-net headers in the host's order
// unless told otherwise, and vnet reads them little-endian.
func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// OpenConfig says what Open opens.
type OpenConfig struct {
	// Kind prefixes errors: "tap" or "tun".
	Kind string
	// Name is the interface's name or pattern ("" lets the kernel
	// choose).
	Name string
	// Persist keeps the interface when the file is closed.
	Persist bool
	// Layer3 opens a TUN (IFF_TUN) rather than a TAP.
	Layer3 bool
	// Offload asks for virtio-net headers and the kernel's offloads.
	Offload bool
	// ErrName and ErrOffload are the caller's errors, wrapped by Open's
	// for a name the kernel refuses and for offloads this host cannot
	// give.
	ErrName, ErrOffload error
}

// Open creates (or attaches to) the interface c describes through
// /dev/net/tun with golang.org/x/sys/unix, and returns its file,
// non-blocking and registered with the runtime's poller, and its name.
// With c.Offload, uso reports whether the kernel took UDP segmentation
// offload too.
func Open(c OpenConfig) (f *os.File, ifname string, uso bool, err error) {
	if c.Offload && !littleEndian() {
		return nil, "", false, fmt.Errorf("%w: virtio-net headers on a big-endian host", c.ErrOffload)
	}
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, "", false, fmt.Errorf("%s: open /dev/net/tun: %w", c.Kind, err)
	}
	fail := func(err error) (*os.File, string, bool, error) {
		unix.Close(fd)
		return nil, "", false, err
	}
	ifr, err := unix.NewIfreq(c.Name)
	if err != nil {
		return fail(fmt.Errorf("%w %q: %v", c.ErrName, c.Name, err))
	}
	flags := uint16(unix.IFF_TAP | unix.IFF_NO_PI)
	if c.Layer3 {
		flags = unix.IFF_TUN | unix.IFF_NO_PI
	}
	if c.Offload {
		flags |= unix.IFF_VNET_HDR
	}
	ifr.SetUint16(flags)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		return fail(fmt.Errorf("%s: create %q through /dev/net/tun: %w", c.Kind, c.Name, os.NewSyscallError("ioctl TUNSETIFF", err)))
	}
	p := 0
	if c.Persist {
		p = 1
	}
	if err := unix.IoctlSetInt(fd, unix.TUNSETPERSIST, p); err != nil {
		return fail(fmt.Errorf("%s %s: %w", c.Kind, ifr.Name(), os.NewSyscallError("ioctl TUNSETPERSIST", err)))
	}
	if c.Offload {
		if err := unix.IoctlSetPointerInt(fd, unix.TUNSETVNETHDRSZ, vnet.HeaderLen); err != nil {
			return fail(fmt.Errorf("%s %s: %w", c.Kind, ifr.Name(), os.NewSyscallError("ioctl TUNSETVNETHDRSZ", err)))
		}
		uso = true
		if err := unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, offloadFlags|offloadUSO); err != nil {
			uso = false
			if err := unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, offloadFlags); err != nil {
				return fail(fmt.Errorf("%w: %s %s: %w", c.ErrOffload, c.Kind, ifr.Name(), os.NewSyscallError("ioctl TUNSETOFFLOAD", err)))
			}
		}
	}
	return os.NewFile(uintptr(fd), "/dev/net/tun"), ifr.Name(), uso, nil
}

// offload is the Device's state on the offload path.
type offload struct {
	uso bool // the kernel may send UDP super-packets too
	// pre and addr are the Device's: on a TUN, each frame handed over
	// gets a synthetic header of pre bytes, to addr.
	pre  int
	addr ethernet.Addr

	mu   sync.Mutex // serializes readers: the read buffer and the queue
	rbuf []byte     // one packet as read: header, then the frame
	// scratch takes a segment too long for the reader's buffer.
	scratch []byte
	// queue holds the frames of a super-packet that did not fit the
	// reader's buffers, in order, from head.
	queue      [][]byte
	queueLens  []int
	head, tail int

	// The state of one read through the poller (see read); offs is
	// set on the whole path (readWhole).
	bufs    [][]byte
	lens    []int
	offs    []link.RxOffload
	n       int
	rerr    error
	readFn  func(fd uintptr) bool
	wholeFn func(fd uintptr) bool
	// rhdr and riov are the whole path's readv: the virtio-net header
	// apart, the packet into the reader's buffer.
	rhdr [vnet.HeaderLen]byte
	riov [2]unix.Iovec

	frameLen int // the size of the queue's buffers

	writers sync.Pool // *vwriter, one per write in progress

	// Counters, atomic: Stats must not wait for a reader blocked in
	// the poller with mu held.
	superPackets, segments, completed, dropped atomic.Uint64
	txSuperPackets                             atomic.Uint64
	wholes                                     atomic.Uint64 // super-packets handed over whole
}

func newOffload(uso bool, frameLen, pre int, addr ethernet.Addr) *offload {
	o := &offload{uso: uso, frameLen: frameLen, pre: pre, addr: addr,
		rbuf: make([]byte, vnet.HeaderLen+vnetMaxPacket), scratch: make([]byte, vnetMaxPacket)}
	o.readFn, o.wholeFn = o.read, o.readWhole
	o.riov[0].Base = &o.rhdr[0]
	o.riov[0].SetLen(vnet.HeaderLen)
	o.writers.New = func() any { return newVwriter() }
	return o
}

// readFramesOffload is ReadFrames on the offload path: the frames queued
// from the last super-packet first; else it waits for a packet, then
// reads more without waiting while bufs has room.
func (d *Device) readFramesOffload(bufs [][]byte, lens []int) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	d.off.mu.Lock()
	defer d.off.mu.Unlock()
	return d.readFramesLocked(bufs, lens, d.off.readFn)
}

// readFramesLocked is readFramesOffload with the offload path's lock
// held, reading through the poller with read (o.readFn, or o.wholeFn for
// ReadFramesOffload).
func (d *Device) readFramesLocked(bufs [][]byte, lens []int, read func(fd uintptr) bool) (int, error) {
	o := d.off
	n := o.drain(bufs, lens)
	if n == 0 {
		// The read loop's state lives in o, and readFn is bound once:
		// a closure here would be allocated on every call.
		o.bufs, o.lens, o.n, o.rerr = bufs, lens, 0, nil
		err := d.rc.Read(read)
		n = o.n
		o.bufs, o.lens = nil, nil
		if n == 0 {
			if err == nil {
				err = o.rerr
			}
			return 0, d.readError(err)
		}
	}
	for i := range n {
		d.rxFrames.Add(1)
		d.rxBytes.Add(uint64(lens[i]))
	}
	return n, nil
}

// read reads packets from fd into o.bufs while they have room, taking
// each apart (take); it asks the poller to wait only while nothing has
// been read.
func (o *offload) read(fd uintptr) bool {
	for o.n < len(o.bufs) {
		k, err := syscall.Read(int(fd), o.rbuf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return o.n > 0
		case err != nil:
			o.rerr = err
			return true
		case k == 0:
			o.rerr = io.EOF
			return true
		}
		o.n += o.take(o.rbuf[:k], o.bufs[o.n:], o.lens[o.n:])
	}
	return true
}

// readOneOffload is ReadFrame on the offload path: a batch of one.
func (d *Device) readOneOffload(buf []byte) (int, error) {
	d.off.mu.Lock()
	defer d.off.mu.Unlock()
	d.one[0] = buf
	n, err := d.readFramesLocked(d.one[:], d.oneLen[:], d.off.readFn)
	d.one[0] = nil
	if n == 0 {
		return 0, err
	}
	return d.oneLen[0], nil
}

// drain moves queued frames into bufs.
func (o *offload) drain(bufs [][]byte, lens []int) int {
	n := 0
	for n < len(bufs) && o.head < o.tail {
		lens[n] = copy(bufs[n], o.queue[o.head][:o.queueLens[o.head]])
		o.head++
		n++
	}
	if o.head == o.tail {
		o.head, o.tail = 0, 0
	}
	return n
}

// take turns one packet as read (header, then a frame on a TAP or an IP
// packet on a TUN) into frames: into bufs as far as they go, the rest of
// a super-packet into the queue. It returns how many went into bufs. A
// packet that cannot be completed or cut (or, on a TUN, is not IP) is
// dropped and counted.
func (o *offload) take(p []byte, bufs [][]byte, lens []int) int {
	h, err := vnet.NewHeader(p)
	if err != nil || h.Check() != nil {
		o.dropped.Add(1)
		return 0
	}
	pkt := p[vnet.HeaderLen:]
	if o.pre != 0 && (len(pkt) == 0 || !l3Header(o.scratch, o.addr, pkt[0])) {
		o.dropped.Add(1)
		return 0
	}
	if h.GSOType() == vnet.GSONone {
		if vnet.Complete(pkt, h) != nil {
			o.dropped.Add(1)
			return 0
		}
		if h.Flags()&vnet.NeedsCsum != 0 {
			o.completed.Add(1)
		}
		lens[0] = o.frame(bufs[0], len(pkt), func(b []byte) { copy(b, pkt) })
		return 1
	}
	netOff := o.netOff(pkt)
	s, ok := o.segmenter(pkt, h, netOff)
	if !ok {
		return 0
	}
	n := 0
	for i := range s.N() {
		var buf []byte
		if n < len(bufs) {
			buf = bufs[n]
		} else {
			buf = o.slot()
		}
		k := o.frame(buf, s.SegmentLen(i), func(b []byte) { s.Segment(i, b) })
		if n < len(bufs) {
			lens[n] = k
			n++
		} else {
			o.queueLens[o.tail-1] = k
		}
	}
	return n
}

// segmenter returns the Segmenter of the super-packet pkt, counting it
// and its segments; one that cannot be cut (or would be cut into more
// than maxSegments) is counted as dropped, and ok is false.
func (o *offload) segmenter(pkt []byte, h vnet.Header, netOff int) (s vnet.Segmenter, ok bool) {
	s, err := vnet.NewSegmenter(pkt, h, netOff)
	if err != nil || s.N() > maxSegments {
		o.dropped.Add(1)
		return s, false
	}
	o.superPackets.Add(1)
	o.segments.Add(uint64(s.N()))
	return s, true
}

// netOff returns where the IP header of pkt, as read, starts: at once on
// a TUN, behind the Ethernet header and any VLAN tag on a TAP.
func (o *offload) netOff(pkt []byte) int {
	if o.pre != 0 {
		return 0
	}
	if len(pkt) >= ethernet.HeaderLen && binary.BigEndian.Uint16(pkt[12:]) == uint16(ethernet.TypeVLAN) {
		return ethernet.HeaderLen + ethernet.TagLen
	}
	return ethernet.HeaderLen
}

// frame writes a frame of o.pre+k bytes into buf: write puts the k
// bytes the kernel carried (the frame on a TAP, the IP packet on a TUN)
// at the start of the slice it is given, and a TUN's synthetic header,
// in o.scratch since take checked the packet, goes in front. A buffer
// too short for the frame gets its start, as ReadFrame cuts any frame.
// It returns the frame's length as cut.
func (o *offload) frame(buf []byte, k int, write func([]byte)) int {
	n := o.pre + k
	short := len(buf) < n
	dst := buf
	if short {
		dst = o.scratch
	}
	write(dst[o.pre:])
	if o.pre != 0 && !short {
		copy(dst, o.scratch[:o.pre])
	}
	if short {
		n = copy(buf, dst[:n])
	}
	return n
}

// slot returns the next free buffer of the queue, growing it (to at most
// maxSegments buffers, each as large as the reader's).
func (o *offload) slot() []byte {
	if o.tail == len(o.queue) {
		o.queue = append(o.queue, make([]byte, o.frameLen))
		o.queueLens = append(o.queueLens, 0)
	}
	o.tail++
	return o.queue[o.tail-1]
}

// ReceiveOffload reports whether reads hand over the kernel's super-
// packets cut into frames (link.ReceiveOffloader): on the offload path.
func (d *Device) ReceiveOffload() bool { return d.off != nil }

// MaxGSO returns the largest TCP super-frame WriteGSO takes: an IP packet
// of 64 KiB behind the Ethernet header (a TUN's synthetic one included),
// on the offload path; 0 on the plain path.
func (d *Device) MaxGSO() int {
	if d.off == nil {
		return 0
	}
	return ethernet.HeaderLen + 65535
}

// WriteGSO sends a TCP super-frame (link.GSOWriter) that the kernel takes
// as a NIC's receive offload would have coalesced it: the header asks for
// segmentation into gso.SegmentSize bytes of payload and leaves the
// checksum from the TCP header on partial (NEEDS_CSUM). One write
// carries what would have taken one per segment. On a TUN the frame's
// Ethernet header stays behind, and the offsets the kernel is given
// count from the IP header.
func (d *Device) WriteGSO(frame []byte, gso link.GSO) error {
	if d.off == nil {
		return fmt.Errorf("%s %s: WriteGSO without offloads", d.kind, d.name)
	}
	if gso.SegmentSize <= 0 || len(frame) > d.MaxGSO() || gso.HeaderLen >= len(frame) || gso.NetworkOff < d.pre {
		return fmt.Errorf("%s %s: super-frame of %d bytes, headers %d, segments of %d", d.kind, d.name, len(frame), gso.HeaderLen, gso.SegmentSize)
	}
	typ := vnet.GSOTCPv4
	if gso.IPv6 {
		typ = vnet.GSOTCPv6
	}
	f := vnet.Fields{
		Flags: vnet.NeedsCsum, GSOType: typ,
		HdrLen: uint16(gso.HeaderLen - d.pre), GSOSize: uint16(gso.SegmentSize),
		CsumStart: uint16(gso.TransportOff - d.pre), CsumOffset: tcpCsumOffset,
	}
	p := frame[d.pre:]
	_, err := d.writeWithHeader(p, &f)
	if err != nil {
		return d.writeError(err)
	}
	d.off.txSuperPackets.Add(1)
	d.txFrames.Add(1)
	d.txBytes.Add(uint64(len(p)))
	return nil
}

// tcpCsumOffset is where TCP's checksum field is in its header.
const tcpCsumOffset = 16

// writeWithHeader writes frame (what the file carries: on a TUN, the IP
// packet) behind the header f, or a zero one, in one writev: the frame
// is not copied (a super-frame is 64 KiB).
func (d *Device) writeWithHeader(frame []byte, f *vnet.Fields) (int, error) {
	if len(frame) == 0 {
		return 0, nil
	}
	w := d.off.writers.Get().(*vwriter)
	defer d.off.writers.Put(w)
	if f != nil {
		f.Encode(w.hdr[:])
	} else {
		w.hdr = [vnet.HeaderLen]byte{}
	}
	w.iov[1].Base = &frame[0]
	w.iov[1].SetLen(len(frame))
	w.n, w.err = 0, nil
	err := d.rc.Write(w.fn)
	w.iov[1].Base = nil // the pool must not keep the frame alive
	if err == nil {
		err = w.err
	}
	return max(w.n-vnet.HeaderLen, 0), err
}

// vwriter is one writev of a header and a frame through the poller. The
// poller's callback is bound once, when the vwriter is made: a closure
// per write would be an allocation per frame.
type vwriter struct {
	hdr [vnet.HeaderLen]byte
	iov [2]unix.Iovec
	n   int
	err error
	fn  func(fd uintptr) bool
}

func newVwriter() *vwriter {
	w := &vwriter{}
	w.iov[0].Base = &w.hdr[0]
	w.iov[0].SetLen(vnet.HeaderLen)
	w.fn = w.write
	return w
}

// write is the poller's callback: it reports false (wait until the
// file is writable) only on EAGAIN.
func (w *vwriter) write(fd uintptr) bool {
	for {
		r, _, e := unix.Syscall(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&w.iov[0])), uintptr(len(w.iov)))
		switch e {
		case 0:
			w.n = int(r)
			return true
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		w.err = os.NewSyscallError("writev", e)
		return true
	}
}
