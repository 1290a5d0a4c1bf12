//go:build linux

package tun

import (
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/tuntap"
	"github.com/medina-net/medina/link"
)

// Device is an open TUN interface. It implements link.Device,
// link.BatchReader, link.Layer3 and, on the offload path,
// link.GSOWriter, link.ReceiveOffloader and link.OffloadReader; it is safe for concurrent
// use.
type Device struct {
	d *tuntap.Device // the file, its poller and the offload path
}

var (
	_ link.Device           = (*Device)(nil)
	_ link.BatchReader      = (*Device)(nil)
	_ link.GSOWriter        = (*Device)(nil)
	_ link.ReceiveOffloader = (*Device)(nil)
	_ link.OffloadReader    = (*Device)(nil)
	_ link.Layer3           = (*Device)(nil)
)

// Open creates (or attaches to) a TUN interface and sets its MTU. It
// needs CAP_NET_ADMIN and /dev/net/tun.
func Open(cfg Config) (*Device, error) {
	if err := checkName(cfg.Name); err != nil {
		return nil, err
	}
	mtu := cfg.MTU
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	f, name, uso, err := tuntap.Open(tuntap.OpenConfig{Kind: "tun", Name: cfg.Name, Persist: cfg.Persist,
		Layer3: true, Offload: cfg.Offload, ErrName: ErrName, ErrOffload: ErrOffloadUnsupported})
	if err != nil {
		return nil, err
	}
	d, err := tuntap.New(f, name, tuntap.Options{Kind: "tun", Layer3: true, MTU: mtu,
		Addr: tuntap.RandomAddr(), Offload: cfg.Offload, USO: uso})
	if err != nil {
		return nil, err
	}
	return &Device{d: d}, nil
}

// Name returns the interface's name, the one the kernel chose if
// Config.Name was "" or a pattern.
func (d *Device) Name() string { return d.d.Name() }

// MTU returns the MTU set on the interface: the largest IP packet.
func (d *Device) MTU() int { return d.d.MTU() }

// HardwareAddr returns the address the synthetic Ethernet headers of the
// frames read are sent to (link.Layer3): random, locally administered,
// and seen by nothing beyond the stack.
func (d *Device) HardwareAddr() ethernet.Addr { return d.d.HardwareAddr() }

// Layer3 reports true: the link carries bare IP packets (link.Layer3).
func (d *Device) Layer3() bool { return true }

// ReadFrame waits for the next packet the kernel sends out of the
// interface and copies it into buf behind a synthetic Ethernet header
// (see the package documentation), cut to len(buf) if it is longer.
func (d *Device) ReadFrame(buf []byte) (int, error) { return d.d.ReadFrame(buf) }

// ReadFrames waits for a packet, then reads more while the kernel has
// them queued, without waiting again, each as ReadFrame does.
func (d *Device) ReadFrames(bufs [][]byte, lens []int) (int, error) {
	return d.d.ReadFrames(bufs, lens)
}

// WriteFrame sends the IP packet that follows the first 14 bytes of
// frame to the kernel, as if it came out of the tunnel; the first 14
// bytes are not read. While the interface is down the kernel refuses
// packets (EIO); WriteFrame drops them and counts them in
// Stats.TxDropped. A frame with no packet behind its header is refused
// with EINVAL, and so, by the kernel, is a packet that is neither IPv4
// nor IPv6.
func (d *Device) WriteFrame(frame []byte) error { return d.d.WriteFrame(frame) }

// ReceiveOffload reports whether reads hand over the kernel's super-
// packets cut into packets (link.ReceiveOffloader): on the offload path.
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

// MaxGSO returns the largest TCP super-frame WriteGSO takes, its 14
// bytes of header included: an IP packet of 64 KiB, on the offload
// path; 0 on the plain path.
func (d *Device) MaxGSO() int { return d.d.MaxGSO() }

// WriteGSO sends the IP packet of a TCP super-frame (link.GSOWriter)
// behind a virtio-net header that asks the kernel to cut it into
// segments of gso.SegmentSize bytes of payload and leaves it the
// checksums: one write where there would have been one per segment.
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
