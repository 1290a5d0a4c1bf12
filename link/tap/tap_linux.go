//go:build linux

package tap

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/songgao/water"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/tuntap"
	"github.com/medina-net/medina/link"
)

// Device is an open TAP interface. It implements link.Device and
// link.BatchReader, and is safe for concurrent use.
type Device struct {
	d *tuntap.Device // the file, its poller and the offload path
}

var (
	_ link.Device      = (*Device)(nil)
	_ link.BatchReader = (*Device)(nil)
	_ link.GSOWriter   = (*Device)(nil)

	_ link.ReceiveOffloader = (*Device)(nil)
	_ link.OffloadReader    = (*Device)(nil)
)

// ErrOffloadUnsupported is wrapped by Open's error when Config.Offload
// asks for what this host cannot give: virtio-net headers in an order
// other than the host's (a big-endian host), or a kernel that refuses
// TUNSETOFFLOAD.
var ErrOffloadUnsupported = errors.New("tap: offloads unsupported")

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
		uso  bool
	)
	if cfg.Offload {
		var err error
		f, name, uso, err = tuntap.Open(tuntap.OpenConfig{Kind: "tap", Name: cfg.Name, Persist: cfg.Persist,
			Offload: true, ErrName: ErrName, ErrOffload: ErrOffloadUnsupported})
		if err != nil {
			return nil, err
		}
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
		if f, err = pollable(f); err != nil {
			return nil, fmt.Errorf("tap %s: %w", name, err)
		}
	}
	d, err := tuntap.New(f, name, tuntap.Options{Kind: "tap", MTU: mtu, Addr: addr, Offload: cfg.Offload, USO: uso})
	if err != nil {
		return nil, err
	}
	return &Device{d: d}, nil
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

// Name returns the interface's name, the one the kernel chose if
// Config.Name was "" or a pattern.
func (d *Device) Name() string { return d.d.Name() }

// MTU returns the MTU set on the interface.
func (d *Device) MTU() int { return d.d.MTU() }

// HardwareAddr returns the stack's MAC address.
func (d *Device) HardwareAddr() ethernet.Addr { return d.d.HardwareAddr() }

// KernelAddr returns the MAC address of the kernel's side of the
// interface, read when it was opened: the address of the stack's peer.
func (d *Device) KernelAddr() ethernet.Addr { return d.d.KernelAddr() }

// ReadFrame waits for the next frame the kernel sends out of the
// interface and copies it into buf, cut to len(buf) if it is longer.
func (d *Device) ReadFrame(buf []byte) (int, error) { return d.d.ReadFrame(buf) }

// ReadFrames waits for a frame, then reads more while the kernel has
// them queued, without waiting again: one wake-up of the reading
// goroutine for a burst of frames.
func (d *Device) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	return d.d.ReadFrames(bufs, lens)
}

// WriteFrame sends frame to the kernel as if it came in from the wire.
// While the kernel's side of the interface is down the kernel refuses
// frames (EIO); WriteFrame drops them and counts them in Stats.TxDropped,
// as a NIC drops what it sends into a cable nobody listens to. Other
// refusals are errors: the kernel refuses a frame shorter than an
// Ethernet header with EINVAL.
func (d *Device) WriteFrame(frame []byte) error { return d.d.WriteFrame(frame) }

// ReceiveOffload reports whether reads hand over the kernel's super-
// packets cut into frames (link.ReceiveOffloader): on the offload path.
func (d *Device) ReceiveOffload() bool { return d.d.ReceiveOffload() }

// MaxReadFrame returns the size of a buffer that holds any frame
// ReadFramesOffload gives (link.OffloadReader): 64 KiB and the link
// header on the offload path; 0 on the plain path.
func (d *Device) MaxReadFrame() int { return d.d.MaxReadFrame() }

// ReadFramesOffload is ReadFrames handing over the kernel's TCP
// super-packets whole, with their checksums left partial, and TCP
// segments unverified where the kernel vouches for them, saying so in
// offs (link.OffloadReader): a stack then takes up to 64 KiB of a
// connection's data in one pass, without cutting it or summing its
// bytes. Other packets come as ReadFrames gives them, with the zero
// link.RxOffload; so does every packet read into buffers shorter than
// MaxReadFrame, and on the plain path.
func (d *Device) ReadFramesOffload(bufs [][]byte, lens []int, offs []link.RxOffload) (int, error) {
	return d.d.ReadFramesOffload(bufs, lens, offs)
}

// MaxGSO returns the largest TCP super-frame WriteGSO takes: an IP packet
// of 64 KiB behind the Ethernet header, on the offload path; 0 on the
// plain path.
func (d *Device) MaxGSO() int { return d.d.MaxGSO() }

// WriteGSO sends a TCP super-frame (link.GSOWriter) that the kernel takes
// as a NIC's receive offload would have coalesced it: the header asks for
// segmentation into gso.SegmentSize bytes of payload and leaves the
// checksum from the TCP header on partial (NEEDS_CSUM). One write
// carries what would have taken one per segment.
func (d *Device) WriteGSO(frame []byte, gso link.GSO) error { return d.d.WriteGSO(frame, gso) }

// Stats returns the Device's counters.
func (d *Device) Stats() Stats { return Stats(d.d.Stats()) }

// Offload reports whether the Device was opened with virtio-net headers
// and offloads (Config.Offload), and whether the kernel took UDP
// segmentation offload too.
func (d *Device) Offload() (on, uso bool) { return d.d.Offload() }

// Close closes the file, which unblocks ReadFrame and removes the
// interface unless it persists. Closing again returns the first error.
func (d *Device) Close() error { return d.d.Close() }
