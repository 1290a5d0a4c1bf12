package filter

//go:generate go run gen_names.go

// Names the compiler resolves itself. Port and protocol names come from a
// table made from Debian's netbase files (names_table.go), so they mean
// what they mean to tcpdump on Debian without reading /etc at run time.
// Host, network and Ethernet host names are never looked up.

// protoUndef is libpcap's PROTO_UNDEF: a port that is both TCP and UDP.
const protoUndef = -1

// IP protocol numbers used by the code generator.
const (
	ipprotoHopopts  = 0
	ipprotoICMP     = 1
	ipprotoIGMP     = 2
	ipprotoTCP      = 6
	ipprotoIGRP     = 9
	ipprotoUDP      = 17
	ipprotoRouting  = 43
	ipprotoFragment = 44
	ipprotoESP      = 50
	ipprotoAH       = 51
	ipprotoICMPv6   = 58
	ipprotoNone     = 59
	ipprotoDstopts  = 60
	ipprotoPIM      = 103
	ipprotoVRRP     = 112
	ipprotoCARP     = 112
	ipprotoSCTP     = 132
)

// Ethernet types and LLC SAPs.
const (
	ethertypeIP       = 0x0800
	ethertypeARP      = 0x0806
	ethertypeRevARP   = 0x8035
	ethertypeIPv6     = 0x86dd
	ethertypeAtalk    = 0x809b
	ethertypeAARP     = 0x80f3
	ethertypeDN       = 0x6003
	ethertypeLAT      = 0x6004
	ethertypeSCA      = 0x6007
	ethertypeMOPDL    = 0x6001
	ethertypeMOPRC    = 0x6002
	ethertypeLoopback = 0x9000
	ethertypeIPX      = 0x8137
	ethertypeNS       = 0x0600
	ethertype8021Q    = 0x8100
	ethertype8021AD   = 0x88a8
	ethertypeQinQ     = 0x9100
	ethertypeMPLS     = 0x8847
	ethertypePPPoED   = 0x8863
	ethertypePPPoES   = 0x8864
	ethertypeTEB      = 0x6558

	llcsapIP      = 0x06
	llcsapSNAP    = 0xaa
	llcsapISONS   = 0xfe
	llcsapNetBEUI = 0xf0
	llcsapIPX     = 0xe0
	llcsap8021D   = 0x42

	etherMTU = 1500
)

// etherProtos are the names "ether proto \name" accepts (libpcap's table).
var etherProtos = map[string]uint32{
	"aarp": ethertypeAARP, "arp": ethertypeARP, "atalk": ethertypeAtalk,
	"decnet": ethertypeDN, "ip": ethertypeIP, "ip6": ethertypeIPv6,
	"lat": ethertypeLAT, "loopback": ethertypeLoopback, "mopdl": ethertypeMOPDL,
	"moprc": ethertypeMOPRC, "rarp": ethertypeRevARP, "sca": ethertypeSCA,
}

// llcProtos are the LLC SAP names "ether proto \name" also accepts.
var llcProtos = map[string]uint32{
	"iso": llcsapISONS, "stp": llcsap8021D, "ipx": llcsapIPX, "netbeui": llcsapNetBEUI,
}

// lookupPort resolves a port name as libpcap does through getaddrinfo: a
// decimal number (with an optional sign, truncated to 16 bits as the C
// library does) or a service name; proto is ipprotoTCP, ipprotoUDP, or
// protoUndef when the name is the same port for both.
func lookupPort(name string) (port, proto int, ok bool) {
	if v, isNum := strtoul(name); isNum {
		return int(uint16(v)), protoUndef, true
	}
	p, found := services[name]
	if !found {
		return 0, 0, false
	}
	switch tcp, udp := int(p[0]), int(p[1]); {
	case tcp >= 0 && udp == tcp:
		return tcp, protoUndef, true
	case tcp >= 0:
		return tcp, ipprotoTCP, true
	case udp >= 0:
		return udp, ipprotoUDP, true
	}
	return 0, 0, false
}

// lookupPortRange resolves "P1-P2": two numbers as sscanf("%d-%d") reads
// them, else two port names or numbers either side of the first '-'.
func lookupPortRange(name string) (p1, p2, proto int, ok bool) {
	if a, b, n := scanRange(name); n == 2 {
		return int(a), int(b), protoUndef, true
	}
	lo, hi, found := cut(name, '-')
	if !found {
		return 0, 0, 0, false
	}
	p1, proto1, ok1 := lookupPort(lo)
	if !ok1 {
		return 0, 0, 0, false
	}
	p2, proto2, ok2 := lookupPort(hi)
	if !ok2 {
		return 0, 0, 0, false
	}
	if proto1 != proto2 {
		proto2 = protoUndef
	}
	return p1, p2, proto2, true
}

func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// strtoul reports whether s is entirely a number as strtoul(s, &end, 10)
// reads one (optional sign, decimal digits), and its value as the C library
// would store it in an int (negated, and saturated on overflow).
func strtoul(s string) (int32, bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i == len(s) {
		return 0, false
	}
	var v uint64
	over := false
	for ; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		if v > (1<<64-1-9)/10 {
			over = true
		}
		v = v*10 + uint64(s[i]-'0')
	}
	if over {
		return -1, true // ULONG_MAX
	}
	if neg {
		v = -v
	}
	return int32(v), true
}

// scanRange is sscanf(s, "%d-%d", &a, &b): it returns how many numbers it
// read and their values as ints.
func scanRange(s string) (a, b int32, n int) {
	a, rest, ok := scanInt(s)
	if !ok {
		return 0, 0, 0
	}
	if len(rest) == 0 || rest[0] != '-' {
		return a, 0, 1
	}
	b, _, ok = scanInt(rest[1:])
	if !ok {
		return a, 0, 1
	}
	return a, b, 2
}

// scanInt reads a %d conversion: optional sign, at least one digit, the
// value clamped to a C long and stored into an int.
func scanInt(s string) (int32, string, bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	clamp := false
	for i < len(s) && isDigit(s[i]) {
		d := int64(s[i] - '0')
		if v > (1<<63-1-d)/10 {
			clamp = true
		} else {
			v = v*10 + d
		}
		i++
	}
	if i == start {
		return 0, s, false
	}
	switch {
	case clamp && neg:
		v = -1 << 63
	case clamp:
		v = 1<<63 - 1
	case neg:
		v = -v
	}
	return int32(v), s[i:], true
}
