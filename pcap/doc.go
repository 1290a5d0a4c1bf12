// Package pcap reads and writes capture files: classic pcap (microsecond
// and nanosecond, either byte order, and the 'modified pcap' variant
// libpcap accepts) and pcapng (several sections, interfaces and link types,
// either byte order), plain or gzip-compressed.
//
// Reading is medina's own code and follows libpcap 1.10.3, the library
// behind the tcpdump 4.99.3 that netdump must match byte for byte: the same
// files are accepted and refused, with the same error messages (Error.Msg),
// the same snapshot length adjustments, and timestamps handed out as stored
// (an invalid microsecond field of 1000000 stays 1000000, because tcpdump
// prints it that way). Where the pcapng format allows more than libpcap
// reads (interfaces of different link types, sections of different byte
// orders), the zero Config reads it, and Config.Libpcap refuses it as
// libpcap does.
//
// The reader is zero-copy: it reads the file through one large buffer and a
// Packet's Data is a slice of that buffer, valid until the next call to
// Next. Reading allocates nothing per packet, and a length taken from the
// file grows the buffer only as the bytes it claims arrive.
//
// Writing classic pcap is medina's own code, record for record what
// libpcap's pcap_dump writes (Writer.WriteRecord copies a record read from a
// file as tcpdump -w does); pcapng writing encodes its packet blocks itself
// and leaves the other blocks to gopacket's pcapgo, behind medina's types,
// so callers never import pcapgo. RotatingWriter is tcpdump's -w with -C,
// -G and -W: a series of files, each started when the last grew too large
// or too old, named as tcpdump names them.
//
// Two link.Devices connect captures to the stack. Tap wraps the device a
// stack runs over and records every frame, inbound and outbound, to a
// Writer or NgWriter (any Recorder), stamped by the stack's link.Clock, so
// that a conversation run in a testing/synctest bubble makes the same file
// every time. Recording allocates nothing, can be paused with one atomic
// load per frame, and never fails a frame: errors are counted. Replay
// plays a capture's inbound frames into a stack, as fast as it reads them
// or at their recorded times, and keeps what the stack writes, so a test
// can compare it with the capture's outbound frames (Replay.Compare): a
// golden capture recorded through a Tap is the expected output of a
// fresh stack replaying it.
package pcap
