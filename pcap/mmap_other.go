//go:build !unix

package pcap

import "os"

// mapFile maps nothing where memory-mapped files are not available; the
// reader reads the file instead.
func mapFile(f *os.File, size int64) []byte { return nil }

// unmapFile is never called without a mapping.
func unmapFile(data []byte) error { return nil }

// releaseMapped is never called without a mapping.
func releaseMapped(data []byte) {}
