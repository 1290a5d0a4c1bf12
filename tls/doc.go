// Package tls is the wire format of TLS (SSL 3.0 to TLS 1.3) as an
// analyser reads it from a capture: the record layer, every handshake
// message and the extensions Wireshark names, fingerprints (JA3, JA3S,
// JA4), certificate summaries, and decryption with an NSS key log or the
// secrets of a pcapng Decryption Secrets Block.
//
// It does not speak TLS: crypto/tls does that, over the stack's
// connections. This package reads what was said. It works on the two byte
// streams of a TCP connection, reassembled (see package tcpstream), and
// recognises TLS by content, not by port.
//
// Parsing follows the house rule for wire formats: views over byte slices
// with a length check up front; malformed input is an error that says what
// and where, never a panic.
//
// # Memory
//
// A Session allocates as bytes come, not as headers announce them: a
// record's header says how long the record will be, but the buffer that
// holds an incomplete record grows with what has arrived (to the largest
// record's size once 2 KiB have), the decryption buffer is made with the
// first key, and handshake messages are put together as their fragments
// come. Per direction a Session holds at most the bytes it keeps while the
// other direction's handshake is awaited (256 KiB and a record), a
// handshake message (1 MiB), a decryption buffer (a record), three ciphers
// and a few secrets; Session.Memory says how much it holds now. A session
// that has seen the start of one record holds about 1.5 KiB.
//
// A StreamDecoder charges each Session's memory to its connection in the
// tcpstream.Assembler it serves, so the Assembler's bounds cover the TLS
// with the reassembly: 4 MiB per connection and 64 MiB in all by default
// (tcpstream.Config's MaxBufferedPerStream and MaxBufferedTotal). Past
// them the Assembler ends the least recently active connections that hold
// memory (tcpstream.CloseMemory, counted in tcpstream.Stats.Shed), and
// their Sessions end as at any close. With the defaults, the Assembler and
// the StreamDecoder hold at most about 144 MiB however many connections a
// capture has (see the package documentation of tcpstream), and a
// KeyLog's memory of the master secrets that sessions may resume is
// bounded apart, at 65,536 entries of about 100 bytes.
package tls
