// Package tcpstream reassembles the byte streams of TCP connections from
// captured segments, for analysis: it is what netdump's TLS view and stream
// follow read. It is not the stack's TCP engine (package tcp): it never
// sends, acknowledges or enforces windows, and it must make sense of
// whatever a capture holds, including what no endpoint would accept.
//
// The caller parses IP and TCP and hands each segment to Assembler.Add with
// its addresses and capture time. The Assembler calls a Handler with each
// direction's bytes in order (Data), with the number of bytes it knows it
// will never have (Gap), and once at the end of each connection (Close).
//
// # Connections and roles
//
// A Stream is one connection: the pair of addresses and ports, from its
// first segment to its end. Its client is the side that sent the SYN (a SYN
// without ACK); when the capture missed the SYN but has the SYN-ACK, the
// client is the side it was sent to. When the capture starts in the middle
// of the connection, the side with the lower port is the server (servers
// listen on low, well-known ports; clients draw ephemeral ports above
// 1024), and when both ports are equal the sender of the first segment seen
// is the client. Stream.Rule says which of these decided, and
// Stream.StartSeen whether a direction's data begins at its first byte.
// The roles are settled when the Stream begins, before any call to the
// Handler, and never change.
//
// A segment starts a Stream when it carries a SYN or data. Pure ACKs, and
// FINs and RSTs without data, of no known connection are counted and
// dropped: they have nothing to say. A direction whose SYN was not seen
// begins at the first byte seen in it (or at the sequence number of its
// first pure ACK, which is where its next data will start); data sent
// before that is not reported as a gap, since how much there was is
// unknown.
//
// A connection ends with a FIN in each direction, once everything before
// both FINs has been delivered or given up; with an RST; when it has been
// idle for Config.IdleTimeout of capture time, or Flush says so; when it
// is evicted for Config.MaxStreams; when a SYN with a new initial sequence
// number opens a new connection on the same addresses; and at
// Assembler.Close. A connection ended by FIN or RST is remembered (without
// its buffers) until it has been idle for IdleTimeout, so that its last
// ACKs and retransmissions do not start a new, bogus Stream; a SYN on it
// starts a new one.
//
// An RST does not end a connection at once: what the other end sent
// before the RST reached it is still on its way, and a capture taken near
// the end that reset shows it after the RST (a TLS server's close_notify
// alert, crossing the client's RST, is the common case). The connection
// lingers for Config.ResetLinger of capture time (1 second by default),
// taking data in both directions as before, and ends (CloseRST, whatever
// ends it but the memory bounds) when that time has passed, at the next
// segment of any connection or a Flush, or sooner when nothing more can
// come: the other end's data is through up to its FIN and the resetting
// end's up to its FIN or the RST, or the RST answered a SYN. What it
// holds is given up when it ends, not at the RST. A negative ResetLinger
// ends connections at their RST.
//
// # Reassembly
//
// Sequence numbers are tcp.Seq values, compared modulo 2^32 (RFC 9293
// section 3.4), so streams wrap around freely. Data at the next expected
// sequence number is handed to the Handler straight from the caller's
// segment, without a copy. Data ahead of it (out of order) is copied into
// pooled buffers and held until the hole before it fills. Data already delivered (retransmissions,
// duplicates, the old part of an overlapping segment) is dropped and
// counted; the new part of a partly old segment is taken. A segment more
// than 2^30 bytes ahead (the largest window RFC 7323 allows) is dropped as
// out of window.
//
// Overlapping data that disagrees is resolved first-wins: the bytes that
// arrived first are kept and later copies are compared with them only to
// count the conflicting bytes (DirStats.Conflicting). This is what Zeek
// does (it reports "rexmit_inconsistency") and what Wireshark's
// reassembly does, and it is the only policy a streaming reassembler can
// keep: in-order bytes are handed over as they arrive and cannot be taken
// back. Bytes already delivered are not kept, so a conflicting
// retransmission of them cannot be detected.
//
// A hole is given up (reported as a Gap, and delivery goes on from the data
// after it) as soon as one of these says its bytes will never come:
//
//   - the peer acknowledged data beyond the hole, in a segment before the
//     current one (so the receiver had the bytes and no retransmission will
//     come: the capture missed them). Waiting one segment tolerates a
//     capture that shows an ACK just before the data it acknowledges;
//   - the data held after the hole has waited for it longer than
//     IdleTimeout of capture time, or longer than Flush's cut-off;
//   - the memory bounds need the room (below);
//   - the connection ends (Close, RST and its linger, idle, eviction).
//
// Bytes after the last data seen are reported as a gap only when a FIN
// says where the stream ended. A caller that knows a segment was cut short
// by the capture's snapshot length gives its length on the wire to
// AddTruncated, and the bytes not captured are reported as a gap in their
// place.
//
// # Memory
//
// Two things grow with the input: out-of-order data, and what the Handler
// keeps for each connection (a TLS decoder's incomplete records, handshake
// messages and keys). The Handler charges the latter to the connection
// (Stream.Charge), and one budget bounds both: per connection
// (Config.MaxBufferedPerStream, both directions and the Handler's charge
// together, 4 MiB by default) and in total (Config.MaxBufferedTotal, 64
// MiB by default). Out-of-order data is charged as the capacity of each
// buffer plus a fixed cost per buffered piece, so a flood of one-byte
// segments pays for its bookkeeping.
//
// When a segment's out-of-order data does not fit, the Assembler first
// gives up the holes of the connection that has been holding data the
// longest, or else ends the least recently active connection whose
// Handler holds memory (if the total bound is the problem and another
// connection holds something), then gives up the oldest hole of the
// segment's own direction, then of the other direction, and when the
// connection holds nothing it skips to the new segment, reporting the hole
// before it as a gap.
//
// A Handler's charge counts at once, and the bounds are applied once the
// segment is through (never within a call to the Handler): a connection
// that the Handler's charge has taken past MaxBufferedPerStream gives up
// its holes, and ends if its Handler alone still holds more than the
// bound; while the total is past MaxBufferedTotal, the connection holding
// out-of-order data the longest gives it up, and then the least recently
// active connection whose Handler holds memory ends, the segment's own
// last. Connections ended for the bounds (CloseMemory, counted in
// Stats.Shed) are remembered as those ended by RST are, so that the rest
// of their segments are dropped rather than begin new Streams. A flood of
// connections that each make the Handler hold a little loses its oldest,
// and the connections in use go on.
//
// A flood cannot make the Assembler and its Handler hold more than
// MaxBufferedTotal, plus what the Handler charges for one segment before
// the bounds apply, plus up to a quarter of MaxBufferedTotal in free
// buffers kept for reuse, plus a fixed record of under 1 KiB (the
// connection's state and its entry in the table) for each of at most
// MaxStreams connections (65,536 by default): about 144 MiB with the
// defaults. When a new connection would exceed MaxStreams, the least
// recently active one is closed (ended connections that are only
// remembered go first).
//
// # Time
//
// The Assembler reads no clock: its time is the latest capture time given
// to Add (captures are not always in time order; the latest is kept).
// IdleTimeout is measured in that time. Flush applies a cut-off given by
// the caller, for live captures whose traffic stops.
//
// An Assembler is not safe for concurrent use. The Handler is called from
// within Add, AddTruncated, Flush and Close, and must not call back into
// the Assembler.
package tcpstream
