package dump

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/pcap"
)

// TestIP6MutationsAgainstTCPDump changes random bytes of the IP layer
// and what this package's printers above it print in the frames of the
// IPv6 table (seeded, so that a failure repeats), cuts some short, and requires that netdump
// prints them as the installed tcpdump 4.99.3 does with no flag, -v, -vv
// and -e -x: malformed extension headers, options, mobility messages and
// DCCP packets of every shape the table's neighbours have. It skips
// without tcpdump 4.99.3. IP6SEED=N in the environment draws other
// mutations (64 seeds passed when it was written).
func TestIP6MutationsAgainstTCPDump(t *testing.T) {
	tcpdump := tcpdump4993(t)
	seed, _ := strconv.ParseUint(os.Getenv("IP6SEED"), 10, 64)
	rng := rand.New(rand.NewPCG(11, 2+seed))
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf, pcap.LinkTypeEthernet, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range ip6Cases {
		for _, f := range c.frames {
			lo, hi := mutableSpan(f)
			for range 60 {
				m := bytes.Clone(f)
				for range 1 + rng.IntN(3) {
					// The IPv6 version nibble is mostly left alone.
					i := lo + rng.IntN(hi-lo)
					if i == 14 && rng.IntN(8) != 0 {
						continue
					}
					m[i] = byte(rng.Uint32())
				}
				if !printedAlike(m) {
					continue
				}
				data := m
				if rng.IntN(4) == 0 {
					data = m[:14+rng.IntN(len(m)-14)]
				}
				if err := w.WritePacket(time.Unix(int64(1e9+n), 0), data, len(m)); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "mutated.pcap")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{nil, {"-v"}, {"-vv"}, {"-e", "-x"}} {
		t.Run(fmt.Sprint(flags), func(t *testing.T) {
			args := append([]string{"-n", "-r", file}, flags...)
			cmd := exec.Command(tcpdump, args...)
			cmd.Env = append(os.Environ(), "TZ=UTC")
			want, err := cmd.Output()
			if err != nil {
				t.Fatalf("tcpdump %v: %v", args, err)
			}
			if got := printFile(t, file, args); !bytes.Equal(got, want) {
				t.Errorf("%d mutated frames: the printer and tcpdump differ: %s", n, firstDiff(want, got))
			}
		})
	}
}

// mutableSpan returns the bytes of a table frame that the mutations
// change: the IP layer and what this package's IPv6, mobility, IPsec and
// DCCP printers print, not the headers of TCP and UDP, whose ports could
// name an application tcpdump prints and this package does not.
func mutableSpan(f []byte) (lo, hi int) {
	if binary.BigEndian.Uint16(f[12:]) == 0x0800 {
		h := ipv4.Header(f[14:])
		if h.Protocol() == ipv4.ProtoDCCP {
			return 14 + ipv4.MinHeaderLen, len(f)
		}
		return 14 + ipv4.MinHeaderLen, 14 + ipv4.MinHeaderLen + 24 // the AH
	}
	p, off, _ := ipv6.Header(f[14:]).UpperLayer()
	switch p {
	case ipv4.ProtoTCP, ipv4.ProtoUDP, ipv4.ProtoICMPv6:
		return 14, 14 + off
	}
	return 14, len(f)
}

// printedAlike reports whether every next header of an IPv6 frame's chain
// names a protocol that this package and tcpdump both print (or neither
// does): not one of those tcpdump prints and this package does not.
func printedAlike(f []byte) bool {
	unknownHere := func(p ipv4.Protocol) bool {
		switch p {
		case ipv4.ProtoEGP, ipv4.ProtoIGRP, ipv4.ProtoRSVP, ipv4.ProtoMobileIP, ipv4.ProtoPGM, ipv4.ProtoSCTP, ipv4.ProtoGRE:
			return true
		}
		return false
	}
	if binary.BigEndian.Uint16(f[12:]) == 0x0800 {
		// The next header of an AH after the IPv4 header.
		return !(f[14+9] == byte(ipv4.ProtoAH) && unknownHere(ipv4.Protocol(f[14+ipv4.MinHeaderLen])))
	}
	if len(f) < 14+ipv6.HeaderLen {
		return true
	}
	h := ipv6.Header(f[14:])
	if unknownHere(h.NextHeader()) {
		return false
	}
	it := h.ExtIterTo(len(h))
	for e, ok := it.Next(); ok; e, ok = it.Next() {
		if unknownHere(e.Next) {
			return false
		}
	}
	return true
}
