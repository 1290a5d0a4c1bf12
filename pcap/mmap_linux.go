package pcap

import "syscall"

// mapPopulate asks Linux to map the whole file up front: one pass through
// the page cache in the kernel costs far less than a page fault per 4 KiB
// as the reader walks the file.
const mapPopulate = syscall.MAP_POPULATE
