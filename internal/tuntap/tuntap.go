// Package tuntap is what link/tap and link/tun share: a Linux tun/tap file
// descriptor read and written through the Go runtime's poller, and the
// offload path (virtio-net headers, super-packets cut on read, TCP
// super-frames written whole).
//
// One Device serves both kinds. A TAP carries Ethernet frames, and the
// Device passes them as they are. A TUN carries bare IP packets; the
// Device then presents each as a frame all the same, so that the stack's
// buffers and offsets stay those of Ethernet and nothing is copied: a
// packet is read into buf[14:] behind a synthetic Ethernet header (the
// device's own address as destination, 00:00:00:00:00:00 as source, the
// EtherType from the IP version nibble), and a frame written goes out
// from its byte 14 on, its header unread.
package tuntap

import (
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/medina-net/medina/ethernet"
)

// nameMax is the longest interface name Linux takes (IFNAMSIZ less the
// terminating NUL).
const nameMax = 15

// CheckName refuses names the kernel would refuse, wrapping errName: the
// check comes before /dev/net/tun is opened (water does not close the
// file when creating the interface fails).
func CheckName(name string, errName error) error {
	switch {
	case len(name) > nameMax:
		return fmt.Errorf("%w %q: longer than %d bytes", errName, name, nameMax)
	case name == "." || name == "..":
		return fmt.Errorf("%w %q", errName, name)
	case strings.ContainsAny(name, "/: \t\n\x00"):
		return fmt.Errorf("%w %q: contains '/', ':', NUL or a space", errName, name)
	case strings.Count(name, "%") > 1 || strings.Contains(name, "%") && !strings.Contains(name, "%d"):
		return fmt.Errorf("%w %q: only one %%d pattern is allowed", errName, name)
	}
	return nil
}

// RandomAddr returns a random unicast, locally administered MAC address.
func RandomAddr() ethernet.Addr {
	var a ethernet.Addr
	rand.Read(a[:])
	a[0] = a[0]&^0x01 | 0x02
	return a
}

// Stats are a Device's counters. link/tap and link/tun each export a
// struct with the same fields, documented for their kind, and convert
// this one to it.
type Stats struct {
	RxFrames, RxBytes                                      uint64
	TxFrames, TxBytes                                      uint64
	TxDropped                                              uint64
	RxSuperPackets, RxSegments, RxCsumCompleted, RxDropped uint64
	TxSuperPackets                                         uint64
	RxSuperWhole                                           uint64
}

// Options say what kind of device a Device is, and how the stack sees it.
type Options struct {
	// Kind prefixes errors: "tap" or "tun".
	Kind string
	// Layer3: the file carries bare IP packets (IFF_TUN), which the
	// Device presents behind a synthetic Ethernet header.
	Layer3 bool
	// MTU is set on the interface.
	MTU int
	// Addr is the device's hardware address: the stack's MAC on a TAP,
	// the synthetic header's destination on a TUN.
	Addr ethernet.Addr
	// Offload: the file was opened with virtio-net headers (Open with
	// offload), and USO says the kernel took UDP segmentation offload.
	Offload, USO bool
}

// l3Pre is how many bytes of a frame a TUN does not carry: the
// synthetic Ethernet header.
const l3Pre = ethernet.HeaderLen

// l3Header writes the synthetic Ethernet header in front of an IP packet
// whose first byte is first: to dst, from nobody, the EtherType of the IP
// version. It reports false, writing nothing, for a packet that is
// neither IPv4 nor IPv6.
func l3Header(b []byte, dst ethernet.Addr, first byte) bool {
	var t ethernet.Type
	switch first >> 4 {
	case 4:
		t = ethernet.TypeIPv4
	case 6:
		t = ethernet.TypeIPv6
	default:
		return false
	}
	f := ethernet.Frame(b[:ethernet.HeaderLen])
	f.SetDst(dst)
	f.SetSrc(ethernet.Addr{})
	f.SetType(t)
	return true
}
