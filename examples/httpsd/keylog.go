package main

import (
	"io"
	"sync"

	"github.com/medina-net/medina/pcap"
)

// keyLog is crypto/tls's Config.KeyLogWriter: it receives the NSS key log
// lines of every handshake, one line per Write, and writes each one at
// once into the capture as a Decryption Secrets Block of its own, and to
// the -insecure-keylog file when there is one.
//
// Writing a line the moment it arrives puts it in the capture before the
// records it decrypts. With TLS 1.3, crypto/tls's server logs all four
// secrets (client and server handshake traffic, client and server
// application traffic) while it builds its first flight and before it
// sends any of it, so every DSB precedes the ServerHello, and with it every
// encrypted record of the connection, in either direction. A reader going
// through the file once, as the pcapng specification has it (a DSB applies
// to the packets after it), has each key before it needs it.
//
// The Tap records frames from the stack's goroutines while crypto/tls
// calls Write from the handshake's: mu is the lock the Tap's recorder holds
// (pcap.LockedRecorder), so that a DSB and a packet block are never
// interleaved in the file.
type keyLog struct {
	mu   *sync.Mutex    // shared with the Tap's recorder
	w    *pcap.NgWriter // the capture, or nil
	file io.Writer      // the insecure key log, or nil

	// Guarded by mu.
	closed      bool   // the capture is complete: no more DSBs
	lines, dsbs uint64 // lines received, DSBs written
	errs        uint64 // failed writes, to the capture or the file
	err         error  // the first of them
}

// Write records one key log line. It never fails: crypto/tls would abort
// the handshake, and a capture or a file that cannot be written is no
// reason to refuse a client. Failures are counted (Err reports the first).
func (k *keyLog) Write(line []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lines++
	if k.w != nil && !k.closed {
		if err := k.w.WriteSecrets(pcap.SecretsTLSKeyLog, line); err != nil {
			k.fail(err)
		} else {
			k.dsbs++
		}
	}
	if k.file != nil {
		if _, err := k.file.Write(line); err != nil {
			k.fail(err)
		}
	}
	return len(line), nil
}

func (k *keyLog) fail(err error) {
	k.errs++
	if k.err == nil {
		k.err = err
	}
}

// close stops writing DSBs and flushes the capture, after the Tap's own
// last flush: a handshake that logged after that is complete too. It
// returns the first error of any write or of the flush.
func (k *keyLog) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.w != nil && !k.closed {
		if err := k.w.Flush(); err != nil {
			k.fail(err)
		}
	}
	k.closed = true
	return k.err
}

// stats returns the counts of lines, DSBs and failed writes.
func (k *keyLog) stats() (lines, dsbs, errs uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lines, k.dsbs, k.errs
}
