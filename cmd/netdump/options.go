package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
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

// errUsage marks an error in the command line; main prints the usage text
// after it and exits 1, as tcpdump does.
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
func (e usageError) Unwrap() error { return errUsage }

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
)

// longOptions maps tcpdump's long options to their short letters, or to a
// name of their own where there is no letter. hasArg says whether they take
// an argument.
var longOptions = map[string]struct {
	short  byte
	hasArg bool
}{
	"nano":                          {optNano, false},
	"micro":                         {optMicro, false},
	"time-stamp-precision":          {optPrecision, true},
	"number":                        {'#', false},
	"dont-verify-checksums":         {'K', false},
	"absolute-tcp-sequence-numbers": {'S', false},
	"packet-buffered":               {'U', false},
	"help":                          {'h', false},
	"version":                       {optVersion, false},
	"tls":                           {optTLS, false},
	"tls-only":                      {optTLSOnly, false},
	"tls-sessions":                  {optTLSSessions, false},
	"keylog":                        {optKeyLog, true},
	"tls-memory":                    {optTLSMemory, true},
}

// shortOptions lists the short flags; a ':' after a letter means it takes an
// argument. It is the part of tcpdump's option string that applies to
// reading files. -l, -n, -N, -p, -O and -U are accepted for compatibility.
const shortOptions = "Ac:eKlnNOpqr:s:StUvxX#h"

// parseArgs parses argv (without the program name) the way getopt_long
// does: bundled short flags (-nnvvXX), an option's argument attached or as
// the next word, long options with "=" or a separate argument, and "--"
// ending the options. Remaining words are a filter expression, which
// netdump does not implement yet.
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
			lo, ok := longOptions[name]
			if !ok {
				return nil, usageError{fmt.Sprintf("unrecognized option '%s'", a)}
			}
			if lo.hasArg && !hasVal {
				if i+1 >= len(args) {
					return nil, usageError{fmt.Sprintf("option '--%s' requires an argument", name)}
				}
				i++
				val = args[i]
			} else if !lo.hasArg && hasVal {
				return nil, usageError{fmt.Sprintf("option '--%s' doesn't allow an argument", name)}
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
	if len(rest) > 0 {
		return nil, fmt.Errorf("filter expressions are not supported yet: %q", strings.Join(rest, " "))
	}
	return o, nil
}

func (o *options) set(c byte, val string) error {
	switch c {
	case 'A':
		o.A++
	case 'c':
		n, err := strconv.ParseInt(val, 0, 32)
		if err != nil || n <= 0 {
			return fmt.Errorf("invalid packet count %s", val)
		}
		o.count = int(n)
	case 'e':
		o.e = true
	case 'K':
		o.K = true
	case 'l':
		o.lineBuf = true
	case 'n':
		o.nameLevel++
	case 'N', 'O', 'p', 'U':
		// Name shortening, optimiser, promiscuous mode and packet-buffered
		// output change nothing when printing a file.
	case 'q':
		o.q = true
	case 'r':
		o.file = val
	case 's':
		// The snapshot length applies to live captures only.
		if _, err := strconv.ParseInt(val, 0, 32); err != nil {
			return fmt.Errorf("invalid snaplen %s", val)
		}
	case 'S':
		o.S = true
	case 't':
		o.t++
		if o.t > 5 {
			return usageError{"only -t, -tt, -ttt, -tttt and -ttttt are supported"}
		}
	case 'v':
		o.v++
	case 'x':
		o.x++
	case 'X':
		o.X++
	case '#':
		o.numbers = true
	case 'h':
		return usageError{""}
	case optNano:
		o.nano = true
	case optMicro:
		o.nano = false
	case optPrecision:
		switch val {
		case "nano":
			o.nano = true
		case "micro":
			o.nano = false
		default:
			return fmt.Errorf("unsupported time stamp precision")
		}
	case optVersion:
		return usageError{""}
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

const usageText = `Usage: netdump [-AeKlnqStvxX#] [-c count] [-r file] [--nano] [--micro]
		[--time-stamp-precision=micro|nano]
		[--tls] [--tls-only] [--tls-sessions] [--keylog file] [--tls-memory MiB]
netdump reads pcap and pcapng files and prints them as tcpdump 4.99.3 does.
--tls adds a line per TLS message after its packet (decrypted application
data dumped as -A, or -X/-x); --tls-only prints those lines alone;
--tls-sessions a summary per TLS connection. Keys come from --keylog,
SSLKEYLOGFILE and the capture's pcapng Decryption Secrets Blocks.
--tls-memory bounds what the TLS view holds (64 MiB by default, at most
4 MiB of it per connection); past it the least recently active
connections are dropped, with a warning.
`
