// Package corpus gives tests the captures of the shared corpus: the
// third-party pcap and pcapng files (tcpdump's test suite, gopacket's, TLS
// traces, ...) kept in ../shared/corpus beside the checkout rather than in
// the module.
//
// It finds the corpus from the module root, lists the captures under its
// directories, reads their frames through the pcap package, numbered as
// tcpdump numbers them, strips the link-layer header of the link types the
// corpus uses, and picks out what the wire-format packages test their views
// against: the IPv4 datagrams of one transport protocol, or the payloads of
// one EtherType (ARP). Tests that need the corpus skip, with the reason,
// when it is absent.
//
// It is for tests only: it copies every frame and is not written for speed.
// It imports pcap and ethernet and no other protocol package, so the tests of
// arp, ipv4, icmp, tcp and udp can use it without an import cycle.
package corpus

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/linklayer"
	"github.com/medina-net/medina/pcap"
)

// Dir returns the shared corpus directory, ../shared/corpus beside the
// module root (the nearest directory above the working directory, which for
// a test is its package's, that holds a go.mod). The error says what is
// missing when there is no corpus.
func Dir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", fmt.Errorf("no go.mod above %s to find the shared corpus from", wd)
		}
		root = parent
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "corpus")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("shared corpus not found: %s is not a directory", dir)
	}
	return dir, nil
}

// Need returns the corpus directory, or skips t with the reason when the
// corpus is absent.
func Need(t testing.TB) string {
	t.Helper()
	dir, err := Dir()
	if err != nil {
		t.Skip(err)
	}
	return dir
}

// Files returns the pcap and pcapng files under the corpus directories dirs
// ("tcpdump", "gopacket", "tls", ...), each directory's sorted, in the order
// of dirs. It returns none when the corpus is absent, so that a fuzz target
// can take seeds from it when it is there; a test that must not pass
// without the corpus calls Need first.
func Files(dirs ...string) []string {
	root, err := Dir()
	if err != nil {
		return nil
	}
	var files []string
	for _, dir := range dirs {
		var in []string
		filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".pcapng")) {
				in = append(in, p)
			}
			return nil
		})
		slices.Sort(in)
		files = append(files, in...)
	}
	return files
}

// Frame is one frame of a capture file.
type Frame struct {
	// File is the base name of the capture file.
	File string
	// Num is the frame's number from 1, as tcpdump numbers packets.
	Num int
	// LinkType is the link type of the frame's interface.
	LinkType pcap.LinkType
	// Data is what was captured of the frame (a copy, kept by the Frame).
	Data []byte
}

// Read returns the frames of the capture file at path, which need not be in
// the corpus. A file that does not open fails t. A read error ends the
// frames, as it ends tcpdump's output: Read returns the frames before it
// (the pcap package's own tests check which files fail and where).
func Read(t testing.TB, path string) []Frame {
	t.Helper()
	r, err := pcap.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var frames []Frame
	for {
		p, err := r.Next()
		if err != nil {
			return frames
		}
		frames = append(frames, Frame{filepath.Base(path), len(frames) + 1, p.LinkType, bytes.Clone(p.Data)})
	}
}

// Network returns the frame's network-layer packet, what follows its
// link-layer header, and the EtherType that says what it is. Ethernet
// frames give the EtherType after any VLAN tags; Linux cooked captures (SLL
// and SLL2) the protocol field; BSD loopback (NULL and LOOP) IPv4 or IPv6 by
// the address family; raw IP (RAW, IPV4, IPV6) IPv4 or IPv6 by the version
// nibble. Other link types (PKTAP, USER2, 802.11, ...) and frames too short
// for their link-layer header give 0 and nil.
func (f Frame) Network() (ethernet.Type, []byte) {
	return linklayer.Network(f.LinkType, f.Data)
}

// Packet is the network-layer packet of a captured frame.
type Packet struct {
	// File and Num are the Frame's.
	File string
	Num  int
	// Data is what follows the link-layer header, as captured: cut short
	// by the snapshot length, or followed by padding.
	Data []byte
}

// Packets returns the network-layer packets of EtherType typ in the
// captures at paths (of the corpus or not).
func Packets(t testing.TB, typ ethernet.Type, paths ...string) []Packet {
	t.Helper()
	var pkts []Packet
	for _, path := range paths {
		for _, f := range Read(t, path) {
			if et, b := f.Network(); et == typ && b != nil {
				pkts = append(pkts, Packet{f.File, f.Num, b})
			}
		}
	}
	return pkts
}

// IPv4Packet is the transport part of an IPv4 datagram.
type IPv4Packet struct {
	// File and Num are the Frame's.
	File string
	Num  int
	// Src, Dst and Proto are the IPv4 header's.
	Src, Dst [4]byte
	Proto    uint8
	// Length is what the IPv4 header says the transport part is; Data is
	// what was captured of it.
	Length int
	Data   []byte
}

// IPv4 returns the transport parts of the IPv4 datagrams in the captures at
// paths whose protocol is proto. It keeps first fragments only, and only
// datagrams whose header is whole and whose lengths are consistent (a header
// of at least 20 bytes, within the total length), so that Data is the
// transport header and what follows it.
func IPv4(t testing.TB, proto uint8, paths ...string) []IPv4Packet {
	t.Helper()
	var pkts []IPv4Packet
	for _, p := range Packets(t, ethernet.TypeIPv4, paths...) {
		ip := p.Data
		if len(ip) < 20 || ip[0]>>4 != 4 || ip[9] != proto {
			continue
		}
		ihl := int(ip[0]&0x0f) * 4
		total := int(binary.BigEndian.Uint16(ip[2:]))
		if ihl < 20 || total < ihl || ihl > len(ip) || binary.BigEndian.Uint16(ip[6:])&0x1fff != 0 {
			continue
		}
		pkts = append(pkts, IPv4Packet{
			File: p.File, Num: p.Num,
			Src: [4]byte(ip[12:16]), Dst: [4]byte(ip[16:20]), Proto: proto,
			Length: total - ihl, Data: ip[ihl:min(total, len(ip))],
		})
	}
	return pkts
}
