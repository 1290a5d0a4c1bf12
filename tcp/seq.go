package tcp

// seq is a TCP sequence number, compared in modulo-2^32 arithmetic (RFC
// 9293 section 3.4): a precedes b when b-a, as a signed 32-bit value, is
// positive.
type seq uint32

func (a seq) lt(b seq) bool  { return int32(a-b) < 0 }
func (a seq) leq(b seq) bool { return int32(a-b) <= 0 }
func (a seq) gt(b seq) bool  { return int32(a-b) > 0 }
func (a seq) geq(b seq) bool { return int32(a-b) >= 0 }

// add returns a+n.
func (a seq) add(n int) seq { return a + seq(uint32(n)) }

// diff returns a-b as a signed distance.
func (a seq) diff(b seq) int { return int(int32(a - b)) }

// inWindow reports whether a is in [lo, lo+size).
func (a seq) inWindow(lo seq, size int) bool {
	return a.geq(lo) && a.lt(lo.add(size))
}

// seqMax returns the later of a and b.
func seqMax(a, b seq) seq {
	if a.gt(b) {
		return a
	}
	return b
}

// seqMin returns the earlier of a and b.
func seqMin(a, b seq) seq {
	if a.lt(b) {
		return a
	}
	return b
}
