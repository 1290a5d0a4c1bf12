package dump

import "strconv"

// Helpers shared by the transport and application printers (tcp.go,
// udp.go, dns.go and the text protocols).

// AppendChar appends c the way tcpdump's fn_print_char shows a byte of
// untrusted text, and returns the extended buffer: "M-" before a byte with
// the high bit set (then taken without it), "^" before a control
// character (shown as its letter, DEL as "?"), printable ASCII as it is.
// netdump's TLS view prints the names it finds on the wire with it.
func AppendChar(b []byte, c byte) []byte {
	if c >= 0x80 {
		c &= 0x7f
		b = append(b, 'M', '-')
	}
	if c < 0x20 || c > 0x7e {
		c ^= 0x40
		b = append(b, '^')
	}
	return append(b, c)
}

// printChar appends c as AppendChar does.
func (p *Printer) printChar(c byte) { p.out = AppendChar(p.out, c) }

// printN appends up to n bytes of b with printChar, stopping at the end of
// b; it reports whether b ran out first (tcpdump's nd_printn with the end of
// the capture as its limit).
func (p *Printer) printN(b []byte, n int) (short bool) {
	for i := 0; i < n; i++ {
		if i >= len(b) {
			return true
		}
		p.printChar(b[i])
	}
	return false
}

// isPrint is tcpdump's ND_ASCII_ISPRINT.
func isPrint(c byte) bool { return c >= 0x20 && c <= 0x7e }

// appendIPv4 appends a 4-byte address in dotted decimal.
func appendIPv4(b, a []byte) []byte {
	for i := 0; i < 4; i++ {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, uint64(a[i]), 10)
	}
	return b
}

// appendIP appends an address of either family: a 4-byte one in dotted
// decimal, a 16-byte one as appendIPv6 does.
func appendIP(b, a []byte) []byte {
	if len(a) == 4 {
		return appendIPv4(b, a)
	}
	return appendIPv6(b, a)
}

// appendIPv6 appends a 16-byte address as tcpdump's addrtostr6 writes it:
// the longest run of two or more zero groups (the first of equal runs) as
// "::", and the last four bytes in dotted decimal when the address is
// IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d).
func appendIPv6(b, a []byte) []byte {
	var w [8]uint16
	for i := range w {
		w[i] = uint16(a[2*i])<<8 | uint16(a[2*i+1])
	}
	bestBase, bestLen := -1, 0
	curBase, curLen := -1, 0
	for i, v := range w {
		if v == 0 {
			if curBase < 0 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
			continue
		}
		if curBase >= 0 {
			if bestBase < 0 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase >= 0 && (bestBase < 0 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase >= 0 && bestLen < 2 {
		bestBase = -1
	}
	for i := 0; i < 8; i++ {
		if bestBase >= 0 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				b = append(b, ':')
			}
			continue
		}
		if i != 0 {
			b = append(b, ':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && w[5] == 0xffff) {
			return appendIPv4(b, a[12:16])
		}
		b = strconv.AppendUint(b, uint64(w[i]), 16)
	}
	if bestBase >= 0 && bestBase+bestLen == 8 {
		b = append(b, ':')
	}
	return b
}
