package gvisorbench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/stack"
)

// netstack is a pair of TCP endpoints, a server side and a client side,
// joined by some link: two medina stacks over link/pipe, two gVisor stacks
// over channel endpoints, or the host kernel's loopback. The measuring
// code sees only this, so it is the same code for every stack.
type netstack interface {
	// Name is the stack's name: medina, gvisor or loopback.
	Name() string
	// Listen opens a TCP listener on the server side.
	Listen(addr string) (net.Listener, error)
	// Dial connects from the client side.
	Dial(ctx context.Context, addr string) (net.Conn, error)
	// Close tears the pair down, with every connection on it.
	Close()
}

// family is an IP version the stacks are measured over: the addresses of
// the two simulated stacks (server and client, on one link) and of the
// host's loopback.
type family struct {
	name     string // the sub-benchmark's name: ipv4 or ipv6
	srv, cli netip.Prefix
	loopback netip.Addr
}

// The families. IPv6's addresses are from the documentation prefix
// 2001:db8::/32 (RFC 3849), on a /64 as an Ethernet link's would be; both
// stacks find each other's link-layer address with Neighbor Discovery, as
// the IPv4 ones do with ARP.
var (
	ipv4Family = family{
		name:     "ipv4",
		srv:      netip.MustParsePrefix("10.0.0.1/24"),
		cli:      netip.MustParsePrefix("10.0.0.2/24"),
		loopback: netip.MustParseAddr("127.0.0.1"),
	}
	ipv6Family = family{
		name:     "ipv6",
		srv:      netip.MustParsePrefix("2001:db8::1/64"),
		cli:      netip.MustParsePrefix("2001:db8::2/64"),
		loopback: netip.MustParseAddr("::1"),
	}
	allFamilies = []family{ipv4Family, ipv6Family}
)

// families are the ones this run measures: BENCH_FAMILIES, such as "ipv6"
// or "ipv4,ipv6" (the default, both).
var families = envFamilies("BENCH_FAMILIES")

func envFamilies(name string) []family {
	s := strings.TrimSpace(os.Getenv(name))
	if s == "" {
		return allFamilies
	}
	fams, err := parseFamilies(s)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s=%q: %v; measuring both\n", name, s, err)
		return allFamilies
	}
	return fams
}

// parseFamilies reads a list of family names separated by commas or
// spaces, in the order of allFamilies whatever the list's.
func parseFamilies(s string) ([]family, error) {
	want := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !strings.EqualFold(f, ipv4Family.name) && !strings.EqualFold(f, ipv6Family.name) {
			return nil, fmt.Errorf("unknown family %q (ipv4, ipv6)", f)
		}
		want[strings.ToLower(f)] = true
	}
	var fams []family
	for _, f := range allFamilies {
		if want[f.name] {
			fams = append(fams, f)
		}
	}
	if len(fams) == 0 {
		return nil, errors.New("no family")
	}
	return fams, nil
}

// A stack under comparison: its name and how to build a pair of it over
// a family.
type stackKind struct {
	name string
	new  func(family) (netstack, error)
}

const loopbackName = "loopback"

var stacks = []stackKind{
	{"medina", func(f family) (netstack, error) { return newMedinaNet(f, false) }},
	{"gvisor", func(f family) (netstack, error) { return newGVisorNet(f) }},
	{loopbackName, func(f family) (netstack, error) { return loopbackNet{f}, nil }},
}

// offloadStack is medina over a pipe with Offload: TCP super-segments of
// up to 64 KiB cross it whole, their checksums left partial, as between
// two virtual machines' virtio-net devices (issue 12, item 2). The bulk
// and allocation benchmarks measure it beside the others.
var offloadStack = stackKind{"medina-offload", func(f family) (netstack, error) { return newMedinaNet(f, true) }}

// kind is one stack over one family: how to build a pair, and where its
// server listens.
type kind struct {
	name   string // the stack's
	fam    family
	listen string // the listener's address; port 0 picks one
	mk     func(family) (netstack, error)
}

// new builds a pair of the kind's stack over its family.
func (k kind) new() (netstack, error) { return k.mk(k.fam) }

// String is the kind's sub-benchmark path: medina/ipv6.
func (k kind) String() string { return k.name + "/" + k.fam.name }

func kindOf(s stackKind, f family) kind {
	k := kind{name: s.name, fam: f, listen: netip.AddrPortFrom(f.srv.Addr(), 5001).String(), mk: s.new}
	if s.name == loopbackName {
		k.listen = netip.AddrPortFrom(f.loopback, 0).String()
	}
	return k
}

// medinaNet is two medina stacks over an in-memory pipe (MTU 1500, a
// queue of linkQueue frames each way), with Offload or without.
type medinaNet struct {
	srv, cli *stack.Stack
	offload  bool
}

// newMedinaNet builds the pair with one address each, of f's family (in
// Config.Addrs, as static addresses: in use at once, without Duplicate
// Address Detection, as gVisor's are), stack defaults otherwise.
func newMedinaNet(f family, offload bool) (*medinaNet, error) {
	a, b := pipe.New(pipe.Config{Queue: linkQueue, Offload: offload})
	srv, err := stack.New(a, stack.Config{Addrs: []netip.Prefix{f.srv}, NoGratuitousARP: true})
	if err != nil {
		a.Close()
		b.Close()
		return nil, err
	}
	cli, err := stack.New(b, stack.Config{Addrs: []netip.Prefix{f.cli}, NoGratuitousARP: true})
	if err != nil {
		srv.Close()
		b.Close()
		return nil, err
	}
	return &medinaNet{srv: srv, cli: cli, offload: offload}, nil
}

func (m *medinaNet) Name() string {
	if m.offload {
		return offloadStack.name
	}
	return "medina"
}

// Listen calls the server stack's Listen("tcp", addr).
func (m *medinaNet) Listen(addr string) (net.Listener, error) {
	return m.srv.Listen("tcp", addr)
}

// Dial calls the client stack's DialContext(ctx, "tcp", addr).
func (m *medinaNet) Dial(ctx context.Context, addr string) (net.Conn, error) {
	return m.cli.DialContext(ctx, "tcp", addr)
}

// Retransmits returns the TCP segments both stacks retransmitted: on a
// lossless link any are frames the link's queue dropped (or spurious).
func (m *medinaNet) Retransmits() uint64 {
	return m.srv.TCPStats().RetransSegs + m.cli.TCPStats().RetransSegs
}

func (m *medinaNet) Close() {
	m.cli.Close()
	m.srv.Close()
}

// loopbackNet is the host kernel's TCP over Linux loopback (MTU 65536, not
// 1500, with the kernel's segmentation offloads), 127.0.0.1 or ::1: not a
// contender, a sanity baseline for the measuring code and a scale for the
// other figures.
type loopbackNet struct{ fam family }

func (loopbackNet) Name() string { return loopbackName }

// network is tcp4 or tcp6, so that the family is the one asked for.
func (l loopbackNet) network() string {
	if l.fam.loopback.Is4() {
		return "tcp4"
	}
	return "tcp6"
}

func (l loopbackNet) Listen(addr string) (net.Listener, error) { return net.Listen(l.network(), addr) }

func (l loopbackNet) Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, l.network(), addr)
}

func (loopbackNet) Close() {}

// maxLoopbackConns is how many loopback connection pairs fit in the
// process's file descriptor limit (two descriptors a pair, and some spare).
func maxLoopbackConns() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 1000
	}
	return int(lim.Cur-64) / 2
}
