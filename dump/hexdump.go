package dump

// The raw dumps of -x, -X and -A, byte for byte as tcpdump's print-ascii.c
// lays them out: lines of 16 bytes as eight space-separated 16-bit groups,
// each line introduced by an indent and "0xOOOO: ", and for -X the
// printable ASCII after the hex, padded to a fixed column.

const (
	bytesPerLine = 16
	hexColumns   = 40 // eight groups of " xxxx"
)

func isGraph(c byte) bool { return c > 0x20 && c < 0x7f }

// appendHexLine appends the hex groups of one line of a dump.
func appendHexLine(b, line []byte) []byte {
	for i := 0; i+1 < len(line); i += 2 {
		b = append(b, ' ', hexDigits[line[i]>>4], hexDigits[line[i]&0xf],
			hexDigits[line[i+1]>>4], hexDigits[line[i+1]&0xf])
	}
	if len(line)%2 == 1 {
		c := line[len(line)-1]
		b = append(b, ' ', hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}

// appendOffset appends indent and "0xOOOO: ".
func appendOffset(b []byte, indent string, off int) []byte {
	b = append(b, indent...)
	b = append(b, '0', 'x')
	if off <= 0xffff {
		b = append(b, hexDigits[off>>12&0xf], hexDigits[off>>8&0xf], hexDigits[off>>4&0xf], hexDigits[off&0xf])
	} else {
		b = appendHexPadded(b, uint64(off), 4)
	}
	return append(b, ':', ' ')
}

// AppendHex appends data in hex as -x dumps a packet (tcpdump's
// hex_print), each line of 16 bytes introduced by indent ("\n\t" after a
// packet's line) and the offset, and returns the extended buffer.
func AppendHex(b []byte, indent string, data []byte) []byte {
	for off := 0; off < len(data); off += bytesPerLine {
		b = appendOffset(b, indent, off)
		b = appendHexLine(b, data[off:min(off+bytesPerLine, len(data))])
	}
	return b
}

// AppendHexASCII appends data in hex and ASCII as -X dumps a packet
// (tcpdump's hex_and_ascii_print): each line of 16 bytes introduced by
// indent ("\n\t" after a packet's line) and the offset, the bytes in hex,
// then the printable ones as they are and the others as '.'. It returns
// the extended buffer.
func AppendHexASCII(b []byte, indent string, data []byte) []byte {
	for off := 0; off < len(data); off += bytesPerLine {
		b = appendOffset(b, indent, off)
		line := data[off:min(off+bytesPerLine, len(data))]
		start := len(b)
		b = appendHexLine(b, line)
		for n := len(b) - start; n < hexColumns; n++ {
			b = append(b, ' ')
		}
		b = append(b, ' ', ' ')
		for _, ch := range line {
			if isGraph(ch) {
				b = append(b, ch)
			} else {
				b = append(b, '.')
			}
		}
	}
	return b
}

// AppendASCII appends data as -A dumps a packet (tcpdump's ascii_print):
// a newline, then printable characters, tabs, spaces and newlines as they
// are, anything else as '.', and carriage returns dropped where a newline
// follows them. It returns the extended buffer.
func AppendASCII(b []byte, data []byte) []byte {
	b = append(b, '\n')
	for i, ch := range data {
		switch {
		case ch == '\r':
			// tcpdump looks one byte ahead, and only when at least two
			// bytes remain after the CR.
			if len(data)-i-1 > 1 && data[i+1] != '\n' {
				b = append(b, '.')
			}
		case isGraph(ch) || ch == '\t' || ch == ' ' || ch == '\n':
			b = append(b, ch)
		default:
			b = append(b, '.')
		}
	}
	return b
}

// hexDump appends the -x dump of b.
func (p *Printer) hexDump(b []byte) { p.out = AppendHex(p.out, "\n\t", b) }

// hexASCIIDump appends the -X dump of b, each line introduced by indent.
func (p *Printer) hexASCIIDump(indent string, b []byte) { p.out = AppendHexASCII(p.out, indent, b) }

// asciiDump appends the -A dump of b.
func (p *Printer) asciiDump(b []byte) { p.out = AppendASCII(p.out, b) }

// hexPrint appends b in hex with each line introduced by indent (tcpdump's
// hex_print).
func (p *Printer) hexPrint(indent string, b []byte) { p.out = AppendHex(p.out, indent, b) }
