package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is netdump's version: the module's version when it was built
// with go install at a version, otherwise "devel" and the commit it was
// built from, as the Go toolchain recorded it.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	v := "devel"
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if len(s.Value) > 12 {
				s.Value = s.Value[:12]
			}
			v += "-" + s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		v += "-dirty"
	}
	return v
}

// printVersion prints what --version prints, in the shape of tcpdump's:
// the program's version, then the versions of what it builds on; here the
// tcpdump and libpcap whose output netdump follows, and Go.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "netdump version %s\n", version())
	fmt.Fprintln(w, "following the output of tcpdump version 4.99.3, libpcap version 1.10.3")
	fmt.Fprintf(w, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// printUsage prints what -h prints (to stdout) and what follows a bad
// option (to stderr): the version, then the options, as tcpdump's
// print_usage does.
func printUsage(w io.Writer) {
	printVersion(w)
	fmt.Fprint(w, usageText)
}

const usageText = `Usage: netdump [-ADdehKlnNOpqStUvxX#] [ -B size ] [ -c count ] [--count]
		[ -C file_size ] [ -F file ] [ -G seconds ] [ -i interface ] [ --immediate-mode ]
		[ --number ] [ --print ] [ -Q in|out|inout ]
		[ -r file ] [ -s snaplen ] [ --version ]
		[ -w file ] [ -W filecount ] [ -y datalinktype ]
		[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
		[ --tls ] [ --tls-only ] [ --tls-sessions ] [ --keylog file ]
		[ --tls-memory MiB ] [ expression ]
netdump prints packets as tcpdump 4.99.3 does, from pcap and pcapng files
(-r) or captured live on Linux (-i), and writes them to files (-w, pcapng
when the name ends in .pcapng).
--tls adds a line per TLS message after its packet (decrypted application
data dumped as -A, or -X/-x); --tls-only prints those lines alone;
--tls-sessions a summary per TLS connection. Keys come from --keylog,
SSLKEYLOGFILE and the capture's pcapng Decryption Secrets Blocks.
--tls-memory bounds what the TLS view holds (64 MiB by default, at most
4 MiB of it per connection); past it the least recently active
connections are dropped, with a warning.
`
