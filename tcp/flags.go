package tcp

// Flags are the TCP control bits. The low eight are the flags byte (byte 13
// of the header); above them sit the AE bit and three reserved bits, which
// share byte 12 with the data offset.
type Flags uint16

// The control bits.
const (
	FlagFIN Flags = 0x001 // no more data from sender
	FlagSYN Flags = 0x002 // synchronize sequence numbers
	FlagRST Flags = 0x004 // reset the connection
	FlagPSH Flags = 0x008 // push
	FlagACK Flags = 0x010 // the acknowledgment field is significant
	FlagURG Flags = 0x020 // the urgent pointer is significant
	FlagECE Flags = 0x040 // ECN-Echo (RFC 3168)
	FlagCWR Flags = 0x080 // congestion window reduced (RFC 3168)
	// FlagAE is the accurate-ECN bit of AccECN (RFC 9768). RFC 3540 called
	// it NS (ECN nonce sum); that experiment is historic (RFC 8311).
	FlagAE Flags = 0x100
	// FlagsReserved are the three bits still reserved by RFC 9293.
	FlagsReserved Flags = 0xe00
)

// Has reports whether all the bits of x are set in f.
func (f Flags) Has(x Flags) bool { return f&x == x }

// flagLetters are the letters tcpdump prints for the bits of the flags
// byte, lowest bit first.
const flagLetters = "FSRP.UEW"

// String returns the flags the way tcpdump 4.99.3 prints them between
// "Flags [" and "]"; see AppendTo.
func (f Flags) String() string { return string(f.AppendTo(nil)) }

// AppendTo appends the flags the way tcpdump 4.99.3 prints them, without
// allocating: one letter per bit of the flags byte, lowest bit first
// (F S R P . U E W, "." being ACK and "E" ECE), or "none" when the byte is
// zero. tcpdump 4.99.3 reads only the flags byte, so the AE and reserved
// bits are not shown (later tcpdump prints AE as "e").
func (f Flags) AppendTo(b []byte) []byte {
	if byte(f) == 0 {
		return append(b, "none"...)
	}
	for i := range len(flagLetters) {
		if f&(1<<i) != 0 {
			b = append(b, flagLetters[i])
		}
	}
	return b
}
