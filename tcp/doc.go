// Package tcp is the wire format of TCP segments (RFC 9293): the fixed
// header, the option list with every option tcpdump names (including the
// Multipath TCP options of RFC 8684 and RFC 6824), the checksum over the
// IPv4 and the IPv6 pseudo-header, and builders that write headers and options into a
// buffer the caller owns. Seq is a sequence number with its modulo-2^32
// arithmetic (RFC 9293 3.4), shared by the engine, tcpstream and the
// printers.
//
// Beside it is the TCP engine (Engine, Conn, Listener), which parses with
// the same view: RFC 9293's state machine with simultaneous open and close
// and TIME-WAIT; the retransmission timer of RFC 6298 with Karn's rule and
// backoff; window scaling, timestamps and PAWS (RFC 7323); SACK (RFC 2018)
// with RFC 6675 loss recovery, or NewReno (RFC 6582) without it; CUBIC (RFC
// 9438, the default) or NewReno window growth; Nagle's algorithm with a
// no-delay switch; delayed ACKs; the persist timer and keep-alive; a SYN
// backlog with SYN cookies past it; RFC 5961's challenge ACKs, rate
// limited per connection and in all; RFC 6528 initial sequence numbers;
// TIME-WAIT reopened by a newer SYN (RFC 6191) and bounded in number;
// ICMP errors about its segments, behind RFC 5927's checks (Path MTU
// Discovery as RFC 1191 and RFC 8201 ask, hard errors that end a
// handshake, soft errors reported if the connection times out: RFC 1122
// 4.2.3.9, RFC 5461), in terms the same for IPv4 and IPv6 (InputError);
// both families, with listeners on :: that take IPv4 too unless V6Only,
// and the MSS and path MTU of each family's headers and least MTU;
// receive buffer auto-tuning; and one memory budget for the buffers of
// all connections, after Linux's tcp_mem (Config.MemoryLimit), whose
// storage grows with the data they hold. Conn is a net.Conn and Listener a net.Listener with package
// net's semantics (deadlines, Close, CloseWrite), so net/http and
// crypto/tls run over them. The engine reads the time and draws random
// numbers only through its Config, sends through the small Network
// interface the stack implements, and keeps no goroutine per connection:
// one timer each, armed at its earliest deadline. The tests in
// testdata/scripts drive one endpoint with crafted segments, packetdrill
// style.
//
// Like every wire-format package in medina, it gives a zero-copy view over a
// byte slice: NewHeader checks the length once, and the accessors then read
// fields in place without further checks or allocation.
//
// The view serves two readers with different needs. The stack must drop
// anything malformed, so it calls [Header.Validate] and checks the status of
// each option it uses. netdump must show malformed segments the way tcpdump
// does, so NewHeader asks only for the 20-byte fixed header, the accessors
// keep working when the data offset is wrong, and the option iterator
// reports a bad option (its kind, offset, declared length and whatever bytes
// are there) instead of giving up on the segment.
package tcp
