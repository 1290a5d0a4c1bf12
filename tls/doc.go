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
package tls
