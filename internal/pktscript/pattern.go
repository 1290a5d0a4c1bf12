package pktscript

// PatternByte is the byte at offset off of either stream of a script (and
// of any other payload a harness fills): a cycle of 251, a prime, so that
// a byte out of place, a segment repeated or a hole shows.
func PatternByte(off int) byte { return byte(off % 251) }

// FillPattern fills b with the pattern from stream offset off.
func FillPattern(b []byte, off int) {
	for i := range b {
		b[i] = PatternByte(off + i)
	}
}

// CheckPattern reports whether b is the pattern from stream offset off,
// and if not, the index of the first byte that is not.
func CheckPattern(b []byte, off int) (i int, ok bool) {
	for i, c := range b {
		if c != PatternByte(off+i) {
			return i, false
		}
	}
	return 0, true
}
