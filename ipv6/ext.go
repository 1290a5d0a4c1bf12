package ipv6

import (
	"errors"
	"strconv"

	"github.com/medina-net/medina/ipv4"
)

// Offsets of the two bytes every extension header but the fragment header
// starts with (RFC 8200 section 4), named once:
//
//	+---------------+---------------+--------------------------------
//	|  next header  |  hdr ext len  |  header-specific data ...
//	+---------------+---------------+--------------------------------
//	  0               1
//
// The length counts 8-byte units after the first 8 bytes, except in the
// authentication header, where it counts 4-byte units after the first 8
// (RFC 4302 2.2); the fragment header has no length, being always 8
// bytes.
const (
	extNextOff = 0
	extLenOff  = 1
	extUnit    = 8
	// maxExtLen is the longest header an 8-bit length in 8-byte units
	// can say.
	maxExtLen = 256 * extUnit
)

// Errors of the extension header chain, which CheckExtensions returns as
// they are, with the offset of the byte at fault.
var (
	// ErrBadExtension: an extension header runs past the payload length,
	// or its length is impossible for its kind (an authentication header
	// shorter than 12 bytes).
	ErrBadExtension = errors.New("ipv6: malformed extension header")
	// ErrMisplacedHopByHop: a hop-by-hop options header that does not
	// immediately follow the fixed header (RFC 8200 4.3), which a node
	// treats as an unrecognized next header.
	ErrMisplacedHopByHop = errors.New("ipv6: hop-by-hop options header not first")
	// ErrIncompleteChain: a first fragment that does not hold the whole
	// extension header chain (RFC 7112, RFC 8200 4.5).
	ErrIncompleteChain = errors.New("ipv6: first fragment without the whole header chain")
)

// IsExtension reports whether the chain walk reads p as an extension
// header with a next header field: hop-by-hop and destination options,
// routing, fragment, authentication (RFC 4302) and mobility (RFC 6275,
// and the number 62 of its drafts, which tcpdump walks too). ESP is not:
// its next header field is encrypted at the end, so the walk stops at it,
// as it does at the upper-layer header and at No Next Header (59).
func IsExtension(p ipv4.Protocol) bool {
	switch p {
	case ipv4.ProtoHopOpts, ipv4.ProtoRouting, ipv4.ProtoFragment, ipv4.ProtoDstOpts,
		ipv4.ProtoAH, ipv4.ProtoMobility, ipv4.ProtoMobilityOld:
		return true
	}
	return false
}

// ExtStatus says whether an extension header is whole and in its place.
type ExtStatus uint8

// Extension header statuses. After ExtPastEnd or ExtTruncated the walk
// stops, because where the next header starts is unknown; after the
// others it goes on.
const (
	// ExtOK: the header is whole, within the payload and the buffer.
	ExtOK ExtStatus = iota
	// ExtMisplaced: a hop-by-hop options header that does not follow the
	// fixed header. RFC 8200 has a node treat it as an unrecognized next
	// header; tcpdump prints "[The Hop-by-Hop Options header don't follow
	// the IPv6 header]".
	ExtMisplaced
	// ExtBadLength: an authentication header whose length says less than
	// the 12 bytes of its fixed part.
	ExtBadLength
	// ExtPastEnd: the header, or its fixed part, runs past the end of the
	// packet as the payload length says it.
	ExtPastEnd
	// ExtTruncated: the header lies within the payload, but the capture
	// (or the quote of an ICMPv6 error) ends inside it or before it.
	ExtTruncated
)

var extStatusNames = [...]string{"ok", "misplaced", "bad length", "past end of payload", "truncated"}

// String names the status.
func (s ExtStatus) String() string {
	if int(s) < len(extStatusNames) {
		return extStatusNames[s]
	}
	return "ExtStatus(" + strconv.Itoa(int(s)) + ")"
}

// Ext is one extension header as ExtIter found it. Raw aliases the packet.
type Ext struct {
	// Proto says which header it is: ipv4.ProtoHopOpts, ProtoDstOpts,
	// ProtoRouting, ProtoFragment, ProtoAH, ProtoMobility or
	// ProtoMobilityOld.
	Proto ipv4.Protocol
	// Status says whether the header is whole and in its place.
	Status ExtStatus
	// Next is the header's next header field: what follows it (0 when the
	// capture ends before it).
	Next ipv4.Protocol
	// Offset is where the header starts, from the start of the fixed
	// header: an ICMPv6 parameter problem's pointer counts from there.
	Offset int
	// NamedAt is the offset of the next header field that named this
	// header: 6 for the first, in the fixed header, and otherwise the
	// Offset of the header before it. A parameter problem about an
	// unrecognized next header points there.
	NamedAt int
	// Len is the header's length as its length field says it (always 8
	// for a fragment header), or 0 when the capture ends before the
	// length field.
	Len int
	// Raw is the header from its first byte: Len bytes when it is whole,
	// fewer when it runs past the payload or the buffer.
	Raw []byte
}

// Options returns an iterator over the options of a hop-by-hop or
// destination options header, from byte 2 to Len, with offsets counted
// from the start of the header; an empty one for other headers. Of a
// header cut before its length byte, it reports a truncated option at 2.
func (e Ext) Options() OptionIter {
	if e.Proto != ipv4.ProtoHopOpts && e.Proto != ipv4.ProtoDstOpts {
		return OptionIter{done: true}
	}
	return OptionIter{b: e.Raw, off: tlvDataOff, end: max(e.Len, extUnit)}
}

// Routing returns the header as a Routing view. ok is false for another
// header, and when fewer than its first 4 bytes were captured.
func (e Ext) Routing() (r Routing, ok bool) {
	if e.Proto != ipv4.ProtoRouting || len(e.Raw) < routingFixedLen {
		return nil, false
	}
	return Routing(e.Raw), true
}

// Fragment returns the header as a FragmentHeader view. ok is false for
// another header, and when the header was not captured whole.
func (e Ext) Fragment() (f FragmentHeader, ok bool) {
	if e.Proto != ipv4.ProtoFragment || len(e.Raw) < FragmentHeaderLen {
		return nil, false
	}
	return FragmentHeader(e.Raw), true
}

// AH returns the header as an AH view. ok is false for another header,
// and when fewer than its first 12 bytes were captured.
func (e Ext) AH() (a AH, ok bool) {
	if e.Proto != ipv4.ProtoAH || len(e.Raw) < AHMinLen {
		return nil, false
	}
	return AH(e.Raw), true
}

// Mobility returns the header as a Mobility view. ok is false for another
// header, and when fewer than its first 8 bytes were captured.
func (e Ext) Mobility() (m Mobility, ok bool) {
	if e.Proto != ipv4.ProtoMobility && e.Proto != ipv4.ProtoMobilityOld || len(e.Raw) < MobilityMinLen {
		return nil, false
	}
	return Mobility(e.Raw), true
}

// ChainEnd says why the walk of the extension header chain ended.
type ChainEnd uint8

// Ways the chain ends.
const (
	// ChainUpper: a next header value that is not an extension header:
	// the upper-layer protocol, ESP, No Next Header (59), or a value the
	// walk does not know.
	ChainUpper ChainEnd = iota
	// ChainFragment: a fragment header with a nonzero offset. What
	// follows it is a piece of the original packet's data, not a header,
	// until the packet is reassembled.
	ChainFragment
	// ChainBroken: a header whose status (ExtPastEnd, ExtTruncated)
	// stopped the walk.
	ChainBroken
)

var chainEndNames = [...]string{"upper layer", "fragment", "broken"}

// String names the end.
func (c ChainEnd) String() string {
	if int(c) < len(chainEndNames) {
		return chainEndNames[c]
	}
	return "ChainEnd(" + strconv.Itoa(int(c)) + ")"
}

// ExtIter walks the extension header chain of a packet, one header per
// call to Next, whatever the chain holds: every step moves on by at least
// 8 bytes, a header is never read beyond the payload length or the buffer,
// and a header that runs past either is reported with its status and ends
// the walk. It never panics and never allocates.
type ExtIter struct {
	b       []byte // the packet from the fixed header on, as captured
	end     int    // the end of the packet as its header says, from the start of b
	off     int    // offset of the header to read next
	proto   ipv4.Protocol
	namedAt int
	done    bool
	how     ChainEnd
}

// ExtIter returns an iterator over the extension headers of h, from byte
// 40 to the packet's length as the header says it (Len), which may be
// beyond the buffer: the iterator then reports ExtTruncated at the header
// the buffer ends in. An ICMPv6 error's quote of a packet is walked the
// same way.
func (h Header) ExtIter() ExtIter {
	return ExtIter{b: h, end: h.Len(), off: HeaderLen, proto: h.NextHeader(), namedAt: nextOff}
}

// Next returns the next extension header and true, or false at the end of
// the chain; End then says what follows.
func (it *ExtIter) Next() (e Ext, ok bool) {
	if it.done {
		return e, false
	}
	if !IsExtension(it.proto) {
		it.done, it.how = true, ChainUpper
		return e, false
	}
	off := it.off
	capEnd := min(it.end, len(it.b))
	e = Ext{Proto: it.proto, Offset: off, NamedAt: it.namedAt}
	switch {
	case off >= it.end:
		return it.broken(e, ExtPastEnd)
	case off >= capEnd:
		return it.broken(e, ExtTruncated)
	}
	e.Next = ipv4.Protocol(it.b[off+extNextOff])
	switch {
	case e.Proto == ipv4.ProtoFragment:
		e.Len = FragmentHeaderLen
	case off+extLenOff >= capEnd:
		e.Raw = it.b[off:capEnd]
		if off+extLenOff >= it.end {
			return it.broken(e, ExtPastEnd)
		}
		return it.broken(e, ExtTruncated)
	case e.Proto == ipv4.ProtoAH:
		e.Len = (int(it.b[off+extLenOff]) + 2) * 4
	default:
		e.Len = (int(it.b[off+extLenOff]) + 1) * extUnit
	}
	switch {
	case off+e.Len > it.end:
		e.Raw = it.b[off:capEnd]
		return it.broken(e, ExtPastEnd)
	case off+e.Len > capEnd:
		e.Raw = it.b[off:capEnd]
		return it.broken(e, ExtTruncated)
	}
	e.Raw = it.b[off : off+e.Len]
	switch {
	case e.Proto == ipv4.ProtoHopOpts && off != HeaderLen:
		e.Status = ExtMisplaced
	case e.Proto == ipv4.ProtoAH && e.Len < AHMinLen:
		e.Status = ExtBadLength
	}
	it.off, it.proto, it.namedAt = off+e.Len, e.Next, off
	if f := FragmentHeader(e.Raw); e.Proto == ipv4.ProtoFragment && f.OffsetUnits() != 0 {
		it.done, it.how = true, ChainFragment
	}
	return e, true
}

// broken returns e with a status that stops the walk.
func (it *ExtIter) broken(e Ext, st ExtStatus) (Ext, bool) {
	e.Status = st
	it.done, it.how = true, ChainBroken
	return e, true
}

// End walks what is left of the chain and returns what follows it: the
// protocol the last next header field names and the offset where that
// header (or, after a non-first fragment, the fragment's data) starts,
// with how the walk ended. For ChainBroken they are the broken header's
// kind and offset.
func (it *ExtIter) End() (p ipv4.Protocol, off int, how ChainEnd) {
	for _, ok := it.Next(); ok; _, ok = it.Next() {
	}
	// A broken header leaves proto and off at itself.
	return it.proto, it.off, it.how
}

// UpperLayer returns what follows the extension header chain of h (see
// ExtIter.End): the upper-layer protocol and the offset of its header in
// h when how is ChainUpper.
func (h Header) UpperLayer() (p ipv4.Protocol, off int, how ChainEnd) {
	it := h.ExtIter()
	return it.End()
}

// CheckExtensions checks the extension header chain as a host must before
// it processes the headers (RFC 8200 section 4), stopping at the first
// fault: a header that runs past the payload length, or an authentication
// header shorter than 12 bytes (ErrBadExtension, pointing at its length
// field, or at the next header field that named a header the payload has
// no room for); a header the capture cut (ErrTruncated); a hop-by-hop
// options header that is not first (ErrMisplacedHopByHop, pointing at the
// next header field that names it); a malformed option, or a jumbo payload
// option in a packet whose payload length is not 0 (ErrBadOption,
// pointing at the option's type byte); a routing header that Routing.Check
// refuses (ErrBadRouting); a fragment other than the last whose payload is
// not a multiple of 8 bytes, pointing at the payload length field, or
// whose data would end beyond 65535 bytes, pointing at its offset
// (ErrBadFragment); a first fragment that does not hold the whole chain
// (ErrIncompleteChain, pointing at 0 as RFC 7112 asks). at is the offset
// in the packet of the byte at fault, which an ICMPv6 parameter problem
// names; the errors are the sentinels themselves, without allocating.
// Which options and routing types the host knows, and what it does about
// the others (OptionKind.Action, Routing.SegmentsLeft), is its own
// business.
func (h Header) CheckExtensions() (at int, err error) {
	it := h.ExtIter()
	end := it.end
	firstFragment := false
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		switch e.Status {
		case ExtPastEnd:
			if firstFragment {
				return 0, ErrIncompleteChain
			}
			if e.Proto == ipv4.ProtoFragment || len(e.Raw) <= extLenOff {
				return e.NamedAt, ErrBadExtension
			}
			return e.Offset + extLenOff, ErrBadExtension
		case ExtTruncated:
			return e.Offset, ErrTruncated
		case ExtMisplaced:
			return e.NamedAt, ErrMisplacedHopByHop
		case ExtBadLength:
			return e.Offset + extLenOff, ErrBadExtension
		}
		switch e.Proto {
		case ipv4.ProtoHopOpts, ipv4.ProtoDstOpts:
			opts := e.Options()
			for o, ok := opts.Next(); ok; o, ok = opts.Next() {
				if o.Status != OptionOK || o.Kind == OptJumbo && h.PayloadLen() != 0 {
					return e.Offset + o.Offset, ErrBadOption
				}
			}
		case ipv4.ProtoRouting:
			r, _ := e.Routing()
			if off, err := r.check(); err != nil {
				return e.Offset + off, err
			}
		case ipv4.ProtoFragment:
			f, _ := e.Fragment()
			data := end - (e.Offset + FragmentHeaderLen)
			switch {
			case f.More() && data%8 != 0:
				return plenOff, ErrBadFragment
			case e.Offset-HeaderLen+f.Offset()+data > MaxPayloadLen:
				// The payload reassembled from it: the unfragmentable
				// headers, then the fragmentable part to this one's end.
				return e.Offset + fragOffOff, ErrBadFragment
			}
			firstFragment = f.OffsetUnits() == 0 && f.More()
		}
	}
	if p, off, how := it.End(); firstFragment && how == ChainUpper && p != ipv4.ProtoNoNext && off >= end {
		// The chain ends with the fragment, and the upper-layer header
		// it names is in a later one.
		return 0, ErrIncompleteChain
	}
	return 0, nil
}

// FragmentHeader returns the first fragment header of the chain and its
// offset in h. ok is false when the chain has none, or breaks before it.
func (h Header) FragmentHeader() (f FragmentHeader, off int, ok bool) {
	it := h.ExtIter()
	for e, more := it.Next(); more; e, more = it.Next() {
		if f, ok := e.Fragment(); ok && e.Status == ExtOK {
			return f, e.Offset, true
		}
	}
	return nil, 0, false
}

// FinalDst returns the destination that TCP, UDP and ICMPv6 put in their
// checksum's pseudo-header (RFC 8200 8.1): the final destination a routing
// header names while it has segments left (what a packet's originator and
// the hops on its route see), and otherwise Dst (what the final
// destination sees, where the routing header's last slot holds a hop it
// came through). A routing header of an unknown type, or malformed, gives
// Dst.
func (h Header) FinalDst() Addr {
	it := h.ExtIter()
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		if r, ok := e.Routing(); ok && e.Status == ExtOK {
			if a, ok := r.FinalDst(h.Dst()); ok && r.SegmentsLeft() > 0 && r.Check() == nil {
				return a
			}
			break
		}
	}
	return h.Dst()
}

// RoutedDst returns the destination the way tcpdump 4.99.3 finds it for
// the pseudo-header of the checksums it verifies: the address in the last
// slot of the first routing header of type 0 or 2, or the first segment
// of a type 4, whatever Segments Left says; the last slot the capture
// holds when it ends inside the header; Dst when the header's length is
// odd, has no slot, is of another type, or when the walk meets an
// authentication header or ESP first. FinalDst is what a host sums.
func (h Header) RoutedDst() Addr {
	dst := h.Dst()
	it := h.ExtIter()
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		switch e.Proto {
		case ipv4.ProtoAH:
			return dst
		case ipv4.ProtoRouting:
			r, ok := e.Routing()
			if !ok || r.HdrExtLen()%2 == 1 {
				return dst
			}
			switch r.Type() {
			case RoutingSourceRoute, RoutingMobile:
				for i := range int(r.HdrExtLen()) / 2 {
					a, ok := r.routeSlot(i)
					if !ok {
						break
					}
					dst = a
				}
			case RoutingSegment:
				if a, ok := r.routeSlot(0); ok {
					dst = a
				}
			}
			return dst
		}
	}
	return dst
}

// ExtIterTo returns an iterator over the extension headers of h as if the
// packet ended at byte end (from the start of the fixed header), whatever
// its payload length field says: for a printer that takes the packet's
// length from elsewhere, as tcpdump takes the captured length of a packet
// whose payload length is 0 to look for a jumbo payload option it may not
// have. A header past end is ExtPastEnd, one past the buffer ExtTruncated,
// as with ExtIter.
func (h Header) ExtIterTo(end int) ExtIter {
	return ExtIter{b: h, end: max(end, 0), off: HeaderLen, proto: h.NextHeader(), namedAt: nextOff}
}
