package tcp

// Seq is a TCP sequence (or acknowledgement) number. Sequence numbers wrap
// at 2^32, so they are compared and subtracted in modulo-2^32 arithmetic
// (RFC 9293 section 3.4): RFC 1982's serial number arithmetic with
// SERIAL_BITS = 32, where a precedes b when b is ahead of a by less than
// 2^31. RFC 1982 leaves two numbers exactly 2^31 apart unordered; here each
// is then LessThan the other, which no window of TCP (at most 2^30 bytes,
// RFC 7323 2.3) ever shows.
//
// The zero value is sequence number 0, which has no special meaning. A Seq
// converts to and from the uint32 of the wire format (Header.Seq,
// Fields.Seq, SACKBlock) with a plain conversion. The methods are small
// enough to be inlined: using them costs nothing over the arithmetic
// written out.
type Seq uint32

// LessThan reports whether a precedes b (RFC 9293's "<").
func (a Seq) LessThan(b Seq) bool { return int32(a-b) < 0 }

// LessEqual reports whether a precedes or equals b ("=<").
func (a Seq) LessEqual(b Seq) bool { return int32(a-b) <= 0 }

// GreaterThan reports whether a follows b (">").
func (a Seq) GreaterThan(b Seq) bool { return int32(a-b) > 0 }

// GreaterEqual reports whether a follows or equals b (">=").
func (a Seq) GreaterEqual(b Seq) bool { return int32(a-b) >= 0 }

// Add returns a+n, modulo 2^32; n may be negative.
func (a Seq) Add(n int) Seq { return a + Seq(uint32(n)) }

// Diff returns a-b as a signed distance, in (-2^31, 2^31]: positive when a
// follows b. It is meaningful when the two are less than 2^31 apart, as
// two sequence numbers of one window always are.
func (a Seq) Diff(b Seq) int { return int(int32(a - b)) }

// Offset returns how far a lies ahead of base, modulo 2^32: the unsigned
// distance, as tcpdump prints a sequence number relative to the initial
// one, and as a reassembler counts bytes from the start of a stream. It
// is Diff without the sign, for when a is known not to precede base.
func (a Seq) Offset(base Seq) uint32 { return uint32(a - base) }

// InWindow reports whether a lies in the window of size bytes that starts
// at lo, [lo, lo+size) (RFC 9293 3.10.7.4's acceptability test). size is
// below 2^31; a window of size 0 holds nothing.
func (a Seq) InWindow(lo Seq, size int) bool {
	return a.GreaterEqual(lo) && a.LessThan(lo.Add(size))
}

// InRange reports whether a lies in [lo, hi): at or after lo and before
// hi, for lo at or before hi (RFC 5927's SND.UNA =< SEG.SEQ < SND.NXT, say).
// An empty range, lo == hi, holds nothing.
func (a Seq) InRange(lo, hi Seq) bool { return a.Offset(lo) < hi.Offset(lo) }

// SeqMax returns the later of a and b.
func SeqMax(a, b Seq) Seq {
	if a.GreaterThan(b) {
		return a
	}
	return b
}

// SeqMin returns the earlier of a and b.
func SeqMin(a, b Seq) Seq {
	if a.LessThan(b) {
		return a
	}
	return b
}
