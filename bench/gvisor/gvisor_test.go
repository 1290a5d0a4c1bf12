package gvisorbench

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/link/ethernet"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

// gvisorNet is two gVisor stacks joined by an in-memory Ethernet link:
// each stack's NIC is a channel endpoint (its outbound packets go to a Go
// channel) wrapped in an ethernet endpoint (so frames carry an Ethernet
// header and neighbours are resolved with ARP or Neighbor Discovery, as on
// medina's pipe), and
// one goroutine per direction moves every frame from one channel to the
// other stack's InjectInbound. This is how tailscale's own throughput test
// (wgengine/netstack/throughput_test.go: forwardPackets, deliverPacket) and
// wireguard-go's tun/netstack move packets in and out of gVisor.
type gvisorNet struct {
	srv, cli     *stack.Stack
	srvEP, cliEP *channel.Endpoint
	proto        tcpip.NetworkProtocolNumber // the family's: ipv4 or ipv6
	cancel       context.CancelFunc
	pumps        chan struct{} // one token per pump goroutine that returned
}

const (
	nicID   = 1
	linkMTU = 1500
)

var (
	srvMAC = tcpip.LinkAddress("\x02\x00\x00\x00\x00\x01")
	cliMAC = tcpip.LinkAddress("\x02\x00\x00\x00\x00\x02")
)

func newGVisorNet(f family) (*gvisorNet, error) {
	srv, srvEP, err := newGVisorStack(f.srv, srvMAC)
	if err != nil {
		return nil, err
	}
	cli, cliEP, err := newGVisorStack(f.cli, cliMAC)
	if err != nil {
		srv.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &gvisorNet{srv: srv, cli: cli, srvEP: srvEP, cliEP: cliEP, proto: protoOf(f.srv.Addr()), cancel: cancel, pumps: make(chan struct{}, 2)}
	go g.pump(ctx, srvEP, cliEP)
	go g.pump(ctx, cliEP, srvEP)
	return g, nil
}

// newGVisorStack builds one stack configured the way tailscale configures
// its netstack in wgengine/netstack (netstack.go: Create and
// setTCPBufSizes; netstack_tcpbuf_default.go for the sizes):
//
//   - tcpip.TCPSACKEnabled(true) ("TCP SACK is disabled by default", says
//     their comment; at this gVisor version it is already on by default,
//     and setting it keeps us independent of that);
//   - tcpip.CongestionControlOption("reno"), which tailscale sets
//     explicitly because CUBIC trips an overflow in gVisor's cwnd
//     arithmetic (google/gvisor#11632); reno is also gVisor's default;
//   - TCPReceiveBufferSizeRangeOption{Min: tcp.MinBufferSize, Default:
//     1 MiB, Max: 8 MiB} and TCPSendBufferSizeRangeOption{Min:
//     tcp.MinBufferSize, Default: 1 MiB, Max: 6 MiB};
//   - receive-buffer moderation, which tailscale leaves at gVisor's
//     default (on: "tcp_moderate_rcvbuf=true, the default") and which we
//     set explicitly with tcpip.TCPModerateReceiveBufferOption(true).
//
// What we do not mirror, because it belongs to tailscale's TUN device and
// not to an Ethernet link: GSO/GRO (64 KiB super-packets would not be a
// 1500-byte link), CapabilityRXChecksumOffload (tailscale trusts
// WireGuard's integrity; on a plain link both stacks must verify
// checksums, as medina does), promiscuous mode and the catch-all route
// (we give each stack its address and its link's route instead) and ICMP.
//
// Both families' protocols are registered, as tailscale registers them
// (and as a medina stack always has both); the stack gets one address,
// addr, of one family. IPv6 is gVisor's ipv6.NewProtocol with its default
// options, as tailscale's: no Duplicate Address Detection (an address is
// usable at once, as medina's static addresses are) and no link-local
// address formed; the peer's link-layer address is found with Neighbor
// Discovery.
func newGVisorStack(addr netip.Prefix, mac tcpip.LinkAddress) (*stack.Stack, *channel.Endpoint, error) {
	s, err := newTailscaleStack()
	if err != nil {
		return nil, nil, err
	}
	fail := func(what string, err tcpip.Error) (*stack.Stack, *channel.Endpoint, error) {
		s.Close()
		return nil, nil, fmt.Errorf("gvisor: %s: %v", what, err)
	}

	// The channel endpoint's MTU counts the Ethernet header, which the
	// ethernet endpoint takes off again: the IP MTU is linkMTU.
	ep := channel.New(linkQueue, linkMTU+header.EthernetMinimumSize, mac)
	if err := s.CreateNIC(nicID, ethernet.New(ep)); err != nil {
		return fail("create NIC", err)
	}
	pa := tcpip.ProtocolAddress{
		Protocol: protoOf(addr.Addr()),
		AddressWithPrefix: tcpip.AddressWithPrefix{
			Address:   tcpipAddr(addr.Addr()),
			PrefixLen: addr.Bits(),
		},
	}
	if err := s.AddProtocolAddress(nicID, pa, stack.AddressProperties{}); err != nil {
		return fail("add address", err)
	}
	s.SetRouteTable([]tcpip.Route{{Destination: pa.AddressWithPrefix.Subnet(), NIC: nicID}})
	return s, ep, nil
}

// newTailscaleStack returns a gVisor stack with the protocols and the TCP
// options tailscale sets (see newGVisorStack), and no NIC yet.
func newTailscaleStack() (*stack.Stack, error) {
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, arp.NewProtocol, ipv6.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol},
	})
	fail := func(what string, err tcpip.Error) (*stack.Stack, error) {
		s.Close()
		return nil, fmt.Errorf("gvisor: %s: %v", what, err)
	}
	sack := tcpip.TCPSACKEnabled(true)
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &sack); err != nil {
		return fail("enable SACK", err)
	}
	reno := tcpip.CongestionControlOption("reno")
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &reno); err != nil {
		return fail("set reno", err)
	}
	moderate := tcpip.TCPModerateReceiveBufferOption(true)
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &moderate); err != nil {
		return fail("enable receive buffer moderation", err)
	}
	rcv := tcpip.TCPReceiveBufferSizeRangeOption{Min: tcp.MinBufferSize, Default: 1 << 20, Max: 8 << 20}
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &rcv); err != nil {
		return fail("set receive buffer sizes", err)
	}
	snd := tcpip.TCPSendBufferSizeRangeOption{Min: tcp.MinBufferSize, Default: 1 << 20, Max: 6 << 20}
	if err := s.SetTransportProtocolOption(tcp.ProtocolNumber, &snd); err != nil {
		return fail("set send buffer sizes", err)
	}
	return s, nil
}

// pump moves frames from one end of the link to the other until ctx is
// done. Each frame is copied once into a fresh view (as a NIC would DMA it
// into a receive buffer) and handed to the peer as a new inbound packet;
// medina's pipe copies twice (into its queue slot and out to the reader),
// so the link is no heavier on gVisor's side than on medina's.
func (g *gvisorNet) pump(ctx context.Context, from, to *channel.Endpoint) {
	defer func() { g.pumps <- struct{}{} }()
	for {
		pkt := from.ReadContext(ctx)
		if pkt == nil {
			return
		}
		in := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithView(pkt.ToView())})
		pkt.DecRef()
		// The ethernet endpoint reads the EtherType from the frame; the
		// protocol number passed here is ignored.
		to.InjectInbound(0, in)
		in.DecRef()
	}
}

func (g *gvisorNet) Name() string { return "gvisor" }

// Listen listens on the server stack (10.0.0.1 or 2001:db8::1) with
// gonet, as tailscale's tsnet does.
func (g *gvisorNet) Listen(addr string) (net.Listener, error) {
	fa, err := fullAddr(addr)
	if err != nil {
		return nil, err
	}
	return gonet.ListenTCP(g.srv, fa, g.proto)
}

// Dial connects from the client stack (10.0.0.2 or 2001:db8::2).
func (g *gvisorNet) Dial(ctx context.Context, addr string) (net.Conn, error) {
	fa, err := fullAddr(addr)
	if err != nil {
		return nil, err
	}
	return gonet.DialContextTCP(ctx, g.cli, fa, g.proto)
}

// Retransmits returns the TCP segments both stacks retransmitted: on a
// lossless link any are frames the link's queue dropped.
func (g *gvisorNet) Retransmits() uint64 {
	return g.srv.Stats().TCP.Retransmits.Value() + g.cli.Stats().TCP.Retransmits.Value()
}

func (g *gvisorNet) Close() {
	g.cancel()
	<-g.pumps
	<-g.pumps
	g.cli.Close()
	g.srv.Close()
	g.cli.Wait()
	g.srv.Wait()
}

// protoOf is the network protocol of a's family.
func protoOf(a netip.Addr) tcpip.NetworkProtocolNumber {
	if a.Is4() {
		return ipv4.ProtocolNumber
	}
	return ipv6.ProtocolNumber
}

// tcpipAddr converts a to gVisor's address, of a's own length.
func tcpipAddr(a netip.Addr) tcpip.Address {
	if a.Is4() {
		return tcpip.AddrFrom4(a.As4())
	}
	return tcpip.AddrFrom16(a.As16())
}

// fullAddr parses "host:port" or "[host]:port" (an empty host is any
// address) for gonet.
func fullAddr(addr string) (tcpip.FullAddress, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return tcpip.FullAddress{}, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return tcpip.FullAddress{}, fmt.Errorf("bad port in %q", addr)
	}
	fa := tcpip.FullAddress{NIC: nicID, Port: uint16(p)}
	if host != "" {
		ip, err := netip.ParseAddr(host)
		if err != nil || ip.Is4In6() || ip.Zone() != "" {
			return tcpip.FullAddress{}, fmt.Errorf("bad IP address in %q", addr)
		}
		fa.Addr = tcpipAddr(ip)
	}
	return fa, nil
}
