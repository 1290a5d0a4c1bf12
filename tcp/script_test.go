package tcp

// RFC behaviour tests in the spirit of packetdrill: each script in
// testdata/scripts/*.pkt drives one engine with crafted segments and app
// actions on a clock that moves only when the script says, and asserts the
// exact segments the engine answers with. Every script runs as a subtest
// of TestScripts.
//
// # The language
//
// One step a line; # starts a comment. A line starts with a time in
// seconds since the start ("0.100") or since the previous line ("+0.1");
// a line without one happens at the time of the previous line. Before a
// line runs, the clock moves to its time and every timer due by then
// fires, in order, each at its own deadline. Time never goes back.
//
// Segments the script sends (the peer's) and the engine must send:
//
//	0.000 < S 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
//	0.000 > S. 0:0(0) ack 1001 win * <mss 1460,sackOK,TS val * ecr 100,nop,wscale *>
//	0.100 > P. 1:1449(1448) ack 1001 ...
//	5.000 > none
//
// FLAGS are tcpdump's letters (F S R P U E W, and . for ACK; none for no
// flag at all), then
// SEQ:END(LEN), "ack N" exactly when the flags have ".", "win N" (the raw
// 16-bit field), and the options between < and > (mss N, wscale N,
// sackOK, nop, eol, TS val N ecr N, sack L:R L:R ...; a segment the engine
// sends is padded with eol, which is not written).
//
// Numbers are packetdrill's: the peer's sequence numbers are absolute (the
// script chose them), the engine's are relative to its initial sequence
// number (learnt from its SYN or SYN-ACK on the four-tuple). So the seq of
// a > segment, the ack of a < segment and the SACK blocks of a < segment
// are relative; the ack of a > segment and its SACK blocks are absolute.
// Likewise the engine's TS val is relative to the first it sent on the
// four-tuple, and a < segment's TS ecr too (absolute before the engine
// sent any); "ecr *" in a < segment echoes the engine's latest TS val.
//
// A > line pops the oldest segment the engine sent and not yet matched: it
// must have been sent at exactly the line's time, on the current
// four-tuple, and match field by field; * matches anything. A > segment
// must give its window ("win *" to not care) unless it ends with "...",
// which leaves the window and the options unchecked unless written. A >
// segment without <...> must have no options. "> none" asserts that
// nothing was sent up to the line's time. Any other line first checks
// that every segment sent so far was matched, so a script sees every
// segment. Besides the script's assertions, every segment sent is checked
// for its checksum, for fitting the route MTU, for its payload (the bytes
// written, at their place in the stream) and for a TS val that never goes
// back nor runs ahead of the 1 ms clock (RFC 7323 5.4).
//
// Payloads are a fixed pattern by stream offset, both ways, so that
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
//	listen [ADDR]:PORT     listen; the current four-tuple is the listener's port and the peer
//	peer PORT              the peer's port of the current four-tuple (40000 at first)
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
// ERR is ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE or closed.
// The engine's address is 10.0.0.1 and the peer's 10.0.0.2.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	scriptTrace  = flag.Bool("tcp.script.trace", false, "log every line and segment of the TCP scripts")
	scriptNoSkip = flag.Bool("tcp.script.noskip", false, "run the TCP scripts marked skip")
	scriptRecord = flag.Bool("tcp.script.record", false,
		"write TCP scripts: take unmatched segments as if > lines matched them, and log the script with them")
)

var (
	scriptLocal  = [4]byte{10, 0, 0, 1}
	scriptRemote = [4]byte{10, 0, 0, 2}
	scriptStart  = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	scriptPeerPort = 40000
	scriptWait     = 5 * time.Second // the longest a script waits for a goroutine of the engine's
)

func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/scripts/*.pkt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata/scripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".pkt"), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines, err := parseScript(string(src))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			for _, l := range lines {
				if l.cmd == "skip" && !*scriptNoSkip {
					t.Skip(strings.Join(l.args, " "))
				}
			}
			r := &scriptRun{t: t, file: file}
			defer r.cleanup()
			if err := r.run(lines); err != nil {
				t.Logf("transcript of %s:\n%s", file, strings.Join(r.log, "\n"))
				if *scriptRecord {
					t.Logf("recorded:\n%s", strings.Join(r.recorded, "\n"))
				}
				t.Fatal(err)
			}
			if *scriptRecord {
				t.Logf("recorded:\n%s", strings.Join(r.recorded, "\n"))
			}
		})
	}
}

// scriptRun is one run of a script.
type scriptRun struct {
	t    *testing.T
	file string

	clock *manualClock
	net   *scriptNet
	cfg   Config
	e     *Engine

	now       time.Duration // the time of the last line, since scriptStart
	popped    int           // segments matched by > lines
	listeners map[uint16]*Listener
	cur       tupleKey
	tuples    map[tupleKey]*tupleState
	dial      *dialResult // the latest connect
	log       []string    // the transcript, shown on failure
	recorded  []string    // the script with the segments sent, for -tcp.script.record
}

// tupleKey names a four-tuple from the engine's side.
type tupleKey struct {
	remote       [4]byte
	lport, rport uint16
}

// tupleState is what the script knows of a four-tuple.
type tupleState struct {
	isn       seq // the engine's initial sequence number
	isnKnown  bool
	peerISN   seq
	peerKnown bool
	tsBase    uint32 // the first TS val the engine sent
	tsKnown   bool
	tsLast    uint32 // the latest, and when
	tsLastAt  time.Time
	conn      *Conn
	wOff      int // stream offsets of the next byte written and read
	rOff      int
}

type dialResult struct {
	done chan struct{}
	c    *Conn
	err  error
}

func (r *scriptRun) run(lines []*scriptLine) error {
	r.cfg = Config{Rand: rand.NewPCG(1, 2)}
	r.clock = newManualClock(scriptStart)
	r.net = &scriptNet{addr: scriptLocal, clock: r.clock, mtu: 1500}
	r.listeners = make(map[uint16]*Listener)
	r.tuples = make(map[tupleKey]*tupleState)
	r.cur = tupleKey{remote: scriptRemote, rport: scriptPeerPort}
	for _, l := range lines {
		if err := r.exec(l); err != nil {
			return fmt.Errorf("%s:%d: %s\n%v", r.file, l.num, l.text, err)
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
		r.learn(s, ts)
		r.recorded = append(r.recorded, fmt.Sprintf("%s > %s", r.fmtTime(s.at.Sub(scriptStart)), got))
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
		case <-time.After(scriptWait):
			r.t.Error("Dial did not return after the engine closed")
		}
	}
}

func (r *scriptRun) fmtTime(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
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
	if l.cmd == "skip" {
		return nil
	}
	if l.cmd == "config" {
		r.recorded = append(r.recorded, l.text)
		if r.e != nil {
			return fmt.Errorf("config after the engine started")
		}
		return r.config(l.args)
	}
	if r.e == nil {
		r.cfg.Clock = r.clock
		e, err := NewEngine(r.net, r.cfg)
		if err != nil {
			return err
		}
		r.e = e
	}
	if l.hasTime {
		t := l.t
		if l.relTime {
			t += r.now
		}
		if t < r.now {
			return fmt.Errorf("time goes back from %s to %s", r.fmtTime(r.now), r.fmtTime(t))
		}
		r.now = t
	}
	r.clock.advance(scriptStart.Add(r.now))
	if l.hasTime {
		r.trace("%s", l.text)
	} else {
		r.trace("(%s) %s", r.fmtTime(r.now), l.text)
	}
	if l.cmd == ">" {
		if l.seg.none {
			r.record()
		}
		r.recorded = append(r.recorded, l.text)
		return r.expect(l.seg)
	}
	r.record()
	r.recorded = append(r.recorded, l.text)
	if err := r.checkAllMatched(); err != nil {
		return err
	}
	if l.cmd == "<" {
		return r.inject(l.seg)
	}
	return r.action(l.cmd, l.args)
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
		if i == r.popped {
			fmt.Fprintf(&b, "unexpected segment sent at %s:\n  %s\n  tcpdump: %s",
				r.fmtTime(s.at.Sub(scriptStart)), got, r.tcpdump(s, got))
			b.WriteString("\n  unmatched, as a script would write them:")
		}
		fmt.Fprintf(&b, "\n    %s > %s", r.fmtTime(s.at.Sub(scriptStart)), got)
	}
	if b.Len() > 0 {
		return errors.New(b.String())
	}
	return nil
}

// inject builds the peer's segment and hands it to the engine.
func (r *scriptRun) inject(s *segSpec) error {
	k := r.cur
	if k.lport == 0 {
		return fmt.Errorf("no local port yet: listen, or connect and match the SYN")
	}
	ts := r.tuple(k)
	if s.flags&FlagSYN != 0 {
		ts.peerISN, ts.peerKnown = seq(s.seq.v), true
	}
	var ob [MaxOptionsLen]byte
	o := ob[:0]
	for _, op := range s.opts {
		switch op.kind {
		case OptNOP:
			o = AppendNOP(o)
		case OptEOL:
			o = append(o, byte(OptEOL))
		case OptSACKPermitted:
			o = AppendSACKPermitted(o)
		case OptMSS:
			o = AppendMSS(o, uint16(op.v1.v))
		case OptWindowScale:
			o = AppendWindowScale(o, uint8(op.v1.v))
		case OptTimestamps:
			ecr := op.v2.v
			switch {
			case op.v2.any && !ts.tsKnown:
				return fmt.Errorf("ecr *: the engine sent no TS val yet")
			case op.v2.any:
				ecr = ts.tsLast
			case ts.tsKnown:
				ecr += ts.tsBase
			}
			o = AppendTimestamps(o, op.v1.v, ecr)
		case OptSACK:
			var blocks []SACKBlock
			for _, b := range op.blocks {
				blocks = append(blocks, SACKBlock{b[0].v + uint32(ts.isn), b[1].v + uint32(ts.isn)})
			}
			o = AppendSACK(o, blocks...)
		}
	}
	f := Fields{SrcPort: k.rport, DstPort: k.lport, Seq: s.seq.v, Flags: s.flags, Window: uint16(s.win.v), Options: o}
	if s.flags&FlagACK != 0 {
		f.Ack = s.ack.v + uint32(ts.isn)
	}
	b := make([]byte, f.HeaderLen()+s.length)
	dataSeq := seq(s.seq.v)
	if s.flags&FlagSYN != 0 {
		dataSeq++
	}
	off := dataSeq.diff(ts.peerISN.add(1))
	for i := range s.length {
		b[f.HeaderLen()+i] = patternByte(off + i)
	}
	h, err := f.EncodeChecksum(b, k.remote, scriptLocal)
	if err != nil {
		return err
	}
	r.e.Input(k.remote, scriptLocal, h)
	return nil
}

// patternByte is the byte at offset off of either stream.
func patternByte(off int) byte { return byte(off % 251) }

// expect matches the next segment sent against s.
func (r *scriptRun) expect(want *segSpec) error {
	seg, ok := r.net.at(r.popped)
	if want.none {
		if ok {
			return r.checkAllMatched()
		}
		return nil
	}
	if !ok {
		return fmt.Errorf("want %s\n  but nothing was sent by %s", want, r.fmtTime(r.now))
	}
	r.popped++
	h := Header(seg.b)
	k := tupleKey{remote: seg.dst, lport: h.SrcPort(), rport: h.DstPort()}
	if r.cur.lport == 0 && h.Flags()&FlagSYN != 0 && k.remote == r.cur.remote && k.rport == r.cur.rport {
		r.cur.lport = k.lport // the ephemeral port of a connect
	}
	got, ts, invErr := r.describe(seg)
	r.trace("      sent %s", r.tcpdump(seg, got))
	var diffs []string
	if at := seg.at.Sub(scriptStart); at != r.now {
		diffs = append(diffs, fmt.Sprintf("sent at %s", r.fmtTime(at)))
	}
	if k != r.cur {
		diffs = append(diffs, fmt.Sprintf("sent on %s:%d > %s:%d, not on the current %s:%d > %s:%d",
			netip.AddrFrom4(seg.src), k.lport, netip.AddrFrom4(k.remote), k.rport,
			netip.AddrFrom4(scriptLocal), r.cur.lport, netip.AddrFrom4(r.cur.remote), r.cur.rport))
	}
	diffs = append(diffs, matchSegment(want, got)...)
	if invErr != nil {
		diffs = append(diffs, invErr.Error())
	}
	if len(diffs) > 0 {
		return fmt.Errorf("want %s\n  got  %s\n  tcpdump: %s\n  %s", want, got, r.tcpdump(seg, got), strings.Join(diffs, "\n  "))
	}
	r.learn(seg, ts)
	return nil
}

// describe takes a segment the engine sent apart, in script form, with
// the engine's numbers relative. It learns the engine's ISN from a SYN, and
// its first TS val, and checks what every segment must satisfy.
func (r *scriptRun) describe(seg sentSegment) (*segSpec, *tupleState, error) {
	h := Header(seg.b)
	k := tupleKey{remote: seg.dst, lport: h.SrcPort(), rport: h.DstPort()}
	ts := r.tuple(k)
	flags := h.Flags() & 0xff
	if flags&FlagSYN != 0 && (!ts.isnKnown || ts.isn != seq(h.Seq())) {
		ts.isn, ts.isnKnown = seq(h.Seq()), true
		ts.tsKnown = false // a new incarnation
	}
	s := &segSpec{flags: flags, seq: numSpec{v: h.Seq() - uint32(ts.isn)}, length: len(h.Payload()),
		win: numSpec{v: uint32(h.Window())}, winSet: true, optsSet: true}
	if flags&FlagACK != 0 {
		s.ack = numSpec{v: h.Ack()}
	}
	var errs []string
	it := h.OptionIter()
	for {
		o, ok := it.Next()
		if !ok || o.Kind == OptEOL {
			break
		}
		op := optSpec{kind: o.Kind}
		switch o.Kind {
		case OptMSS:
			v, _ := o.MSS()
			op.v1.v = uint32(v)
		case OptWindowScale:
			v, _ := o.WindowScale()
			op.v1.v = uint32(v)
		case OptTimestamps:
			val, ecr, _ := o.Timestamps()
			if !ts.tsKnown {
				ts.tsBase, ts.tsKnown, ts.tsLast, ts.tsLastAt = val, true, val, seg.at
			}
			if d, ms := int32(val-ts.tsLast), seg.at.Sub(ts.tsLastAt).Milliseconds(); d < 0 || int64(d) > ms+64 {
				errs = append(errs, fmt.Sprintf("TS val moved by %d in %d ms (RFC 7323 5.4: monotonic, a 1 ms clock)", d, ms))
			}
			op.v1.v, op.v2.v = val-ts.tsBase, ecr
		case OptSACK:
			blocks, _ := o.SACK()
			for i := range blocks.Len() {
				b := blocks.At(i)
				op.blocks = append(op.blocks, [2]numSpec{{v: b.Left}, {v: b.Right}})
			}
		}
		if o.Err() != nil {
			errs = append(errs, o.Err().Error())
		}
		s.opts = append(s.opts, op)
	}
	if !h.VerifyChecksum(seg.src, seg.dst) {
		errs = append(errs, "bad checksum")
	}
	if mtu := r.net.MTU(seg.dst); len(seg.b)+20 > mtu {
		errs = append(errs, fmt.Sprintf("%d bytes with the IPv4 header, over the MTU of %d", len(seg.b)+20, mtu))
	}
	if p := h.Payload(); len(p) > 0 {
		off := int(s.seq.v) - 1
		for i, c := range p {
			if c != patternByte(off+i) {
				errs = append(errs, fmt.Sprintf("payload byte %d is not the byte written at stream offset %d", i, off+i))
				break
			}
		}
	}
	if len(errs) > 0 {
		return s, ts, errors.New(strings.Join(errs, "; "))
	}
	return s, ts, nil
}

// learn remembers the latest TS val of a matched segment.
func (r *scriptRun) learn(seg sentSegment, ts *tupleState) {
	it := Header(seg.b).OptionIter()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if val, _, ok := o.Timestamps(); ok {
			ts.tsLast, ts.tsLastAt = val, seg.at
		}
	}
}

// matchSegment lists how got differs from want.
func matchSegment(want, got *segSpec) []string {
	var d []string
	if want.flags != got.flags {
		d = append(d, fmt.Sprintf("flags %s, want %s", scriptFlags(got.flags), scriptFlags(want.flags)))
	}
	if !want.seq.any && want.seq.v != got.seq.v {
		d = append(d, fmt.Sprintf("seq %d, want %d", got.seq.v, want.seq.v))
	}
	if want.length != got.length {
		d = append(d, fmt.Sprintf("length %d, want %d", got.length, want.length))
	}
	if want.flags&FlagACK != 0 && got.flags&FlagACK != 0 && !want.ack.any && want.ack.v != got.ack.v {
		d = append(d, fmt.Sprintf("ack %d, want %d", got.ack.v, want.ack.v))
	}
	if (want.winSet || !want.rest) && !want.win.any && want.win.v != got.win.v {
		d = append(d, fmt.Sprintf("win %d, want %d", got.win.v, want.win.v))
	}
	if want.optsSet || !want.rest {
		if !optionsMatch(want.opts, got.opts) {
			d = append(d, "options differ")
		}
	}
	return d
}

func optionsMatch(want, got []optSpec) bool {
	if len(want) != len(got) {
		return false
	}
	eq := func(w, g numSpec) bool { return w.any || w.v == g.v }
	for i, w := range want {
		g := got[i]
		if w.kind != g.kind || !eq(w.v1, g.v1) || !eq(w.v2, g.v2) || len(w.blocks) != len(g.blocks) {
			return false
		}
		for j, b := range w.blocks {
			if !eq(b[0], g.blocks[j][0]) || !eq(b[1], g.blocks[j][1]) {
				return false
			}
		}
	}
	return true
}

// tcpdump prints a segment the engine sent as tcpdump does (with relative
// sequence numbers, as tcpdump shows them after the SYN).
func (r *scriptRun) tcpdump(seg sentSegment, s *segSpec) string {
	h := Header(seg.b)
	var b strings.Builder
	fmt.Fprintf(&b, "%s IP %s.%d > %s.%d: Flags [%s], seq %d", r.fmtTime(seg.at.Sub(scriptStart)),
		netip.AddrFrom4(seg.src), h.SrcPort(), netip.AddrFrom4(seg.dst), h.DstPort(), h.Flags(), s.seq.v)
	if s.length > 0 {
		fmt.Fprintf(&b, ":%d", s.seq.v+uint32(s.length))
	}
	if s.flags&FlagACK != 0 {
		fmt.Fprintf(&b, ", ack %d", s.ack.v)
	}
	fmt.Fprintf(&b, ", win %d", s.win.v)
	if len(s.opts) > 0 {
		b.WriteString(", options [")
		for i, o := range s.opts {
			if i > 0 {
				b.WriteByte(',')
			}
			if o.kind == OptSACK {
				fmt.Fprintf(&b, "sack %d ", len(o.blocks))
				for _, blk := range o.blocks {
					fmt.Fprintf(&b, "{%d:%d}", blk[0].v, blk[1].v)
				}
				continue
			}
			b.WriteString(o.String())
		}
		b.WriteString("]")
	}
	fmt.Fprintf(&b, ", length %d", s.length)
	return b.String()
}

// config sets Config fields by name.
func (r *scriptRun) config(args []string) error {
	v := reflect.ValueOf(&r.cfg).Elem()
	for _, a := range args {
		name, val, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("config %q: want Key=Value", a)
		}
		f := v.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, name) })
		if !f.IsValid() {
			return fmt.Errorf("config: no field %q in Config", name)
		}
		switch {
		case f.Type() == reflect.TypeFor[time.Duration]():
			d, err := time.ParseDuration(val)
			if err != nil {
				return err
			}
			f.SetInt(int64(d))
		case f.Kind() == reflect.Int || f.Kind() == reflect.Int64:
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return err
			}
			f.SetInt(n)
		case f.Kind() == reflect.String:
			f.SetString(val)
		default:
			return fmt.Errorf("config: cannot set %s", name)
		}
	}
	return nil
}

// conn returns the connection of the current four-tuple: the one accepted
// or dialled, or the engine's.
func (r *scriptRun) conn() *Conn {
	ts := r.tuple(r.cur)
	if ts.conn != nil {
		return ts.conn
	}
	r.e.mu.RLock()
	defer r.e.mu.RUnlock()
	return r.e.conns[fourTuple{localAddr: scriptLocal, remoteAddr: r.cur.remote, localPort: r.cur.lport, remotePort: r.cur.rport}]
}

var scriptErrors = map[string]error{
	"ECONNREFUSED": syscall.ECONNREFUSED, "ECONNRESET": syscall.ECONNRESET,
	"ETIMEDOUT": syscall.ETIMEDOUT, "EPIPE": syscall.EPIPE,
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

// call runs an app call that should not block (the script checked), in a
// goroutine so that a wrong guess fails the script rather than hangs it.
func (r *scriptRun) call(f func()) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
		return nil
	case <-time.After(scriptWait):
		return fmt.Errorf("the call blocked")
	}
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
		r.net.setMTU(n)
		return nil
	case "peer", "local":
		n, err := strconv.ParseUint(arg(0), 10, 16)
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
			a = "0.0.0.0" + a
		}
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			return err
		}
		l, err := r.e.Listen(ap)
		if err != nil {
			return err
		}
		r.listeners[ap.Port()] = l
		r.cur.lport = ap.Port()
		return nil
	case "connect":
		remote, err := netip.ParseAddrPort(arg(0))
		if err != nil {
			return err
		}
		r.cur = tupleKey{remote: remote.Addr().As4(), rport: remote.Port()}
		d := &dialResult{done: make(chan struct{})}
		r.dial = d
		before := r.net.count()
		go func() {
			defer close(d.done)
			d.c, d.err = r.e.Dial(context.Background(), netip.AddrPortFrom(netip.AddrFrom4(scriptLocal), 0), remote)
		}()
		// Wait for the SYN (or the Dial's end), which the Dial sends from
		// its goroutine.
		deadline := time.Now().Add(scriptWait)
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
		case <-time.After(scriptWait):
			return fmt.Errorf("Dial has not returned")
		}
		if err := checkErr(r.dial.err, arg(0)); err != nil {
			return err
		}
		if r.dial.c != nil {
			if r.dial.c.id.localPort != r.cur.lport || r.dial.c.id.remotePort != r.cur.rport {
				return fmt.Errorf("Dial returned the connection from port %d to %d, not the current one",
					r.dial.c.id.localPort, r.dial.c.id.remotePort)
			}
			r.tuple(r.cur).conn = r.dial.c
		}
		return nil
	case "accept":
		l := r.listeners[r.cur.lport]
		if l == nil {
			return fmt.Errorf("no listener on port %d", r.cur.lport)
		}
		if len(l.queue) == 0 {
			return fmt.Errorf("no connection waiting for Accept")
		}
		c, err := l.AcceptTCP()
		if err != nil {
			return err
		}
		if c.id.remotePort != r.cur.rport {
			return fmt.Errorf("accepted the connection from port %d, not from the current peer port %d", c.id.remotePort, r.cur.rport)
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
		want, err := strconv.ParseUint(arg(1), 10, 64)
		if err != nil {
			return err
		}
		f := reflect.ValueOf(r.e.Stats()).FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, arg(0)) })
		if !f.IsValid() {
			return fmt.Errorf("no counter %q in Stats", arg(0))
		}
		if f.Uint() != want {
			return fmt.Errorf("%s is %d, want %d", arg(0), f.Uint(), want)
		}
		return nil
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
		b := make([]byte, n)
		for i := range b {
			b[i] = patternByte(ts.wOff + i)
		}
		c.mu.Lock()
		room, fails := c.sndBufMax-c.snd.len(), c.closed || c.err != nil || c.finQueued
		c.mu.Unlock()
		if !fails && room < n {
			return fmt.Errorf("write: room for %d bytes only, the Write would block", room)
		}
		var w int
		if cerr := r.call(func() { w, err = c.Write(b) }); cerr != nil {
			return cerr
		}
		ts.wOff += w
		if err := checkErr(err, arg(1)); err != nil {
			return err
		}
		if arg(1) == "" && w != n {
			return fmt.Errorf("wrote %d of %d bytes", w, n)
		}
		return nil
	case "read":
		c.mu.Lock()
		avail, fin, cerr, closed := c.rcv.len(), c.finRcvd, c.err, c.closed
		c.mu.Unlock()
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
			if cerr := r.call(func() { n, err = c.Read(make([]byte, 1)) }); cerr != nil {
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
				if cerr := r.call(func() { _, err = c.Read(make([]byte, 1)) }); cerr != nil {
					return cerr
				}
				return checkErr(err, a)
			}
			if avail < want {
				return fmt.Errorf("read: %d bytes to read, want %d", avail, want)
			}
			b := make([]byte, want)
			got := 0
			for got < want && err == nil {
				var n int
				if cerr := r.call(func() { n, err = c.Read(b[got:]) }); cerr != nil {
					return cerr
				}
				got += n
			}
			if err != nil {
				return fmt.Errorf("read %d of %d bytes: %v", got, want, err)
			}
			for i, x := range b {
				if x != patternByte(ts.rOff+i) {
					return fmt.Errorf("byte %d read is not the byte the peer sent at stream offset %d", i, ts.rOff+i)
				}
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
