// Package tun is a link.Device over a Linux TUN interface: a layer-3
// link, which carries bare IP packets, IPv4 and IPv6, with no Ethernet
// header, no MAC addresses and no ARP or Neighbor Discovery. The packets
// the kernel routes out of the tunN interface are read here, and packets
// written here arrive at the kernel as if received from the tunnel. It is
// how wireguard-go and tailscale put a userspace stack under the kernel's
// routing table, and how medina runs there.
//
// # Frames on a link without them
//
// A link.Device carries Ethernet frames, and the stack builds every
// packet behind room for a 14-byte header. The Device keeps that layout
// rather than making the stack move packets by 14 bytes: it reads each
// packet into buf[14:] and writes a synthetic header in front (the
// Device's HardwareAddr as destination, 00:00:00:00:00:00 as source, the
// EtherType from the packet's IP version nibble; a packet that is
// neither IPv4 nor IPv6 is dropped and counted in Stats.RxDropped), and
// it writes what follows the first 14 bytes of each frame it is given,
// never reading them. Nothing is copied for the header's sake.
//
// The Device says so through link.Layer3, and a stack over it then
// resolves no neighbours (no ARP, no Neighbor Solicitations for
// resolution), runs no Duplicate Address Detection (Linux runs none on a
// TUN, which is IFF_NOARP), and sends every packet into the link: a
// point-to-point link needs no gateway. HardwareAddr is a random,
// locally administered address that only the stack and a capture of the
// synthetic frames (pcap.Tap, which records them as Ethernet) see.
//
// # Which path is used when
//
// Without Config.Offload the interface is opened IFF_TUN|IFF_NO_PI:
// one packet per read and per write. With it, IFF_VNET_HDR too, and
// TUNSETOFFLOAD asks the kernel for checksum offload, TSO for both
// families and UDP segmentation offload where the kernel has it (6.2 and
// later), exactly as link/tap's offload path does, and with the same
// code (internal/tuntap): the kernel then sends TCP in super-packets of
// up to 64 KiB with partial checksums, which the Device cuts into
// wire-size packets and completes, so readers see ordinary packets; and
// the stack writes its TCP super-segments whole (link.GSOWriter), which
// the kernel cuts. Both paths open /dev/net/tun with
// golang.org/x/sys/unix (link/tap's plain path goes through
// github.com/songgao/water, which has no virtio-net headers; here one
// opener serves both). The file descriptor is non-blocking and read
// through the Go runtime's poller, so a blocked ReadFrame costs no
// thread and Close unblocks it.
//
// Opening a TUN needs CAP_NET_ADMIN and /dev/net/tun. The interface is
// created down and without addresses: configure the kernel's side with
// ip(8) (an address whose prefix routes into the tunnel, "ip link set
// tunN up"), or move it into a network namespace, as medina's tests do
// through internal/netns.
package tun

import (
	"errors"

	"github.com/medina-net/medina/internal/tuntap"
)

// DefaultMTU is the MTU of a Config that leaves it 0.
const DefaultMTU = 1500

// Config describes the TUN interface to open.
type Config struct {
	// Name is the interface's name; "" lets the kernel choose one
	// ("tun0", "tun1", ...), and a name with "%d" in it is a pattern
	// the kernel completes. Opening the name of an existing persistent
	// TUN attaches to it.
	Name string
	// Persist keeps the interface when the Device is closed (ip tuntap
	// del removes it). Without it, opening an existing persistent TUN
	// clears its persistence.
	Persist bool
	// MTU is the largest IP packet the interface carries; it is set on
	// the interface and reported by the Device. 0 means DefaultMTU.
	MTU int
	// Offload opens the device with virtio-net headers and the kernel's
	// checksum and segmentation offloads (see the package
	// documentation). It needs a little-endian host
	// (ErrOffloadUnsupported otherwise).
	Offload bool
}

// ErrName is wrapped by the error Open returns for a name Linux cannot
// give an interface.
var ErrName = errors.New("tun: bad interface name")

// ErrOffloadUnsupported is wrapped by Open's error when Config.Offload
// asks for what this host cannot give: virtio-net headers in an order
// other than the host's (a big-endian host), or a kernel that refuses
// TUNSETOFFLOAD.
var ErrOffloadUnsupported = errors.New("tun: offloads unsupported")

func checkName(name string) error { return tuntap.CheckName(name, ErrName) }

// Stats counts the packets a Device moved. The kernel counts the same
// packets on its side (ip -s link show tunN), Tx and Rx swapped. Bytes
// are IP bytes: the synthetic Ethernet header is not counted.
type Stats struct {
	// RxFrames and RxBytes count packets read (bytes as cut to the
	// buffers, header included).
	RxFrames, RxBytes uint64
	// TxFrames and TxBytes count packets the kernel took.
	TxFrames, TxBytes uint64
	// TxDropped counts packets written while the interface was down.
	TxDropped uint64
	// On the offload path (Config.Offload): RxSuperPackets counts the
	// segmentation-offload packets the kernel sent, RxSegments the
	// packets they were cut into, RxCsumCompleted the packets whose
	// partial checksum was completed. RxDropped counts the packets that
	// were neither IPv4 nor IPv6 and, on the offload path, those that
	// could be neither cut nor completed (a GSO type or layout the
	// Device does not know, more than 256 segments).
	RxSuperPackets, RxSegments, RxCsumCompleted, RxDropped uint64
	// TxSuperPackets counts the TCP super-frames written with WriteGSO
	// (each also counted once in TxFrames, at its whole length).
	TxSuperPackets uint64
	// RxSuperWhole counts the super-packets (of RxSuperPackets) that
	// ReadFramesOffload handed over whole, uncut, each counted once in
	// RxFrames; RxSegments counts their segments all the same.
	RxSuperWhole uint64
}
