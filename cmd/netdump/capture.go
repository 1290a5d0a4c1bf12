package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/pcap/live"
)

// input is where packets come from: a capture file (-r) or a live capture
// (-i).
type input interface {
	// Next returns the next packet that passes the filter, io.EOF at the
	// end of a file, errInterrupted after SIGINT, SIGTERM or SIGPIPE.
	Next() (*pcap.Packet, error)
	// LinkType and Snaplen are what a filter is compiled for and what
	// the "reading from file"/"listening on" line and -w's header say.
	LinkType() pcap.LinkType
	Snaplen() uint32
	// dumpHeader is the header of a file -w writes from this input.
	dumpHeader(nano bool) pcap.FileHeader
	// name is the file or device, for a pcapng interface's name.
	name() string
	// reader is the file's reader, for the TLS view's secrets; nil when
	// live.
	reader() *pcap.Reader
	Close() error
}

// errInterrupted ends the packet loop when a signal asks to stop, as
// pcap_breakloop ends tcpdump's.
var errInterrupted = errors.New("interrupted")

// packetFilter is a compiled filter expression.
type packetFilter struct {
	// Program is the classic BPF program, attached in the kernel for a
	// live capture.
	Program []bpf.RawInstruction
	// Match reports whether a packet of a file passes: data as captured,
	// length on the wire. nil means running Program.
	Match func(data []byte, length int) bool
}

// compileFilter compiles opt's filter expression for link type lt and
// snapshot length snaplen, as tcpdump's pcap_compile does once the input
// is open; nil when there is no expression, which keeps every packet.
// vlanExt is set for a live capture whose kernel takes VLAN tags off
// before filtering and offers them through BPF extensions, for which
// libpcap compiles "vlan" with BPF_SPECIAL_VLAN_HANDLING. It is package
// filter's compiler (filter.go).
var compileFilter = compileExpression

// interrupts watches the signals that make tcpdump stop and print its
// counts (SIGINT, SIGTERM; SIGPIPE when the output goes away; SIGHUP
// unless ignored, as nohup leaves it), and SIGUSR1, its request for the
// counts so far.
type interrupts struct {
	ch      chan os.Signal
	stopped atomic.Bool
	done    chan struct{}
	once    sync.Once
}

// watchSignals starts watching. onStop runs once, on the first stopping
// signal; onInfo on each SIGUSR1.
func watchSignals(onStop func(), onInfo func()) *interrupts {
	in := &interrupts{ch: make(chan os.Signal, 4), done: make(chan struct{})}
	sigs := []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE, syscall.SIGUSR1}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	signal.Notify(in.ch, sigs...)
	go func() {
		for {
			select {
			case s := <-in.ch:
				if s == syscall.SIGUSR1 {
					if onInfo != nil {
						onInfo()
					}
					continue
				}
				if !in.stopped.Swap(true) && onStop != nil {
					onStop()
				}
			case <-in.done:
				return
			}
		}
	}()
	return in
}

// stop stops watching; signals get their default actions again.
func (in *interrupts) stop() {
	in.once.Do(func() {
		signal.Stop(in.ch)
		close(in.done)
	})
}

// fileInput reads a capture file.
type fileInput struct {
	r     *pcap.Reader
	file  string
	match func([]byte, int) bool
	sigs  *interrupts
}

// openFile opens -r's file (the standard input for "-") and prints the
// "reading from file" line.
func openFile(opt *options, stdin io.Reader, stderr io.Writer) (input, error) {
	var r *pcap.Reader
	var err error
	if opt.file == "-" {
		r, err = pcap.NewReader(stdin)
	} else {
		r, err = pcap.Open(opt.file)
	}
	if err != nil {
		return nil, err
	}
	lt := r.LinkType()
	fmt.Fprintf(stderr, "reading from file %s, link-type %s, snapshot length %d\n", opt.file, linkTypeLabel(lt), r.Snaplen())
	if lt == pcap.LinkTypeLinuxSLL2 {
		fmt.Fprintln(stderr, "Warning: interface names might be incorrect")
	}
	in := &fileInput{r: r, file: opt.file}
	opt.fileBigEndian = r.ByteOrder() == binary.BigEndian
	f, err := compileFilter(opt, lt, int(r.Snaplen()), false)
	if err != nil {
		r.Close()
		return nil, err
	}
	if f != nil {
		if in.match, err = f.matcher(); err != nil {
			r.Close()
			return nil, err
		}
	}
	// tcpdump stops reading a file on these signals too, and exits 0.
	in.sigs = watchSignals(nil, nil)
	return in, nil
}

// matcher is f's Match, or its Program run by x/net/bpf's interpreter.
func (f *packetFilter) matcher() (func([]byte, int) bool, error) {
	if f.Match != nil {
		return f.Match, nil
	}
	insns, ok := bpf.Disassemble(f.Program)
	if !ok {
		return nil, errors.New("the filter program has instructions the interpreter does not know")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		return nil, err
	}
	return func(data []byte, _ int) bool {
		n, err := vm.Run(data)
		return err == nil && n > 0
	}, nil
}

func (in *fileInput) Next() (*pcap.Packet, error) {
	for {
		if in.sigs.stopped.Load() {
			return nil, errInterrupted
		}
		p, err := in.r.Next()
		if err != nil || in.match == nil || in.match(p.Data, p.Length) {
			return p, err
		}
	}
}

func (in *fileInput) LinkType() pcap.LinkType              { return in.r.LinkType() }
func (in *fileInput) Snaplen() uint32                      { return in.r.Snaplen() }
func (in *fileInput) dumpHeader(nano bool) pcap.FileHeader { return in.r.DumpHeader(nano) }
func (in *fileInput) name() string                         { return in.file }
func (in *fileInput) reader() *pcap.Reader                 { return in.r }

func (in *fileInput) Close() error {
	in.sigs.stop()
	return in.r.Close()
}

// liveInput is a live capture.
type liveInput struct {
	h      *live.Handle
	device string
	sigs   *interrupts
	stderr io.Writer

	mu       sync.Mutex // around Stats, which a signal may ask for
	captured atomic.Uint64

	tickerDone chan struct{}
}

// openLive opens a live capture on -i's device (the first one -D lists
// when there is no -i), attaches the filter, and prints what tcpdump
// prints before the first packet.
func openLive(opt *options, stderr io.Writer) (*liveInput, error) {
	device := opt.iface
	if device == "" {
		list, err := live.Interfaces()
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, errors.New("no interfaces available for capture")
		}
		device = list[0].Name
	}
	cfg := live.Config{
		Interface:   device,
		Snaplen:     opt.snaplen,
		Promiscuous: !opt.noPromisc,
		BufferSize:  opt.bufferSize,
		Immediate:   opt.immediate,
		Direction:   opt.direction,
		Timeout:     live.DefaultTimeout,
	}
	if opt.printing() && (opt.lineBuf || isTerminal(os.Stdout)) {
		// Someone is watching: hand packets over sooner, as tcpdump
		// does.
		cfg.Timeout = 100 * time.Millisecond
	}
	var dltNote string
	switch {
	case opt.linkType != "":
		lt, ok := linkTypeByName(opt.linkType)
		if !ok {
			return nil, fmt.Errorf("invalid data link type %s", opt.linkType)
		}
		cfg.LinkType = lt
		dltNote = lt.String()
	case strings.HasPrefix(device, "any"):
		// tcpdump 4.99.3 asks for LINUX_SLL2 on "any" and says so.
		cfg.LinkType = pcap.LinkTypeLinuxSLL2
		dltNote = cfg.LinkType.String()
	}
	h, err := live.Open(cfg)
	if err != nil {
		var le *live.Error
		if errors.As(err, &le) && errors.Is(err, live.ErrNoSuchDevice) {
			// tcpdump takes a number that is no device's name as a
			// position in -D's list.
			if name, ok, ierr := interfaceByNumber(device); ierr != nil {
				return nil, ierr
			} else if ok {
				device, cfg.Interface = name, name
				h, err = live.Open(cfg)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if dltNote != "" {
		fmt.Fprintf(stderr, "netdump: data link type %s\n", dltNote)
	}
	if opt.snaplen != 0 && opt.snaplen < h.Snaplen() {
		fmt.Fprintf(stderr, "netdump: WARNING: snaplen raised from %d to %d\n", opt.snaplen, h.Snaplen())
	}
	f, err := compileFilter(opt, h.LinkType(), h.Snaplen(), h.VLANExtensions())
	if err != nil {
		h.Close()
		return nil, err
	}
	var prog []bpf.RawInstruction
	if f != nil {
		prog = f.Program
	}
	if err := h.SetFilter(prog); err != nil {
		h.Close()
		return nil, err
	}
	return &liveInput{h: h, device: device, stderr: stderr}, nil
}

// start begins the capture, after -w's file is open, and prints the
// "listening on" line.
func (in *liveInput) start(opt *options) error {
	if err := in.h.Start(); err != nil {
		return err
	}
	if opt.v == 0 && opt.write == "" {
		fmt.Fprintln(in.stderr, "netdump: verbose output suppressed, use -v[v]... for full protocol decode")
	} else {
		fmt.Fprint(in.stderr, "netdump: ")
	}
	fmt.Fprintf(in.stderr, "listening on %s, link-type %s, snapshot length %d bytes\n",
		in.device, linkTypeLabel(in.h.LinkType()), in.h.Snaplen())
	in.sigs = watchSignals(in.h.Break, func() { in.info(false) })
	if opt.v > 0 && opt.write != "" && !opt.print {
		// Writing to a file, -v counts the packets once a second.
		in.tickerDone = make(chan struct{})
		go in.tick()
	}
	return nil
}

// tick prints "Got N" once a second while the count changes.
func (in *liveInput) tick() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last, first := uint64(0), true
	for {
		select {
		case <-t.C:
			if n := in.captured.Load(); first || n != last {
				fmt.Fprintf(in.stderr, "Got %d\r", n)
				first, last = false, n
			}
		case <-in.tickerDone:
			return
		}
	}
}

func (in *liveInput) Next() (*pcap.Packet, error) {
	p, err := in.h.Next()
	if errors.Is(err, live.ErrBreak) {
		return nil, errInterrupted
	}
	if err == nil {
		in.captured.Add(1)
	}
	return p, err
}

func (in *liveInput) LinkType() pcap.LinkType { return in.h.LinkType() }
func (in *liveInput) Snaplen() uint32         { return uint32(in.h.Snaplen()) }
func (in *liveInput) name() string            { return in.device }
func (in *liveInput) reader() *pcap.Reader    { return nil }

func (in *liveInput) dumpHeader(nano bool) pcap.FileHeader {
	return pcap.FileHeader{LinkType: in.h.LinkType().Savefile(), Snaplen: uint32(in.h.Snaplen()), Nano: nano}
}

// info prints the counts as tcpdump's info does: at exit (final) one per
// line, on request on one line after the program's name.
func (in *liveInput) info(final bool) {
	in.mu.Lock()
	st, err := in.h.Stats()
	in.mu.Unlock()
	if err != nil {
		fmt.Fprintf(in.stderr, "pcap_stats: %v\n", err)
		return
	}
	sep := "\n"
	if !final {
		fmt.Fprint(in.stderr, "netdump: ")
		sep = ", "
	}
	// tcpdump's counts are C unsigned ints.
	captured, recv, drop, ifdrop := int(uint32(in.captured.Load())), int(uint32(st.Received)), int(uint32(st.Dropped)), int(uint32(st.IfDropped))
	fmt.Fprintf(in.stderr, "%d packet%s captured%s", captured, plural(captured), sep)
	fmt.Fprintf(in.stderr, "%d packet%s received by filter%s", recv, plural(recv), sep)
	fmt.Fprintf(in.stderr, "%d packet%s dropped by kernel", drop, plural(drop))
	if ifdrop != 0 {
		fmt.Fprintf(in.stderr, "%s%d packet%s dropped by interface\n", sep, ifdrop, plural(ifdrop))
	} else {
		fmt.Fprintln(in.stderr)
	}
}

func (in *liveInput) Close() error {
	if in.sigs != nil {
		in.sigs.stop()
	}
	if in.tickerDone != nil {
		close(in.tickerDone)
		in.tickerDone = nil
	}
	return in.h.Close()
}

// listInterfaces prints -D's list as tcpdump does.
func listInterfaces(stdout io.Writer) error {
	list, err := live.Interfaces()
	if err != nil {
		return err
	}
	for i, d := range list {
		fmt.Fprintf(stdout, "%d.%s", i+1, d.Name)
		if d.Description != "" {
			fmt.Fprintf(stdout, " (%s)", d.Description)
		}
		if flags := interfaceFlags(d); flags != "" {
			fmt.Fprintf(stdout, " [%s]", flags)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// interfaceFlags is the bracketed part of a -D line: the flags that are
// set ("none" for none) and the connection status where it applies; ""
// when libpcap would have no flags at all to show.
func interfaceFlags(d live.Interface) string {
	var words []string
	for _, f := range []struct {
		bit  uint32
		name string
	}{{live.FlagUp, "Up"}, {live.FlagRunning, "Running"}, {live.FlagLoopback, "Loopback"}, {live.FlagWireless, "Wireless"}} {
		if d.Flags&f.bit != 0 {
			words = append(words, f.name)
		}
	}
	s := strings.Join(words, ", ")
	if s == "" {
		if d.Flags == 0 && d.Status == live.StatusUnknown {
			return ""
		}
		s = "none"
	}
	wireless := d.Flags&live.FlagWireless != 0
	switch d.Status {
	case live.StatusUnknown:
		if wireless {
			s += ", Association status unknown"
		} else {
			s += ", Connection status unknown"
		}
	case live.StatusConnected:
		if wireless {
			s += ", Associated"
		} else {
			s += ", Connected"
		}
	case live.StatusDisconnected:
		if wireless {
			s += ", Not associated"
		} else {
			s += ", Disconnected"
		}
	}
	return s
}

// interfaceByNumber takes device as tcpdump does when no device has that
// name: an all-digit name is a position in -D's list, counted from 1.
func interfaceByNumber(device string) (name string, ok bool, err error) {
	n, perr := strconv.ParseInt(device, 10, 64)
	if perr != nil && !errors.Is(perr, strconv.ErrRange) {
		return "", false, nil
	}
	if n <= 0 {
		//lint:ignore ST1005 tcpdump's words, capital and all
		return "", false, errors.New("Invalid adapter index")
	}
	list, err := live.Interfaces()
	if err != nil {
		return "", false, err
	}
	if n > int64(len(list)) {
		//lint:ignore ST1005 tcpdump's words, capital and all
		return "", false, errors.New("Invalid adapter index")
	}
	return list[n-1].Name, true, nil
}

// linkTypeByName is pcap_datalink_name_to_val for -y: a DLT name, in any
// case, of the link types a live capture can have.
func linkTypeByName(name string) (pcap.LinkType, bool) {
	for lt := pcap.LinkType(0); lt < 300; lt++ {
		if lt.Known() && strings.EqualFold(lt.String(), name) {
			return lt, true
		}
	}
	return 0, false
}

// isTerminal reports whether f is a terminal, as isatty does.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
