package arp

// A small reader for the captures of the shared corpus, enough to pull the
// ARP packets out of pcap and pcapng files without depending on the pcap
// package, which is written alongside this one. Tests that use it skip when
// the corpus is absent.

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusDir is the shared corpus beside the checkout.
const corpusDir = "../../shared/corpus"

// needCorpus skips t when the shared corpus is absent.
func needCorpus(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("shared corpus not found: %v", err)
	}
}

// frame is one captured frame with its link type.
type frame struct {
	num      int // 1-based, as tcpdump numbers packets
	linkType uint32
	data     []byte
}

// readCapture returns the frames of a pcap or pcapng file, or nil if the
// file is neither (or is broken before its first frame).
func readCapture(path string) []frame {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 24 {
		return nil
	}
	if binary.LittleEndian.Uint32(b) == 0x0a0d0d0a {
		return readPcapng(b)
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return nil
	}
	// The upper bits of the link type field carry FCS information.
	lt := bo.Uint32(b[20:]) & 0x03ffffff
	var frames []frame
	for off := 24; off+16 <= len(b); {
		incl := int(bo.Uint32(b[off+8:]))
		off += 16
		if incl < 0 || off+incl > len(b) {
			break
		}
		frames = append(frames, frame{len(frames) + 1, lt, b[off : off+incl]})
		off += incl
	}
	return frames
}

// readPcapng returns the frames of the enhanced and simple packet blocks of
// a pcapng file.
func readPcapng(b []byte) []frame {
	var bo binary.ByteOrder = binary.LittleEndian
	var ifaces []uint32
	var frames []frame
	for off := 0; off+12 <= len(b); {
		typ := bo.Uint32(b[off:])
		if typ == 0x0a0d0d0a {
			if binary.LittleEndian.Uint32(b[off+8:]) == 0x1a2b3c4d {
				bo = binary.LittleEndian
			} else {
				bo = binary.BigEndian
			}
			ifaces = ifaces[:0]
		}
		n := int(bo.Uint32(b[off+4:]))
		if n < 12 || off+n > len(b) {
			break
		}
		body := b[off+8 : off+n-4]
		switch typ {
		case 1: // interface description
			if len(body) >= 2 {
				ifaces = append(ifaces, uint32(bo.Uint16(body)))
			}
		case 6: // enhanced packet
			if len(body) >= 20 {
				id, caplen := int(bo.Uint32(body)), int(bo.Uint32(body[12:]))
				if id < len(ifaces) && 20+caplen <= len(body) {
					frames = append(frames, frame{len(frames) + 1, ifaces[id], body[20 : 20+caplen]})
				}
			}
		case 3: // simple packet
			if len(body) >= 4 && len(ifaces) > 0 {
				frames = append(frames, frame{len(frames) + 1, ifaces[0], body[4:]})
			}
		}
		off += n
	}
	return frames
}

// arpFrame is the ARP packet of a captured frame: what follows the
// link-layer header.
type arpFrame struct {
	file string
	num  int
	data []byte
}

// arpPayload returns the bytes after the link-layer header of an ARP frame,
// or nil.
func arpPayload(f frame) []byte {
	const typeARP = 0x0806
	b := f.data
	switch f.linkType {
	case 1: // Ethernet, maybe VLAN-tagged
		if len(b) < 14 {
			return nil
		}
		et, off := binary.BigEndian.Uint16(b[12:]), 14
		for (et == 0x8100 || et == 0x88a8 || et == 0x9100) && off+4 <= len(b) {
			et, off = binary.BigEndian.Uint16(b[off+2:]), off+4
		}
		if et != typeARP {
			return nil
		}
		return b[off:]
	case 113: // Linux cooked capture
		if len(b) < 16 || binary.BigEndian.Uint16(b[14:]) != typeARP {
			return nil
		}
		return b[16:]
	}
	return nil
}

// arpPackets returns the ARP packets of every capture under the corpus
// directories dirs.
func arpPackets(t testing.TB, dirs ...string) []arpFrame {
	needCorpus(t)
	var pkts []arpFrame
	for _, dir := range dirs {
		var files []string
		filepath.WalkDir(filepath.Join(corpusDir, dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".pcapng")) {
				files = append(files, p)
			}
			return nil
		})
		slices.Sort(files)
		for _, file := range files {
			for _, f := range readCapture(file) {
				if b := arpPayload(f); b != nil {
					pkts = append(pkts, arpFrame{filepath.Base(file), f.num, b})
				}
			}
		}
	}
	return pkts
}
