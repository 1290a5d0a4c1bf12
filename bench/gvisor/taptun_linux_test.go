package gvisorbench

import (
	"fmt"
	"net/netip"
	"os"
	"testing"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip/link/fdbased"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/tun"
	"github.com/medina-net/medina/stack"
)

// medinaOnTUN is a medina stack at netns.StackAddr on link/tun (with
// offloads or without, as medinaOnTAP on link/tap) whose kernel side is in
// a fresh namespace at netns.KernelAddr; stack defaults otherwise. The
// stack sees the device is layer 3 (link.Layer3) and resolves no
// neighbours.
func medinaOnTUN(t *testing.T, offload bool) *tapEnv {
	tn := netns.NewTUN(t, tun.Config{Offload: offload, MTU: tapMTU})
	s, err := stack.New(tn.Dev, stack.Config{Addr: netip.PrefixFrom(netns.StackAddr, netns.KernelPrefix.Bits())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if offload {
		t.Cleanup(func() {
			st := tn.Dev.Stats()
			t.Logf("medina TUN offload: %d super-packets from the kernel (%d handed to the stack whole), %d segments in them; %d super-packets written of %d packets",
				st.RxSuperPackets, st.RxSuperWhole, st.RxSegments, st.TxSuperPackets, st.TxFrames)
		})
	}
	return medinaEnv(s, tn.NS)
}

// gvisorOnTUN is gVisor's stack at netns.StackAddr on a TUN (layer 3: IP
// packets, no Ethernet, no ARP) whose kernel side is in a fresh namespace
// at netns.KernelAddr, through fdbased with EthernetHeader false: how
// wireguard-go and tailscale stand gVisor on a TUN, though both feed it
// through their own endpoints rather than fdbased. The options are the
// TAP row's (gvisorOnTAP), tailscale's TCP options and GSOMaxSize 65535,
// but GRO off:
//
//   - fdbased ignores GSOMaxSize on a TUN's descriptor as on a TAP's (it
//     is not a socket: the test logs SupportedGSO 0), so the TUN is
//     opened without IFF_VNET_HDR and gVisor writes one packet per
//     writev;
//   - with GRO on (gVisor's own software coalescing of what it reads,
//     on in the TAP row), the Linux→stack connection stalls after
//     500-700 KB in every try at this gVisor version: its IPv4 layer
//     counts packets as malformed and drops them (263 of 592 received in
//     one try, by s.Stats().IP), and the read times out. With GRO off it
//     runs, so on a TUN the row measures gVisor without it.
func gvisorOnTUN(t *testing.T) *tapEnv {
	fd, name, err := openTUN()
	if err != nil {
		t.Fatal(err)
	}
	return gvisorOnFD(t, "TUN", fd, name, fdbased.Options{
		EthernetHeader: false,
		GRO:            false, // see above: on, it stalls the connection
	})
}

// openTUN creates a TUN interface (IFF_TUN|IFF_NO_PI: bare IP packets,
// no packet information, no virtio-net headers) and returns its
// descriptor, blocking, and its name.
func openTUN() (int, string, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, "", fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq("")
	if err != nil {
		unix.Close(fd)
		return -1, "", err
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, "", os.NewSyscallError("ioctl TUNSETIFF", err)
	}
	return fd, ifr.Name(), nil
}
