//go:build unix

package pcap

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps a regular file into memory so that the reader hands out
// packets straight from the page cache, without copying them through a
// read buffer: for a large capture the read syscalls and that copy are most
// of what reading costs. It returns nil when the file cannot be mapped
// (empty, too large for the address space, or a file system that refuses),
// and the reader then falls back to reading.
//
// The mapping is read-only and private: Data slices point into it, and
// since they are capped at their length a caller cannot write into it. A
// file truncated by another process while it is mapped would fault on
// access, as with any mapped file; captures being written to are better
// read from standard input.
func mapFile(f *os.File, size int64) []byte {
	if size <= 0 || size != int64(int(size)) {
		return nil
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	// The reader walks the file front to back once.
	_ = unix.Madvise(data, unix.MADV_SEQUENTIAL)
	return data
}

// unmapFile releases a mapping made by mapFile.
func unmapFile(data []byte) error { return unix.Munmap(data) }

// releaseMapped hands back the pages of part of a mapping made by mapFile
// (page-aligned), which leave the resident set; reading them again
// fetches them from the file, through the page cache.
func releaseMapped(data []byte) {
	if len(data) > 0 {
		_ = unix.Madvise(data, unix.MADV_DONTNEED)
	}
}
