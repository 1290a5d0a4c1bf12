package dump

// BIND 9's lightweight resolver protocol as tcpdump's print-lwres.c
// prints it: the opcode, a "?" for a query, the names, addresses and
// records of the get-addresses-by-name, get-name-by-address and
// get-rdata-by-name messages, the header's serial, result and receive
// length with -vv and its authentication fields and the messages' flags
// with -vvv, and a note where the length field disagrees with UDP's or
// leaves data after what was printed.

// portLWRES is the lightweight resolver's UDP port.
const portLWRES = 921

// Header layout.
const (
	lwresOffLength   = 0
	lwresOffVersion  = 4
	lwresOffFlags    = 6
	lwresOffSerial   = 8
	lwresOffOpcode   = 12
	lwresOffResult   = 16
	lwresOffRecvLen  = 20
	lwresOffAuthType = 24
	lwresOffAuthLen  = 26
	lwresHdrLen      = 28
)

// Header values.
const (
	lwresFlagResponse = 0x0001
	lwresVersion0     = 0

	lwresNoop           = 0x00000000
	lwresGetAddrsByName = 0x00010001
	lwresGetNameByAddr  = 0x00010002
	lwresGetRdataByName = 0x00010003

	lwresAddrV4 = 0x00000001
	lwresAddrV6 = 0x00000002

	lwresAddrHdrLen = 6 // family, length
	lwresFamilyIPv4 = 1 // an address's family
	lwresFamilyIPv6 = 2
)

var lwresOpcodeNames = []tok{
	{lwresNoop, "noop"}, {lwresGetAddrsByName, "getaddrsbyname"},
	{lwresGetNameByAddr, "getnamebyaddr"}, {lwresGetRdataByName, "getrdatabyname"},
}

// lwres prints a lightweight resolver packet (tcpdump's lwres_print). b
// holds what was captured of it; length is its length by UDP.
func (p *Printer) lwres(b []byte, length int) {
	p.proto = "lwres"
	p.need(b, lwresOffAuthLen+2)
	p.s(" lwres")
	version := be16(b[lwresOffVersion:])
	if p.opt.Verbose > 0 || version != lwresVersion0 {
		p.s(" v")
		p.u(uint64(version))
	}
	plen := be32(b[lwresOffLength:])
	if version != lwresVersion0 {
		// Nothing past the header is known: the packet is taken as
		// read to its length.
		p.lwresTail(plen, length, int64(plen), false)
		return
	}
	flags := be16(b[lwresOffFlags:])
	response := flags&lwresFlagResponse != 0
	opcode := be32(b[lwresOffOpcode:])
	p.c(' ')
	if name, ok := lookup(lwresOpcodeNames, opcode); ok {
		p.s(name)
	} else {
		p.s("#0x")
		p.x(uint64(opcode))
	}
	if !response {
		p.c('?')
	}
	if flags&^lwresFlagResponse != 0 {
		p.s("[0x")
		p.x(uint64(flags))
		p.c(']')
	}
	if p.opt.Verbose > 1 {
		p.s(" (serial:0x")
		p.x(uint64(be32(b[lwresOffSerial:])))
		p.s(" result:0x")
		p.x(uint64(be32(b[lwresOffResult:])))
		p.s(" recvlen:")
		p.u(uint64(be32(b[lwresOffRecvLen:])))
		if p.opt.Verbose > 2 {
			p.s(" authtype:0x")
			p.x(uint64(be16(b[lwresOffAuthType:])))
			p.s(" authlen:")
			p.u(uint64(be16(b[lwresOffAuthLen:])))
		}
		p.c(')')
	}
	var end int
	var ok, supported bool
	if response {
		end, ok, supported = p.lwresResponse(b, opcode)
	} else {
		end, ok, supported = p.lwresQuery(b, opcode)
	}
	if !ok {
		p.s(" (invalid)")
		return
	}
	p.lwresTail(plen, length, int64(end), supported)
}

// lwresTail notes a length field that is not the datagram's, and data
// the length field covers past the end of what was printed.
func (p *Printer) lwresTail(plen uint32, length int, end int64, supported bool) {
	if int64(plen) != int64(length) {
		p.s(" [len: ")
		p.u(uint64(plen))
		p.s(" != ")
		p.u(uint64(length))
		p.c(']')
	}
	if supported && end < int64(plen) {
		p.s("[extra]")
	}
}

// lwresFlags prints the flags word of a message at b[off:] with -vvv.
func (p *Printer) lwresFlags(b []byte, off int) {
	if p.opt.Verbose > 2 {
		flags := p.get32(b, off)
		p.s(" flags:0x")
		p.x(uint64(flags))
	}
}

// lwresQuery prints the body of a query with opcode op. It returns the
// offset of its end, false if an address in it was malformed, and
// whether the opcode is one tcpdump decodes.
func (p *Printer) lwresQuery(b []byte, op uint32) (int, bool, bool) {
	off := lwresHdrLen
	switch op {
	case lwresNoop:
		return off, true, true
	case lwresGetAddrsByName:
		p.need(b, off+10)
		p.lwresFlags(b, off)
		v := be32(b[off+4:])
		switch v & (lwresAddrV4 | lwresAddrV6) {
		case lwresAddrV4:
			p.s(" IPv4")
		case lwresAddrV6:
			p.s(" IPv6")
		case lwresAddrV4 | lwresAddrV6:
			p.s(" IPv4/6")
		}
		if v&^uint32(lwresAddrV4|lwresAddrV6) != 0 {
			p.s("[0x")
			p.x(uint64(v))
			p.c(']')
		}
		l := int(be16(b[off+8:]))
		return off + 10 + p.lwresName(b, off+10, l), true, true
	case lwresGetNameByAddr:
		p.need(b, off+4)
		p.lwresFlags(b, off)
		n, ok := p.lwresAddr(b, off+4)
		return off + 4 + n, ok, true
	case lwresGetRdataByName:
		p.need(b, off+10)
		p.lwresFlags(b, off)
		p.lwresTypeClass(b, off+4)
		l := int(be16(b[off+8:]))
		return off + 10 + p.lwresName(b, off+10, l), true, true
	}
	return off, true, false
}

// lwresTypeClass prints the class and type at b[off:], the class only
// when it is not IN.
func (p *Printer) lwresTypeClass(b []byte, off int) {
	p.c(' ')
	p.tok2str(dnsTypeNames, "Type%d", uint32(p.get16(b, off+2)))
	if class := p.get16(b, off); class != dnsClassIN {
		p.c(' ')
		p.tok2str(dnsClassNames, "Class%d", uint32(class))
	}
}

// lwresResponse prints the body of a response with opcode op, as
// lwresQuery does a query's.
func (p *Printer) lwresResponse(b []byte, op uint32) (int, bool, bool) {
	off := lwresHdrLen
	switch op {
	case lwresNoop:
		return off, true, true
	case lwresGetAddrsByName:
		p.need(b, off+10)
		p.lwresFlags(b, off)
		naliases := int(be16(b[off+4:]))
		naddrs := int(be16(b[off+6:]))
		p.lwresCounts(naliases, naddrs)
		s := p.lwresNames(b, off+10, int(be16(b[off+8:])), naliases)
		for range naddrs {
			n, ok := p.lwresAddr(b, s)
			if !ok {
				return s, false, true
			}
			s += n
		}
		return s, true, true
	case lwresGetNameByAddr:
		p.need(b, off+8)
		p.lwresFlags(b, off)
		naliases := int(be16(b[off+4:]))
		p.c(' ')
		p.u(uint64(naliases))
		return p.lwresNames(b, off+8, int(be16(b[off+6:])), naliases), true, true
	case lwresGetRdataByName:
		p.need(b, off+16)
		p.lwresFlags(b, off)
		p.lwresTypeClass(b, off+4)
		p.s(" TTL ")
		p.relTime(be32(b[off+8:]))
		nrdatas := int(be16(b[off+12:]))
		nsigs := int(be16(b[off+14:]))
		p.lwresCounts(nrdatas, nsigs)
		s := off + 16
		s += p.lwresNameLen(b, s)
		// The records and signatures are printed in hex, not decoded.
		for range nrdatas + nsigs {
			s += p.lwresBinLen(b, s)
		}
		return s, true, true
	}
	return off, true, false
}

// lwresCounts prints the two counts a response's body starts with.
func (p *Printer) lwresCounts(a, b int) {
	p.c(' ')
	p.u(uint64(a))
	p.c('/')
	p.u(uint64(b))
}

// lwresNames prints the l-byte name at b[off:] and then naliases names
// each preceded by its length, and returns where they end.
func (p *Printer) lwresNames(b []byte, off, l, naliases int) int {
	off += p.lwresName(b, off, l)
	for range naliases {
		off += p.lwresNameLen(b, off)
	}
	return off
}

// lwresName prints the l-byte name at b[off:] and checks the NUL after
// it, and returns the bytes both take.
func (p *Printer) lwresName(b []byte, off, l int) int {
	p.c(' ')
	if off > len(b) || p.printN(b[off:], l) {
		p.trunc()
	}
	if p.get8(b, off+l) != 0 {
		p.s(" (not NUL-terminated!)")
	}
	return l + 1
}

// lwresNameLen prints a name preceded by its 16-bit length.
func (p *Printer) lwresNameLen(b []byte, off int) int {
	l := int(p.get16(b, off))
	return 2 + p.lwresName(b, off+2, l)
}

// lwresBinLen prints, in hex, data preceded by its 16-bit length.
func (p *Printer) lwresBinLen(b []byte, off int) int {
	l := int(p.get16(b, off))
	for i := 0; i < l; i++ {
		p.xw(uint64(p.get8(b, off+2+i)), 2)
	}
	return 2 + l
}

// lwresAddr prints the address at b[off:], a family, a length and the
// address. It returns the bytes it read, or false when the length is too
// short for the family.
func (p *Printer) lwresAddr(b []byte, off int) (int, bool) {
	l := int(p.get16(b, off+4))
	a := off + lwresAddrHdrLen
	p.need(b, a+l)
	switch family := be32(b[off:]); family {
	case lwresFamilyIPv4, lwresFamilyIPv6:
		size := 4
		if family == lwresFamilyIPv6 {
			size = 16
		}
		if l < size {
			return 0, false
		}
		p.c(' ')
		p.out = appendIP(p.out, b[a:a+size])
		return lwresAddrHdrLen + size, true
	default:
		p.c(' ')
		p.u(uint64(family))
		p.c('/')
		p.hexBytes(b[a : a+l])
		return lwresAddrHdrLen + l, true
	}
}
