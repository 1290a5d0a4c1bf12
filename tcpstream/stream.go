package tcpstream

import (
	"net/netip"
	"strconv"
	"time"
)

// Direction is one of the two byte streams of a connection.
type Direction uint8

// The directions, named by the roles of their sender and receiver.
const (
	ClientToServer Direction = 0
	ServerToClient Direction = 1
)

// Reverse returns the other direction.
func (d Direction) Reverse() Direction { return d ^ 1 }

// String returns "client>server" or "server>client".
func (d Direction) String() string {
	switch d {
	case ClientToServer:
		return "client>server"
	case ServerToClient:
		return "server>client"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// Rule says how a Stream's client was told from its server.
type Rule uint8

// The rules, most certain first.
const (
	// RuleSYN: the client sent a SYN without ACK.
	RuleSYN Rule = iota
	// RuleSYNACK: the capture missed the SYN; the server sent a SYN-ACK.
	RuleSYNACK
	// RulePort: the capture began mid-connection; the side with the lower
	// port is the server.
	RulePort
	// RuleFirstSender: the capture began mid-connection and both ports
	// are equal; the sender of the first segment seen is the client.
	RuleFirstSender
)

// String returns the rule's name.
func (r Rule) String() string {
	switch r {
	case RuleSYN:
		return "syn"
	case RuleSYNACK:
		return "syn-ack"
	case RulePort:
		return "port"
	case RuleFirstSender:
		return "first-sender"
	}
	return "Rule(" + strconv.Itoa(int(r)) + ")"
}

// CloseReason says why a Stream ended.
type CloseReason uint8

// The reasons.
const (
	// CloseFIN: both directions sent a FIN, and everything before the
	// FINs was delivered or given up.
	CloseFIN CloseReason = iota + 1
	// CloseRST: either side sent a reset (and the connection has
	// lingered for what was on its way: see Config.ResetLinger).
	CloseRST
	// CloseIdle: no segment for Config.IdleTimeout of capture time, or
	// Flush's cut-off.
	CloseIdle
	// CloseEvicted: a new connection needed the room (Config.MaxStreams).
	CloseEvicted
	// CloseReused: a SYN with a new initial sequence number opened a new
	// connection on the same addresses and ports.
	CloseReused
	// CloseEnd: Assembler.Close, the end of the capture.
	CloseEnd
	// CloseMemory: the memory bounds needed the room. The stream's
	// out-of-order data and what its Handler holds (Stream.Charge) came
	// to more than Config.MaxBufferedPerStream, or the total came to
	// more than Config.MaxBufferedTotal and the stream was the least
	// recently active one whose Handler held memory. It is remembered,
	// as one ended by FIN or RST is, so that the rest of its segments
	// are dropped rather than start a new Stream.
	CloseMemory
)

// String returns the reason's name.
func (r CloseReason) String() string {
	switch r {
	case CloseFIN:
		return "fin"
	case CloseRST:
		return "rst"
	case CloseIdle:
		return "idle"
	case CloseEvicted:
		return "evicted"
	case CloseReused:
		return "reused"
	case CloseEnd:
		return "end"
	case CloseMemory:
		return "memory"
	}
	return "CloseReason(" + strconv.Itoa(int(r)) + ")"
}

// Handler receives what an Assembler reassembles. Its methods are called
// from within the Assembler's methods and must not call back into the
// Assembler; they may call the Stream's methods and set Stream.User.
type Handler interface {
	// Data hands over the next bytes of one direction, in order and
	// contiguous with what came before (and any Gap between). data is
	// valid only during the call (it may be the caller's segment, or a
	// buffer the Assembler reuses); ts is the capture time of the segment
	// that made it deliverable.
	Data(s *Stream, dir Direction, data []byte, ts time.Time)
	// Gap says that the next n bytes of dir will never come: the capture
	// missed them, or they were given up for the memory bounds or a
	// timeout. The Data that follows starts n bytes further on.
	Gap(s *Stream, dir Direction, n int)
	// Close ends the stream: no more calls will name it. It is called
	// exactly once for every Stream, after everything it held was
	// delivered or reported as gaps. The Stream may be kept (for a
	// summary); the Assembler does not touch it again.
	Close(s *Stream, reason CloseReason)
}

// DirStats counts one direction of a Stream.
type DirStats struct {
	// Packets is the number of segments sent in this direction.
	Packets int64
	// Bytes is the payload they carried on the wire, retransmissions
	// included.
	Bytes int64
	// Delivered is the number of bytes handed to Handler.Data.
	Delivered int64
	// Gaps and GapBytes count the calls to Handler.Gap and their bytes.
	Gaps, GapBytes int64
	// OutOfOrder is the number of segments that arrived ahead of a hole
	// and were held.
	OutOfOrder int64
	// Duplicate is the number of payload bytes that had been delivered or
	// held already (retransmissions, duplicates, overlaps).
	Duplicate int64
	// Conflicting is the number of duplicate bytes that differed from the
	// bytes held (first-wins: the held bytes were kept).
	Conflicting int64
	// Dropped is the number of segments dropped as invalid: data after
	// the FIN (held data a later FIN puts past the end included), or
	// more than 2^30 bytes ahead of the stream.
	Dropped int64
	// FIN reports whether a FIN was seen in this direction.
	FIN bool
}

// Stream is one TCP connection as the capture shows it. The Assembler
// fills it in; a Handler reads it and keeps its own state in User.
type Stream struct {
	// ID numbers the streams of an Assembler from 0, in the order they
	// began (Wireshark's tcp.stream).
	ID uint64
	// Client and Server are the two ends (see Rule).
	Client, Server netip.AddrPort
	// Rule says how the client was told from the server.
	Rule Rule
	// First and Last are the capture times of the first and the latest
	// segment.
	First, Last time.Time
	// User is the Handler's: the Assembler never reads or changes it.
	User any

	stats  [2]DirStats
	syn    [2]bool // the direction's SYN was seen
	ignore bool

	// The memory the Handler holds for the stream (Charge), and where to
	// charge it: nil once the stream has ended.
	charged int
	asm     *Assembler
	conn    *conn
}

// StartSeen reports whether the SYN of dir was seen, so that its data
// starts at the first byte the sender sent. It is settled before the first
// call to Data or Gap in that direction.
func (s *Stream) StartSeen(dir Direction) bool { return s.syn[dir&1] }

// Stats returns the counters of dir.
func (s *Stream) Stats(dir Direction) DirStats { return s.stats[dir&1] }

// Ignore tells the Assembler that the Handler wants no more Data and Gap
// calls for s (say, a TLS view that found no TLS): held data is dropped and
// no more is buffered, which makes the rest of the connection cheap.
// Packets are still counted, and Close is still called.
func (s *Stream) Ignore() { s.ignore = true }

// Charge adds n bytes to the memory the Handler holds for s (n < 0 takes
// bytes back; the figure never goes below 0): the buffers and state it
// keeps for the stream, such as a TLS session's records and keys. They
// count with the stream's out-of-order data against
// Config.MaxBufferedPerStream and Config.MaxBufferedTotal, so that one
// budget bounds both what the Assembler holds and what its Handler does
// (see the package documentation). Charge only counts: the bounds are
// applied when the call the Handler is in returns to the Assembler, by
// ending streams (CloseMemory) if need be, and never within a call to the
// Handler. What is charged for a stream is taken back when it ends, just
// before Close; Charge does nothing after that.
func (s *Stream) Charge(n int) {
	a := s.asm
	if a == nil {
		return
	}
	n = max(n, -s.charged)
	s.charged += n
	a.total += n
	a.charges += n
	c := s.conn
	switch {
	case s.charged > 0 && !c.charging:
		c.charging = true
		a.charging.pushFront(c)
	case s.charged == 0 && c.charging:
		c.charging = false
		a.charging.remove(c)
	}
	if a.total > a.stats.PeakBuffered {
		a.stats.PeakBuffered = a.total
	}
}

// Charged returns the memory charged for s with Charge, 0 once s has
// ended.
func (s *Stream) Charged() int { return s.charged }

// Ignored reports whether Ignore was called.
func (s *Stream) Ignored() bool { return s.ignore }

// Src returns the address and port that sends dir.
func (s *Stream) Src(dir Direction) netip.AddrPort {
	if dir == ClientToServer {
		return s.Client
	}
	return s.Server
}

// Dst returns the address and port that receives dir.
func (s *Stream) Dst(dir Direction) netip.AddrPort { return s.Src(dir.Reverse()) }

// String returns "client > server", as tcpdump prints addresses.
func (s *Stream) String() string {
	return s.Client.String() + " > " + s.Server.String()
}
