package pcap

import "encoding/binary"

// Classic pcap file header layout (24 bytes), named once.
const (
	fileHeaderLen  = 24
	versionMajOff  = 4
	versionMinOff  = 6
	snaplenOff     = 16
	linkTypeOff    = 20
	recordLen      = 16 // sec, frac, caplen, len
	recordLenKuzn  = 24 // the modified format adds ifindex, protocol, pkt_type, pad
	recSecOff      = 0
	recFracOff     = 4
	recCaplenOff   = 8
	recLenOff      = 12
	linkTypeMask   = 0x03ffffff // libpcap 1.10.3's LT_LINKTYPE: the upper 6 bits are FCS information
	maxSnaplenC    = 1<<31 - 1  // libpcap keeps the snapshot length in a C int
	ethernetHdrLen = 14
)

// lengthOrder says where a record header keeps its captured length.
// Version 2.3 swapped the caplen and len fields to match BPF's header, and
// some files written as 2.3 still have the old order.
type lengthOrder uint8

const (
	lengthsInOrder lengthOrder = iota // caplen, then len (2.4, and most 2.3)
	lengthsSwapped                    // len, then caplen (2.0-2.2, DG/UX 543.0)
	lengthsMaybe                      // 2.3: swapped when caplen > len
)

// pcapState is what a classic pcap Reader keeps between records.
type pcapState struct {
	hdrLen int
	order  lengthOrder
	maxCap uint32 // largest caplen accepted: the link type's maximum
	frac   uint32 // 1e6 or 1e9
	iface  [1]Interface
}

// openPcap reads a classic pcap file header; the 4-byte magic number is
// known to be there. big is the file's byte order. The checks and messages
// are libpcap 1.10.3's (sf-pcap.c).
func (r *Reader) openPcap(big bool) error {
	s := &r.src
	b := s.ensure(fileHeaderLen)
	if len(b) < fileHeaderLen {
		if err := s.failed(); err != nil {
			return ioError(r.name, 0, err)
		}
		// libpcap counts only the bytes read after the magic number.
		return newError(r.name, 0, ErrTruncated,
			"truncated dump file; tried to read %d file header bytes, only got %d",
			fileHeaderLen, len(b)-4)
	}
	r.big = big
	order := r.ByteOrder()
	magic := order.Uint32(b)
	major := order.Uint16(b[versionMajOff:])
	minor := order.Uint16(b[versionMinOff:])
	snaplen := order.Uint32(b[snaplenOff:])
	rawLinkType := order.Uint32(b[linkTypeOff:])
	linkType := LinkType(rawLinkType & linkTypeMask)

	if major < 2 {
		return newError(r.name, 0, ErrVersion, "archaic pcap savefile format")
	}
	if !(major == 2 && minor <= 4 || major == 543 && minor == 0) {
		return newError(r.name, 0, ErrVersion,
			"unsupported pcap savefile version %d.%d", major, minor)
	}

	p := &r.pcap
	p.hdrLen = recordLen
	p.frac = 1e6
	if magic == magicNano {
		p.frac = 1e9
	}
	switch {
	case major == 2 && minor < 3, major == 543:
		p.order = lengthsSwapped
	case major == 2 && minor == 3:
		p.order = lengthsMaybe
	default:
		p.order = lengthsInOrder
	}
	p.maxCap = linkType.MaxSnaplen()
	snap := adjustSnaplen(linkType, snaplen)
	if magic == magicKuznetzov {
		p.hdrLen = recordLenKuzn
		// Such files may come from a "cooked" capture with a fake
		// Ethernet header added after the snapshot length was applied;
		// libpcap allows for the 14 extra bytes.
		if linkType.DLT() == int(LinkTypeEthernet) {
			if snap <= maxSnaplenC-ethernetHdrLen {
				snap += ethernetHdrLen
			} else {
				snap = maxSnaplenC
			}
		}
	}

	r.format = FormatPcap
	r.major, r.minor = int(major), int(minor)
	r.linkType = linkType
	r.linkTypeExt = rawLinkType &^ linkTypeMask
	r.snaplen = snap
	p.iface[0] = Interface{LinkType: linkType, Snaplen: snap, TSResolution: uint64(p.frac)}
	s.consume(fileHeaderLen)
	return nil
}

// nextPcap reads one classic pcap record. The common case, a record wholly
// in the buffer, costs two length checks and no copy or allocation.
func (r *Reader) nextPcap() (*Packet, error) {
	s := &r.src
	p := &r.pcap
	hl := p.hdrLen
	b := s.ensure(hl)
	if len(b) < hl {
		if len(b) == 0 {
			return nil, r.end()
		}
		if err := s.failed(); err != nil {
			return nil, r.fail(ioError(r.name, s.off, err))
		}
		return nil, r.errorf(s.off, ErrTruncated,
			"truncated dump file; tried to read %d header bytes, only got %d", hl, len(b))
	}

	var sec, frac, caplen, length uint32
	if r.big {
		sec = binary.BigEndian.Uint32(b[recSecOff:])
		frac = binary.BigEndian.Uint32(b[recFracOff:])
		caplen = binary.BigEndian.Uint32(b[recCaplenOff:])
		length = binary.BigEndian.Uint32(b[recLenOff:])
	} else {
		sec = binary.LittleEndian.Uint32(b[recSecOff:])
		frac = binary.LittleEndian.Uint32(b[recFracOff:])
		caplen = binary.LittleEndian.Uint32(b[recCaplenOff:])
		length = binary.LittleEndian.Uint32(b[recLenOff:])
	}
	switch p.order {
	case lengthsSwapped:
		caplen, length = length, caplen
	case lengthsMaybe:
		if caplen > length {
			caplen, length = length, caplen
		}
	}

	// A caplen above the link type's maximum is an error; one above the
	// snapshot length but within the maximum is cut to the snapshot
	// length, as libpcap does for old Solaris files.
	snap := r.snaplen
	if caplen > p.maxCap {
		if caplen > snap {
			return nil, r.errorf(s.off, ErrCaptureLength,
				"invalid packet capture length %d, bigger than snaplen of %d", caplen, snap)
		}
		return nil, r.errorf(s.off, ErrCaptureLength,
			"invalid packet capture length %d, bigger than maximum of %d", caplen, p.maxCap)
	}

	n := hl + int(caplen)
	if len(b) < n {
		b = s.ensure(n)
		if len(b) < n {
			if err := s.failed(); err != nil {
				return nil, r.fail(ioError(r.name, s.off, err))
			}
			got := len(b) - hl
			want := uint64(caplen)
			if caplen > snap && uint32(got) < snap {
				// libpcap reads the first snaplen bytes, then
				// discards the rest; it names whichever read failed.
				want = uint64(snap)
			}
			return nil, r.errorf(s.off, ErrTruncated,
				"truncated dump file; tried to read %d captured bytes, only got %d", want, got)
		}
	}
	data := b[hl:n:n]
	if caplen > snap {
		data = data[:snap:snap]
	}
	s.consume(n)
	r.pf.advance(s.off)

	pkt := &r.pkt
	pkt.Data = data
	pkt.Length = int(length)
	pkt.Sec = int64(sec)
	pkt.Frac = frac
	pkt.FracPerSec = p.frac
	pkt.LinkType = r.linkType
	pkt.Interface = 0
	pkt.Flags = 0
	return pkt, nil
}
