package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/medina-net/medina/filter"
	"github.com/medina-net/medina/pcap"
)

// The filter expression, as tcpdump takes it: the arguments after the
// options, joined with spaces, or the contents of -F FILE (whose '#'
// comments are blanked out to the end of their line), compiled by package
// filter for the input's link type. -d, -dd and -ddd print the program in
// tcpdump's formats and exit 0; -O compiles it unoptimized.

// errFilterDumped stops netdump, with status 0, once -d has printed the
// program.
var errFilterDumped = errors.New("filter program printed")

// filterExpr returns the expression netdump was given.
func filterExpr(opt *options) (string, error) {
	if opt.filterFile == "" {
		return opt.expr, nil
	}
	b, err := os.ReadFile(opt.filterFile)
	if err != nil {
		return "", fmt.Errorf("can't open %s: %v", opt.filterFile, errnoText(err))
	}
	for i := 0; i < len(b); i++ {
		if b[i] == '#' {
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		}
	}
	return string(b), nil
}

// errnoText is the C library's wording of an error opening a file.
func errnoText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// compileExpression is compileFilter: it compiles the expression for the
// input's link type and snapshot length, for a file when reading one (-r)
// and for the kernel otherwise (a live capture; vlanExt: a kernel that
// takes VLAN tags off frames, which "vlan" then asks it about). With -d
// it prints the program to stdout and returns errFilterDumped.
func compileExpression(opt *options, lt pcap.LinkType, snaplen int, vlanExt bool) (*packetFilter, error) {
	expr, err := filterExpr(opt)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(expr) == "" && opt.dump == 0 {
		return nil, nil
	}
	f, err := filter.CompileOptions(expr, filter.Options{
		LinkType:      lt,
		Snaplen:       snaplen,
		NoOptimize:    opt.noOptimize,
		Kernel:        opt.file == "",
		NullBigEndian: opt.fileBigEndian,
	})
	if err != nil {
		return nil, err
	}
	if opt.dump > 0 {
		if err := dumpFilter(f, opt, opt.stdout); err != nil {
			return nil, err
		}
		return nil, errFilterDumped
	}
	return &packetFilter{Program: f.Raw(), Match: f.Match}, nil
}

// dumpWithoutInput is -d with neither -r nor -i: tcpdump compiles for
// Ethernet, with a warning.
func dumpWithoutInput(opt *options, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "Warning: assuming Ethernet")
	opt.stdout = stdout
	if _, err := compileExpression(opt, pcap.LinkTypeEthernet, pcap.MaxSnaplen, false); err != errFilterDumped {
		fmt.Fprintf(stderr, "netdump: %v\n", err)
		return 1
	}
	return 0
}

// dumpFilter prints the program as -d, -dd or -ddd asks.
func dumpFilter(f *filter.Filter, opt *options, stdout io.Writer) error {
	format := filter.DumpText
	switch {
	case opt.dump == 2:
		format = filter.DumpC
	case opt.dump > 2:
		format = filter.DumpDecimal
	}
	return f.Dump(stdout, format)
}
