package live

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/medina-net/medina/pcap"
)

// The TPACKET_V3 ring as the kernel lays it out (linux/if_packet.h): a
// block descriptor at the start of each block, then packets, each a
// struct tpacket3_hdr followed, at the next 16-byte boundary, by the
// struct sockaddr_ll of the packet, then the packet data at tp_mac. The
// fields are in the host's byte order; offsets named once.
const (
	// struct tpacket_block_desc with its struct tpacket_hdr_v1.
	blockStatusOff   = 8
	blockNumPktsOff  = 12
	blockFirstPktOff = 16

	// struct tpacket3_hdr.
	tp3NextOff     = 0
	tp3SecOff      = 4
	tp3NsecOff     = 8
	tp3SnaplenOff  = 12
	tp3LenOff      = 16
	tp3StatusOff   = 20
	tp3MacOff      = 24 // 2 bytes
	tp3VlanTCIOff  = 32
	tp3VlanTPIDOff = 36 // 2 bytes
	tp3HdrLen      = 48 // TPACKET_ALIGN(sizeof(struct tpacket3_hdr))

	// struct sockaddr_ll, at tp3HdrLen.
	sllProtocolAt = tp3HdrLen + 2 // 2 bytes, network order
	sllIfIndexAt  = tp3HdrLen + 4
	sllHaTypeAt   = tp3HdrLen + 8 // 2 bytes
	sllPktTypeAt  = tp3HdrLen + 10
	sllHaLenAt    = tp3HdrLen + 11
	sllAddrAt     = tp3HdrLen + 12 // 8 bytes
	sockaddrLLLen = 20
	tp3HdrEnd     = tp3HdrLen + sockaddrLLLen // the least tp_mac minus a cooked header can be

	// frameSize is the "frame" libpcap asks for: MAXIMUM_SNAPLEN, so a
	// block (a page doubled until it holds a frame) holds at least one
	// packet of the largest snapshot length.
	frameSize = pcap.MaxSnaplen

	ethPAll   = 0x0003 // ETH_P_ALL: every protocol
	ethP8021Q = 0x8100
)

// native is the byte order of the ring's fields.
var native = binary.NativeEndian

// Handle is an open capture. Its methods other than Break are not safe for
// concurrent use.
type Handle struct {
	fd   int
	file atomic.Pointer[os.File] // fd, registered with the runtime's poller; read by Break
	rc   syscall.RawConn         // for waiting on it
	ring []byte                  // the mmapped ring

	blockSize int
	blockNr   int
	block     int  // the block being read or waited for
	held      bool // the block is ours (TP_STATUS_USER) until released
	left      int  // packets left in the held block
	next      int  // offset, within the ring, of the next packet

	device    string
	ifindex   int // -1 for "any"
	loIndex   int // the loopback's index, whose outgoing packets are dropped
	linkType  pcap.LinkType
	cooked    bool
	snaplen   int
	direction Direction
	vlanOff   int
	promisc   bool

	vlanExt      bool // the kernel's BPF has the VLAN tag extensions
	started      bool
	filterSet    bool
	kernelFilter bool
	user         *userFilter // a program the kernel cannot run

	broken atomic.Bool // Break was called
	closed bool

	stats        Stats
	sysfsDropped uint64 // interface drop counters when the capture began

	pkt pcap.Packet
}

// Open opens a capture on cfg.Interface: the packet socket, the ring, the
// link type. It receives nothing until Start, so that SetFilter can attach
// a filter compiled for LinkType first.
func Open(cfg Config) (*Handle, error) {
	h := &Handle{device: cfg.Interface, fd: -1, ifindex: -1, direction: cfg.Direction}
	if err := h.open(cfg); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// open does Open's work; on failure Open closes what it opened.
func (h *Handle) open(cfg Config) error {
	dev := cfg.Interface
	if len(dev) >= unix.IFNAMSIZ {
		// No device has a name that long; libpcap says so without
		// more detail.
		return &Error{Device: dev, Kind: ErrNoSuchDevice}
	}
	any := dev == "any"
	h.snaplen = cfg.Snaplen
	if h.snaplen <= 0 || h.snaplen > pcap.MaxSnaplen {
		h.snaplen = pcap.MaxSnaplen
	}

	// Protocol 0: no packets until the final bind, after the ring and
	// the filter are in place.
	typ := unix.SOCK_RAW
	if any {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(unix.AF_PACKET, typ|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		e := &Error{Device: dev, Detail: "socket: " + strerror(err), Err: err}
		if err == unix.EPERM || err == unix.EACCES {
			e.Kind = ErrPermission
		}
		return e
	}
	h.fd = fd
	h.loIndex = ifIndex(fd, "lo")
	if n, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_BPF_EXTENSIONS); err == nil && n >= skfAdVLANTagPresent {
		h.vlanExt = true
	}

	if any {
		h.cooked = true
		switch cfg.LinkType {
		case 0, pcap.LinkTypeLinuxSLL2:
			h.linkType = pcap.LinkTypeLinuxSLL2
		case pcap.LinkTypeLinuxSLL:
			h.linkType = pcap.LinkTypeLinuxSLL
		default:
			return &Error{Device: dev, Detail: fmt.Sprintf("%s is not one of the DLTs supported by this device", cfg.LinkType)}
		}
	} else {
		arphrd, err := ifHardwareType(fd, dev)
		if err != nil {
			return ifError(dev, "SIOCGIFHWADDR", err)
		}
		lt, cooked := linkTypeOf(arphrd)
		if cfg.LinkType != 0 && cfg.LinkType != lt {
			return &Error{Device: dev, Detail: fmt.Sprintf("%s is not one of the DLTs supported by this device", cfg.LinkType)}
		}
		if cooked {
			// libpcap reopens the socket in cooked mode.
			unix.Close(fd)
			h.fd = -1
			if fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0); err != nil {
				return &Error{Device: dev, Detail: "socket: " + strerror(err), Err: err}
			}
			h.fd = fd
			h.cooked = true
		}
		h.linkType = lt
		idx := ifIndex(fd, dev)
		if idx < 0 {
			return &Error{Device: dev, Kind: ErrNoSuchDevice, Detail: ErrNoSuchDevice.Error()}
		}
		h.ifindex = idx
		if err := h.bind(0); err != nil {
			return err
		}
	}
	if h.cooked && h.snaplen < sll2HdrLen+1 {
		h.snaplen = sll2HdrLen + 1
	}
	h.vlanOff = vlanOffset(h.linkType)

	if cfg.Promiscuous && !any {
		h.promisc = true
		h.sysfsDropped = ifDrops(dev)
		mr := unix.PacketMreq{Ifindex: int32(h.ifindex), Type: unix.PACKET_MR_PROMISC}
		if err := unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mr); err != nil {
			return &Error{Device: dev, Detail: "setsockopt (PACKET_ADD_MEMBERSHIP): " + strerror(err), Err: err}
		}
	}
	// Auxiliary data carries the VLAN tags the kernel took off; the ring
	// has them in any case, and older kernels may not know the option.
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_AUXDATA, 1); err != nil && err != unix.ENOPROTOOPT {
		return &Error{Device: dev, Detail: "setsockopt (PACKET_AUXDATA): " + strerror(err), Err: err}
	}
	if err := h.makeRing(cfg); err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), "packet socket "+dev)
	h.file.Store(f)
	if h.rc, err = f.SyscallConn(); err != nil {
		return &Error{Device: dev, Detail: err.Error(), Err: err}
	}
	return nil
}

// makeRing sets up the TPACKET_V3 ring and maps it, as libpcap's
// create_ring does.
func (h *Handle) makeRing(cfg Config) error {
	if err := unix.SetsockoptInt(h.fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V3); err != nil {
		return &Error{Device: h.device, Detail: "can't set up TPACKET_V3: " + strerror(err), Err: err}
	}
	// Room in front of each packet for a VLAN tag put back and, in a
	// cooked capture, for the larger cooked header (the kernel leaves 16
	// bytes of its own).
	reserve := vlanTagLen
	if h.cooked {
		reserve += sll2HdrLen - 16
	}
	if err := unix.SetsockoptInt(h.fd, unix.SOL_PACKET, unix.PACKET_RESERVE, reserve); err != nil {
		return &Error{Device: h.device, Detail: "setsockopt (PACKET_RESERVE): " + strerror(err), Err: err}
	}
	size := cfg.BufferSize
	if size <= 0 {
		size = DefaultBufferSize
	}
	blockSize := os.Getpagesize()
	for blockSize < frameSize {
		blockSize <<= 1
	}
	framesPerBlock := blockSize / frameSize
	frames := (size + frameSize - 1) / frameSize
	tov := cfg.Timeout
	if tov <= 0 {
		tov = DefaultTimeout
	}
	ms := uint32(max(tov.Milliseconds(), 1))
	if cfg.Immediate {
		ms = 1
	}
	for {
		blocks := frames / framesPerBlock
		req := unix.TpacketReq3{
			Block_size:     uint32(blockSize),
			Block_nr:       uint32(blocks),
			Frame_size:     frameSize,
			Frame_nr:       uint32(blocks * framesPerBlock),
			Retire_blk_tov: ms,
		}
		err := unix.SetsockoptTpacketReq3(h.fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req)
		if err == nil {
			h.blockSize, h.blockNr = blockSize, blocks
			break
		}
		if err != unix.ENOMEM || blocks <= 1 {
			return &Error{Device: h.device, Detail: "can't create rx ring on packet socket: " + strerror(err), Err: err}
		}
		// Ask for 5% less, as libpcap does, until the kernel agrees.
		if frames < 20 {
			frames--
		} else {
			frames -= frames / 20
		}
	}
	ring, err := unix.Mmap(h.fd, 0, h.blockSize*h.blockNr, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return &Error{Device: h.device, Detail: "can't mmap rx ring: " + strerror(err), Err: err}
	}
	h.ring = ring
	return nil
}

// bind binds the socket to the device (every device for "any") for
// protocol proto.
func (h *Handle) bind(proto uint16) error {
	sa := &unix.SockaddrLinklayer{Protocol: htons(proto), Ifindex: max(h.ifindex, 0)}
	if err := unix.Bind(h.fd, sa); err != nil {
		switch err {
		case unix.ENETDOWN:
			return &Error{Device: h.device, Kind: ErrNotUp, Err: err}
		case unix.ENODEV:
			return &Error{Device: h.device, Kind: ErrNoSuchDevice, Err: err}
		}
		return &Error{Device: h.device, Detail: "bind: " + strerror(err), Err: err}
	}
	// A down device is reported as a pending socket error.
	soerr, err := unix.GetsockoptInt(h.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return &Error{Device: h.device, Detail: "getsockopt (SO_ERROR): " + strerror(err), Err: err}
	}
	switch e := syscall.Errno(soerr); {
	case e == unix.ENETDOWN:
		return &Error{Device: h.device, Kind: ErrNotUp, Err: e}
	case e != 0:
		return &Error{Device: h.device, Detail: "bind: " + strerror(e), Err: e}
	}
	return nil
}

// htons is a 16-bit value in network byte order, as sockaddr_ll wants its
// protocol.
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return native.Uint16(b[:])
}

// LinkType returns the capture's link type: what a filter must be compiled
// for and what a file written from the capture declares.
func (h *Handle) LinkType() pcap.LinkType { return h.linkType }

// Snaplen returns the snapshot length in effect, as tcpdump prints it
// ("snapshot length 262144 bytes") and writes it in a file's header.
func (h *Handle) Snaplen() int { return h.snaplen }

// Interface returns the name of the captured interface.
func (h *Handle) Interface() string { return h.device }

// VLANExtensions reports whether the kernel offers a frame's VLAN tag to
// the filter through BPF extensions (SKF_AD_VLAN_TAG_PRESENT and
// SKF_AD_VLAN_TAG). When it does, the kernel takes a received frame's tag
// off before the filter runs, so a filter must test "vlan" with the
// extensions rather than at the tag's place in the frame: libpcap then
// compiles with BPF_SPECIAL_VLAN_HANDLING, and a compiler should do the
// same for this capture.
func (h *Handle) VLANExtensions() bool { return h.vlanExt }

// KernelFilter reports whether the filter runs in the kernel. It runs in
// user space, on every packet, when the kernel refused it or when, in a
// cooked capture, it reads a field of the cooked header the kernel cannot
// give.
func (h *Handle) KernelFilter() bool { return h.kernelFilter }

// SetFilter attaches prog, compiled for LinkType and Snaplen: in the
// kernel, so that packets it rejects never reach the ring, or in user
// space when the kernel cannot run it (see KernelFilter). Like a BPF
// program for libpcap, it returns the number of bytes to keep, 0 to
// reject. It must be called before Start. A nil prog keeps every packet.
func (h *Handle) SetFilter(prog []bpf.RawInstruction) error {
	if h.closed {
		return ErrClosed
	}
	if h.started {
		return errors.New("live: SetFilter after Start")
	}
	h.filterSet = true
	h.user = nil
	if prog == nil {
		prog = snaplenProgram(h.snaplen)
	}
	kprog := prog
	if h.cooked {
		var ok bool
		if kprog, ok = cookedProgram(prog, h.linkType); !ok {
			return h.filterInUserSpace(prog)
		}
	}
	if err := attach(h.fd, kprog); err != nil {
		return h.filterInUserSpace(prog)
	}
	h.kernelFilter = true
	return nil
}

// filterInUserSpace runs prog on every packet, with nothing in the kernel.
func (h *Handle) filterInUserSpace(prog []bpf.RawInstruction) error {
	f, err := newUserFilter(prog)
	if err != nil {
		return err
	}
	if err := unix.SetsockoptInt(h.fd, unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0); err != nil && err != unix.ENOENT && err != unix.ENONET {
		return fmt.Errorf("live: can't remove kernel filter: %w", err)
	}
	h.user, h.kernelFilter = f, false
	return nil
}

// attach attaches prog to the socket with SO_ATTACH_FILTER.
func attach(fd int, prog []bpf.RawInstruction) error {
	if len(prog) == 0 || len(prog) > 0xffff {
		return unix.EINVAL
	}
	filter := make([]unix.SockFilter, len(prog))
	for i, ins := range prog {
		filter[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog)
	runtime.KeepAlive(filter)
	return err
}

// Start begins the capture: the socket is bound to receive every protocol.
// Without a filter set, every packet is accepted and cut to the snapshot
// length in the kernel, as tcpdump's empty filter does.
func (h *Handle) Start() error {
	if h.closed {
		return ErrClosed
	}
	if h.started {
		return nil
	}
	if !h.filterSet {
		if err := h.SetFilter(nil); err != nil {
			return err
		}
	}
	if err := h.bind(ethPAll); err != nil {
		return err
	}
	h.started = true
	return nil
}

// Break makes Next return ErrBreak: at once if it is waiting for packets,
// otherwise at its next call. It is safe to call from any goroutine.
func (h *Handle) Break() {
	h.broken.Store(true)
	if f := h.file.Load(); f != nil {
		// Wakes a Next waiting in the poller.
		f.SetReadDeadline(time.Unix(1, 0))
	}
}

// status returns the address of block i's status word, which the kernel
// and this process hand over to each other.
func (h *Handle) status(i int) *uint32 {
	return (*uint32)(unsafe.Pointer(&h.ring[i*h.blockSize+blockStatusOff]))
}

// ready reports whether the current block has been handed to user space.
func (h *Handle) ready() bool {
	return atomic.LoadUint32(h.status(h.block))&unix.TP_STATUS_USER != 0
}

// Next returns the next packet that passes the filter and the direction
// selection, waiting for one as long as it takes. The Packet and its Data
// are valid until the next call to Next: they live in the ring. It
// returns ErrBreak after Break, and an error if the ring holds a packet
// that does not fit in its block (which a correct kernel never writes).
func (h *Handle) Next() (*pcap.Packet, error) {
	if h.closed {
		return nil, ErrClosed
	}
	if !h.started {
		if err := h.Start(); err != nil {
			return nil, err
		}
	}
	for {
		if h.broken.Swap(false) {
			h.file.Load().SetReadDeadline(time.Time{})
			return nil, ErrBreak
		}
		if h.held && h.left > 0 {
			h.left--
			pkt, err := h.packet()
			if err != nil {
				return nil, err
			}
			if pkt != nil {
				return pkt, nil
			}
			continue
		}
		if h.held {
			// Every packet of the block was read: hand it back.
			atomic.StoreUint32(h.status(h.block), unix.TP_STATUS_KERNEL)
			h.held = false
			h.block = (h.block + 1) % h.blockNr
		}
		if h.ready() {
			base := h.block * h.blockSize
			h.held = true
			h.left = int(native.Uint32(h.ring[base+blockNumPktsOff:]))
			h.next = base + int(native.Uint32(h.ring[base+blockFirstPktOff:]))
			continue
		}
		err := h.rc.Read(func(uintptr) bool { return h.ready() || h.broken.Load() })
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			if errors.Is(err, os.ErrClosed) {
				return nil, ErrClosed
			}
			return nil, fmt.Errorf("live: can't poll on packet socket: %w", err)
		}
	}
}

// packet decodes the packet at h.next and moves h.next past it. It returns
// nil for a packet the user-space filter or the direction selection
// rejects.
func (h *Handle) packet() (*pcap.Packet, error) {
	blockStart := h.block * h.blockSize
	blockEnd := blockStart + h.blockSize
	off := h.next
	if off < blockStart || off+tp3HdrEnd > blockEnd {
		return nil, h.corrupt(off, 0, 0)
	}
	r := h.ring
	h.next = off + int(native.Uint32(r[off+tp3NextOff:]))
	mac := int(native.Uint16(r[off+tp3MacOff:]))
	caplen := int(native.Uint32(r[off+tp3SnaplenOff:]))
	start := off + mac
	if mac < tp3HdrEnd || start+caplen > blockEnd {
		return nil, h.corrupt(off, mac, caplen)
	}
	wireLen := int(native.Uint32(r[off+tp3LenOff:]))
	pktType := r[off+sllPktTypeAt]

	if h.cooked {
		var a linkAddr
		copy(a.protocol[:], r[off+sllProtocolAt:off+sllProtocolAt+2])
		a.ifindex = int32(native.Uint32(r[off+sllIfIndexAt:]))
		a.hatype = native.Uint16(r[off+sllHaTypeAt:])
		a.pktType = pktType
		a.halen = r[off+sllHaLenAt]
		copy(a.addr[:], r[off+sllAddrAt:off+sllAddrAt+sllAddrLen])
		n := cookedHeaderLen(h.linkType)
		if n == 0 {
			n = sllHdrLen // the other cooked types have the SLL header
		}
		if start-n < off+tp3HdrEnd {
			return nil, fmt.Errorf("live: %s: cooked-mode frame doesn't have room for sll header", h.device)
		}
		start -= n
		if n == sll2HdrLen {
			putSLL2(r[start:start+n], &a)
		} else {
			putSLL(r[start:start+n], &a)
		}
		caplen += n
		wireLen += n
	}

	if h.user != nil && !h.user.accept(r[start:start+caplen]) {
		return nil, nil
	}
	if pktType == packetOutgoing {
		// The loopback's outgoing packets come back as incoming ones.
		if int(int32(native.Uint32(r[off+sllIfIndexAt:]))) == h.loIndex || h.direction == In {
			return nil, nil
		}
	} else if h.direction == Out {
		return nil, nil
	}

	// Put back a VLAN tag the kernel took off, before the type field.
	status := native.Uint32(r[off+tp3StatusOff:])
	tci := native.Uint32(r[off+tp3VlanTCIOff:])
	if (tci != 0 || status&unix.TP_STATUS_VLAN_VALID != 0) && h.vlanOff >= 0 &&
		int(native.Uint32(r[off+tp3SnaplenOff:])) >= h.vlanOff && start-vlanTagLen >= off+tp3HdrEnd {
		tpid := native.Uint16(r[off+tp3VlanTPIDOff:])
		if tpid == 0 && status&unix.TP_STATUS_VLAN_TPID_VALID == 0 {
			tpid = ethP8021Q
		}
		copy(r[start-vlanTagLen:], r[start:start+h.vlanOff])
		start -= vlanTagLen
		binary.BigEndian.PutUint16(r[start+h.vlanOff:], tpid)
		binary.BigEndian.PutUint16(r[start+h.vlanOff+2:], uint16(tci))
		caplen += vlanTagLen
		wireLen += vlanTagLen
	}
	if caplen > h.snaplen {
		caplen = h.snaplen
	}

	p := &h.pkt
	p.Data = r[start : start+caplen : start+caplen]
	p.Length = wireLen
	p.Sec = int64(native.Uint32(r[off+tp3SecOff:]))
	p.Frac = native.Uint32(r[off+tp3NsecOff:])
	p.FracPerSec = 1e9
	p.LinkType = h.linkType
	p.Interface = 0
	p.Flags = epbFlags(pktType)
	return p, nil
}

// corrupt is the error for a packet header that points outside its block.
func (h *Handle) corrupt(off, mac, caplen int) error {
	return fmt.Errorf("live: %s: corrupted frame on kernel ring at offset %d: mac offset %d + caplen %d > block size %d",
		h.device, off, mac, caplen, h.blockSize)
}

// Stats returns the counts since Open. Each call reads and resets the
// kernel's counters, so they are added up here, as libpcap does.
func (h *Handle) Stats() (Stats, error) {
	if h.closed {
		return h.stats, ErrClosed
	}
	if h.promisc {
		now := ifDrops(h.device)
		h.stats.IfDropped += now - h.sysfsDropped
		h.sysfsDropped = now
	}
	ks, err := unix.GetsockoptTpacketStatsV3(h.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return h.stats, fmt.Errorf("failed to get statistics from socket: %s", strerror(err))
	}
	// The kernel counts the drops in tp_packets too.
	h.stats.Received += uint64(ks.Packets)
	h.stats.Dropped += uint64(ks.Drops)
	return h.stats, nil
}

// Close ends the capture: the socket is closed, which takes the interface
// out of promiscuous mode, and the ring unmapped. Next must not be running;
// Break may be, harmlessly.
func (h *Handle) Close() error {
	if h.closed {
		return nil
	}
	h.closed = true
	var err error
	if h.ring != nil {
		err = unix.Munmap(h.ring)
		h.ring = nil
	}
	if f := h.file.Swap(nil); f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	} else if h.fd >= 0 {
		if cerr := unix.Close(h.fd); err == nil {
			err = cerr
		}
	}
	h.fd = -1
	return err
}
