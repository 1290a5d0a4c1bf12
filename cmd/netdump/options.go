package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/pcap/live"
)

// options are tcpdump's flags that netdump understands. The field names
// follow tcpdump's ndo_* flags so the printers read like their behaviour is
// specified: e (link header), v (verbosity), x/X/A (raw dumps), q (quiet),
// S (absolute sequence numbers), K (no checksum checks), t (timestamp form).
type options struct {
	file      string // -r
	count     int    // -c, 0 for no limit
	numbers   bool   // -#: prefix each line with the packet number
	e         bool
	v         int
	x         int // -x once, -xx twice
	X         int
	A         int
	q         bool
	S         bool
	K         bool
	t         int  // -t count: 0 time of day, 1 none, 2 epoch seconds, 3 delta to previous, 4 date and time, 5 delta to first
	nano      bool // --nano: print fractions in nanoseconds
	lineBuf   bool // -l
	nameLevel int  // -n count; names are never resolved either way
	countOnly bool // --count: count the packets instead of printing them

	// The filter (filter.go): the expression from the remaining
	// arguments or -F FILE, -d count (print the program), -O (do not
	// optimize it). stdout is where -d prints; fileBigEndian is the byte
	// order of the file read, which a BSD loopback capture's filter needs.
	expr          string
	filterFile    string
	dump          int
	noOptimize    bool
	stdout        io.Writer
	fileBigEndian bool

	// Live capture (capture.go): -i, -p, -s, -B, -Q, --immediate-mode,
	// -y; -D lists the interfaces.
	iface      string
	listIfaces bool
	noPromisc  bool
	snaplen    int // -s; 0 for the default
	bufferSize int // -B, in bytes
	direction  live.Direction
	immediate  bool
	linkType   string // -y, a DLT name

	// Writing (write.go): -w FILE, --print, -C (in bytes), -G, -W, -U.
	write        string
	print        bool
	rotateSize   int64
	rotateSecs   int64
	fileCount    int
	packetBuffer bool

	// The TLS view (tlsview.go): --tls prints TLS lines after the packet
	// lines, --tls-only prints them instead, --tls-sessions a summary per
	// TLS connection (alone, nothing else). --keylog names an NSS key log.
	// --tls-memory bounds what the view holds, given in MiB and kept in
	// bytes (0: the default).
	tls, tlsOnly, tlsSessions bool
	keylog                    string
	tlsMemory                 int
}

// tlsView reports whether the TLS view is on.
func (o *options) tlsView() bool { return o.tls || o.tlsOnly || o.tlsSessions }

// tlsLines reports whether TLS lines are printed (not only summaries).
func (o *options) tlsLines() bool { return o.tls || o.tlsOnly }

// packetLines reports whether tcpdump's packet lines are printed.
func (o *options) packetLines() bool { return !o.tlsOnly && (o.tls || !o.tlsSessions) }

// printing reports whether anything is printed for each packet: always,
// unless the packets go to a file (-w) without --print, or are only
// counted (--count).
func (o *options) printing() bool { return (o.write == "" || o.print) && !o.countOnly }

// errUsage marks an error in the command line; main prints the usage text
// after it and exits 1, as tcpdump does.
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
func (e usageError) Unwrap() error { return errUsage }

// errHelp and errVersion stop the parsing where -h or --version is, as
// tcpdump prints the usage or the version the moment it meets them.
var (
	errHelp    = errors.New("help")
	errVersion = errors.New("version")
)

// Long options without a short letter get codes below any printable one.
const (
	optNano byte = iota + 1
	optMicro
	optPrecision
	optVersion
	optTLS
	optTLSOnly
	optTLSSessions
	optKeyLog
	optTLSMemory
	optImmediate
	optPrint
	optCount
	optUnsupported // a long option of tcpdump's that netdump does not have
)

// longOption is a long option: its name, the short letter or code it
// stands for, and whether it takes an argument.
type longOption struct {
	name   string
	short  byte
	hasArg bool
}

// longOptions are tcpdump 4.99.3's long options in its order (getopt_long
// lists the candidates of an ambiguous abbreviation in this order), then
// netdump's own.
var longOptions = []longOption{
	{"buffer-size", 'B', true},
	{"list-interfaces", 'D', false},
	{"help", 'h', false},
	{"interface", 'i', true},
	{"monitor-mode", 'I', false},
	{"time-stamp-type", 'j', true},
	{"list-time-stamp-types", 'J', false},
	{"micro", optMicro, false},
	{"nano", optNano, false},
	{"time-stamp-precision", optPrecision, true},
	{"dont-verify-checksums", 'K', false},
	{"list-data-link-types", 'L', false},
	{"no-optimize", 'O', false},
	{"no-promiscuous-mode", 'p', false},
	{"direction", 'Q', true},
	{"snapshot-length", 's', true},
	{"absolute-tcp-sequence-numbers", 'S', false},
	{"packet-buffered", 'U', false},
	{"linktype", 'y', true},
	{"immediate-mode", optImmediate, false},
	{"debug-filter-parser", 'Y', false},
	{"relinquish-privileges", 'Z', true},
	{"count", optCount, false},
	{"fp-type", optUnsupported, false},
	{"number", '#', false},
	{"print", optPrint, false},
	{"version", optVersion, false},
	{"tls", optTLS, false},
	{"tls-only", optTLSOnly, false},
	{"tls-sessions", optTLSSessions, false},
	{"keylog", optKeyLog, true},
	{"tls-memory", optTLSMemory, true},
}

// findLong finds a long option by its name or, as getopt_long does, by an
// abbreviation that only one option starts with.
func findLong(name string) (longOption, error) {
	var found []longOption
	for _, lo := range longOptions {
		if lo.name == name {
			return lo, nil
		}
		if strings.HasPrefix(lo.name, name) {
			found = append(found, lo)
		}
	}
	switch len(found) {
	case 0:
		return longOption{}, usageError{fmt.Sprintf("unrecognized option '--%s'", name)}
	case 1:
		return found[0], nil
	}
	msg := fmt.Sprintf("option '--%s' is ambiguous; possibilities:", name)
	for _, lo := range found {
		msg += " '--" + lo.name + "'"
	}
	return longOption{}, usageError{msg}
}

// shortOptions lists tcpdump 4.99.3's short options; a ':' after a letter
// means it takes an argument. Every one is parsed as tcpdump parses it,
// so that an option's argument is never mistaken for another option;
// those netdump does not implement are refused by set.
const shortOptions = "aAbB:c:C:dDeE:fF:G:hHi:IjJ:KlLm:M:nNOpqQ:r:s:StT:uUvV:w:W:xXy:Yz:Z:#"

// parseArgs parses argv (without the program name) the way getopt_long
// does: bundled short flags (-nnvvXX), an option's argument attached or as
// the next word, long options with "=" or a separate argument and
// abbreviated to any unambiguous prefix, and "--" ending the options.
// Remaining words are the filter expression, joined with spaces as
// tcpdump joins them.
func parseArgs(args []string) (*options, error) {
	o := &options{}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			lo, err := findLong(name)
			if err != nil {
				return nil, err
			}
			if lo.hasArg && !hasVal {
				if i+1 >= len(args) {
					return nil, usageError{fmt.Sprintf("option '--%s' requires an argument", lo.name)}
				}
				i++
				val = args[i]
			} else if !lo.hasArg && hasVal {
				return nil, usageError{fmt.Sprintf("option '--%s' doesn't allow an argument", lo.name)}
			}
			if lo.short == optUnsupported {
				return nil, fmt.Errorf("option --%s is not supported", lo.name)
			}
			if err := o.set(lo.short, val); err != nil {
				return nil, err
			}
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				c := a[j]
				k := strings.IndexByte(shortOptions, c)
				if k < 0 || c == ':' {
					return nil, usageError{fmt.Sprintf("invalid option -- '%c'", c)}
				}
				if k+1 < len(shortOptions) && shortOptions[k+1] == ':' {
					val := a[j+1:]
					if val == "" {
						if i+1 >= len(args) {
							return nil, usageError{fmt.Sprintf("option requires an argument -- '%c'", c)}
						}
						i++
						val = args[i]
					}
					if err := o.set(c, val); err != nil {
						return nil, err
					}
					break
				}
				if err := o.set(c, ""); err != nil {
					return nil, err
				}
			}
		default:
			rest = append(rest, a)
		}
	}
	if o.t > 5 {
		return nil, errors.New("only -t, -tt, -ttt, -tttt and -ttttt are supported")
	}
	o.expr = strings.Join(rest, " ")
	return o, nil
}

// atoi is the C library's atoi, which tcpdump uses for -c, -B, -G and -W:
// strtol in base 10 (leading spaces, a sign, decimal digits up to the
// first other character, 0 without digits: "10abc" is 10, "0x10" is 0,
// a value out of range the nearest limit) cut to a C int.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n uint64
	over := false
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			break
		}
		if n > (math.MaxInt64-uint64(c-'0'))/10 {
			over = true
		} else {
			n = n*10 + uint64(c-'0')
		}
	}
	v := int64(n)
	switch {
	case over && neg:
		v = math.MinInt64
	case over:
		v = math.MaxInt64
	case neg:
		v = -v
	}
	return int(int32(v))
}

// unsupportedOptions are tcpdump's options that netdump does not have,
// with what they do, for the message that says so.
var unsupportedOptions = map[byte]string{
	'b': "BGP AS numbers in ASDOT notation",
	'E': "ESP decryption",
	'f': "foreign addresses",
	'H': "802.11s mesh headers",
	'I': "monitor mode",
	'j': "time stamp types",
	'J': "time stamp types",
	'L': "listing data link types",
	'm': "SMI MIB modules",
	'M': "TCP-MD5 secrets",
	'T': "forcing a packet type",
	'u': "undecoded NFS handles",
	'V': "reading a list of files",
	'Y': "filter parser debugging",
	'z': "a post-rotate command",
	'Z': "dropping privileges",
}

func (o *options) set(c byte, val string) error {
	if what, ok := unsupportedOptions[c]; ok {
		return fmt.Errorf("option -%c (%s) is not supported", c, what)
	}
	switch c {
	case 'a':
		// tcpdump accepts it for compatibility and ignores it.
	case 'A':
		o.A++
	case 'B':
		// KiB, multiplied in a C int as tcpdump does.
		n := int(int32(atoi(val) * 1024))
		if n <= 0 {
			return fmt.Errorf("invalid packet buffer size %s", val)
		}
		o.bufferSize = n
	case 'c':
		n := atoi(val)
		if n <= 0 {
			return fmt.Errorf("invalid packet count %s", val)
		}
		o.count = n
	case 'C':
		// strtoll in base 10, the whole argument, in range.
		n, err := strconv.ParseInt(strings.TrimLeft(val, " \t\n\v\f\r"), 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("invalid file size %s", val)
		}
		if n > math.MaxInt64/1000000 {
			return fmt.Errorf("file size %s is too large", val)
		}
		o.rotateSize = n * 1000000
	case 'D':
		o.listIfaces = true
	case 'G':
		n := atoi(val)
		if n < 0 {
			return fmt.Errorf("invalid number of seconds %s", val)
		}
		o.rotateSecs = int64(n)
	case 'i':
		o.iface = val
	case 'Q':
		switch strings.ToLower(val) {
		case "in":
			o.direction = live.In
		case "out":
			o.direction = live.Out
		case "inout":
			o.direction = live.InOut
		default:
			return fmt.Errorf("unknown capture direction `%s'", val)
		}
	case 'w':
		o.write = val
	case 'W':
		n := atoi(val)
		if n <= 0 {
			return fmt.Errorf("invalid number of output files %s", val)
		}
		o.fileCount = n
	case 'y':
		o.linkType = val
	case 'e':
		o.e = true
	case 'K':
		o.K = true
	case 'l':
		o.lineBuf = true
	case 'n':
		o.nameLevel++
	case 'N':
		// Name shortening changes nothing since names are never
		// resolved.
	case 'O':
		o.noOptimize = true
	case 'd':
		o.dump++
	case 'F':
		o.filterFile = val
	case 'p':
		o.noPromisc = true
	case 'U':
		o.packetBuffer = true
	case 'q':
		o.q = true
	case 'r':
		o.file = val
	case 's':
		// strtol with base 0, as tcpdump parses it: 0x100 is 256.
		n, err := strconv.ParseInt(val, 0, 64)
		if err != nil || n < 0 || n > pcap.MaxSnaplen {
			return fmt.Errorf("invalid snaplen %s (must be >= 0 and <= %d)", val, pcap.MaxSnaplen)
		}
		o.snaplen = int(n)
	case 'S':
		o.S = true
	case 't':
		o.t++
	case 'v':
		o.v++
	case 'x':
		o.x++
	case 'X':
		o.X++
	case '#':
		o.numbers = true
	case 'h':
		return errHelp
	case optNano:
		o.nano = true
	case optMicro:
		o.nano = false
	case optPrecision:
		// tcpdump compares only the first letters: "nanoseconds" is
		// nano.
		switch {
		case strings.HasPrefix(val, "nano"):
			o.nano = true
		case strings.HasPrefix(val, "micro"):
			o.nano = false
		default:
			return fmt.Errorf("unsupported time stamp precision")
		}
	case optVersion:
		return errVersion
	case optImmediate:
		o.immediate = true
	case optPrint:
		o.print = true
	case optCount:
		o.countOnly = true
	case optTLS:
		o.tls = true
	case optTLSOnly:
		o.tlsOnly = true
	case optTLSSessions:
		o.tlsSessions = true
	case optKeyLog:
		o.keylog = val
	case optTLSMemory:
		// MiB, fractions allowed (0.5 is 512 KiB).
		n, err := strconv.ParseFloat(val, 64)
		if err != nil || !(n*(1<<20) >= 1) || n > maxTLSMemory {
			return fmt.Errorf("invalid TLS memory bound %s: give MiB, more than 0 and at most %d", val, maxTLSMemory)
		}
		o.tlsMemory = int(n * (1 << 20))
	}
	return nil
}

// maxTLSMemory is the largest --tls-memory, in MiB: 1 TiB.
const maxTLSMemory = 1 << 20
