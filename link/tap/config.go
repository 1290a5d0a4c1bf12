// Package tap is a link.Device over a Linux TAP interface, opened through
// github.com/songgao/water: the frames the kernel sends out of the tapN
// interface are read here, and frames written here arrive at the kernel
// as if received from a wire.
//
// Two MAC addresses meet on that wire. The kernel's tapN interface has its
// own (KernelAddr): it is the peer's address, the one the kernel puts in
// its ARP replies. The Device's HardwareAddr is the stack's address, the
// source of the frames the stack writes; the kernel learns it from them,
// as it would a remote host's.
//
// Opening a TAP needs CAP_NET_ADMIN and /dev/net/tun. The interface is
// created down and without addresses: configure the kernel's side with
// ip(8), or move it into a network namespace ("ip link set tapN netns
// NS"; the Device keeps working) so that the kernel talks to the stack
// across it as to another host. medina's tests do the latter through
// internal/netns.
//
// The file descriptor is non-blocking and read through the Go runtime's
// poller, so a blocked ReadFrame costs no thread and Close unblocks it.
package tap

import (
	"errors"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/tuntap"
)

// DefaultMTU is the MTU of a Config that leaves it 0.
const DefaultMTU = 1500

// Config describes the TAP interface to open.
type Config struct {
	// Name is the interface's name; "" lets the kernel choose one
	// ("tap0", "tap1", ...), and a name with "%d" in it is a pattern
	// the kernel completes. Opening the name of an existing persistent
	// TAP attaches to it.
	Name string
	// Persist keeps the interface when the Device is closed (ip tuntap
	// del removes it). Without it, opening an existing persistent TAP
	// clears its persistence.
	Persist bool
	// MTU is set on the interface and reported by the Device; 0 means
	// DefaultMTU.
	MTU int
	// HardwareAddr is the stack's MAC address; the zero Addr means a
	// random, unicast, locally administered address.
	HardwareAddr ethernet.Addr
	// Offload opens the device with virtio-net headers and tells the
	// kernel it takes checksum and TCP segmentation offload (and UDP's,
	// where the kernel has it), so that the kernel sends TCP in
	// super-packets of up to 64 KiB, one read each instead of one per
	// 1500 bytes. The Device cuts them into wire-size frames and
	// completes the checksums the kernel left partial, so a reader sees
	// ordinary frames either way. Without Offload the device is opened
	// through github.com/songgao/water, the plain path. Offload needs a
	// little-endian host (ErrOffloadUnsupported otherwise).
	Offload bool
}

// ErrName is wrapped by the error Open returns for a name Linux cannot
// give an interface.
var ErrName = errors.New("tap: bad interface name")

// checkName refuses names the kernel would refuse, before water opens
// /dev/net/tun: water does not close the file when creating the
// interface fails.
func checkName(name string) error { return tuntap.CheckName(name, ErrName) }

// RandomAddr returns a random unicast, locally administered MAC address.
func RandomAddr() ethernet.Addr { return tuntap.RandomAddr() }

// Stats counts the frames a Device moved. The kernel counts the same
// frames on its side (ip -s link show tapN), Tx and Rx swapped.
type Stats struct {
	// RxFrames and RxBytes count frames read (bytes as cut to the
	// buffers).
	RxFrames, RxBytes uint64
	// TxFrames and TxBytes count frames the kernel took.
	TxFrames, TxBytes uint64
	// TxDropped counts frames written while the interface was down.
	TxDropped uint64
	// On the offload path (Config.Offload): RxSuperPackets counts the
	// segmentation-offload packets the kernel sent, RxSegments the
	// frames they were cut into, RxCsumCompleted the frames whose
	// partial checksum was completed, and RxDropped the packets that
	// could be neither (a GSO type or layout the Device does not know,
	// more than 256 segments).
	RxSuperPackets, RxSegments, RxCsumCompleted, RxDropped uint64
	// TxSuperPackets counts the TCP super-frames written with WriteGSO
	// (each also counted once in TxFrames, at its whole length).
	TxSuperPackets uint64
	// RxSuperWhole counts the super-packets (of RxSuperPackets) that
	// ReadFramesOffload handed over whole, uncut, each counted once in
	// RxFrames; RxSegments counts their segments all the same.
	RxSuperWhole uint64
}
