//go:build unix && !linux

package pcap

// mapPopulate is Linux's; elsewhere pages are faulted in as they are read.
const mapPopulate = 0
