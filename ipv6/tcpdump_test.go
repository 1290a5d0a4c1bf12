package ipv6

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/corpus"
	"github.com/medina-net/medina/ipv4"
)

// tcpdumpPackets returns, for each test of tcpdump 4.99.3's suite (run
// with -v when verbose), its capture and what tcpdump printed for each
// packet, by packet number (the first line and its continuations).
func tcpdumpPackets(t *testing.T, verbose bool) map[string]map[int]string {
	dir := filepath.Join(corpus.Need(t), "tcpdump-4.99.3-all")
	f, err := os.Open(filepath.Join(dir, "TESTLIST"))
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	out := map[string]map[int]string{}
	numbered := regexp.MustCompile(`^ *(\d+)  `)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || strings.HasPrefix(fields[0], "#") || verbose && !strings.Contains(sc.Text(), "-v") {
			continue
		}
		text, err := os.ReadFile(filepath.Join(dir, fields[2]))
		if err != nil {
			continue
		}
		pkts := map[int]string{}
		n := 0
		for _, line := range strings.Split(string(text), "\n") {
			if m := numbered.FindStringSubmatch(line); m != nil {
				n, _ = strconv.Atoi(m[1])
			}
			if n > 0 {
				pkts[n] += line + "\n"
			}
		}
		if out[fields[1]] == nil {
			out[fields[1]] = pkts
		}
	}
	return out
}

// TestChecksumsAsTcpdump computes the checksum of every UDP, TCP and
// ICMPv6 packet over IPv6 in the captures tcpdump 4.99.3's suite prints
// with -v, over the pseudo-header of checksum.Pseudo6 with RoutedDst and
// the upper-layer header the chain walk finds, and requires the verdict
// tcpdump printed: "[udp sum ok]" or "[bad udp cksum ...]", "cksum 0x...
// (correct)" or "(incorrect ...)", "[icmp6 sum ok]" or "[bad icmp6 cksum
// ...]". Packets inside tunnels, fragments and packets cut short are left
// out, as tcpdump leaves them.
func TestChecksumsAsTcpdump(t *testing.T) {
	dir := filepath.Join(corpus.Need(t), "tcpdump-4.99.3-all")
	var checked, routed int
	for pcap, pkts := range tcpdumpPackets(t, true) {
		for _, p := range corpus.Packets(t, ethernet.TypeIPv6, filepath.Join(dir, pcap)) {
			line := pkts[p.Num]
			if strings.Count(line, "IP6 (")+strings.Count(line, "IP (") != 1 {
				continue
			}
			h, err := NewHeader(p.Data)
			if err != nil || h.Check() != nil || h.PayloadLen() == 0 {
				continue
			}
			if _, _, frag := h.FragmentHeader(); frag {
				continue
			}
			proto, off, how := h.UpperLayer()
			end := h.Len()
			if how != ChainUpper || off >= end {
				continue
			}
			var ok, bad string
			switch proto {
			case ipv4.ProtoUDP:
				ok, bad = "[udp sum ok]", "[bad udp cksum"
			case ipv4.ProtoTCP:
				ok, bad = "(correct)", "(incorrect"
			case ipv4.ProtoICMPv6:
				ok, bad = "[icmp6 sum ok]", "[bad icmp6 cksum"
			default:
				continue
			}
			said := strings.Contains(line, ok)
			if !said && !strings.Contains(line, bad) {
				continue
			}
			dst := h.RoutedDst()
			if dst != h.Dst() {
				routed++
			}
			upper := h[off:end]
			sum := checksum.Pseudo6(h.Src(), dst, uint8(proto), uint32(len(upper)))
			valid := checksum.Fold(checksum.Add(sum, upper)) == 0xffff
			if valid != said {
				t.Errorf("%s #%d: %v checksum valid %v, tcpdump: %s", pcap, p.Num, proto, valid, strings.TrimSpace(line))
			}
			checked++
		}
	}
	t.Logf("%d checksums agree with tcpdump's verdict, %d of them summed to a routing header's destination", checked, routed)
	if checked < 50 {
		t.Errorf("only %d checksums checked", checked)
	}
}
