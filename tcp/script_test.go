package tcp_test

// RFC behaviour tests in the spirit of packetdrill: each script in
// testdata/scripts/*.pkt drives one engine with crafted segments and app
// actions on a clock that moves only when the script says, and asserts the
// exact segments the engine answers with. Every script runs as a subtest
// of TestScripts.
//
// # The language
//
// internal/pktscript gives the lines (times, actions) and the segment
// notation, with the peer's numbers absolute and the engine's relative to
// its ISN and first TS val; package stack's scripts speak it too. Here the
// segments are bare, on the current four-tuple:
//
//	0.000 < S 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
//	0.000 > S. 0:0(0) ack 1001 win 65535 <mss 1460,sackOK,TS val 0 ecr 100,nop,wscale 7>
//	0.100 > P. 1:1449(1448) ack 1001 ...
//	5.000 > none
//
// Before a line runs, the clock moves to its time and every timer due by
// then fires, in order, each at its own deadline.
//
// A > line pops the oldest segment the engine sent and not yet matched: it
// must have been sent at exactly the line's time, on the current
// four-tuple, and match field by field. "> none" asserts that nothing was
// sent up to the line's time. Any other line first checks that every
// segment sent so far was matched, so a script sees every segment. Besides
// the script's assertions, every segment sent is checked for its checksum,
// for fitting the route MTU, for its payload (the bytes written, at their
// place in the stream) and for a TS val that never goes back nor runs
// ahead of the 1 ms clock (RFC 7323 5.4).
//
// Payloads are pktscript's pattern by stream offset, both ways, so that
// "read N" checks that the engine reassembled the peer's data correctly,
// and every data segment the engine sends is checked for the bytes that
// were written at its place in the stream.
//
// Writing a script: -tcp.script.trace logs every line and segment, and
// -tcp.script.record takes the segments no > line matched as matched and
// logs the script with them written in, to be checked against the RFCs
// before they go in the file.
//
// Actions and directives:
//
//	config Key=Value ...   set Config fields (by name, any case) before the engine starts
//	skip REASON            skip the script, saying why (-tcp.script.noskip runs it)
//	mtu N                  the route MTU the network reports (1500 at first)
//	pmtu N                 the path MTU the network reports from now (0: the route MTU), as the
//	                       stack's table would, which every segment sent must fit; an icmp
//	                       too-big that the engine takes lowers it too
//	icmp KIND [MTU] [seq N]
//	                       hand the engine an ICMP error about our segment on the current
//	                       four-tuple at N (relative to our ISN; the latest segment sent by
//	                       default): KIND is net, host, addr, beyond-scope, time-exceeded,
//	                       param-problem, port, prohibited, or too-big with the path MTU
//	family ipv4|ipv6 ...   the families the script runs over (IPv4 alone by default); named
//	                       both, it runs over each in turn, and MTUs the script gives (mtu,
//	                       pmtu, icmp too-big, and the 1500 at first) are IPv4's: over IPv6
//	                       they are 20 bytes more, what its longer header takes, so that the
//	                       segments are the same
//	listen [ADDR]:PORT [v6only] [ERR]
//	                       listen (on the unspecified address of the family the script runs
//	                       over, without ADDR; v6only on ::), or fail with ERR; the current
//	                       four-tuple is the listener's port and the peer
//	peer [ADDR:]PORT       the peer's port of the current four-tuple (40000 at first), and its
//	                       address (10.0.0.2, or 2001:db8::2 over IPv6, at first): our address is
//	                       then the engine's of that family
//	local PORT             our port of the current four-tuple, for segments to no listener
//	connect ADDR:PORT      Dial in the background; the local port is learnt from the SYN
//	dialed [ERR]           the Dial returns (a connection, or the error)
//	accept                 a connection is waiting for Accept, from the current peer
//	write N [ERR]          Write N bytes, which must fit in the send buffer (or fail with ERR)
//	read N|eof|none|ERR    Read exactly N bytes that are there now (or EOF, nothing to read, ERR)
//	close, shutdown-write  Close, CloseWrite
//	set nodelay|keepalive true|false; set keepalive-period DUR; set read-buffer|write-buffer N
//	state NAME             the connection's RFC 9293 state (CLOSED once it is gone)
//	stat NAME N            a counter of Engine.Stats
//
// ERR is ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH,
// ENETUNREACH, EPROTO, EACCES, EADDRINUSE or closed.
// The engine's addresses are 10.0.0.1 and 2001:db8::1, the peer's
// 10.0.0.2 and 2001:db8::2; in a script run over IPv6, 10.0.0.2 in a
// connect line stands for 2001:db8::2, and a listen on :PORT is on ::.

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/manualclock"
	"github.com/medina-net/medina/internal/pktscript"
	"github.com/medina-net/medina/tcp"
)

var (
	scriptTrace  = flag.Bool("tcp.script.trace", false, "log every line and segment of the TCP scripts")
	scriptNoSkip = flag.Bool("tcp.script.noskip", false, "run the TCP scripts marked skip")
	scriptRecord = flag.Bool("tcp.script.record", false,
		"write TCP scripts: take unmatched segments as if > lines matched them, and log the script with them")
)

var (
	scriptLocal   = netip.MustParseAddr("10.0.0.1")
	scriptRemote  = netip.MustParseAddr("10.0.0.2")
	scriptLocal6  = netip.MustParseAddr("2001:db8::1")
	scriptRemote6 = netip.MustParseAddr("2001:db8::2")
	scriptStart   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

// localFor is the engine's address of remote's family.
func localFor(remote netip.Addr) netip.Addr {
	if remote.Is6() {
		return scriptLocal6
	}
	return scriptLocal
}

// scriptPeerPort is the peer's port of the first four-tuple.
const scriptPeerPort = 40000

// scriptLine is a line of a TCP script: its packets are bare segments.
type scriptLine = pktscript.Line[*pktscript.Segment]

// scriptLanguage is the TCP scripts' language: pktscript's segments, and
// these actions and directives with the number of arguments each takes.
var scriptLanguage = pktscript.Language[*pktscript.Segment]{
	Packet: pktscript.ParseSegment,
	Actions: map[string]pktscript.Arity{
		"listen": pktscript.Takes(1, 3), "connect": pktscript.Takes(1, 1), "dialed": pktscript.Takes(0, 1),
		"accept": pktscript.Takes(0, 0), "write": pktscript.Takes(1, 2), "read": pktscript.Takes(1, 1),
		"close": pktscript.Takes(0, 0), "shutdown-write": pktscript.Takes(0, 0), "set": pktscript.Takes(2, 2),
		"state": pktscript.Takes(1, 1), "stat": pktscript.Takes(2, 2), "peer": pktscript.Takes(1, 1),
		"local": pktscript.Takes(1, 1), "mtu": pktscript.Takes(1, 1), "pmtu": pktscript.Takes(1, 1),
		"icmp":   pktscript.Takes(1, 4),
		"config": pktscript.Directive(1, 100), "skip": pktscript.Directive(1, 100),
		"family": pktscript.Directive(1, 2),
	},
}

// parseScript parses a TCP script; errors name the line.
func parseScript(src string) ([]*scriptLine, error) { return pktscript.Parse(src, scriptLanguage) }

func TestScripts(t *testing.T) {
	pktscript.Files(t, "testdata/scripts/*.pkt", scriptLanguage, *scriptNoSkip,
		func(t *testing.T, file string, lines []*scriptLine) ([]string, []string, error) {
			v4, v6, err := scriptFamilies(lines)
			if err != nil {
				return nil, nil, err
			}
			var log, recorded []string
			for _, fam := range []struct {
				on    bool
				v6    bool
				shift int
			}{{v4, false, 0}, {v6, true, 20}} {
				if !fam.on {
					continue
				}
				r := &scriptRun{t: t, file: file, v6: fam.v6}
				if v4 && v6 {
					r.mtuShift = fam.shift
				}
				err := r.run(lines)
				r.cleanup()
				log = append(log, r.log...)
				if recorded == nil {
					recorded = r.recorded
				}
				if err != nil {
					if fam.v6 {
						err = fmt.Errorf("over IPv6: %w", err)
					}
					return log, recorded, err
				}
			}
			if !*scriptRecord {
				recorded = nil
			}
			return log, recorded, nil
		})
}

// scriptFamilies reads the family directive of a script: the families
// it runs over.
func scriptFamilies(lines []*scriptLine) (v4, v6 bool, err error) {
	for _, l := range lines {
		if l.Cmd != "family" {
			continue
		}
		for _, a := range l.Args {
			switch a {
			case "ipv4":
				v4 = true
			case "ipv6":
				v6 = true
			default:
				return false, false, fmt.Errorf("%d: family %s: want ipv4 or ipv6", l.Num, a)
			}
		}
		return v4, v6, nil
	}
	return true, false, nil
}

// scriptRun is one run of a script.
type scriptRun struct {
	t    *testing.T
	file string
	v6   bool // the script runs over IPv6
	// mtuShift is added to the MTUs the script gives: 20 over IPv6 in a
	// script that runs over both families.
	mtuShift int

	clock *manualclock.Clock
	net   *scriptNet
	cfg   tcp.Config
	e     *tcp.Engine

	now       time.Duration // the time of the last line, since scriptStart
	popped    int           // segments matched by > lines
	listeners []*tcp.Listener
	cur       tupleKey
	tuples    map[tupleKey]*tupleState
	dial      *dialResult // the latest connect
	log       []string    // the transcript, shown on failure
	recorded  []string    // the script with the segments sent, for -tcp.script.record
}

// tupleKey names a four-tuple from the engine's side.
type tupleKey struct {
	remote       netip.Addr
	lport, rport uint16
}

// tupleState is what the script knows of a four-tuple.
type tupleState struct {
	pktscript.Tuple
	conn *tcp.Conn
	wOff int // stream offsets of the next byte written and read
	rOff int
}

type dialResult struct {
	done chan struct{}
	c    *tcp.Conn
	err  error
}

func (r *scriptRun) run(lines []*scriptLine) error {
	r.cfg = tcp.Config{Rand: rand.NewPCG(1, 2)}
	r.clock = manualclock.New(scriptStart)
	r.net = &scriptNet{clock: r.clock, mtu: 1500 + r.mtuShift}
	r.tuples = make(map[tupleKey]*tupleState)
	r.cur = tupleKey{remote: r.peer(), rport: scriptPeerPort}
	for _, l := range lines {
		if err := r.exec(l); err != nil {
			return fmt.Errorf("%s:%d: %s\n%v", r.file, l.Num, l.Text, err)
		}
	}
	if r.e != nil && len(lines) > 0 {
		r.record()
		if err := r.checkAllMatched(); err != nil {
			return fmt.Errorf("%s: at the end: %v", r.file, err)
		}
	}
	return nil
}

// record takes the unmatched segments as matched, with -tcp.script.record,
// and writes them down as > lines.
func (r *scriptRun) record() {
	if !*scriptRecord {
		return
	}
	for {
		s, ok := r.net.at(r.popped)
		if !ok {
			return
		}
		got, ts, _ := r.describe(s)
		r.popped++
		ts.Learn(s.b, s.at)
		r.recorded = append(r.recorded, fmt.Sprintf("%s > %s", pktscript.FormatTime(s.at.Sub(scriptStart)), got))
	}
}

func (r *scriptRun) trace(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.log = append(r.log, s)
	if *scriptTrace {
		r.t.Log(s)
	}
}

func (r *scriptRun) cleanup() {
	if r.e == nil {
		return
	}
	r.e.Close()
	if r.dial != nil {
		select {
		case <-r.dial.done:
		case <-time.After(pktscript.Wait):
			r.t.Error("Dial did not return after the engine closed")
		}
	}
}

func (r *scriptRun) tuple(k tupleKey) *tupleState {
	ts := r.tuples[k]
	if ts == nil {
		ts = &tupleState{}
		r.tuples[k] = ts
	}
	return ts
}

// exec runs one line.
func (r *scriptRun) exec(l *scriptLine) error {
	if l.Cmd == "skip" || l.Cmd == "family" {
		return nil
	}
	if l.Cmd == "config" {
		r.recorded = append(r.recorded, l.Text)
		if r.e != nil {
			return fmt.Errorf("config after the engine started")
		}
		return pktscript.SetFields(&r.cfg, l.Args)
	}
	if r.e == nil {
		r.cfg.Clock = r.clock
		e, err := tcp.NewEngine(r.net, r.cfg)
		if err != nil {
			return err
		}
		r.e = e
	}
	now, err := l.At(r.now)
	if err != nil {
		return err
	}
	r.now = now
	r.clock.AdvanceTo(scriptStart.Add(r.now))
	if l.HasTime {
		r.trace("%s", l.Text)
	} else {
		r.trace("(%s) %s", pktscript.FormatTime(r.now), l.Text)
	}
	if l.Cmd == ">" {
		if l.Packet.None {
			r.record()
		}
		r.recorded = append(r.recorded, l.Text)
		return r.expect(l.Packet)
	}
	r.record()
	r.recorded = append(r.recorded, l.Text)
	if err := r.checkAllMatched(); err != nil {
		return err
	}
	if l.Cmd == "<" {
		return r.inject(l.Packet)
	}
	return r.action(l.Cmd, l.Args)
}

// checkAllMatched fails if the engine sent a segment no > line matched.
func (r *scriptRun) checkAllMatched() error {
	var b strings.Builder
	for i := r.popped; ; i++ {
		s, ok := r.net.at(i)
		if !ok {
			break
		}
		got, _, _ := r.describe(s)
		at := pktscript.FormatTime(s.at.Sub(scriptStart))
		if i == r.popped {
			fmt.Fprintf(&b, "unexpected segment sent at %s:\n  %s\n  tcpdump: %s %s", at, got, at, pktscript.Tcpdump(s.b, s.src, s.dst, got))
			b.WriteString("\n  unmatched, as a script would write them:")
		}
		fmt.Fprintf(&b, "\n    %s > %s", at, got)
	}
	if b.Len() > 0 {
		return errors.New(b.String())
	}
	return nil
}

// inject builds the peer's segment and hands it to the engine.
func (r *scriptRun) inject(s *pktscript.Segment) error {
	k := r.cur
	if k.lport == 0 {
		return fmt.Errorf("no local port yet: listen, or connect and match the SYN")
	}
	h, err := r.tuple(k).Build(s, k.rport, k.lport, k.remote, localFor(k.remote))
	if err != nil {
		return err
	}
	r.e.Input(k.remote, localFor(k.remote), h)
	return nil
}

// expect matches the next segment sent against s.
func (r *scriptRun) expect(want *pktscript.Segment) error {
	seg, ok := r.net.at(r.popped)
	if want.None {
		if ok {
			return r.checkAllMatched()
		}
		return nil
	}
	if !ok {
		return fmt.Errorf("want %s\n  but nothing was sent by %s", want, pktscript.FormatTime(r.now))
	}
	r.popped++
	h := seg.b
	k := tupleKey{remote: seg.dst, lport: h.SrcPort(), rport: h.DstPort()}
	if r.cur.lport == 0 && h.Flags()&tcp.FlagSYN != 0 && k.remote == r.cur.remote && k.rport == r.cur.rport {
		r.cur.lport = k.lport // the ephemeral port of a connect
	}
	got, ts, invErr := r.describe(seg)
	at := pktscript.FormatTime(seg.at.Sub(scriptStart))
	dump := at + " " + pktscript.Tcpdump(h, seg.src, seg.dst, got)
	r.trace("      sent %s", dump)
	var diffs []string
	if d := seg.at.Sub(scriptStart); d != r.now {
		diffs = append(diffs, fmt.Sprintf("sent at %s", at))
	}
	if k != r.cur {
		diffs = append(diffs, fmt.Sprintf("sent on %s > %s, not on the current %s > %s",
			netip.AddrPortFrom(seg.src, k.lport), netip.AddrPortFrom(k.remote, k.rport),
			netip.AddrPortFrom(localFor(r.cur.remote), r.cur.lport), netip.AddrPortFrom(r.cur.remote, r.cur.rport)))
	}
	diffs = append(diffs, pktscript.Match(want, got)...)
	if invErr != nil {
		diffs = append(diffs, invErr.Error())
	}
	if len(diffs) > 0 {
		return fmt.Errorf("want %s\n  got  %s\n  tcpdump: %s\n  %s", want, got, dump, strings.Join(diffs, "\n  "))
	}
	ts.Learn(h, seg.at)
	return nil
}

// describe takes a segment the engine sent apart, in script form, with
// the engine's numbers relative, and checks what every segment must
// satisfy: pktscript's checks, and fitting the route MTU.
func (r *scriptRun) describe(seg sentSegment) (*pktscript.Segment, *tupleState, error) {
	h := seg.b
	ts := r.tuple(tupleKey{remote: seg.dst, lport: h.SrcPort(), rport: h.DstPort()})
	s, err := ts.Describe(h, seg.src, seg.dst, seg.at)
	if seg.src != localFor(seg.dst) {
		err = errors.Join(err, fmt.Errorf("sent from %s to %s", seg.src, seg.dst))
	}
	ipLen := 20
	if seg.dst.Is6() {
		ipLen = 40
	}
	if len(seg.b)+ipLen > seg.pmtu {
		err = errors.Join(err, fmt.Errorf("%d bytes with the IP header, over the path MTU of %d", len(seg.b)+ipLen, seg.pmtu))
	}
	return s, ts, err
}

// conn returns the connection of the current four-tuple: the one accepted
// or dialled, or the engine's.
func (r *scriptRun) conn() *tcp.Conn {
	if c := r.tuple(r.cur).conn; c != nil {
		return c
	}
	return r.e.ConnFor(localFor(r.cur.remote), r.cur.remote, r.cur.lport, r.cur.rport)
}

// peer is the peer's address in the family the script runs over.
func (r *scriptRun) peer() netip.Addr {
	if r.v6 {
		return scriptRemote6
	}
	return scriptRemote
}

// ports returns the local and remote ports of a connection.
func ports(c *tcp.Conn) (local, remote uint16) {
	return uint16(c.LocalAddr().(*net.TCPAddr).Port), uint16(c.RemoteAddr().(*net.TCPAddr).Port)
}

var scriptErrors = map[string]error{
	"ECONNREFUSED": syscall.ECONNREFUSED, "ECONNRESET": syscall.ECONNRESET,
	"ETIMEDOUT": syscall.ETIMEDOUT, "EPIPE": syscall.EPIPE,
	"EHOSTUNREACH": syscall.EHOSTUNREACH, "ENETUNREACH": syscall.ENETUNREACH, "EPROTO": syscall.EPROTO,
	"EACCES": syscall.EACCES, "EADDRINUSE": syscall.EADDRINUSE,
	"closed": net.ErrClosed,
}

// checkErr compares an error with the one a script names ("" for none).
func checkErr(err error, name string) error {
	if name == "" {
		if err != nil {
			return fmt.Errorf("unexpected error: %v", err)
		}
		return nil
	}
	want, ok := scriptErrors[name]
	if !ok {
		return fmt.Errorf("unknown error name %q", name)
	}
	if !errors.Is(err, want) {
		return fmt.Errorf("error %v, want %s", err, name)
	}
	return nil
}

// action runs an app action or a directive.
func (r *scriptRun) action(cmd string, args []string) error {
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	switch cmd {
	case "mtu":
		n, err := strconv.Atoi(arg(0))
		if err != nil {
			return err
		}
		r.net.setMTU(n + r.mtuShift)
		return nil
	case "pmtu":
		n, err := strconv.Atoi(arg(0))
		if err != nil {
			return err
		}
		if n > 0 {
			n += r.mtuShift
		}
		r.net.setPathMTU(n)
		return nil
	case "icmp":
		return r.icmp(args)
	case "peer", "local":
		p := arg(0)
		if i := strings.LastIndexByte(p, ':'); i >= 0 && cmd == "peer" {
			a, err := netip.ParseAddr(strings.Trim(p[:i], "[]"))
			if err != nil {
				return err
			}
			r.cur.remote, p = a, p[i+1:]
		}
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return err
		}
		if cmd == "peer" {
			r.cur.rport = uint16(n)
		} else {
			r.cur.lport = uint16(n)
		}
		return nil
	case "listen":
		a := arg(0)
		if strings.HasPrefix(a, ":") {
			if r.v6 {
				a = "[::]" + a
			} else {
				a = "0.0.0.0" + a
			}
		}
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			return err
		}
		opt, rest := tcp.ListenOptions{}, args[1:]
		if len(rest) > 0 && rest[0] == "v6only" {
			opt.V6Only, rest = true, rest[1:]
		}
		want := ""
		if len(rest) > 0 {
			want = rest[0]
		}
		l, err := r.e.ListenWith(ap, opt)
		if err := checkErr(err, want); err != nil || want != "" {
			return err
		}
		r.listeners = append(r.listeners, l)
		r.cur.lport = ap.Port()
		return nil
	case "connect":
		remote, err := netip.ParseAddrPort(arg(0))
		if err != nil {
			return err
		}
		if r.v6 && remote.Addr() == scriptRemote {
			remote = netip.AddrPortFrom(scriptRemote6, remote.Port())
		}
		r.cur = tupleKey{remote: remote.Addr(), rport: remote.Port()}
		d := &dialResult{done: make(chan struct{})}
		r.dial = d
		before := r.net.count()
		go func() {
			defer close(d.done)
			d.c, d.err = r.e.Dial(context.Background(), netip.AddrPort{}, remote)
		}()
		// Wait for the SYN (or the Dial's end), which the Dial sends from
		// its goroutine.
		deadline := time.Now().Add(pktscript.Wait)
		for r.net.count() == before {
			select {
			case <-d.done:
				return nil
			case <-time.After(time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("connect: no SYN sent")
			}
		}
		return nil
	case "dialed":
		if r.dial == nil {
			return fmt.Errorf("dialed without connect")
		}
		select {
		case <-r.dial.done:
		case <-time.After(pktscript.Wait):
			return fmt.Errorf("Dial has not returned")
		}
		if err := checkErr(r.dial.err, arg(0)); err != nil {
			return err
		}
		if r.dial.c != nil {
			if lport, rport := ports(r.dial.c); lport != r.cur.lport || rport != r.cur.rport {
				return fmt.Errorf("Dial returned the connection from port %d to %d, not the current one", lport, rport)
			}
			r.tuple(r.cur).conn = r.dial.c
		}
		return nil
	case "accept":
		var l *tcp.Listener
		for _, o := range r.listeners {
			if uint16(o.Addr().(*net.TCPAddr).Port) == r.cur.lport && (l == nil || o.Waiting() > 0) {
				l = o
			}
		}
		if l == nil {
			return fmt.Errorf("no listener on port %d", r.cur.lport)
		}
		if l.Waiting() == 0 {
			return fmt.Errorf("no connection waiting for Accept")
		}
		c, err := l.AcceptTCP()
		if err != nil {
			return err
		}
		if ra := c.RemoteAddr().(*net.TCPAddr).AddrPort(); ra != netip.AddrPortFrom(r.cur.remote, r.cur.rport) {
			return fmt.Errorf("accepted the connection from %s, not from the current peer %s", ra, netip.AddrPortFrom(r.cur.remote, r.cur.rport))
		}
		if la := c.LocalAddr().(*net.TCPAddr).AddrPort(); la != netip.AddrPortFrom(localFor(r.cur.remote), r.cur.lport) {
			return fmt.Errorf("accepted the connection on %s, not on %s", la, netip.AddrPortFrom(localFor(r.cur.remote), r.cur.lport))
		}
		r.tuple(r.cur).conn = c
		return nil
	case "state":
		got := "CLOSED"
		if c := r.conn(); c != nil {
			got = c.State()
		}
		if got != arg(0) {
			return fmt.Errorf("state %s, want %s", got, arg(0))
		}
		return nil
	case "stat":
		return pktscript.CheckStat(r.e.Stats(), arg(0), arg(1))
	}

	c := r.conn()
	if c == nil {
		return fmt.Errorf("%s: no connection on the current four-tuple", cmd)
	}
	ts := r.tuple(r.cur)
	switch cmd {
	case "write":
		n, err := strconv.Atoi(arg(0))
		if err != nil {
			return err
		}
		if room, fails := c.WriteRoom(); !fails && room < n {
			return fmt.Errorf("write: room for %d bytes only, the Write would block", room)
		}
		w, err := pktscript.WritePattern(c, n, ts.wOff)
		ts.wOff += w
		if err := checkErr(err, arg(1)); err != nil {
			return err
		}
		if arg(1) == "" && w != n {
			return fmt.Errorf("wrote %d of %d bytes", w, n)
		}
		return nil
	case "read":
		avail, fin, cerr, closed := c.ReadState()
		block := avail == 0 && !fin && cerr == nil && !closed
		switch a := arg(0); a {
		case "none":
			if !block {
				return fmt.Errorf("read: %d bytes, EOF %v, error %v: want nothing to read", avail, fin, cerr)
			}
			return nil
		case "eof":
			if block {
				return fmt.Errorf("read: nothing to read, want EOF")
			}
			var n int
			var err error
			if cerr := pktscript.Call(func() { n, err = c.Read(make([]byte, 1)) }); cerr != nil {
				return cerr
			}
			if n > 0 || err != io.EOF {
				return fmt.Errorf("read %d bytes, error %v: want EOF", n, err)
			}
			return nil
		default:
			want, err := strconv.Atoi(a)
			if err != nil {
				if block {
					return fmt.Errorf("read: nothing to read, want %s", a)
				}
				if cerr := pktscript.Call(func() { _, err = c.Read(make([]byte, 1)) }); cerr != nil {
					return cerr
				}
				return checkErr(err, a)
			}
			if avail < want {
				return fmt.Errorf("read: %d bytes to read, want %d", avail, want)
			}
			if err := pktscript.ReadPattern(c, want, ts.rOff); err != nil {
				return err
			}
			ts.rOff += want
			return nil
		}
	case "close":
		return c.Close()
	case "shutdown-write":
		return c.CloseWrite()
	case "set":
		v := arg(1)
		switch arg(0) {
		case "nodelay", "keepalive":
			on, err := strconv.ParseBool(v)
			if err != nil {
				return err
			}
			if arg(0) == "nodelay" {
				return c.SetNoDelay(on)
			}
			return c.SetKeepAlive(on)
		case "keepalive-period":
			d, err := time.ParseDuration(v)
			if err != nil {
				return err
			}
			return c.SetKeepAlivePeriod(d)
		case "read-buffer", "write-buffer":
			n, err := strconv.Atoi(v)
			if err != nil {
				return err
			}
			if arg(0) == "read-buffer" {
				return c.SetReadBuffer(n)
			}
			return c.SetWriteBuffer(n)
		}
		return fmt.Errorf("set: unknown option %q", arg(0))
	}
	return fmt.Errorf("unknown action %q", cmd)
}

// icmpKinds are the ICMP errors an icmp line names.
var icmpKinds = map[string]tcp.ICMPKind{
	"net": tcp.ICMPNetUnreachable, "host": tcp.ICMPHostUnreachable, "time-exceeded": tcp.ICMPTimeExceeded,
	"param-problem": tcp.ICMPParamProblem, "port": tcp.ICMPPortUnreachable, "prohibited": tcp.ICMPProhibited,
	"too-big": tcp.ICMPPacketTooBig, "addr": tcp.ICMPAddrUnreachable, "beyond-scope": tcp.ICMPBeyondScope,
}

// icmp hands the engine an ICMP error about a segment of the current
// four-tuple, as the stack does: quoting the segment's ports and sequence
// number, the 8 bytes RFC 792 promises. A too-big the engine takes lowers
// the network's path MTU, as the stack's table would be.
func (r *scriptRun) icmp(args []string) error {
	kind, ok := icmpKinds[args[0]]
	if !ok {
		return fmt.Errorf("icmp: unknown kind %q", args[0])
	}
	args = args[1:]
	msg := tcp.ICMPError{Kind: kind}
	if kind == tcp.ICMPPacketTooBig {
		if len(args) == 0 {
			return fmt.Errorf("icmp too-big: say the MTU")
		}
		n, err := strconv.Atoi(args[0])
		if err != nil {
			return err
		}
		msg.MTU, args = n+r.mtuShift, args[1:]
	}
	k := r.cur
	var sq uint32
	switch {
	case len(args) == 2 && args[0] == "seq":
		n, err := strconv.ParseUint(args[1], 10, 32)
		if err != nil {
			return err
		}
		ts := r.tuple(k)
		if !ts.ISNKnown {
			return fmt.Errorf("icmp: our ISN on the current four-tuple is not known yet")
		}
		sq = ts.ISN + uint32(n)
	case len(args) == 0:
		s, ok := r.net.latest(k.remote, k.lport, k.rport)
		if !ok {
			return fmt.Errorf("icmp: nothing sent on the current four-tuple to quote")
		}
		sq = s.b.Seq()
	default:
		return fmt.Errorf("icmp: want KIND [MTU] [seq N]")
	}
	var quoted [8]byte
	binary.BigEndian.PutUint16(quoted[0:], k.lport)
	binary.BigEndian.PutUint16(quoted[2:], k.rport)
	binary.BigEndian.PutUint32(quoted[4:], sq)
	if r.e.InputError(localFor(k.remote), k.remote, quoted[:], msg) && kind == tcp.ICMPPacketTooBig {
		if p := r.net.PathMTU(k.remote); msg.MTU < p {
			r.net.setPathMTU(msg.MTU)
		}
	}
	return nil
}
