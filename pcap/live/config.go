package live

import (
	"errors"
	"time"

	"github.com/medina-net/medina/pcap"
)

// Direction selects packets by the way they travel through the interface
// (tcpdump's -Q).
type Direction int

// Directions.
const (
	// InOut keeps packets both received and sent (the default).
	InOut Direction = iota
	// In keeps packets received.
	In
	// Out keeps packets sent.
	Out
)

// String returns the name -Q takes: "inout", "in" or "out".
func (d Direction) String() string {
	switch d {
	case In:
		return "in"
	case Out:
		return "out"
	}
	return "inout"
}

// Defaults, as libpcap and tcpdump choose them.
const (
	// DefaultBufferSize is the ring's size when Config.BufferSize is 0:
	// libpcap's 2 MiB.
	DefaultBufferSize = 2 << 20
	// DefaultTimeout is how long the kernel holds a block that is not
	// full before handing it over, when Config.Timeout is 0: tcpdump's
	// one second.
	DefaultTimeout = time.Second
)

// Config describes a capture.
type Config struct {
	// Interface is the name of the network interface, or "any" for all
	// of them.
	Interface string
	// Snaplen is the snapshot length: the most bytes kept of each packet.
	// 0, a negative value or one above pcap.MaxSnaplen means
	// pcap.MaxSnaplen (262144), as in libpcap; a cooked capture keeps at
	// least its header and one byte.
	Snaplen int
	// Promiscuous puts the interface in promiscuous mode for as long as
	// the capture lasts, so that it receives frames addressed to other
	// hosts (tcpdump does unless given -p). The "any" device ignores it,
	// as libpcap does.
	Promiscuous bool
	// BufferSize is the size of the ring in bytes (tcpdump's -B, given in
	// KiB); 0 means DefaultBufferSize. It is rounded up to whole blocks of
	// 256 KiB; if the kernel refuses that much memory the ring is made
	// smaller until it accepts.
	BufferSize int
	// Timeout is how long the kernel waits for a block to fill before
	// handing it over anyway, rounded to milliseconds: packets can wait
	// that long before Next returns them. 0 means DefaultTimeout.
	Timeout time.Duration
	// Immediate hands packets over as they arrive (tcpdump's
	// --immediate-mode). libpcap switches to TPACKET_V2, one packet a
	// frame, for it; here the ring stays TPACKET_V3 and the kernel hands
	// over a block a millisecond after its first packet at most.
	Immediate bool
	// Direction keeps only the packets travelling one way (-Q).
	Direction Direction
	// LinkType chooses the cooked header of the "any" device:
	// pcap.LinkTypeLinuxSLL2 (0 means it, as tcpdump 4.99.3 chooses it)
	// or pcap.LinkTypeLinuxSLL. Other devices have the link type of their
	// hardware, and LinkType must be 0 or that type.
	LinkType pcap.LinkType
}

// Stats are a capture's counts, as pcap_stats gives them on Linux and
// tcpdump prints them at exit.
type Stats struct {
	// Received counts the packets the kernel's filter accepted, including
	// those dropped for want of room in the ring ("N packets received by
	// filter").
	Received uint64
	// Dropped counts the packets the filter accepted but the ring had no
	// room for ("N packets dropped by kernel").
	Dropped uint64
	// IfDropped counts the packets the interface dropped while in
	// promiscuous mode, from its rx_missed_errors and rx_fifo_errors
	// counters ("N packets dropped by interface").
	IfDropped uint64
}

// Errors. Open's errors are *Error values that wrap one of the first four
// where the failure is of that kind. Their words are libpcap's, capital
// letters included, since tcpdump prints them as they are.
//
//lint:file-ignore ST1005 libpcap's words, which tcpdump prints
var (
	// ErrNoSuchDevice: no interface has that name.
	ErrNoSuchDevice = errors.New("No such device exists")
	// ErrPermission: the process may not open a packet socket
	// (CAP_NET_RAW is missing).
	ErrPermission = errors.New("You don't have permission to perform this capture on that device")
	// ErrNotUp: the interface is down.
	ErrNotUp = errors.New("That device is not up")
	// ErrUnsupported: live capture is not implemented on this system.
	ErrUnsupported = errors.New("live capture is only implemented on Linux")
	// ErrBreak is returned by Next after Break.
	ErrBreak = errors.New("live: capture interrupted")
	// ErrClosed is returned by a Handle's methods after Close.
	ErrClosed = errors.New("live: capture closed")
)

// Error is a failure to open a capture, worded as tcpdump words it.
type Error struct {
	// Device is the interface's name.
	Device string
	// Kind is ErrNoSuchDevice, ErrPermission, ErrNotUp, or nil for any
	// other failure.
	Kind error
	// Detail is libpcap's error message ("socket: Operation not
	// permitted"), "" when there is nothing more to say.
	Detail string
	// Err is the underlying error, an errno where there is one.
	Err error
}

// Error returns what tcpdump prints after "tcpdump: ": for a failure of a
// known kind the device, the kind, and on a second line the detail in
// parentheses; for any other failure libpcap's message alone.
func (e *Error) Error() string {
	switch e.Kind {
	case nil:
		return e.Detail
	case ErrNotUp:
		return e.Device + ": " + e.Kind.Error()
	}
	detail := e.Detail
	if detail == "" {
		detail = e.Kind.Error()
	}
	return e.Device + ": " + e.Kind.Error() + "\n(" + detail + ")"
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}
