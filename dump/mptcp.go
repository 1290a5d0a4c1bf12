package dump

import (
	"encoding/binary"

	"github.com/medina-net/medina/tcp"
)

// mptcp prints a Multipath TCP option after its name (tcpdump's
// mptcp_print): the length, the subtype and its fields. opt is the whole
// option, kind and length bytes included, and entirely captured; flags are
// the segment's TCP flags, which say which form of an option is allowed.
// It reports false when the option's length does not fit its subtype, for
// which tcpdump prints "[bad opt]".
//
// The lengths tcpdump accepts are those of RFC 6824 and RFC 8684 as it knew
// them, which is not what tcp.MPTCP.Validate checks, so they are tested
// here; the fields are read through the tcp package's views.
func (p *Printer) mptcp(opt []byte, flags uint8) bool {
	p.proto = "mptcp"
	n := len(opt)
	if n < 3 {
		return false
	}
	m := tcp.MPTCP(opt)
	sub := m.Subtype()
	p.c(' ')
	p.u(uint64(n))
	p.c(' ')
	p.s(sub.String())

	syn := flags&uint8(tcp.FlagSYN) != 0
	ackOnly := flags&uint8(tcp.FlagSYN|tcp.FlagACK) == uint8(tcp.FlagACK)
	synAck := flags&uint8(tcp.FlagSYN|tcp.FlagACK) == uint8(tcp.FlagSYN|tcp.FlagACK)

	switch sub {
	case tcp.MPCapableSubtype:
		if !((n == 12 || n == 4) && syn) && !((n == 20 || n == 22) && ackOnly) {
			return false
		}
		c, _ := m.Capable()
		switch v := c.Version(); v {
		case 0, 1:
			p.s(" v")
			p.u(uint64(v))
		default:
			p.s(" Unknown Version (")
			p.u(uint64(v))
			p.c(')')
			return true
		}
		if c.Flags()&tcp.MPCapableChecksum != 0 {
			p.s(" csum")
		}
		if key, ok := c.SenderKey(); ok {
			p.s(" {0x")
			p.x(key)
			if key, ok := c.ReceiverKey(); ok {
				p.s(",0x")
				p.x(key)
			}
			p.c('}')
		}
	case tcp.MPJoinSubtype:
		if !(n == 12 && syn) && !(n == 16 && synAck) && !(n == 24 && flags&uint8(tcp.FlagACK) != 0) {
			return false
		}
		j, _ := m.Join()
		if n != 24 {
			if j.Backup() {
				p.s(" backup")
			}
			p.s(" id ")
			p.u(uint64(j.AddrID()))
		}
		switch n {
		case 12:
			token, _ := j.Token()
			nonce, _ := j.Nonce()
			p.s(" token 0x")
			p.x(uint64(token))
			p.s(" nonce 0x")
			p.x(uint64(nonce))
		case 16:
			mac, _ := j.TruncatedHMAC()
			nonce, _ := j.Nonce()
			p.s(" hmac 0x")
			p.x(mac)
			p.s(" nonce 0x")
			p.x(uint64(nonce))
		case 24:
			mac, _ := j.HMAC()
			p.s(" hmac 0x")
			p.hexBytes(mac)
		}
	case tcp.DSSSubtype:
		return p.mptcpDSS(opt, syn)
	case tcp.AddAddrSubtype:
		switch n {
		case 8, 10, 16, 18, 20, 22, 28, 30:
		default:
			return false
		}
		a, _ := m.AddAddr()
		p.c(' ')
		p.tok2str(mptcpAddAddrBits, "[bad version/echo]", uint32(opt[2]&0xf))
		p.s(" id ")
		p.u(uint64(a.AddrID()))
		// tcpdump takes the address family, the port and the HMAC from
		// the length alone.
		addr := a.Addr()
		p.c(' ')
		if len(addr) == 4 {
			p.out = appendIPv4(p.out, addr)
		} else {
			p.out = appendIPv6(p.out, addr)
		}
		if port, ok := a.Port(); ok {
			p.c(':')
			p.u(uint64(port))
		}
		if mac, ok := a.HMAC(); ok {
			p.s(" hmac 0x")
			p.x(mac)
		}
	case tcp.RemoveAddrSubtype:
		if n < 4 {
			return false
		}
		p.s(" id")
		for _, id := range opt[3:] {
			p.c(' ')
			p.u(uint64(id))
		}
	case tcp.MPPrioSubtype:
		if n != 3 && n != 4 {
			return false
		}
		pr, _ := m.Prio()
		if pr.Backup() {
			p.s(" backup")
		} else {
			p.s(" non-backup")
		}
		if id, ok := pr.AddrID(); ok {
			p.s(" id ")
			p.u(uint64(id))
		}
	case tcp.MPFailSubtype:
		if n != 12 {
			return false
		}
		p.s(" seq ")
		p.u(binary.BigEndian.Uint64(opt[4:]))
	case tcp.FastCloseSubtype:
		if n != 12 {
			return false
		}
		p.s(" key 0x")
		p.x(binary.BigEndian.Uint64(opt[4:]))
	}
	return true
}

// mptcpAddAddrBits names the four bits after an ADD_ADDR subtype: the IP
// version in RFC 6824, the echo flag in RFC 8684.
var mptcpAddAddrBits = []tok{
	{0x6, "v0-ip6"}, {0x4, "v0-ip4"}, {0x1, "v1-echo"}, {0x0, "v1"},
}

// mptcpDSS prints a DSS option, whose flags say which fields follow; the
// option must be exactly as long as they are, a 2-byte checksum aside.
func (p *Printer) mptcpDSS(opt []byte, syn bool) bool {
	if len(opt) < 4 || syn {
		return false
	}
	f := opt[3]
	if f&tcp.DSSDataFIN != 0 {
		p.s(" fin")
	}
	rest := opt[4:]
	// field prints an 8 or 4-byte number, as the wide flag says.
	field := func(wide bool) bool {
		if wide {
			if len(rest) < 8 {
				return false
			}
			p.u(binary.BigEndian.Uint64(rest))
			rest = rest[8:]
			return true
		}
		if len(rest) < 4 {
			return false
		}
		p.u(uint64(binary.BigEndian.Uint32(rest)))
		rest = rest[4:]
		return true
	}
	if f&tcp.DSSDataACK != 0 {
		p.s(" ack ")
		if !field(f&tcp.DSSDataACK8 != 0) {
			return false
		}
	}
	if f&tcp.DSSMapping != 0 {
		p.s(" seq ")
		if !field(f&tcp.DSSDSN8 != 0) {
			return false
		}
		if len(rest) < 4 {
			return false
		}
		p.s(" subseq ")
		p.u(uint64(binary.BigEndian.Uint32(rest)))
		rest = rest[4:]
		if len(rest) < 2 {
			return false
		}
		p.s(" len ")
		p.u(uint64(be16(rest)))
		rest = rest[2:]
		if len(rest) >= 2 {
			p.s(" csum 0x")
			p.x(uint64(be16(rest)))
			rest = rest[2:]
		}
	}
	return len(rest) == 0
}
