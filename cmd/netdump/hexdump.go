package main

// The raw dumps of -x, -X and -A, byte-for-byte as tcpdump's print-ascii.c
// lays them out: lines of 16 bytes as eight space-separated 16-bit groups,
// each line prefixed by "\n\t0xOOOO: ", and for -X the printable ASCII after
// the hex, padded to a fixed column.

const (
	bytesPerLine = 16
	hexColumns   = 40 // eight groups of " xxxx"
)

func isGraph(c byte) bool { return c > 0x20 && c < 0x7f }

// hexDump appends tcpdump's hex_print of b (-x).
func (p *printer) hexDump(b []byte) {
	for off := 0; off < len(b); off += bytesPerLine {
		p.s("\n\t0x")
		p.xw(uint64(off), 4)
		p.s(": ")
		line := b[off:min(off+bytesPerLine, len(b))]
		for i := 0; i+1 < len(line); i += 2 {
			p.c(' ')
			p.hexBytes(line[i : i+2])
		}
		if len(line)%2 == 1 {
			p.c(' ')
			p.hexBytes(line[len(line)-1:])
		}
	}
}

// hexASCIIDump appends tcpdump's hex_and_ascii_print of b (-X), with each
// line introduced by indent.
func (p *printer) hexASCIIDump(indent string, b []byte) {
	for off := 0; off < len(b); off += bytesPerLine {
		p.s(indent)
		p.s("0x")
		p.xw(uint64(off), 4)
		p.s(": ")
		line := b[off:min(off+bytesPerLine, len(b))]
		start := len(p.out)
		for i := 0; i+1 < len(line); i += 2 {
			p.c(' ')
			p.hexBytes(line[i : i+2])
		}
		if len(line)%2 == 1 {
			p.c(' ')
			p.hexBytes(line[len(line)-1:])
		}
		for n := len(p.out) - start; n < hexColumns; n++ {
			p.c(' ')
		}
		p.s("  ")
		for _, ch := range line {
			if isGraph(ch) {
				p.c(ch)
			} else {
				p.c('.')
			}
		}
	}
}

// asciiDump appends tcpdump's ascii_print of b (-A): printable characters,
// tabs, spaces and newlines as they are, anything else as '.', and carriage
// returns dropped where a newline follows them.
func (p *printer) asciiDump(b []byte) {
	p.c('\n')
	for i, ch := range b {
		switch {
		case ch == '\r':
			// tcpdump looks one byte ahead, and only when at least two
			// bytes remain after the CR.
			if len(b)-i-1 > 1 && b[i+1] != '\n' {
				p.c('.')
			}
		case isGraph(ch) || ch == '\t' || ch == ' ' || ch == '\n':
			p.c(ch)
		default:
			p.c('.')
		}
	}
}
