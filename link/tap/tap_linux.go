//go:build linux

package tap

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/songgao/water"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// Device is an open TAP interface. It implements link.Device and
// link.BatchReader, and is safe for concurrent use.
type Device struct {
	f      *os.File
	rc     syscall.RawConn
	name   string
	mtu    int
	addr   ethernet.Addr
	kernel ethernet.Addr

	errClosed error

	rxFrames, rxBytes, txFrames, txBytes, txDropped atomic.Uint64

	batchMu   sync.Mutex // guards the batch fields, used by moreFn
	batchBufs [][]byte
	batchLens []int
	batchN    int
	moreFn    func(fd uintptr) bool

	// off is the offload path's state (Config.Offload), nil on the
	// plain path.
	off *offload
	// one and oneLen let ReadFrame go through the offload path's batch
	// read without allocating; the offload path's lock guards them.
	one    [1][]byte
	oneLen [1]int

	closed    atomic.Bool // Close was called
	closeOnce sync.Once
	closeErr  error
}

var (
	_ link.Device      = (*Device)(nil)
	_ link.BatchReader = (*Device)(nil)
	_ link.GSOWriter   = (*Device)(nil)

	_ link.ReceiveOffloader = (*Device)(nil)
)

// Open creates (or attaches to) a TAP interface and sets its MTU. It needs
// CAP_NET_ADMIN and /dev/net/tun. When the kernel refuses to create the
// interface (no permission, a name taken by another kind of interface),
// water leaves /dev/net/tun open: one file descriptor lost per failed
// Open, so a program should not retry in a loop.
func Open(cfg Config) (*Device, error) {
	if err := checkName(cfg.Name); err != nil {
		return nil, err
	}
	mtu := cfg.MTU
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	addr := cfg.HardwareAddr
	if addr == (ethernet.Addr{}) {
		addr = RandomAddr()
	}
	var (
		f    *os.File
		name string
		off  *offload
	)
	if cfg.Offload {
		var uso bool
		var err error
		if f, name, uso, err = openOffload(cfg.Name, cfg.Persist); err != nil {
			return nil, err
		}
		off = newOffload(uso, mtu+ethernet.HeaderLen+ethernet.TagLen)
	} else {
		ifce, err := water.New(water.Config{
			DeviceType: water.TAP,
			PlatformSpecificParams: water.PlatformSpecificParams{
				Name:    cfg.Name,
				Persist: cfg.Persist,
			},
		})
		if err != nil {
			return nil, fmt.Errorf("tap: create %q through /dev/net/tun: %w", cfg.Name, err)
		}
		var ok bool
		if f, ok = ifce.ReadWriteCloser.(*os.File); !ok {
			ifce.Close()
			return nil, fmt.Errorf("tap: water returned a %T, not an *os.File", ifce.ReadWriteCloser)
		}
		name = ifce.Name()
	}
	f, err := pollable(f)
	if err != nil {
		return nil, fmt.Errorf("tap %s: %w", name, err)
	}
	d := &Device{
		f:    f,
		name: name,
		mtu:  mtu,
		addr: addr,
		off:  off,
	}
	d.errClosed = fmt.Errorf("tap %s: %w", d.name, net.ErrClosed)
	d.moreFn = d.more
	if d.rc, err = f.SyscallConn(); err != nil {
		f.Close()
		return nil, fmt.Errorf("tap %s: %w", d.name, err)
	}
	if d.kernel, err = configure(d.name, mtu); err != nil {
		f.Close()
		return nil, fmt.Errorf("tap %s: %w", d.name, err)
	}
	return d, nil
}

// pollable returns f if the runtime poller watches it, which is what lets
// Close unblock a Read. water opens /dev/net/tun non-blocking, and
// os.NewFile then registers it; should a version of water open it
// blocking, a non-blocking duplicate replaces it.
func pollable(f *os.File) (*os.File, error) {
	if err := f.SetReadDeadline(time.Time{}); !errors.Is(err, os.ErrNoDeadline) {
		return f, nil
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	fd := -1
	var cerr error
	err = rc.Control(func(old uintptr) {
		fd, cerr = syscall.Dup(int(old))
		if cerr != nil {
			fd = -1
		} else {
			syscall.CloseOnExec(fd)
			cerr = syscall.SetNonblock(fd, true)
		}
	})
	f.Close()
	if err == nil {
		err = cerr
	}
	if err != nil {
		if fd >= 0 {
			syscall.Close(fd)
		}
		return nil, os.NewSyscallError("dup", err)
	}
	return os.NewFile(uintptr(fd), "/dev/net/tun"), nil
}

// ifreq is struct ifreq with the union as an MTU or a hardware address.
type ifreq struct {
	name [16]byte
	data [24]byte
}

// configure sets the interface's MTU, unless it has it already (a
// persistent TAP opened by its owner without CAP_NET_ADMIN), and returns
// the interface's own MAC address.
func configure(name string, mtu int) (ethernet.Addr, error) {
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

// Name returns the interface's name, the one the kernel chose if
// Config.Name was "" or a pattern.
func (d *Device) Name() string { return d.name }

// MTU returns the MTU set on the interface.
func (d *Device) MTU() int { return d.mtu }

// HardwareAddr returns the stack's MAC address.
func (d *Device) HardwareAddr() ethernet.Addr { return d.addr }

// KernelAddr returns the MAC address of the kernel's side of the
// interface, read when it was opened: the address of the stack's peer.
func (d *Device) KernelAddr() ethernet.Addr { return d.kernel }

// ReadFrame waits for the next frame the kernel sends out of the
// interface and copies it into buf, cut to len(buf) if it is longer.
func (d *Device) ReadFrame(buf []byte) (int, error) {
	if d.off != nil {
		return d.readOneOffload(buf)
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
		n, err := syscall.Read(int(fd), b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break // EAGAIN: nothing more queued
		}
		n = min(n, len(b))
		d.batchLens[d.batchN] = n
		d.batchN++
		d.rxFrames.Add(1)
		d.rxBytes.Add(uint64(n))
	}
	return true
}

// WriteFrame sends frame to the kernel as if it came in from the wire.
// While the kernel's side of the interface is down the kernel refuses
// frames (EIO); WriteFrame drops them and counts them in Stats.TxDropped,
// as a NIC drops what it sends into a cable nobody listens to. Other
// refusals are errors: the kernel refuses a frame shorter than an
// Ethernet header with EINVAL.
func (d *Device) WriteFrame(frame []byte) error {
	var err error
	if d.off != nil {
		_, err = d.writeOffload(frame)
	} else {
		_, err = d.f.Write(frame)
	}
	if err != nil {
		return d.writeError(err)
	}
	d.txFrames.Add(1)
	d.txBytes.Add(uint64(len(frame)))
	return nil
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
	return fmt.Errorf("tap %s: write: %w", d.name, unwrapPath(err))
}

// Stats returns the Device's counters.
func (d *Device) Stats() Stats {
	st := Stats{
		RxFrames:  d.rxFrames.Load(),
		RxBytes:   d.rxBytes.Load(),
		TxFrames:  d.txFrames.Load(),
		TxBytes:   d.txBytes.Load(),
		TxDropped: d.txDropped.Load(),
	}
	if o := d.off; o != nil {
		st.RxSuperPackets, st.RxSegments = o.superPackets.Load(), o.segments.Load()
		st.RxCsumCompleted, st.RxDropped = o.completed.Load(), o.dropped.Load()
		st.TxSuperPackets = o.txSuperPackets.Load()
	}
	return st
}

// Offload reports whether the Device was opened with virtio-net headers
// and offloads (Config.Offload), and whether the kernel took UDP
// segmentation offload too.
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
	return fmt.Errorf("tap %s: read: %w", d.name, unwrapPath(err))
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
