package dump

import (
	"encoding/binary"

	"github.com/medina-net/medina/udp"
)

// UDP ports whose payloads this package decodes.
const (
	portMDNS = 5353
)

// ONC RPC message directions (RFC 5531), which tell NFS calls from replies.
const (
	rpcCall  = 0
	rpcReply = 1
)

// udp prints a UDP datagram (tcpdump's udp_print). b holds what was
// captured of it, clipped to the IP datagram; length is its length by the IP
// header.
func (p *Printer) udp(b []byte, length int, ip netHeader, fragmented bool) {
	p.proto = "udp"
	sport, dport, ok := udp.Ports(b)
	if !ok {
		p.udpAddrs(ip, false, 0, 0)
		p.s(" [|udp]")
		return
	}
	if length < udp.HeaderLen {
		p.udpAddrs(ip, true, sport, dport)
		p.s("truncated-udp ")
		p.u(uint64(length))
		return
	}
	field, ok := udp.LengthField(b)
	if !ok {
		p.udpAddrs(ip, true, sport, dport)
		p.s(" [|udp]")
		return
	}
	ulen := int(field)
	// A jumbogram (RFC 2675) has a zero length field.
	if ulen == 0 && length > 0xffff {
		ulen = length
	}
	if ulen < udp.HeaderLen {
		p.udpAddrs(ip, true, sport, dport)
		p.s("truncated-udplength ")
		p.u(uint64(ulen))
		return
	}
	ulen -= udp.HeaderLen
	length -= udp.HeaderLen
	if ulen < length {
		length = ulen
	}
	h, err := udp.NewHeader(b)
	if err != nil {
		p.udpAddrs(ip, true, sport, dport)
		p.s(" [|udp]")
		return
	}
	// The data is what was captured after the header, to the end of the
	// IP datagram: the printers above UDP stop at length, but like
	// tcpdump's they may follow a DNS name's pointer past it, so the
	// data is not cut at the length field as Payload cuts it.
	data := h[udp.HeaderLen:]
	p.udpAddrs(ip, true, sport, dport)

	if !p.opt.Quiet && len(data) >= 8 {
		switch dir := binary.BigEndian.Uint32(data[4:]); {
		case dport == portNFS && dir == rpcCall:
			p.s("NFS request xid ")
			p.u(uint64(binary.BigEndian.Uint32(data)))
			p.c(' ')
			p.nfsRequest(data, length)
			return
		case sport == portNFS && dir == rpcReply:
			p.s("NFS reply xid ")
			p.u(uint64(binary.BigEndian.Uint32(data)))
			p.c(' ')
			p.nfsReply(data, length)
			return
		}
	}

	if p.opt.Verbose > 0 && !p.opt.NoChecksum && !fragmented {
		// tcpdump checks UDP over IPv4 only from -vv, and over IPv6,
		// where the checksum is mandatory, from -v.
		if !ip.isV6() && p.opt.Verbose > 1 {
			if h.Checksum() == 0 {
				p.s("[no cksum] ")
			} else if len(data) >= length {
				p.udpChecksum(h[:length+udp.HeaderLen], ip)
			}
		} else if ip.isV6() && len(data) >= length {
			p.udpChecksum(h[:length+udp.HeaderLen], ip)
		}
	}

	if !p.opt.Quiet && p.udpPayload(data, length, sport, dport, ip) {
		return
	}
	if ulen > length && !fragmented {
		p.s("UDP, bad length ")
		p.u(uint64(ulen))
		p.s(" > ")
		p.u(uint64(length))
	} else {
		p.s("UDP, length ")
		p.u(uint64(ulen))
	}
}

// udpChecksum verifies the checksum of the datagram d, which was captured
// whole: over IPv4 through the view, as the stack checks it (the field is
// not 0 here, which says there is no checksum), over IPv6 with the
// pseudo-header to the destination tcpdump takes (ipv6.Header.RoutedDst).
func (p *Printer) udpChecksum(d udp.Header, ip netHeader) {
	field := d.Checksum()
	var ok bool
	var shouldBe uint16
	if ip.isV6() {
		sum := ip.inCksum(udp.ProtocolNumber, d)
		ok, shouldBe = sum == 0, cksumShouldBe(field, sum)
	} else {
		src, dst := ip.v4PseudoAddrs()
		ok = d.ChecksumValid(src, dst)
		shouldBe = viewShouldBe(field, d.ComputeChecksum(src, dst))
	}
	if !ok {
		p.s("[bad udp cksum 0x")
		p.xw(uint64(field), 4)
		p.s(" -> 0x")
		p.xw(uint64(shouldBe), 4)
		p.s("!] ")
	} else {
		p.s("[udp sum ok] ")
	}
}

// udpAddrs prints "SRC.SPORT > DST.DPORT: " (tcpdump's udpipaddr_print):
// without ports when they were not captured, and without addresses when
// the network header does not name UDP as its next protocol.
func (p *Printer) udpAddrs(ip netHeader, ports bool, sport, dport uint16) {
	if ip.nextHeader() == udp.ProtocolNumber {
		p.out = ip.appendSrc(p.out)
		if ports {
			p.c('.')
			p.u(uint64(sport))
		}
		p.s(" > ")
		p.out = ip.appendDst(p.out)
		if ports {
			p.c('.')
			p.u(uint64(dport))
		}
		p.s(": ")
		return
	}
	if ports {
		p.u(uint64(sport))
		p.s(" > ")
		p.u(uint64(dport))
		p.s(": ")
	}
}

// udpPayload decodes the data of a datagram by its ports, for the
// protocols this package knows, and reports whether it did; otherwise the
// datagram prints as "UDP, length N". The ports are tried in tcpdump's
// order, which decides a datagram between two known ports.
func (p *Printer) udpPayload(data []byte, length int, sport, dport uint16, ip netHeader) bool {
	port := func(n uint16) bool { return sport == n || dport == n }
	switch {
	case port(portDomain):
		p.domain(data, length, false, false)
	case port(portMDNS):
		p.domain(data, length, false, true)
	case port(portBOOTPServer) || port(portBOOTPClient):
		p.bootp(data, length)
	case port(portSNMP) || port(portSNMPTrap):
		p.snmp(data, length)
	case port(portNTP):
		p.ntp(data, length)
	case port(portDHCP6Client) || port(portDHCP6Server):
		// Whatever the IP version, as tcpdump does.
		p.dhcp6(data, length)
	case port(portAHCP):
		p.ahcp(data, length)
	case port(portBabel) || port(portBabelOld):
		p.babel(data, length)
	case port(portHNCP):
		p.hncp(data, length)
	case port(portCiscoAutoRP):
		p.ciscoAutoRP(data, length)
	case port(portLWRES):
		p.lwres(data, length)
	case port(portOLSR):
		p.olsr(data, length, ip.isV6())
	case port(portSFlow):
		p.sflow(data, length)
	case port(portBCMLI):
		p.bcmLI(data, length)
	default:
		return false
	}
	return true
}
