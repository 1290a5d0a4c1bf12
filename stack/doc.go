// Package stack is medina's network stack: Ethernet, ARP, IPv4 with ICMP,
// UDP and TCP, composed over one link.Device, with net.Listener, net.Conn
// and net.PacketConn for embedders.
//
//	dev, _ := tap.Open(tap.Config{Name: "tap0"})
//	s, _ := stack.New(dev, stack.Config{Addr: netip.MustParsePrefix("10.0.0.2/24")})
//	defer s.Close()
//	ln, _ := s.Listen("tcp", ":80")
//	http.Serve(ln, handler)
//	pc, _ := s.ListenPacket("udp", ":53")
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
// Fragmentation Needed that TCP takes lowers the destination's path MTU
// (RFC 1191) in a bounded table whose entries age out (PathMTUConfig);
// TCP sizes its segments for it and sends them with DF set.
//
// One goroutine reads frames from the device and carries each one up the
// layers to a socket's queue; senders build their frames in pooled buffers
// on their own goroutines. Nothing is allocated per packet once buffers are
// warm. Malformed input is counted (Stats, named after the SNMP MIB) and
// dropped, never a panic.
package stack
