// Package stack is medina's network stack: Ethernet, ARP, IPv4 with ICMP,
// IPv6 with ICMPv6 and Neighbor Discovery, UDP and TCP, composed over one
// link.Device, with net.Listener, net.Conn and net.PacketConn for
// embedders.
//
//	dev, _ := tap.Open(tap.Config{Name: "tap0"})
//	s, _ := stack.New(dev, stack.Config{
//		Addr:  netip.MustParsePrefix("10.0.0.2/24"),
//		Addrs: []netip.Prefix{netip.MustParsePrefix("2001:db8::2/64")},
//	})
//	defer s.Close()
//	ln, _ := s.Listen("tcp", ":80") // both families: [::]:80
//	http.Serve(ln, handler)
//	pc, _ := s.ListenPacket("udp6", ":53")
//
// The stack is dual-stack: Config.Addr and Config.Addrs give it IPv4 and
// IPv6 addresses, several per family, and a gateway for each. Sockets are
// named as package net names them ("tcp", "tcp4", "tcp6", "udp", "udp4",
// "udp6"), and an IPv6 address may carry a zone naming the stack's one
// link. IPv6 packets go through RFC 8200's extension header processing
// (ip6.go), are reassembled (ipv6.Reassembler) and fragmented at the
// source for the path MTU; neighbours are resolved with Neighbor
// Discovery through a neigh.Table (ndp.go), the state machine ARP's cache
// runs too. Address autoconfiguration and router discovery are package
// ndp's: it plugs in through Config.NDPHandler and the methods that add
// addresses and set what a Router Advertisement says (addrs.go,
// ndpseam.go). IPv4 configuration by DHCP is package dhcp's client, which
// Config.DHCP runs (dhcp.go): the lease's address, gateway, classless
// routes and MTU come and go with it, and Stack.DHCPLease gives the rest
// (DNS servers, domain, search list).
//
// The stack is the only package that knows every layer. Each protocol
// package holds its wire format and its engine (the neighbour cache in arp,
// reassembly and fragmentation in ipv4, the ICMP rate limit in icmp, the
// TCP engine in tcp); the ARP, IPv4 and ICMP engines never read the clock
// or start timers themselves, so the stack drives them, and the time and randomness they see come from the stack's
// Config. Two stacks built with the same Config.Rand seed, on the same
// virtual clock (testing/synctest), given the same frames, send the same
// bytes: that is what the golden replay tests rely on. The tests in
// testdata/scripts feed the whole stack crafted frames on a manual clock
// and check every frame it answers with, in the language of package tcp's
// scripts.
//
// ICMP errors about datagrams the stack sent reach the socket that sent
// them: a connected UDP socket, or the TCP engine, which checks that the
// segment they quote is in flight (RFC 5927) before it acts. A
// Fragmentation Needed or Packet Too Big that TCP takes lowers the
// destination's path MTU (RFC 1191, RFC 8201) in a bounded table whose
// entries age out (PathMTUConfig); TCP sizes its segments for it and
// sends them with DF set. UDP over IPv6 is fragmented at the source for
// it, and a Packet Too Big about a datagram lowers it too (never below
// IPv6's 1280).
//
// Dials fail as package net's do, with a *net.OpError: at once with
// ENETUNREACH (ErrNoRoute) when no route leads to the address (off every
// link, no gateway; no address of its family); with EHOSTUNREACH when the
// neighbour a dial goes through never answers ARP or Neighbor Discovery,
// after the resolution's requests, 3 s by default as on Linux
// (Config.ARP's RetransTime and MaxRetries, Config.NDP's RetransTime and
// MaxMulticastSolicit), the datagrams that waited dropped and counted
// (Stats ARP.Unresolved, NDP.Unresolved), and a connected UDP socket told
// on its next call; and whenever the context ends (unresolved.go).
//
// Over a layer-3 device (link.Layer3: a TUN, link/tun, or
// pipe.NewLayer3), the link is point to point and carries bare IP
// packets: the stack resolves no neighbours (no ARP, no Neighbor
// Solicitations for resolution; every packet goes out at once, TCP
// super-segments included), runs no Duplicate Address Detection under
// Config.Autoconf, ignores ARP frames, and sends to every destination
// through the link, so no gateway is needed: Config.Gateway and Gateway6
// are not used. Frames keep their 14-byte Ethernet header in the stack's
// buffers; the device ignores it on the way out and makes one up on the
// way in.
//
// Over a device with offloads (link.GSOWriter, link.OffloadReader: an
// offloading TAP or TUN, or pipe.Config.Offload), TCP sends new data in
// super-segments of up to 64 KiB for the device to cut, and takes the
// peer's coalesced super-segments whole, with their checksums unverified
// where the device vouches for them; the engine counts the segments one
// stands for and acknowledges each read's in-order data once.
//
// Names resolve through the stack (resolver.go): Stack.DialContext and
// Stack.LookupNetIP ask the servers of Config.DNS, of DHCP and of IPv6
// Router Advertisements, over the stack's own UDP and TCP, with the
// stack's search list and a TTL-bound cache; Stack.Resolver hands the
// same resolver to package net's, whose Dial it answers in process.
// TCP dials by name race the addresses found, Happy Eyeballs style (RFC
// 8305, dialname.go). Listen takes addresses only.
//
// In any-address mode (forward.go), what a transparent proxy such as
// tun2socks needs, the stack accepts TCP connections (ListenAnyTCP,
// ForwardTCP) and UDP flows (ListenAnyUDP) to any unicast address and
// port routed to it, not only its own, hands each over with the
// destination its peer chose, and answers from that destination.
//
// One goroutine reads frames from the device and carries each one up the
// layers to a socket's queue; senders build their frames in pooled buffers
// on their own goroutines. Nothing is allocated per packet once buffers are
// warm. Malformed input is counted (Stats, named after the SNMP MIB) and
// dropped, never a panic.
//
// A running stack can be watched: Stats and TCPStats are its counters,
// AppendTCPInfo the state of each TCP connection (what ss -ti shows of a
// host's), and AddCapture hands a sink a copy of every frame while a
// live capture runs. Package monitor serves them over HTTP: Prometheus
// metrics, an ss-like table, expvar, and a pcapng stream for tcpdump.
package stack
