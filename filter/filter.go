// Package filter compiles pcap-filter(7) expressions ("host 10.0.0.1 and
// tcp port 443", "ip[6:2] & 0x1fff = 0", "vlan 10 and udp") to classic BPF
// and runs them on packets.
//
// The language and its meaning are libpcap 1.10.3's, which tcpdump 4.99.3
// uses: the same expressions are accepted, the same packets match (short
// packets included: a load past the captured bytes rejects a packet, so
// what a program loads and in which order is part of its meaning), and an
// expression libpcap refuses is refused with libpcap's message (tcpdump
// prints it after "tcpdump: "). Programs are x/net/bpf instructions that
// can be attached to a socket. The code generator and the optimizer follow
// libpcap's closely enough that the program is often libpcap's instruction
// for instruction (for all of libpcap's own Ethernet test expressions), but
// that is not promised. Names of hosts, networks and Ethernet hosts are
// never looked up: such an expression is refused. Port and protocol names
// come from a built-in copy of Debian's /etc/services and /etc/protocols.
//
// Match evaluates a program with an interpreter of its own, which fuses the
// common load-and-compare sequences; it allocates nothing.
package filter

import (
	"errors"
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
)

// NetmaskUnknown as Options.Netmask makes "ip broadcast" an error, as
// libpcap's PCAP_NETMASK_UNKNOWN does.
const NetmaskUnknown = 0xffffffff

// DefaultSnaplen is the snapshot length programs return for an accepted
// packet when none is given: libpcap's maximum, tcpdump's default.
const DefaultSnaplen = 262144

// Options says what a program is compiled for.
type Options struct {
	// LinkType is the link-layer header the packets start with. Ethernet,
	// raw IP (RAW, IPV4, IPV6), loopback (NULL, LOOP), Linux cooked
	// (LINUX_SLL, LINUX_SLL2), PPP, PPP_SERIAL, C_HDLC and SLIP are
	// supported.
	LinkType pcap.LinkType
	// Snaplen is what the program returns for a packet it accepts
	// (DefaultSnaplen if 0).
	Snaplen int
	// Netmask is the network mask "ip broadcast" uses: a broadcast is an
	// address whose host part is all zeros or all ones. tcpdump uses 0
	// when reading a file, so that only 0.0.0.0 and 255.255.255.255
	// count; NetmaskUnknown refuses "ip broadcast".
	Netmask uint32
	// Kernel compiles for a program that runs in the Linux kernel on a
	// live capture (tcpdump -d without -r, too): "inbound", "outbound"
	// and "ifindex" then read the kernel's packet metadata instead of
	// being refused on link types that do not carry a direction, and a
	// BSD loopback (NULL) IPv6 packet is Linux's AF_INET6 rather than one
	// of the values the BSDs use in files.
	Kernel bool
	// NullBigEndian says that a NULL (BSD loopback) capture was written
	// on a big-endian machine, whose address family word is then in that
	// byte order (pcap.Reader.ByteOrder tells).
	NullBigEndian bool
	// VLANExtensions compiles "vlan" for a Linux kernel that takes VLAN
	// tags off received frames and gives them to the filter as packet
	// metadata (pcap/live.Handle.VLANExtensions), as libpcap does for
	// such a live capture. The program then reads that metadata, which
	// only the kernel has: Match rejects every packet a program with
	// "vlan" is asked about.
	VLANExtensions bool
	// NoOptimize turns the optimizer off, as tcpdump -O does: programs
	// are longer, and an expression no packet can match is accepted
	// rather than refused.
	NoOptimize bool
}

// Filter is a compiled expression. Its methods may be called from several
// goroutines at once.
type Filter struct {
	expr    string
	raw     []bpf.RawInstruction
	vm      vm
	snaplen uint32
	loops   bool
}

// Compile compiles expr for packets of link type lt read from a capture
// file, returning snaplen for an accepted packet. It is CompileOptions with
// the other options at their zero values.
func Compile(expr string, lt pcap.LinkType, snaplen int) (*Filter, error) {
	return CompileOptions(expr, Options{LinkType: lt, Snaplen: snaplen})
}

// CompileOptions compiles expr. An error is an *Error.
func CompileOptions(expr string, o Options) (*Filter, error) {
	if o.Snaplen == 0 {
		o.Snaplen = DefaultSnaplen
	}
	if o.Snaplen < 0 {
		return nil, errorf(fmt.Sprintf("invalid snapshot length %d", o.Snaplen))
	}
	raw, loops, err := compile(expr, o)
	if err != nil {
		return nil, err
	}
	f := &Filter{expr: expr, raw: raw, snaplen: uint32(o.Snaplen), loops: loops}
	f.vm = newVM(raw)
	return f, nil
}

// Match reports whether the filter accepts a packet: pkt is the captured
// bytes and wirelen the length on the wire (what "len" and "greater" see).
func (f *Filter) Match(pkt []byte, wirelen int) bool { return f.vm.run(pkt, wirelen) != 0 }

// Run returns what the program returns for a packet, as a BPF program
// does: 0 to reject it, otherwise the snapshot length to keep.
func (f *Filter) Run(pkt []byte, wirelen int) uint32 { return f.vm.run(pkt, wirelen) }

// Raw returns the program's instructions, as the kernel takes them
// (SO_ATTACH_FILTER) and as tcpdump -dd prints them.
func (f *Filter) Raw() []bpf.RawInstruction { return append([]bpf.RawInstruction(nil), f.raw...) }

// Program returns the program as x/net/bpf instructions.
func (f *Filter) Program() []bpf.Instruction {
	insts, _ := bpf.Disassemble(f.raw)
	return insts
}

// Expr returns the expression the filter was compiled from.
func (f *Filter) Expr() string { return f.expr }

// Snaplen returns what the program returns for an accepted packet.
func (f *Filter) Snaplen() uint32 { return f.snaplen }

// Loops reports whether the program jumps backwards, as "protochain" does
// (libpcap's way of walking IPv6 extension headers): Match runs it, but
// the Linux kernel and x/net/bpf's VM refuse it, so a live capture must
// filter such an expression in user space.
func (f *Filter) Loops() bool { return f.loops }

// compile is the pipeline: scan, parse, generate, optimize, assemble.
func compile(expr string, o Options) ([]bpf.RawInstruction, bool, error) {
	dlt := o.LinkType.DLT()
	c, err := newCompiler(o, dlt)
	if err != nil {
		return nil, false, err
	}
	toks := scan(expr)
	ps := &parser{toks: toks, memo: map[memoKey]memoVal{}}
	tree, ok := ps.parse()
	if !ok {
		return nil, false, syntaxFailure(toks, ps.far, o, dlt)
	}
	b, err := c.generate(tree, true)
	if err != nil {
		return nil, false, err
	}
	accept := &block{leaf: true, ok: true}
	reject := &block{leaf: true}
	root := accept
	if b != nil {
		root = lower(b, accept, reject)
	}
	if !o.NoOptimize && !c.noOptimize {
		var rejectsAll bool
		root, rejectsAll, err = optimize(root)
		if err != nil {
			return nil, false, err
		}
		if rejectsAll {
			return nil, false, errorf("expression rejects all packets")
		}
	}
	raw, err := assemble(root, uint32(o.Snaplen))
	if err != nil {
		return nil, false, err
	}
	loops := false
	for _, in := range raw {
		if in.Op == bpfJMP|bpfJA && int32(in.K) < 0 {
			loops = true
		}
	}
	return raw, loops, nil
}

// generate runs the code generator over the tree, turning its first error
// into the returned error; with finish, it also makes the comparisons,
// folding their constants (which can fail, as libpcap's optimizer does).
func (c *compiler) generate(tree node, finish bool) (b *bexpr, err error) {
	defer func() {
		if r := recover(); r != nil {
			ge, ok := r.(genError)
			if !ok {
				panic(r)
			}
			b, err = nil, ge.err
		}
	}()
	if tree == nil {
		return nil, nil
	}
	b, _ = c.genNode(tree, qerr)
	if c.vlanOffsets {
		// The registers of the offsets start at 0, set before anything.
		t := leftmost(b)
		init := []ins{stmt(bpfLD|bpfW|bpfIMM, 0), stmt(bpfST, uint32(c.offLinkPL.reg)), stmt(bpfST, uint32(c.offLinkType.reg))}
		t.stmts = append(init, t.stmts...)
		t.opaque = true
	}
	if finish {
		c.finish(b)
	}
	return b, nil
}

// finish makes the statements of the comparisons, now that it is known
// whether the optimizer will run.
func (c *compiler) finish(b *bexpr) {
	if b == nil {
		return
	}
	if b.kind == bTest {
		if b.t.cmp != nil && b.t.stmts == nil {
			c.finishCompare(b.t)
		}
		if b.t.unopt != nil && (c.noOptimize || c.opts.NoOptimize) {
			b.t.stmts, b.t.op, b.t.k, b.t.inv, b.t.unopt = b.t.unopt, bpfJMP|bpfJEQ|bpfK, 0, false, nil
		}
		return
	}
	c.finish(b.l)
	c.finish(b.r)
}

// syntaxFailure picks the error for an expression that does not parse, as
// libpcap's parser would have reported it: it runs the actions of what it
// parsed before the offending token, and an error there comes first; then
// an error the scanner found in a token it read; then "syntax error".
func syntaxFailure(toks []token, far int, o Options, dlt int) error {
	one := token{kind: tNUM, text: "1", num: 1, repair: true}
	eq := token{kind: tEQ, text: "="}
	for q := min(far, len(toks)-1); q > 0; q-- {
		// The tokens before the error, completed, stand for what the
		// parser had reduced: the parentheses and brackets they open are
		// closed, and an arithmetic expression they leave unfinished is
		// finished with a comparison, whose own code cannot fail.
		var open []tokKind
		for _, t := range toks[:q] {
			switch t.kind {
			case tLParen, tLBrack:
				open = append(open, t.kind)
			case tRParen, tRBrack:
				if len(open) > 0 {
					open = open[:len(open)-1]
				}
			}
		}
		repairs := [][]token{nil}
		switch last := toks[q-1].kind; {
		case last == tSlash && q >= 2 && (toks[q-2].kind == tHID || toks[q-2].kind == tHID6):
			// A prefix length, not a division.
		case isArithOrRelop(last):
			repairs = append(repairs, []token{one}, []token{one, eq, one})
		case last == tNUM || last == tRBrack || last == tLen || last == tRParen:
			repairs = append(repairs, []token{eq, one})
		}
		parsed := false
		for _, rep := range repairs {
			prefix := append(append([]token(nil), toks[:q]...), rep...)
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == tLParen {
					prefix = append(prefix, token{kind: tRParen})
				} else {
					prefix = append(prefix, token{kind: tRBrack})
				}
			}
			prefix = append(prefix, token{kind: tEOF})
			ps := &parser{toks: prefix, memo: map[memoKey]memoVal{}}
			tree, ok := ps.parse()
			if !ok {
				continue
			}
			if rep == nil && (endsUnreduced(tree, len(open) > 0) && !endsExpr(toks[q].kind) || continues(toks[q-1].kind, toks[q].kind)) {
				// libpcap's parser makes a primitive of a protocol
				// name, or an id of a number after and/or/not, only
				// when the token after it allows it.
				continue
			}
			parsed = true
			if c, err := newCompiler(o, dlt); err == nil {
				if _, err := c.generate(tree, false); err != nil {
					return err
				}
			}
			break
		}
		if parsed {
			break
		}
	}
	for i := 0; i <= far && i < len(toks); i++ {
		if toks[i].err != "" {
			return errorf(toks[i].err)
		}
	}
	return syntaxError()
}

// continues reports whether libpcap's parser, having read last, shifts
// next as more of the same primitive rather than reducing it: a prefix
// length or mask after an address, a number after vlan or mpls, a name
// after llc.
func continues(last, next tokKind) bool {
	switch last {
	case tHID:
		return next == tSlash || next == tNetmask
	case tHID6:
		return next == tSlash
	case tVLAN, tMPLS, tPPPoES, tGeneve:
		return next == tNUM || next == tLParen
	case tLLC:
		return next == tID || next == tPFRnr
	}
	return false
}

func isArithOrRelop(k tokKind) bool {
	if _, ok := arithOp(k); ok {
		return true
	}
	switch k {
	case tEQ, tNEQ, tLT, tGT, tLEQ, tGEQ:
		return true
	}
	return false
}

// endsUnreduced reports whether the last primitive of tree is one that
// libpcap's parser leaves unreduced when the next token is an error: a
// protocol name on its own ("tcp"), or a number where either an id or an
// arithmetic expression could start ("host a or 5").
// When the tokens were completed with closing parentheses (closed), the
// last parentheses were not in the expression and are looked into.
func endsUnreduced(n node, closed bool) bool {
	switch n := n.(type) {
	case *andOr:
		return endsUnreduced(n.r, closed) || lastIsNum(n.r, closed)
	case *notNode:
		return endsUnreduced(n.x, closed)
	case *paren:
		return closed && endsUnreduced(n.x, closed)
	case *pname:
		return true
	}
	return false
}

// lastIsNum reports whether an id ends with a number.
func lastIsNum(n node, closed bool) bool {
	switch n := n.(type) {
	case *idNum:
		return true
	case *idNot:
		return lastIsNum(n.x, closed)
	case *idAndOr:
		return lastIsNum(n.r, closed)
	case *idParen:
		return closed && lastIsNum(n.x, closed)
	}
	return false
}

// IsSyntax reports whether err is a syntax error.
func IsSyntax(err error) bool { return errors.Is(err, ErrSyntax) }
