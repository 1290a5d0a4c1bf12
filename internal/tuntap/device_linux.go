//go:build linux

package tuntap

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/medina-net/medina/ethernet"
)

// Device is an open tun/tap file. It implements link.Device's reads and
// writes, link.BatchReader, link.GSOWriter and link.ReceiveOffloader's
// methods, and is safe for concurrent use; link/tap and link/tun wrap it.
type Device struct {
	f      *os.File
	rc     syscall.RawConn
	kind   string
	name   string
	mtu    int
	addr   ethernet.Addr
	kernel ethernet.Addr
	// pre is how many bytes of a frame the file does not carry: 0 on a
	// TAP, the synthetic Ethernet header on a TUN.
	pre int

	errClosed error

	rxFrames, rxBytes, txFrames, txBytes, txDropped atomic.Uint64
	// rxNotIP counts the packets a TUN read that were neither IPv4 nor
	// IPv6 (Stats.RxDropped).
	rxNotIP atomic.Uint64

	batchMu   sync.Mutex // guards the batch fields, used by moreFn
	batchBufs [][]byte
	batchLens []int
	batchN    int
	moreFn    func(fd uintptr) bool

	// off is the offload path's state, nil on the plain path.
	off *offload
	// one and oneLen let ReadFrame go through the offload path's batch
	// read without allocating; the offload path's lock guards them.
	one    [1][]byte
	oneLen [1]int

	closed    atomic.Bool // Close was called
	closeOnce sync.Once
	closeErr  error
}

// New makes a Device of f, a tun/tap file the runtime's poller watches
// (non-blocking), attached to the interface name: it sets the
// interface's MTU and, on a TAP, reads the kernel's side's MAC address.
// On failure f is closed.
func New(f *os.File, name string, o Options) (*Device, error) {
	d := &Device{f: f, kind: o.Kind, name: name, mtu: o.MTU, addr: o.Addr}
	if o.Layer3 {
		d.pre = l3Pre
	}
	if o.Offload {
		d.off = newOffload(o.USO, o.MTU+ethernet.HeaderLen+ethernet.TagLen, d.pre, o.Addr)
	}
	d.errClosed = fmt.Errorf("%s %s: %w", d.kind, d.name, net.ErrClosed)
	d.moreFn = d.more
	var err error
	if d.rc, err = f.SyscallConn(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s %s: %w", d.kind, d.name, err)
	}
	if d.kernel, err = configure(d.name, d.mtu, !o.Layer3); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s %s: %w", d.kind, d.name, err)
	}
	return d, nil
}

// ifreq is struct ifreq with the union as an MTU or a hardware address.
type ifreq struct {
	name [16]byte
	data [24]byte
}

// configure sets the interface's MTU, unless it has it already (a
// persistent device opened by its owner without CAP_NET_ADMIN), and
// returns the interface's own MAC address when hwaddr (a TUN has none).
func configure(name string, mtu int, hwaddr bool) (ethernet.Addr, error) {
	var kernel ethernet.Addr
	s, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return kernel, os.NewSyscallError("socket", err)
	}
	defer syscall.Close(s)
	var req ifreq
	copy(req.name[:], name)
	if err := ioctl(s, syscall.SIOCGIFMTU, &req); err != nil {
		return kernel, err
	}
	if int(*(*int32)(unsafe.Pointer(&req.data[0]))) != mtu {
		*(*int32)(unsafe.Pointer(&req.data[0])) = int32(mtu)
		if err := ioctl(s, syscall.SIOCSIFMTU, &req); err != nil {
			return kernel, fmt.Errorf("set MTU %d: %w", mtu, err)
		}
	}
	if !hwaddr {
		return kernel, nil
	}
	req.data = [24]byte{}
	if err := ioctl(s, syscall.SIOCGIFHWADDR, &req); err != nil {
		return kernel, err
	}
	copy(kernel[:], req.data[2:8]) // a struct sockaddr: family, then the address
	return kernel, nil
}

func ioctl(fd int, op uintptr, req *ifreq) error {
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), op, uintptr(unsafe.Pointer(req)))
	if e != 0 {
		return os.NewSyscallError("ioctl", e)
	}
	return nil
}

// Name returns the interface's name.
func (d *Device) Name() string { return d.name }

// MTU returns the MTU set on the interface.
func (d *Device) MTU() int { return d.mtu }

// HardwareAddr returns the device's hardware address.
func (d *Device) HardwareAddr() ethernet.Addr { return d.addr }

// KernelAddr returns the MAC address of a TAP's kernel side, read when it
// was opened; the zero address on a TUN.
func (d *Device) KernelAddr() ethernet.Addr { return d.kernel }

// Layer3 reports whether the file carries bare IP packets (a TUN).
func (d *Device) Layer3() bool { return d.pre != 0 }

// ReadFrame waits for the next frame (on a TUN, packet behind its
// synthetic header) and copies it into buf, cut to len(buf).
func (d *Device) ReadFrame(buf []byte) (int, error) {
	if d.off != nil {
		return d.readOneOffload(buf)
	}
	if d.pre != 0 {
		return d.readPacket(buf)
	}
	// A tun file is read a frame at a time: a short buffer takes the
	// start of the frame and the rest is gone.
	n, err := d.f.Read(buf)
	if err != nil {
		return 0, d.readError(err)
	}
	n = min(n, len(buf)) // old kernels returned the whole length
	d.rxFrames.Add(1)
	d.rxBytes.Add(uint64(n))
	return n, nil
}

// readPacket is ReadFrame on a TUN's plain path: the packet goes in
// behind the room for its header, and a packet that is not IP is
// counted and skipped.
func (d *Device) readPacket(buf []byte) (int, error) {
	for {
		p := buf[min(d.pre, len(buf)):]
		if len(p) == 0 {
			// No room for any of the packet, but its version says
			// what its header is: read one byte, lose the rest.
			p = make([]byte, 1)
		}
		n, err := d.f.Read(p)
		if err != nil {
			return 0, d.readError(err)
		}
		n = min(n, len(p))
		if n == 0 {
			d.rxNotIP.Add(1)
			continue
		}
		var hdr [l3Pre]byte
		if !l3Header(hdr[:], d.addr, p[0]) {
			d.rxNotIP.Add(1)
			continue
		}
		copy(buf, hdr[:])
		n = min(d.pre+n, len(buf))
		d.rxFrames.Add(1)
		d.rxBytes.Add(uint64(n))
		return n, nil
	}
}

// ReadFrames waits for a frame, then reads more while the kernel has
// them queued, without waiting again: one wake-up of the reading
// goroutine for a burst of frames.
func (d *Device) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	if d.off != nil {
		return d.readFramesOffload(bufs, lens)
	}
	if len(bufs) == 0 {
		return 0, nil
	}
	n, err := d.ReadFrame(bufs[0])
	if err != nil {
		return 0, err
	}
	lens[0] = n
	if len(bufs) == 1 {
		return 1, nil
	}
	d.batchMu.Lock()
	d.batchBufs, d.batchLens, d.batchN = bufs, lens, 1
	d.rc.Read(d.moreFn) // an error (Close) leaves the frames read so far
	n = d.batchN
	d.batchBufs, d.batchLens = nil, nil
	d.batchMu.Unlock()
	return n, nil
}

// more reads the frames already queued on fd into the batch, and never
// asks the poller to wait. d.batchMu is held.
func (d *Device) more(fd uintptr) bool {
	for d.batchN < len(d.batchBufs) {
		b := d.batchBufs[d.batchN]
		if len(b) <= d.pre {
			break // ReadFrame's slow path takes such a buffer
		}
		n, err := syscall.Read(int(fd), b[d.pre:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break // EAGAIN: nothing more queued
		}
		n = min(n, len(b)-d.pre)
		if d.pre != 0 {
			if !l3Header(b, d.addr, b[d.pre]) {
				d.rxNotIP.Add(1)
				continue
			}
			n += d.pre
		}
		d.batchLens[d.batchN] = n
		d.batchN++
		d.rxFrames.Add(1)
		d.rxBytes.Add(uint64(n))
	}
	return true
}

// WriteFrame sends frame to the kernel as if it came in from the wire:
// on a TUN, the IP packet behind its first 14 bytes. While the
// interface is down the kernel refuses it (EIO), and WriteFrame drops
// it and counts it in TxDropped.
func (d *Device) WriteFrame(frame []byte) error {
	p, err := d.packet(frame)
	if err != nil {
		return err
	}
	if d.off != nil {
		_, err = d.writeWithHeader(p, nil)
	} else {
		_, err = d.f.Write(p)
	}
	if err != nil {
		return d.writeError(err)
	}
	d.txFrames.Add(1)
	d.txBytes.Add(uint64(len(p)))
	return nil
}

// packet returns what of frame the file carries: all of it on a TAP,
// the IP packet behind the Ethernet header on a TUN. A frame with
// nothing behind its header is refused as the kernel refuses a TAP frame
// shorter than a header, with EINVAL.
func (d *Device) packet(frame []byte) ([]byte, error) {
	if d.pre == 0 {
		return frame, nil
	}
	if len(frame) <= d.pre {
		return nil, fmt.Errorf("%s %s: write: a frame of %d bytes carries no packet: %w", d.kind, d.name, len(frame), syscall.EINVAL)
	}
	return frame[d.pre:], nil
}

// writeError maps a write's error: a frame the kernel refused because the
// interface is down (EIO) is dropped and counted, not an error.
func (d *Device) writeError(err error) error {
	if errors.Is(err, os.ErrClosed) || d.closed.Load() {
		return d.errClosed
	}
	if errors.Is(err, syscall.EIO) {
		d.txDropped.Add(1)
		return nil
	}
	return fmt.Errorf("%s %s: write: %w", d.kind, d.name, unwrapPath(err))
}

// Stats returns the Device's counters.
func (d *Device) Stats() Stats {
	st := Stats{
		RxFrames:  d.rxFrames.Load(),
		RxBytes:   d.rxBytes.Load(),
		TxFrames:  d.txFrames.Load(),
		TxBytes:   d.txBytes.Load(),
		TxDropped: d.txDropped.Load(),
		RxDropped: d.rxNotIP.Load(),
	}
	if o := d.off; o != nil {
		st.RxSuperPackets, st.RxSegments = o.superPackets.Load(), o.segments.Load()
		st.RxCsumCompleted = o.completed.Load()
		st.RxDropped += o.dropped.Load()
		st.TxSuperPackets = o.txSuperPackets.Load()
		st.RxSuperWhole = o.wholes.Load()
	}
	return st
}

// Offload reports whether the Device has virtio-net headers and
// offloads, and whether the kernel took UDP segmentation offload too.
func (d *Device) Offload() (on, uso bool) {
	if d.off == nil {
		return false, false
	}
	return true, d.off.uso
}

// Close closes the file, which unblocks ReadFrame and removes the
// interface unless it persists. Closing again returns the first error.
func (d *Device) Close() error {
	d.closeOnce.Do(func() {
		d.closed.Store(true)
		d.closeErr = d.f.Close()
	})
	return d.closeErr
}

func (d *Device) readError(err error) error {
	// A read through the raw connection reports a Close as the poller's
	// own "use of closed file", which is not os.ErrClosed.
	if errors.Is(err, os.ErrClosed) || d.closed.Load() {
		return d.errClosed
	}
	return fmt.Errorf("%s %s: read: %w", d.kind, d.name, unwrapPath(err))
}

// unwrapPath drops the *os.PathError around an errno: its "read tun:"
// says less than our own prefix.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
