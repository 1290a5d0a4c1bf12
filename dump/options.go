package dump

import "time"

// Options say what a Printer prints of each packet. The zero value prints
// what tcpdump -n prints: the time of day, then one line per packet. Each
// field names the tcpdump flag it stands for.
type Options struct {
	// Verbose is the level of detail, tcpdump's -v count: 1 adds the IP
	// header's fields (TTL, ID, options, ...) on a line of their own and
	// checks IP, TCP and ICMP checksums; 2 and 3 decode more of some
	// protocols (UDP checksums over IPv4, DNS records, PPP options, ...).
	Verbose int
	// LinkHeader prints the link-layer header: Ethernet addresses and
	// EtherType, VLAN tags, the Linux cooked header's fields (-e).
	LinkHeader bool
	// Quiet prints less of each protocol: "tcp 42" instead of the flags,
	// sequence numbers and options (-q).
	Quiet bool
	// AbsoluteSeq prints TCP sequence and acknowledgement numbers as they
	// are on the wire, instead of relative to the connection's first
	// numbers seen (-S).
	AbsoluteSeq bool
	// NoChecksum does not verify checksums, even with Verbose (-K).
	NoChecksum bool

	// Hex, HexASCII and ASCII dump each packet's bytes after its line:
	// in hex (-x), in hex and ASCII side by side (-X), or as ASCII text
	// (-A). DumpPayload dumps what follows the link-layer header,
	// DumpFrame the whole frame (-xx, -XX, -AA). When more than one is
	// set, HexASCII wins over Hex, and Hex over ASCII, as in tcpdump.
	// Hex and HexASCII also leave out the hex dump tcpdump prints of a
	// payload that no printer decodes, as Quiet does.
	Hex, HexASCII, ASCII DumpLevel

	// TimestampFormat says how each line's timestamp is printed (-t,
	// -tt, -ttt, -tttt, -ttttt).
	TimestampFormat TimestampFormat
	// Nano prints fractions of a second in nanoseconds, nine digits,
	// instead of microseconds (--nano). The packets' timestamps are
	// scaled as libpcap scales them: a microsecond capture printed with
	// Nano shows three zeros more.
	Nano bool
	// Location is the time zone of TimeOfDay and DateTime timestamps;
	// nil means time.Local, which follows TZ as tcpdump does.
	Location *time.Location
	// PacketNumbers starts each packet's line with its number, counted
	// from 1 by the Printer, right-aligned in five columns (-#).
	PacketNumbers bool
}

// DumpLevel is how much of a packet a raw dump (Options.Hex, HexASCII,
// ASCII) shows.
type DumpLevel uint8

// Dump levels. Levels above DumpFrame are DumpFrame: tcpdump takes -xxx
// as -xx.
const (
	// DumpNone: no dump.
	DumpNone DumpLevel = iota
	// DumpPayload dumps the packet from the end of its link-layer
	// header: the IP datagram of an Ethernet frame (-x, -X, -A). A
	// packet cut short inside its headers is dumped whole.
	DumpPayload
	// DumpFrame dumps the whole packet, link-layer header included (-xx,
	// -XX, -AA).
	DumpFrame
)

// TimestampFormat is the form of the timestamp that starts each line. Its
// values are the number of t's of tcpdump's flag.
type TimestampFormat uint8

// Timestamp formats.
const (
	// TimeOfDay prints the wall-clock time in Options.Location:
	// "15:04:05.000000" (tcpdump's default).
	TimeOfDay TimestampFormat = iota
	// NoTimestamp prints no timestamp (-t).
	NoTimestamp
	// UnixTime prints seconds since 1970: "1136214245.000000" (-tt).
	UnixTime
	// SincePrevious prints the time since the previous packet, the first
	// packet showing 0 (-ttt): " 00:00:00.000123".
	SincePrevious
	// DateTime prints the date and the wall-clock time in
	// Options.Location: "2006-01-02 15:04:05.000000" (-tttt).
	DateTime
	// SinceFirst prints the time since the first packet (-ttttt).
	SinceFirst
)
