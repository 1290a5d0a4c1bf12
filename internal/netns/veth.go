package netns

import (
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// Addresses of the two ends of a Veth pair, from TEST-NET-2
// (198.51.100.0/24), which no real network uses.
var (
	// VethPrefixA is the address and prefix of a Veth's end in A.
	VethPrefixA = netip.MustParsePrefix("198.51.100.1/24")
	// VethPrefixB is the address and prefix of a Veth's end in B.
	VethPrefixB = netip.MustParsePrefix("198.51.100.2/24")
)

// Veth is a veth pair joining two fresh namespaces: a wire between two
// hosts, each end up and addressed, for tests that watch the kernel's own
// traffic (ping, socat, iperf3) go by.
type Veth struct {
	// A and B are the namespaces at the two ends.
	A, B *Namespace
	// NameA and NameB are the interfaces' names, in A and in B.
	NameA, NameB string
	// AddrA and AddrB are their addresses (VethPrefixA's and
	// VethPrefixB's).
	AddrA, AddrB netip.Addr
}

// NewVeth makes two namespaces joined by a veth pair, "veth-a" in A and
// "veth-b" in B, both up and addressed. Everything goes with the
// namespaces when the test ends. NewVeth skips t as Available does.
func NewVeth(t testing.TB) *Veth {
	t.Helper()
	a, b := NewNamespace(t), NewNamespace(t)
	v := &Veth{A: a, B: b, NameA: "veth-a", NameB: "veth-b", AddrA: VethPrefixA.Addr(), AddrB: VethPrefixB.Addr()}
	a.IP(t, "link", "add", v.NameA, "type", "veth", "peer", "name", v.NameB, "netns", b.Name)
	a.IP(t, "addr", "add", VethPrefixA.String(), "dev", v.NameA)
	b.IP(t, "addr", "add", VethPrefixB.String(), "dev", v.NameB)
	a.IP(t, "link", "set", v.NameA, "up")
	b.IP(t, "link", "set", v.NameB, "up")
	return v
}

// Do runs f on an operating-system thread that has entered ns, and
// returns f's error. Sockets f opens belong to ns for their whole life,
// whichever thread uses them later; goroutines f starts do not run in ns.
// The thread is not returned to the runtime's pool afterwards, so no other
// goroutine ever runs in ns by accident.
func (ns *Namespace) Do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the goroutine's exit ends the thread.
		runtime.LockOSThread()
		fd, err := unix.Open("/var/run/netns/"+ns.Name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("netns: open %s: %w", ns.Name, err)
			return
		}
		err = unix.Setns(fd, unix.CLONE_NEWNET)
		unix.Close(fd)
		if err != nil {
			errc <- fmt.Errorf("netns: setns %s: %w", ns.Name, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// SendFrames sends whole Ethernet frames, as given, out of the interface
// called dev in ns, through a packet socket: frames the kernel's own
// stack would not make, such as 802.1Q-tagged ones on a link without a
// VLAN device.
func (ns *Namespace) SendFrames(dev string, frames ...[]byte) error {
	return ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("netns: packet socket: %w", err)
		}
		defer unix.Close(fd)
		ifc, err := net.InterfaceByName(dev)
		if err != nil {
			return err
		}
		for _, f := range frames {
			if err := unix.Sendto(fd, f, 0, &unix.SockaddrLinklayer{Ifindex: ifc.Index, Halen: 6}); err != nil {
				return fmt.Errorf("netns: sending on %s: %w", dev, err)
			}
		}
		return nil
	})
}
