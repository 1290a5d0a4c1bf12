package dump

import "github.com/medina-net/medina/tcp"

// mptcp prints a Multipath TCP option after its name (tcpdump's
// mptcp_print): the length, the subtype and its fields. opt is the whole
// option, kind and length bytes included, and entirely captured; flags are
// the segment's TCP flags, which say which form of an option is allowed.
// It reports false when the option's length does not fit its subtype, for
// which tcpdump prints "[bad opt]".
//
// The lengths tcpdump accepts are those of RFC 6824 and RFC 8684 as it knew
// them, and depend on the flags, which tcp.MPTCP.Validate does not look
// at, so they are tested here; the fields are read through the tcp
// package's views.
func (p *Printer) mptcp(opt []byte, flags tcp.Flags) bool {
	p.proto = "mptcp"
	m, err := tcp.NewMPTCP(opt)
	if err != nil {
		return false
	}
	n := len(m)
	sub := m.Subtype()
	p.c(' ')
	p.u(uint64(n))
	p.c(' ')
	p.s(sub.String())

	syn := flags&tcp.FlagSYN != 0
	ackOnly := flags&(tcp.FlagSYN|tcp.FlagACK) == tcp.FlagACK
	synAck := flags&(tcp.FlagSYN|tcp.FlagACK) == tcp.FlagSYN|tcp.FlagACK

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
		if c.ChecksumRequired() {
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
		if !(n == 12 && syn) && !(n == 16 && synAck) && !(n == 24 && flags&tcp.FlagACK != 0) {
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
		d, ok := m.DSS()
		if !ok || syn {
			return false
		}
		return p.mptcpDSS(m, d)
	case tcp.AddAddrSubtype:
		switch n {
		case 8, 10, 16, 18, 20, 22, 28, 30:
		default:
			return false
		}
		a, _ := m.AddAddr()
		p.c(' ')
		p.tok2str(mptcpAddAddrBits, "[bad version/echo]", uint32(a.Bits()))
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
		r, _ := m.RemoveAddr()
		p.s(" id")
		for _, id := range r.IDs() {
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
		f, _ := m.Fail()
		seq, _ := f.DataSeq()
		p.s(" seq ")
		p.u(seq)
	case tcp.FastCloseSubtype:
		if n != 12 {
			return false
		}
		f, _ := m.FastClose()
		key, _ := f.Key()
		p.s(" key 0x")
		p.x(key)
	}
	return true
}

// mptcpAddAddrBits names the four bits after an ADD_ADDR subtype: the IP
// version in RFC 6824, the echo flag in RFC 8684.
var mptcpAddAddrBits = []tok{
	{0x6, "v0-ip6"}, {0x4, "v0-ip4"}, {0x1, "v1-echo"}, {0x0, "v1"},
}

// mptcpDSS prints a DSS option, whose flags say which fields follow; it
// reports false, as soon as a field is missing, when the option is not
// exactly as long as they are (a 2-byte checksum aside): the length
// m.Validate checks.
func (p *Printer) mptcpDSS(m tcp.MPTCP, d tcp.DSS) bool {
	if d.DataFIN() {
		p.s(" fin")
	}
	if d.Flags()&tcp.DSSDataACK != 0 {
		p.s(" ack ")
		ack, ok := d.Ack()
		if !ok {
			return false
		}
		p.u(ack)
	}
	if d.Flags()&tcp.DSSMapping != 0 {
		p.s(" seq ")
		seq, ok := d.DataSeq()
		if !ok {
			return false
		}
		p.u(seq)
		ssn, ok := d.SubflowSeq()
		if !ok {
			return false
		}
		p.s(" subseq ")
		p.u(uint64(ssn))
		n, ok := d.DataLen()
		if !ok {
			return false
		}
		p.s(" len ")
		p.u(uint64(n))
		if sum, ok := d.Checksum(); ok {
			p.s(" csum 0x")
			p.x(uint64(sum))
		}
	}
	return m.Validate() == nil
}
