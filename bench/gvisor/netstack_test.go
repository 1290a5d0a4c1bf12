package gvisorbench

import (
	"context"
	"net"
	"net/netip"
	"syscall"

	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/stack"
)

// netstack is a pair of TCP endpoints, a server side and a client side,
// joined by some link: two medina stacks over link/pipe, two gVisor stacks
// over channel endpoints, or the host kernel's loopback. The measuring
// code sees only this, so it is the same code for every stack.
type netstack interface {
	// Name is the sub-benchmark name: medina, gvisor or loopback.
	Name() string
	// Listen opens a TCP listener on the server side.
	Listen(addr string) (net.Listener, error)
	// Dial connects from the client side.
	Dial(ctx context.Context, addr string) (net.Conn, error)
	// Close tears the pair down, with every connection on it.
	Close()
}

// The simulated stacks' addresses: the server is 10.0.0.1, the client
// 10.0.0.2, on 10.0.0.0/24.
var (
	srvAddr = netip.MustParsePrefix("10.0.0.1/24")
	cliAddr = netip.MustParsePrefix("10.0.0.2/24")
)

// kind is one of the stacks under comparison: how to build a pair, and
// where its server listens.
type kind struct {
	name   string
	new    func() (netstack, error)
	listen string // the listener's address; port 0 picks one
}

var (
	medinaKind   = kind{"medina", func() (netstack, error) { return newMedinaNet() }, "10.0.0.1:5001"}
	gvisorKind   = kind{"gvisor", func() (netstack, error) { return newGVisorNet() }, "10.0.0.1:5001"}
	loopbackKind = kind{"loopback", func() (netstack, error) { return loopbackNet{}, nil }, "127.0.0.1:0"}

	kinds = []kind{medinaKind, gvisorKind, loopbackKind}
)

// medinaNet is two medina stacks over an in-memory pipe (MTU 1500, a
// queue of linkQueue frames each way).
type medinaNet struct {
	srv, cli *stack.Stack
}

func newMedinaNet() (*medinaNet, error) {
	a, b := pipe.New(pipe.Config{Queue: linkQueue})
	srv, err := stack.New(a, stack.Config{Addr: srvAddr, NoGratuitousARP: true})
	if err != nil {
		a.Close()
		b.Close()
		return nil, err
	}
	cli, err := stack.New(b, stack.Config{Addr: cliAddr, NoGratuitousARP: true})
	if err != nil {
		srv.Close()
		b.Close()
		return nil, err
	}
	return &medinaNet{srv: srv, cli: cli}, nil
}

func (m *medinaNet) Name() string { return "medina" }

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
// 1500, with the kernel's segmentation offloads): not a contender, a sanity
// baseline for the measuring code and a scale for the other figures.
type loopbackNet struct{}

func (loopbackNet) Name() string { return "loopback" }

func (loopbackNet) Listen(addr string) (net.Listener, error) { return net.Listen("tcp4", addr) }

func (loopbackNet) Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp4", addr)
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
