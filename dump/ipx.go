package dump

// Novell IPX, as tcpdump's print-ipx.c prints it: the addresses, and SAP
// and RIP messages. It arrives over BSD loopback, raw 802.3 frames, 802.2
// LLC and Linux cooked captures.

const (
	etherTypeIPX = 0x8137

	ipxHdrLen = 30

	// Offsets in the IPX header.
	ipxLength  = 2
	ipxDstNet  = 6
	ipxDstNode = 10
	ipxDstSkt  = 16
	ipxSrcNet  = 18
	ipxSrcNode = 22
	ipxSrcSkt  = 28

	// Well-known sockets.
	ipxSktNCP        = 0x0451
	ipxSktSAP        = 0x0452
	ipxSktRIP        = 0x0453
	ipxSktNetBIOS    = 0x0455
	ipxSktDiags      = 0x0456
	ipxSktNWLinkDgm  = 0x0553
	ipxSAPEntryLen   = 2 + 48 + 10 + 4 // type, name, address, socket and hops
	ipxSAPNameLen    = 48
	ipxRIPEntryLen   = 8
	ipxMaxSAPEntries = 8
	ipxMaxRIPEntries = 50
)

// ipx prints an IPX packet. The length its caller knows is not used:
// tcpdump takes the length from the IPX header (tcpdump's ipx_print).
func (p *Printer) ipx(b []byte, _ int) {
	p.proto = "ipx"
	if !p.opt.LinkHeader {
		p.s("IPX ")
	}
	p.need(b, ipxHdrLen)
	p.ipxAddr(b, ipxSrcNet)
	p.s(" > ")
	p.ipxAddr(b, ipxDstNet)
	p.s(": ")
	length := int(be16(b[ipxLength:]))
	if length < ipxHdrLen {
		p.s("[length ")
		p.u(uint64(length))
		p.s(" < 30] (invalid)")
		return
	}
	data, length := b[ipxHdrLen:], length-ipxHdrLen
	switch skt := be16(b[ipxDstSkt:]); skt {
	case ipxSktNCP:
		p.s("ipx-ncp ")
		p.u(uint64(length))
	case ipxSktSAP:
		p.ipxSAP(data, length)
	case ipxSktRIP:
		p.ipxRIP(data, length)
	case ipxSktNetBIOS:
		p.s("ipx-netbios ")
		p.u(uint64(length))
	case ipxSktDiags:
		p.s("ipx-diags ")
		p.u(uint64(length))
	case ipxSktNWLinkDgm:
		p.s("ipx-nwlink-dgm ")
		p.u(uint64(length))
	default:
		// Cisco's EIGRP over IPX (socket 0x85be) is not decoded.
		p.s("ipx-#")
		p.x(uint64(skt))
		p.c(' ')
		p.u(uint64(length))
	}
}

// ipxAddr prints the network, node and socket at b[off:] as
// "NNNNNNNN.aa:bb:cc:dd:ee:ff.SSSS"; the caller checked they were
// captured.
func (p *Printer) ipxAddr(b []byte, off int) {
	p.xw(uint64(be32(b[off:])), 8)
	p.c('.')
	p.hexColons(b[off+4 : off+10])
	p.c('.')
	p.xw(uint64(be16(b[off+10:])), 4)
}

// ipxShort prints what tcpdump prints for a message shorter than its
// minimum (ND_LCHECK_U).
func (p *Printer) ipxShort(length, min int) {
	p.s(" [length ")
	p.u(uint64(length))
	p.s(" < ")
	p.u(uint64(min))
	p.s("] (invalid)")
}

// ipxSAP prints a Service Advertising Protocol message.
func (p *Printer) ipxSAP(b []byte, length int) {
	command := p.get16(b, 0)
	if length < 2 {
		p.ipxShort(length, 2)
		return
	}
	b, length = b[2:], length-2
	switch command {
	case 1, 3:
		if command == 1 {
			p.s("ipx-sap-req")
		} else {
			p.s("ipx-sap-nearest-req")
		}
		svc := p.get16(b, 0)
		p.c(' ')
		p.xw(uint64(svc), 4)
	case 2, 4:
		if command == 2 {
			p.s("ipx-sap-resp")
		} else {
			p.s("ipx-sap-nearest-resp")
		}
		for i := 0; i < ipxMaxSAPEntries && length != 0; i++ {
			p.need(b, 2)
			if length < 2 {
				p.s(" (invalid)")
				return
			}
			p.s(" ")
			p.xw(uint64(be16(b)), 4)
			p.s(" '")
			b, length = b[2:], length-2
			if length < ipxSAPNameLen {
				p.s("' (invalid)")
				return
			}
			for j := 0; j < ipxSAPNameLen; j++ {
				c := p.get8(b, j)
				if c == 0 {
					break
				}
				p.printChar(c)
			}
			p.c('\'')
			// tcpdump steps over the name whether or not it was all
			// captured, and checks the address after it.
			p.need(b, ipxSAPNameLen+10)
			b, length = b[ipxSAPNameLen:], length-ipxSAPNameLen
			if length < 10 {
				p.s(" (invalid)")
				return
			}
			p.s(" addr ")
			p.xw(uint64(be32(b)), 8)
			p.c('.')
			p.hexColons(b[4:10])
			b, length = b[10:], length-10
			p.need(b, 4)
			if length < 4 {
				p.s(" (invalid)")
				return
			}
			b, length = b[4:], length-4
		}
	default:
		p.s("ipx-sap-?")
		p.x(uint64(command))
	}
}

// ipxRIP prints a Routing Information Protocol message.
func (p *Printer) ipxRIP(b []byte, length int) {
	command := p.get16(b, 0)
	if length < 2 {
		p.ipxShort(length, 2)
		return
	}
	b, length = b[2:], length-2
	switch command {
	case 1:
		p.s("ipx-rip-req")
		if length != 0 {
			if length < ipxRIPEntryLen {
				p.s(" (invalid)")
				return
			}
			p.ipxRIPEntry(b)
		}
	case 2:
		p.s("ipx-rip-resp")
		for i := 0; i < ipxMaxRIPEntries && length != 0; i++ {
			if length < ipxRIPEntryLen {
				p.s(" (invalid)")
				return
			}
			p.ipxRIPEntry(b)
			b, length = b[ipxRIPEntryLen:], length-ipxRIPEntryLen
		}
	default:
		p.s("ipx-rip-?")
		p.x(uint64(command))
	}
}

// ipxRIPEntry prints " NNNNNNNN/hops.ticks".
func (p *Printer) ipxRIPEntry(b []byte) {
	p.need(b, ipxRIPEntryLen)
	p.c(' ')
	p.xw(uint64(be32(b)), 8)
	p.c('/')
	p.u(uint64(be16(b[4:])))
	p.c('.')
	p.u(uint64(be16(b[6:])))
}
