package stack

// RFC behaviour scripts for the whole stack, in the language of package
// tcp's (internal/pktscript): each script in testdata/scripts/*.pkt feeds
// a stack Ethernet frames as its peer would send them, acts as its
// application, and asserts the exact frames the stack writes, on a clock
// that moves only when the script says. Every script runs as a subtest of
// TestScripts.
//
// The stack is 10.0.0.1/24 at 02:00:00:00:00:01 on a device that records
// what it writes; the peer is 10.0.0.2 at 02:00:00:00:00:02, which the
// stack knows from the start (a static neighbour entry, so that no ARP
// appears in a script that is not about ARP; "forget" removes it). The
// stack starts without its gratuitous ARP ("config NoGratuitousARP=false"
// for it), at the first line that is not a directive.
//
// # The language
//
// pktscript gives the lines (times, actions, directives) and TCP's
// segment notation, with the peer's numbers absolute and the stack's
// relative to its ISN and first TS val on each four-tuple. Before a line
// runs, the clock moves to its time and every timer due by then fires, in
// order, each at its own deadline. A packet is a whole frame, written as
// tcpdump writes one:
//
//	0.000 < 10.0.0.2.40000 > 10.0.0.1.80: S 1000:1000(0) win 65535 <mss 1460>
//	0.000 > 10.0.0.1.80 > 10.0.0.2.40000: S. 0:0(0) ack 1001 win 65535 <mss 1460>
//	0.000 < eth ff:ff:ff:ff:ff:ff 10.0.0.2.40000 > 10.0.0.1.80: S 1000:1000(0) win 65535
//	0.000 < 10.0.0.2 > 10.0.0.1: ipopt 83 07 04 c0 00 02 09 00 icmp echo request id 1 seq 1
//	0.000 > 10.0.0.1 > 10.0.0.2: icmp parameter problem pointer 22
//	0.000 < arp who-has 10.0.0.1 tell 10.0.0.2 (00:00:00:00:00:00)
//	0.000 > arp reply 10.0.0.1 is-at 02:00:00:00:00:01
//	1.000 > none
//
// A frame is [eth [SRC >] DST] and then an ARP packet or an IPv4 datagram:
//
//	arp who-has TPA [(THA)] tell SPA [(SHA)]
//	arp reply SPA is-at SHA [to TPA [(THA)]]
//	SRC[.PORT] > DST[.PORT]: [IP fields] TRANSPORT
//
// The IP fields, in any order, are ttl N, tos N, id N, flags [DF], [MF]
// (or [+]), [DF,MF] or [none], offset N (the fragment offset in bytes),
// and ipopt HH HH ... (the option bytes in lowercase hex, padded with
// zeros to a multiple of 4). TRANSPORT is one of
//
//	a TCP segment in pktscript's notation        (with ports)
//	udp length N                                 (with ports: N bytes of payload)
//	icmp echo request|reply id N seq N [length N]
//	icmp unreachable net|host|protocol|port|needfrag|srcroute|code N [mtu N]
//	icmp time exceeded ttl|reassembly
//	icmp parameter problem pointer N
//	proto N length N                             (another protocol, N bytes of payload)
//
// where an echo's length is the whole message's, header included, as
// tcpdump counts it.
//
// What a line leaves out has a default. Ethernet: the sender's MAC as the
// source; as the destination, the broadcast address for an ARP request
// and for a datagram to 255.255.255.255 or 10.0.0.255, an ARP reply's
// target, and else the other side's MAC (the stack's, or the peer's for
// what the stack sends). ARP: the Ethernet source as the sender's
// hardware address, zero as a request's target's, and as a reply's
// target the other side (10.0.0.1 at the stack's MAC for the peer's
// replies, 10.0.0.2 at its MAC for the stack's). A datagram the peer
// sends has TTL 64, TOS 0, no flags, offset 0, no options and an ID of
// its own; payloads are pktscript's pattern (an echo request without a
// length has no data); an ICMP error the peer sends quotes the header and
// 8 bytes of the latest datagram the stack sent.
//
// A > line pops the oldest frame the stack wrote and not yet matched: it
// must have been written at exactly the line's time and match field by
// field, except the IP fields it leaves out (ttl, tos, id, flags, offset)
// and, in an ICMP message, a length or MTU it leaves out; options must be
// there exactly when ipopt is written. "> none" asserts that nothing was
// written up to the line's time. Any other line first checks that every
// frame written so far was matched, so a script sees every frame. Besides
// the script's assertions, every frame the stack writes is checked: from
// its MAC, within the MTU, every header well formed with its checksums
// right (and pktscript's checks of TCP segments), an ICMP error quoting
// the start of a datagram the peer sent (its header and 8 bytes at least),
// an echo reply carrying the pattern.
//
// Writing a script: -stack.script.trace logs every line and frame, and
// -stack.script.record takes the frames no > line matched as matched and
// logs the script with them written in, to be checked against the RFCs
// before they go in the file.
//
// Actions and directives:
//
//	config Key=Value ...      set Config fields (by name, any case; TCP.Field for the engine's) before the stack starts
//	skip REASON               skip the script, saying why (-stack.script.noskip runs it)
//	forget ADDR               the stack forgets the neighbour ADDR, as if it had never heard of it
//	listen [ADDR]:PORT        listen for TCP connections
//	accept PORT               a connection waits on the listener of PORT: accept it, as the current connection
//	connect ADDR:PORT         DialTCP in the background, until the SYN is written
//	dialed [ERR]              the dial returns: the connection, as the current one, or ERR (ECONNREFUSED,
//	                          EHOSTUNREACH, ENETUNREACH, ETIMEDOUT)
//	write N                   Write N bytes on the current connection (the call must not block)
//	read N|eof                Read exactly N bytes that are there now from it, or EOF
//	close                     Close it
//	state NAME                its RFC 9293 state
//	udp listen [ADDR]:PORT    open a UDP socket
//	udp read N                a datagram of N bytes waits on the latest UDP socket
//	stat Layer.Field N        a counter of Stats (Link, ARP, IP, ICMP, UDP) or, as TCP.Field, of TCPStats

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/manualclock"
	"github.com/medina-net/medina/internal/pktscript"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/tcp"
)

var (
	scriptTrace  = flag.Bool("stack.script.trace", false, "log every line and frame of the stack scripts")
	scriptNoSkip = flag.Bool("stack.script.noskip", false, "run the stack scripts marked skip")
	scriptRecord = flag.Bool("stack.script.record", false,
		"write stack scripts: take unmatched frames as if > lines matched them, and log the script with them")
)

var scriptStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// scriptLine is a line of a stack script: its packets are frames.
type scriptLine = pktscript.Line[*frameSpec]

// scriptLanguage is the stack scripts' language: frames, and these
// actions and directives with the number of arguments each takes.
var scriptLanguage = pktscript.Language[*frameSpec]{
	Packet: parseFrame,
	Actions: map[string]pktscript.Arity{
		"forget": pktscript.Takes(1, 1), "listen": pktscript.Takes(1, 1), "accept": pktscript.Takes(1, 1),
		"write": pktscript.Takes(1, 1), "read": pktscript.Takes(1, 1), "close": pktscript.Takes(0, 0),
		"state": pktscript.Takes(1, 1), "udp": pktscript.Takes(2, 2), "stat": pktscript.Takes(2, 2),
		"connect": pktscript.Takes(1, 1), "dialed": pktscript.Takes(0, 1),
		"config": pktscript.Directive(1, 100), "skip": pktscript.Directive(1, 100),
	},
}

// parseScript parses a stack script; errors name the line.
func parseScript(src string) ([]*scriptLine, error) { return pktscript.Parse(src, scriptLanguage) }

func TestScripts(t *testing.T) {
	pktscript.Files(t, "testdata/scripts/*.pkt", scriptLanguage, *scriptNoSkip,
		func(t *testing.T, file string, lines []*scriptLine) ([]string, []string, error) {
			r := &scriptRun{t: t, file: file}
			defer r.cleanup()
			err := r.run(lines)
			if !*scriptRecord {
				return r.log, nil, err
			}
			return r.log, r.recorded, err
		})
}

// scriptRun is one run of a script.
type scriptRun struct {
	t    *testing.T
	file string

	clock *manualclock.Clock
	dev   *scriptDevice
	cfg   Config
	s     *Stack

	now       time.Duration // the time of the last line, since scriptStart
	popped    int           // frames matched by > lines
	tuples    map[scriptTuple]*pktscript.Tuple
	listeners map[uint16]*tcp.Listener
	conn      *scriptConn // the current connection
	dial      *scriptDial // the latest connect
	udp       *UDPConn    // the latest UDP socket
	ipID      uint16      // the ID of the peer's latest datagram
	injected  [][]byte    // the datagrams the peer sent, which the stack's ICMP errors quote
	lastSent  []byte      // the latest datagram the stack sent, which the peer's ICMP errors quote
	log       []string    // the transcript, shown on failure
	recorded  []string    // the script with the frames written, for -stack.script.record
}

// scriptConn is a connection the script accepted or dialled.
type scriptConn struct {
	c          *tcp.Conn
	wOff, rOff int // stream offsets of the next byte written and read
}

// scriptDial is a DialTCP running in the background.
type scriptDial struct {
	done chan struct{}
	c    *tcp.Conn
	err  error
}

// dialErrors are the errors a dialed line names.
var dialErrors = map[string]error{"ECONNREFUSED": syscall.ECONNREFUSED, "EHOSTUNREACH": syscall.EHOSTUNREACH,
	"ENETUNREACH": syscall.ENETUNREACH, "ETIMEDOUT": syscall.ETIMEDOUT}

func (r *scriptRun) run(lines []*scriptLine) error {
	r.clock = manualclock.New(scriptStart)
	r.dev = &scriptDevice{fuzzDevice: newFuzzDevice(fuzzMAC), clock: r.clock}
	r.cfg = Config{Addr: netip.MustParsePrefix("10.0.0.1/24"), Rand: SeededRand(1), NoGratuitousARP: true}
	r.tuples = make(map[scriptTuple]*pktscript.Tuple)
	r.listeners = make(map[uint16]*tcp.Listener)
	for _, l := range lines {
		if err := r.exec(l); err != nil {
			return fmt.Errorf("%s:%d: %s\n%v", r.file, l.Num, l.Text, err)
		}
	}
	if r.s != nil {
		r.record()
		if err := r.checkAllMatched(); err != nil {
			return fmt.Errorf("%s: at the end: %v", r.file, err)
		}
	}
	return nil
}

func (r *scriptRun) cleanup() {
	if r.s != nil {
		r.s.Close() // which ends any call a script wrongly made wait
	}
}

func (r *scriptRun) trace(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.log = append(r.log, s)
	if *scriptTrace {
		r.t.Log(s)
	}
}

func (r *scriptRun) tuple(k scriptTuple) *pktscript.Tuple {
	t := r.tuples[k]
	if t == nil {
		t = &pktscript.Tuple{}
		r.tuples[k] = t
	}
	return t
}

// start starts the stack, at the first line that is not a directive.
func (r *scriptRun) start() error {
	r.cfg.Clock = r.clock
	s, err := New(r.dev, r.cfg)
	if err != nil {
		return err
	}
	r.s = s
	s.neigh.SetStatic(peerIP, peerMAC)
	return nil
}

// exec runs one line.
func (r *scriptRun) exec(l *scriptLine) error {
	switch l.Cmd {
	case "skip":
		return nil
	case "config":
		r.recorded = append(r.recorded, l.Text)
		if r.s != nil {
			return fmt.Errorf("config after the stack started")
		}
		return pktscript.SetFields(&r.cfg, l.Args)
	}
	if r.s == nil {
		if err := r.start(); err != nil {
			return err
		}
	}
	now, err := l.At(r.now)
	if err != nil {
		return err
	}
	r.now = now
	r.clock.AdvanceTo(scriptStart.Add(now))
	if l.HasTime {
		r.trace("%s", l.Text)
	} else {
		r.trace("(%s) %s", pktscript.FormatTime(now), l.Text)
	}
	if l.Cmd == ">" {
		if l.Packet.none {
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
		frame, err := r.build(l.Packet)
		if err != nil {
			return err
		}
		r.s.input(frame)
		return nil
	}
	return r.action(l.Cmd, l.Args)
}

// briefFrame is a frame the stack sent as a script line would write it: the
// IP fields that lines leave out, left out.
func briefFrame(f *frameSpec) *frameSpec {
	if f.ip == nil {
		return f
	}
	b, ip := *f, *f.ip
	ip.ttlSet, ip.tosSet, ip.idSet, ip.flagsSet, ip.offsetSet = false, false, false, false, false
	if m := ip.icmp; m != nil && m.typ.IsError() {
		// An error's length follows from its quote, which is checked.
		c := *m
		c.lenSet = false
		ip.icmp = &c
	}
	b.ip = &ip
	return &b
}

// record takes the unmatched frames as matched, with -stack.script.record,
// and writes them down as > lines.
func (r *scriptRun) record() {
	if !*scriptRecord {
		return
	}
	for {
		s, ok := r.dev.at(r.popped)
		if !ok {
			return
		}
		got, _ := r.describe(s)
		r.popped++
		r.learn(s, got)
		if got != nil {
			r.recorded = append(r.recorded, fmt.Sprintf("%s > %s", pktscript.FormatTime(s.at.Sub(scriptStart)), briefFrame(got)))
		}
	}
}

// learn remembers the TS val of a TCP segment the stack sent, once
// matched.
func (r *scriptRun) learn(s sentFrame, f *frameSpec) {
	if f == nil || f.ip == nil || f.ip.tcp == nil {
		return
	}
	h := ipv4.Header(ethernet.Frame(s.b).Payload())
	k := scriptTuple{local: f.ip.src, remote: f.ip.dst, lport: f.ip.sport, rport: f.ip.dport}
	r.tuple(k).Learn(tcp.Header(h.Payload()), s.at)
}

// checkAllMatched fails if the stack wrote a frame no > line matched.
func (r *scriptRun) checkAllMatched() error {
	var b strings.Builder
	for i := r.popped; ; i++ {
		s, ok := r.dev.at(i)
		if !ok {
			break
		}
		got, err := r.describe(s)
		at := pktscript.FormatTime(s.at.Sub(scriptStart))
		if i == r.popped {
			fmt.Fprintf(&b, "unexpected frame written at %s:\n  %v", at, got)
			if err != nil {
				fmt.Fprintf(&b, "\n  %v", err)
			}
			b.WriteString("\n  unmatched, as a script would write them:")
		}
		if got != nil {
			fmt.Fprintf(&b, "\n    %s > %s", at, briefFrame(got))
		} else {
			fmt.Fprintf(&b, "\n    %s > %v", at, err)
		}
	}
	if b.Len() > 0 {
		return errors.New(b.String())
	}
	return nil
}

// expect matches the oldest frame not yet matched against want.
func (r *scriptRun) expect(want *frameSpec) error {
	s, ok := r.dev.at(r.popped)
	if want.none {
		if ok {
			return r.checkAllMatched()
		}
		return nil
	}
	if !ok {
		return fmt.Errorf("want %s\n  but nothing was written by %s", want, pktscript.FormatTime(r.now))
	}
	r.popped++
	got, err := r.describe(s)
	if got == nil {
		return fmt.Errorf("want %s\n  got %v", want, err)
	}
	r.trace("      wrote %s", got)
	var diffs []string
	if d := s.at.Sub(scriptStart); d != r.now {
		diffs = append(diffs, fmt.Sprintf("written at %s", pktscript.FormatTime(d)))
	}
	diffs = append(diffs, matchFrame(want, got)...)
	if err != nil {
		diffs = append(diffs, err.Error())
	}
	if len(diffs) > 0 {
		return fmt.Errorf("want %s\n  got  %s\n  in full: %s\n  %s", want, briefFrame(got), got, strings.Join(diffs, "\n  "))
	}
	r.learn(s, got)
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
	addrPort := func(a string) (netip.AddrPort, error) {
		if strings.HasPrefix(a, ":") {
			a = "0.0.0.0" + a
		}
		return netip.ParseAddrPort(a)
	}
	switch cmd {
	case "forget":
		a, err := ipv4.ParseAddr(arg(0))
		if err != nil {
			return err
		}
		if !r.s.neigh.Remove(a) {
			return fmt.Errorf("forget: the stack knows no neighbour %s", arg(0))
		}
		return nil
	case "stat":
		layer, field, _ := strings.Cut(arg(0), ".")
		if strings.EqualFold(layer, "TCP") {
			return pktscript.CheckStat(r.s.TCPStats(), field, arg(1))
		}
		return pktscript.CheckStat(r.s.Stats(), arg(0), arg(1))
	case "listen":
		ap, err := addrPort(arg(0))
		if err != nil {
			return err
		}
		l, err := r.s.ListenTCP(ap)
		if err != nil {
			return err
		}
		r.listeners[ap.Port()] = l
		return nil
	case "accept":
		port, err := strconv.ParseUint(arg(0), 10, 16)
		if err != nil {
			return err
		}
		l := r.listeners[uint16(port)]
		if l == nil {
			return fmt.Errorf("no listener on port %d", port)
		}
		var c *tcp.Conn
		if cerr := pktscript.Call(func() { c, err = l.AcceptTCP() }); cerr != nil {
			return fmt.Errorf("accept: no connection waiting: %v", cerr)
		}
		if err != nil {
			return err
		}
		r.conn = &scriptConn{c: c}
		return nil
	case "connect":
		ap, err := netip.ParseAddrPort(arg(0))
		if err != nil {
			return err
		}
		d := &scriptDial{done: make(chan struct{})}
		r.dial = d
		before := r.dev.count()
		go func() {
			defer close(d.done)
			d.c, d.err = r.s.DialTCP(context.Background(), netip.AddrPort{}, ap)
		}()
		// The dial sends its SYN from its goroutine: wait for it, or
		// for the dial's end.
		deadline := time.Now().Add(pktscript.Wait)
		for r.dev.count() == before {
			select {
			case <-d.done:
				return nil
			case <-time.After(time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("connect: no SYN written")
			}
		}
		return nil
	case "dialed":
		d := r.dial
		if d == nil {
			return fmt.Errorf("dialed without connect")
		}
		select {
		case <-d.done:
		case <-time.After(pktscript.Wait):
			return fmt.Errorf("the dial has not returned")
		}
		if arg(0) == "" {
			if d.err != nil {
				return fmt.Errorf("dial: %v", d.err)
			}
			r.conn = &scriptConn{c: d.c}
			return nil
		}
		want, ok := dialErrors[arg(0)]
		if !ok {
			return fmt.Errorf("unknown error name %q", arg(0))
		}
		if !errors.Is(d.err, want) {
			return fmt.Errorf("dial: error %v, want %s", d.err, arg(0))
		}
		return nil
	case "udp":
		switch arg(0) {
		case "listen":
			ap, err := addrPort(arg(1))
			if err != nil {
				return err
			}
			if r.udp, err = r.s.ListenUDP(ap); err != nil {
				return err
			}
			return nil
		case "read":
			return r.udpRead(arg(1))
		}
		return fmt.Errorf("udp %q: want listen or read", arg(0))
	}

	c := r.conn
	if c == nil {
		return fmt.Errorf("%s: no connection accepted", cmd)
	}
	switch cmd {
	case "write":
		n, err := strconv.Atoi(arg(0))
		if err != nil {
			return err
		}
		w, err := pktscript.WritePattern(c.c, n, c.wOff)
		c.wOff += w
		if err == nil && w != n {
			err = fmt.Errorf("wrote %d of %d bytes", w, n)
		}
		return err
	case "read":
		if arg(0) == "eof" {
			var n int
			var err error
			if cerr := pktscript.Call(func() { n, err = c.c.Read(make([]byte, 1)) }); cerr != nil {
				return fmt.Errorf("read: want EOF: %v", cerr)
			}
			if n > 0 || err != io.EOF {
				return fmt.Errorf("read %d bytes, error %v: want EOF", n, err)
			}
			return nil
		}
		n, err := strconv.Atoi(arg(0))
		if err != nil {
			return err
		}
		if err := pktscript.ReadPattern(c.c, n, c.rOff); err != nil {
			return err
		}
		c.rOff += n
		return nil
	case "close":
		return c.c.Close()
	case "state":
		if got := c.c.State(); got != arg(0) {
			return fmt.Errorf("state %s, want %s", got, arg(0))
		}
		return nil
	}
	return fmt.Errorf("unknown action %q", cmd)
}

// udpRead checks that a datagram of n bytes, the pattern, waits on the
// latest UDP socket, and reads it.
func (r *scriptRun) udpRead(n string) error {
	want, err := strconv.Atoi(n)
	if err != nil {
		return err
	}
	c := r.udp
	if c == nil {
		return fmt.Errorf("udp read: no UDP socket")
	}
	c.mu.Lock()
	waiting := c.count
	c.mu.Unlock()
	if waiting == 0 {
		return fmt.Errorf("udp read: no datagram waiting")
	}
	b := make([]byte, want+1)
	got, _, err := c.ReadFromUDPAddrPort(b)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("udp read: a datagram of %d bytes, want %d", got, want)
	}
	if i, ok := pktscript.CheckPattern(b[:got], 0); !ok {
		return fmt.Errorf("udp read: byte %d is not the byte the peer sent", i)
	}
	return nil
}
