package ipv6

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/medina-net/medina/ipv4"
)

// Offsets of the fragment header (RFC 8200 4.5), named once:
//
//	+---------------+---------------+-------------------------+---+-+
//	|  next header  |   reserved    |     fragment offset     |res|M|  0
//	+---------------+---------------+-------------------------+---+-+
//	|                        identification                         |  4
//	+---------------------------------------------------------------+
//
// The offset counts 8-byte units in the top 13 bits of its word; M is
// "more fragments".
const (
	fragReservedOff = 1
	fragOffOff      = 2 // offset (13 bits), reserved (2), M (1)
	fragIDOff       = 4

	fragOffMask  = 0xfff8
	fragResMask  = 0x0006
	fragMoreFlag = 0x0001

	// FragmentHeaderLen is the length of the fragment header.
	FragmentHeaderLen = 8
)

// Errors of fragments and fragmentation.
var (
	// ErrBadFragment: a fragment whose length or offset is impossible
	// (CheckExtensions), a fragment offset to encode that is not a
	// multiple of 8 below 65536, or a packet Fragment cannot split: a
	// jumbogram, or one that already has a fragment header.
	ErrBadFragment = errors.New("ipv6: bad fragment")
	// ErrMTUTooSmall: an MTU below MinMTU, which no IPv6 link has (RFC
	// 8200 section 5), or too small for the headers every fragment
	// repeats.
	ErrMTUTooSmall = errors.New("ipv6: MTU too small to fragment")
)

// FragmentHeader is a view of a fragment header.
type FragmentHeader []byte

// NewFragmentHeader returns b as a FragmentHeader after checking it holds
// the 8 bytes.
func NewFragmentHeader(b []byte) (FragmentHeader, error) {
	if len(b) < FragmentHeaderLen {
		return nil, fmt.Errorf("%w: %d bytes of fragment header, need %d", ErrTruncated, len(b), FragmentHeaderLen)
	}
	return FragmentHeader(b), nil
}

// NextHeader returns the next header field: the first header of the
// fragmentable part of the original packet.
func (f FragmentHeader) NextHeader() ipv4.Protocol { return ipv4.Protocol(f[extNextOff]) }

// Reserved returns the reserved byte after the next header field.
func (f FragmentHeader) Reserved() uint8 { return f[fragReservedOff] }

// word returns the offset, reserved bits and M flag.
func (f FragmentHeader) word() uint16 { return binary.BigEndian.Uint16(f[fragOffOff:]) }

// Offset returns the fragment offset in bytes: where this fragment's data
// starts in the fragmentable part of the original packet.
func (f FragmentHeader) Offset() int { return int(f.word() & fragOffMask) }

// OffsetUnits returns the raw 13-bit offset field, in 8-byte units.
func (f FragmentHeader) OffsetUnits() uint16 { return f.word() >> 3 }

// Res returns the two reserved bits before the M flag.
func (f FragmentHeader) Res() uint8 { return uint8(f.word()&fragResMask) >> 1 }

// More reports the M flag: more fragments follow.
func (f FragmentHeader) More() bool { return f.word()&fragMoreFlag != 0 }

// ID returns the identification, shared by the fragments of one packet.
func (f FragmentHeader) ID() uint32 { return binary.BigEndian.Uint32(f[fragIDOff:]) }

// IsAtomic reports whether the header makes an atomic fragment (RFC
// 6946): offset 0 and no more fragments, a whole packet that merely
// carries the header. A receiver processes it at once, in isolation from
// any fragments with its ID, rather than queueing it for reassembly; and
// a sender no longer makes them (RFC 8021).
func (f FragmentHeader) IsAtomic() bool { return f.word()&(fragOffMask|fragMoreFlag) == 0 }

// SetNextHeader sets the next header field.
func (f FragmentHeader) SetNextHeader(p ipv4.Protocol) { f[extNextOff] = byte(p) }

// SetOffset sets the fragment offset, given in bytes (the low 3 bits are
// dropped), keeping the M flag and the reserved bits.
func (f FragmentHeader) SetOffset(off int) {
	binary.BigEndian.PutUint16(f[fragOffOff:], f.word()&^fragOffMask|uint16(off)&fragOffMask)
}

// SetMore sets or clears the M flag.
func (f FragmentHeader) SetMore(more bool) {
	w := f.word() &^ fragMoreFlag
	if more {
		w |= fragMoreFlag
	}
	binary.BigEndian.PutUint16(f[fragOffOff:], w)
}

// SetID sets the identification.
func (f FragmentHeader) SetID(id uint32) { binary.BigEndian.PutUint32(f[fragIDOff:], id) }

// EncodeFragmentHeader writes a fragment header into b. off is in bytes,
// a multiple of 8 below 65536 (ErrBadFragment); b needs 8 bytes
// (ErrTruncated).
func EncodeFragmentHeader(b []byte, next ipv4.Protocol, off int, more bool, id uint32) (FragmentHeader, error) {
	switch {
	case off < 0 || off%8 != 0 || off > fragOffMask:
		return nil, fmt.Errorf("%w: offset %d is not a multiple of 8 in [0, %d]", ErrBadFragment, off, fragOffMask)
	case len(b) < FragmentHeaderLen:
		return nil, fmt.Errorf("%w: buffer of %d bytes, header needs %d", ErrTruncated, len(b), FragmentHeaderLen)
	}
	f := FragmentHeader(b[:FragmentHeaderLen])
	f[extNextOff], f[fragReservedOff] = byte(next), 0
	binary.BigEndian.PutUint16(f[fragOffOff:], 0)
	f.SetOffset(off)
	f.SetMore(more)
	f.SetID(id)
	return f, nil
}

// UnfragmentableLen returns the length of the unfragmentable part of h
// (RFC 8200 4.5): the fixed header and the extension headers that nodes
// on the route process, up to and including the last routing header if
// there is one, else the hop-by-hop options header if there is one. Every
// fragment repeats it; the rest of the packet is split. ok is false when
// the chain is broken before its upper-layer header, or already holds a
// fragment header.
func (h Header) UnfragmentableLen() (n int, ok bool) {
	n = HeaderLen
	it := h.ExtIter()
	for e, more := it.Next(); more; e, more = it.Next() {
		switch {
		case e.Status == ExtPastEnd || e.Status == ExtTruncated || e.Proto == ipv4.ProtoFragment:
			return 0, false
		case e.Proto == ipv4.ProtoHopOpts && e.Offset == HeaderLen, e.Proto == ipv4.ProtoRouting:
			n = e.Offset + e.Len
		}
	}
	return n, true
}

// Fragment sends packet (a whole IPv6 packet, fixed header first, whose
// header and chain the caller trusts) over a link of the given MTU, as
// its source does (RFC 8200 4.5; routers do not fragment). If it fits,
// emit is called once with it. Otherwise it is split: every fragment
// repeats the unfragmentable part (UnfragmentableLen) with the next
// header field of its last header turned to 44, then a fragment header
// with id, the next header that field had, the offset and the M flag,
// then at most mtu bytes in all of the rest, a multiple of 8 bytes but in
// the last fragment, the payload length set to match. The first fragment
// holds the rest of the extension header chain whole, and its upper-layer
// header too when the MTU has room (RFC 7112).
//
// Each fragment is built in scratch, which must hold mtu bytes, and emit
// is called with it; the slice is valid only during the call. An error
// from emit stops Fragment and is returned. Fragment returns, before
// emitting anything, ErrMTUTooSmall for an MTU below 1280 or one that
// leaves no room for the chain in the first fragment, ErrBadFragment for
// a jumbogram or a packet that already has a fragment header, and
// ErrTruncated (wrapped) for a packet shorter than its payload length,
// a broken chain or a short scratch buffer. id comes from the caller,
// which draws it from the stack's random source (RFC 7739).
func Fragment(packet []byte, mtu int, id uint32, scratch []byte, emit func(frag []byte) error) error {
	h, err := NewHeader(packet)
	if err != nil {
		return err
	}
	switch n := h.PayloadLen(); {
	case n == 0 && h.NextHeader() == ipv4.ProtoHopOpts:
		if _, jumbo := h.JumboLen(); jumbo {
			return fmt.Errorf("%w: a jumbogram cannot be fragmented", ErrBadFragment)
		}
	case HeaderLen+int(n) > len(packet):
		return fmt.Errorf("%w: packet of %d bytes, payload length says %d", ErrTruncated, len(packet), HeaderLen+int(n))
	}
	total := h.Len()
	if total <= mtu {
		return emit(packet[:total])
	}
	unfrag, ok := h.UnfragmentableLen()
	if !ok {
		if _, _, found := h.FragmentHeader(); found {
			return fmt.Errorf("%w: the packet already has a fragment header", ErrBadFragment)
		}
		return fmt.Errorf("%w: broken extension header chain", ErrTruncated)
	}
	// The headers of the fragmentable part go whole into the first
	// fragment, with the upper-layer header's first 8 bytes where there
	// are that many (the ports, at least, for a firewall to see).
	_, upper, how := h.UpperLayer()
	if how != ChainUpper {
		return fmt.Errorf("%w: broken extension header chain", ErrTruncated)
	}
	chain := min(upper+8, total) - unfrag
	perFrag := (mtu - unfrag - FragmentHeaderLen) &^ 7
	switch {
	case mtu < MinMTU:
		return fmt.Errorf("%w: %d < %d", ErrMTUTooSmall, mtu, MinMTU)
	case perFrag <= 0 || chain > perFrag:
		return fmt.Errorf("%w: MTU %d has no room for %d bytes of headers", ErrMTUTooSmall, mtu, unfrag+FragmentHeaderLen+chain)
	case len(scratch) < mtu:
		return fmt.Errorf("%w: scratch buffer of %d bytes for MTU %d", ErrTruncated, len(scratch), mtu)
	}

	// The next header field the fragment header takes over: the fixed
	// header's, or that of the last unfragmentable extension header.
	nextAt := nextOff
	if unfrag > HeaderLen {
		it := h.ExtIter()
		for e, more := it.Next(); more && e.Offset < unfrag; e, more = it.Next() {
			nextAt = e.Offset + extNextOff
		}
	}
	next := ipv4.Protocol(packet[nextAt])

	copy(scratch, packet[:unfrag])
	scratch[nextAt] = byte(ipv4.ProtoFragment)
	rest := packet[unfrag:total]
	for off := 0; off < len(rest); off += perFrag {
		n := min(perFrag, len(rest)-off)
		more := off+n < len(rest)
		EncodeFragmentHeader(scratch[unfrag:], next, off, more, id) // cannot fail: off < 65536, a multiple of 8
		copy(scratch[unfrag+FragmentHeaderLen:], rest[off:off+n])
		frag := scratch[:unfrag+FragmentHeaderLen+n]
		Header(frag).SetPayloadLen(uint16(len(frag) - HeaderLen))
		if err := emit(frag); err != nil {
			return err
		}
	}
	return nil
}

// FragmentOffsetField returns the fragment offset, in bytes, of a fragment
// header that b starts with and that may be cut short after the offset
// field: tcpdump prints it from the first 4 bytes. ok is false when b ends
// before the field.
func FragmentOffsetField(b []byte) (off int, ok bool) {
	if len(b) < fragOffOff+2 {
		return 0, false
	}
	return int(binary.BigEndian.Uint16(b[fragOffOff:]) & fragOffMask), true
}
