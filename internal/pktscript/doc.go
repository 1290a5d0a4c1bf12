// Package pktscript is the language the RFC behaviour scripts of packages
// tcp and stack share, in the spirit of packetdrill: a script is a list of
// timed lines, each sending a packet as the peer, expecting one from the
// side under test, or acting on it. Each harness adds its own actions and
// its own packet notation around the TCP segment notation given here; the
// harnesses' comments describe the rest (tcp/script_test.go,
// stack/script_test.go).
//
// It is test infrastructure, like internal/netns, and kept out of the
// packages it tests so that both harnesses parse, print and match the same
// way. It imports package tcp for its wire format, so tcp's own harness is
// an external test (package tcp_test).
//
// # Lines
//
// One step a line; # starts a comment. A line starts with a time in
// seconds since the start ("0.100") or since the previous line ("+0.1");
// a line without one happens at the time of the previous line. Time never
// goes back. Then comes "<" (a packet the peer sends), ">" (one the side
// under test must send) or an action with its arguments; directives (such
// as config and skip) take no time.
//
// # TCP segments
//
//	S 1000:1000(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
//	S. 0:0(0) ack 1001 win * <mss 1460,sackOK,TS val * ecr 100,nop,wscale *>
//	P. 1:1449(1448) ack 1001 ...
//
// FLAGS are tcpdump's letters (F S R P U E W, and . for ACK; none for no
// flag at all), then SEQ:END(LEN), "ack N" exactly when the flags have
// ".", "win N" (the raw 16-bit field), and the options between < and >
// (mss N, wscale N, sackOK, nop, eol, TS val N ecr N, sack L:R L:R ...; a
// segment sent by the side under test is padded with eol, which is not
// written). In a segment to expect, * matches any value; the window must
// be given ("win *" to not care) unless the segment ends with "...",
// which leaves the window and the options unchecked unless written; a
// segment without <...> and without "..." must have no options. A segment
// the peer sends has no wildcards but "ecr *", and a window of 65535
// unless it says otherwise.
//
// Numbers are packetdrill's (see Tuple): the peer's sequence numbers are
// absolute (the script chose them), those of the side under test relative
// to its initial sequence number, learnt from its SYN or SYN-ACK on the
// four-tuple. So the seq of a > segment, the ack of a < segment and the
// SACK blocks of a < segment are relative; the ack of a > segment and its
// SACK blocks are absolute. Likewise the TS val of the side under test is
// relative to the first it sent on the four-tuple, and so is a < segment's
// TS ecr (absolute before it sent any); "ecr *" in a < segment echoes its
// latest TS val.
//
// Payloads are a fixed pattern by stream offset (PatternByte), both ways,
// so that a harness can check that data was reassembled and sent at its
// place in the stream.
package pktscript
