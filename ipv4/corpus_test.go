package ipv4

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// corpusDir is the third-party capture corpus beside the checkout.
const corpusDir = "../../shared/corpus/tcpdump"

// capturedIPv4 is one IPv4 datagram from a capture, as the link layer left
// it: cut short by the snap length, or followed by padding.
type capturedIPv4 struct {
	file string
	n    int // packet number from 1, as tcpdump counts
	b    []byte
}

// readIPv4 returns the IPv4 datagrams of a classic pcap or pcapng file.
// It is a test's reader, not pcap/'s: it knows just the link types the
// corpus uses for IPv4 and skips everything else.
func readIPv4(t testing.TB, path string) []capturedIPv4 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []capturedIPv4
	add := func(n int, link uint32, frame []byte) {
		if b := linkPayload(link, frame); b != nil {
			out = append(out, capturedIPv4{filepath.Base(path), n, b})
		}
	}
	if len(data) < 24 {
		return nil
	}
	if binary.LittleEndian.Uint32(data) == 0x0a0d0d0a { // pcapng section header
		readPcapng(data, add)
		return out
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		t.Fatalf("%s: not a pcap file", path)
	}
	link := bo.Uint32(data[20:]) & 0xffff
	for off, n := 24, 1; off+16 <= len(data); n++ {
		incl := int(bo.Uint32(data[off+8:]))
		off += 16
		if incl > len(data)-off {
			break
		}
		add(n, link, data[off:off+incl])
		off += incl
	}
	return out
}

// readPcapng walks the blocks of a pcapng file, handing each enhanced or
// simple packet to add with its interface's link type.
func readPcapng(data []byte, add func(int, uint32, []byte)) {
	var bo binary.ByteOrder = binary.LittleEndian
	var links []uint32
	n := 0
	for off := 0; off+12 <= len(data); {
		typ := bo.Uint32(data[off:])
		if typ == 0x0a0d0d0a {
			if binary.LittleEndian.Uint32(data[off+8:]) == 0x1a2b3c4d {
				bo = binary.LittleEndian
			} else {
				bo = binary.BigEndian
			}
			links = links[:0]
		}
		blen := int(bo.Uint32(data[off+4:]))
		if blen < 12 || blen > len(data)-off {
			return
		}
		body := data[off+8 : off+blen-4]
		switch typ {
		case 1: // interface description
			if len(body) >= 2 {
				links = append(links, uint32(bo.Uint16(body)))
			}
		case 6: // enhanced packet
			if len(body) >= 20 {
				n++
				ifc, incl := int(bo.Uint32(body)), int(bo.Uint32(body[12:]))
				if ifc < len(links) && incl <= len(body)-20 {
					add(n, links[ifc], body[20:20+incl])
				}
			}
		}
		off += blen
	}
}

// linkPayload returns the IPv4 datagram in a frame of the given link type,
// or nil.
func linkPayload(link uint32, f []byte) []byte {
	switch link {
	case 1: // Ethernet, with any 802.1Q/802.1ad tags
		if len(f) < 14 {
			return nil
		}
		typ, off := binary.BigEndian.Uint16(f[12:]), 14
		for (typ == 0x8100 || typ == 0x88a8) && len(f) >= off+4 {
			typ, off = binary.BigEndian.Uint16(f[off+2:]), off+4
		}
		if typ == 0x0800 {
			return f[off:]
		}
	case 0: // BSD loopback: a 4-byte address family in host order
		if len(f) >= 4 && (f[0] == 2 || f[3] == 2) {
			return f[4:]
		}
	case 101, 228: // raw IP, raw IPv4
		if len(f) > 0 && f[0]>>4 == 4 {
			return f
		}
	case 113: // Linux cooked capture
		if len(f) >= 16 && binary.BigEndian.Uint16(f[14:]) == 0x0800 {
			return f[16:]
		}
	}
	return nil
}

// corpusFiles returns the captures of the tcpdump corpus, none when it is
// absent.
func corpusFiles() []string {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.pcap*"))
	return files
}

// capture returns the datagrams of one corpus file, skipping the test when
// the corpus is absent.
func capture(t testing.TB, name string) []capturedIPv4 {
	t.Helper()
	path := filepath.Join(corpusDir, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s absent (the shared corpus is beside the checkout)", path)
	}
	return readIPv4(t, path)
}
