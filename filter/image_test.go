package filter

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/pcap"
)

// imageExprs make libpcap programs with every instruction tcpdump -d can
// print: loads of every kind, every ALU operation, scratch memory, jumps
// forward and (protochain) backward, and Linux's ancillary loads.
var imageExprs = []string{
	"host 10.0.0.1 and tcp port 443",
	"ip protochain 6",
	"ip6 protochain 17",
	"inbound",
	"ifindex 3",
	"len + 1 - 2 * 3 / 4 % 5 & 6 | 7 ^ 8 << 1 >> 2 = tcp[0]",
	"-len = ip[0] + ip[1] - ip[2] * ip[3] / (ip[4] + 1)",
	"tcp[tcp[0]] = len % ip[1] & ip[2] | ip[3] ^ ip[4] << ip[5] >> ip[6]",
	"geneve and ether host 00:01:02:03:04:05",
	"vlan 100 and (ip6 net 2001:db8::/32 or icmp[icmptype] = icmp-echo)",
	"ether[0:4] = 0xffffffff and ip[2:2] > 1500",
	"less 100 or greater 1000",
	"1 = 1",
}

// TestDumpFormats prints libpcap's programs (from tcpdump -dd) in the
// three formats and compares them byte for byte with tcpdump -d and -ddd.
func TestDumpFormats(t *testing.T) {
	tcpdump := tcpdumpPath(t)
	for _, e := range imageExprs {
		for _, opt := range [][]string{nil, {"-O"}} {
			prog, msg, err := tcpdumpProgram(tcpdump, "", e, opt...)
			if err != nil || msg != "" {
				t.Fatalf("%q: %v %s", e, err, msg)
			}
			for _, tc := range []struct {
				flag   string
				format DumpFormat
			}{{"-d", DumpText}, {"-dd", DumpC}, {"-ddd", DumpDecimal}} {
				args := append(append([]string{tc.flag}, opt...), "--", e)
				want, err := exec.Command(tcpdump, args...).Output()
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if err := Dump(&got, prog, tc.format); err != nil {
					t.Fatal(err)
				}
				if got.String() != string(want) {
					t.Errorf("%q %s:\n%s\ntcpdump:\n%s", e, tc.flag, got.String(), want)
				}
			}
		}
	}
}

// TestDumpOwnPrograms checks the formats without tcpdump on a program of
// ours.
func TestDumpOwnPrograms(t *testing.T) {
	f, err := CompileOptions("ip and tcp[13] & 2 != 0", Options{LinkType: pcap.LinkTypeEthernet})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	f.Dump(&b, DumpText)
	want := `(000) ldh      [12]
(001) jeq      #0x800           jt 2	jf 10
(002) ldb      [23]
(003) jeq      #0x6             jt 4	jf 10
(004) ldh      [20]
(005) jset     #0x1fff          jt 10	jf 6
(006) ldxb     4*([14]&0xf)
(007) ldb      [x + 27]
(008) jset     #0x2             jt 9	jf 10
(009) ret      #262144
(010) ret      #0
`
	if b.String() != want {
		t.Errorf("-d:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	Dump(&b, []bpf.RawInstruction{{Op: bpfLD | bpfH | bpfABS, K: 12}, {Op: bpfRET | bpfK, K: 96}}, DumpC)
	if want := "{ 0x28, 0, 0, 0x0000000c },\n{ 0x6, 0, 0, 0x00000060 },\n"; b.String() != want {
		t.Errorf("-dd: %q, want %q", b.String(), want)
	}
	b.Reset()
	Dump(&b, []bpf.RawInstruction{{Op: bpfLD | bpfH | bpfABS, K: 12}, {Op: bpfRET | bpfK, K: 96}}, DumpDecimal)
	if want := "2\n40 0 0 12\n6 0 0 96\n"; b.String() != want {
		t.Errorf("-ddd: %q, want %q", b.String(), want)
	}
	if strings.Contains(Image(bpf.RawInstruction{Op: 0xff}, 0), "unimp") == false {
		t.Error("an unknown opcode is not printed as unimp")
	}
}
