package filter

import (
	"strings"
	"testing"

	"github.com/medina-net/medina/pcap"
)

// TestCorpusMessages compiles every Ethernet expression of accept.tsv and
// reject.tsv for which the corpus gives tcpdump 4.99.3's answer: accepted,
// or refused with that message.
func TestCorpusMessages(t *testing.T) {
	rows := append(readFilterRows(t, "accept.tsv"), readFilterRows(t, "reject.tsv")...)
	n, bad := 0, 0
	for _, r := range rows {
		if r.linkType != "EN10MB" || r.tcpdump == "" {
			continue
		}
		n++
		_, err := Compile(r.expr, pcap.LinkTypeEthernet, 0)
		got := "ok"
		if err != nil {
			got = "error: tcpdump: " + strings.TrimSuffix(err.(*Error).Msg, "\n")
		}
		if got != r.tcpdump {
			bad++
			t.Errorf("%q: %s, tcpdump: %s", r.expr, got, r.tcpdump)
		}
	}
	t.Logf("%d of %d EN10MB expressions answered as tcpdump answers", n-bad, n)
}

// TestMessages checks libpcap's wording for errors the corpus does not
// cover.
func TestMessages(t *testing.T) {
	for _, tc := range []struct{ expr, msg string }{
		{"tcp port 70000", "illegal port number 70000 > 65535"},
		{"portrange 1-70000", "illegal port number 70000 > 65535"},
		{"tcp port 70000 and and", "illegal port number 70000 > 65535"},
		{"host", "can't parse filter expression: syntax error"},
		{"host 1.2.3.4 or", "can't parse filter expression: syntax error"},
		{"(host 1.2.3.4) or 5.6.7.8", "syntax error in filter expression"},
		{"host example.org", "unknown host 'example.org'"},
		{"net example", "unknown network 'example'"},
		{"ether host router", "unknown ether host 'router'"},
		{"gateway router", "'gateway' not supported in this configuration"},
		{"port nosuchservice", "unknown port 'nosuchservice'"},
		{"udp port ssh", "port 'ssh' is tcp"},
		{"ip proto \\nosuch", "unknown ip proto 'nosuch'"},
		{"ip and arp", "expression rejects all packets"},
		{"tcp and udp", "expression rejects all packets"},
		{"1 = 2", "expression rejects all packets"},
		{"len / 0 = 0", "division by zero"},
		{"len % 0 = 0", "modulus by zero"},
		{"len << 32 = 0", "shift by more than 31 bits"},
		{"ip[1:3] = 1", "data size must be 1, 2, or 4"},
		{"esp[0] = 1", "unsupported index operation"},
		{"08", "number 08 contains non-octal digit"},
		{"ip[0] = 0x1ffffffff", "number 0x1ffffffff overflows 32 bits"},
		{"ether host 1:2:3", "bogus ethernet address 1:2:"},
		{"ip6 host fe80::1::2", "can't parse filter expression: syntax error"},
		{"host 10.0.0.1 mask 255.255.255.0", "non-network bits set in \"10.0.0.1 mask 255.255.255.0\""},
		{"net 10.0.0.0/33", "mask length must be <= 32"},
		{"net 10.1.0.0/8", "non-network bits set in \"10.1.0.0/8\""},
		{"host 10.0.0.0/8", "Mask syntax for networks only"},
		{"ip6 host fe80::/64", "Mask syntax for networks only"},
		{"vlan 4096", "VLAN tag 4096 greater than maximum 4095"},
		{"mpls 1048576", "MPLS label 1048576 greater than maximum 1048575"},
		{"mpls and arp", "unsupported protocol over mpls"},
		{"mpls and vlan", "no VLAN match after MPLS"},
		{"pppoes and vlan", "no VLAN support for PPP"},
		{"geneve and protochain 4", "'protochain' not supported with variable length headers"},
		{"tcp src 10.0.0.1", "'tcp' modifier applied to host"},
		{"ip6 host 10.0.0.1", "'ip6' modifier applied to ip host"},
		{"port 10.0.0.1", "'port' modifier applied to ip host"},
		{"src proto 1", "can't parse filter expression: syntax error"},
		{"ip src proto 1", "can't parse filter expression: syntax error"},
		{"addr1 10.0.0.1", "'addr1' and 'address1' are not valid qualifiers for addresses other than 802.11 MAC addresses"},
		{"inbound", "inbound/outbound not supported on Ethernet when reading savefiles"},
		{"wlan type data", "802.11 link-layer types supported only on 802.11"},
		{"wlan type foo", "unknown 802.11 type name \"foo\""},
		{"llc foo", "unknown LLC type name \"foo\""},
		{"vpi 1", "'vpi' supported only on raw ATM"},
		{"fisu", "'fisu' supported only on MTP2"},
		{"ifname eth0", "ifname supported only on PF linktype"},
		{"radio[0] = 1", "radio information not present in capture"},
	} {
		_, err := Compile(tc.expr, pcap.LinkTypeEthernet, 0)
		if err == nil {
			t.Errorf("%q compiles; want %q", tc.expr, tc.msg)
			continue
		}
		var fe *Error
		if e, ok := err.(*Error); ok {
			fe = e
		}
		if fe == nil || fe.Msg != tc.msg {
			t.Errorf("%q: %v; want %q", tc.expr, err, tc.msg)
		}
	}
}

// TestNamesNotResolved checks that an expression needing a name lookup
// says so.
func TestNamesNotResolved(t *testing.T) {
	for _, e := range []string{"host example.org", "src net loopback", "ether src gw", "dst host localhost"} {
		_, err := Compile(e, pcap.LinkTypeEthernet, 0)
		if err == nil || !err.(*Error).Unresolved || !strings.Contains(err.Error(), "names are not resolved") {
			t.Errorf("%q: %v; want an error saying names are not resolved", e, err)
		}
	}
	if _, err := Compile("port domain or https", pcap.LinkTypeEthernet, 0); err != nil {
		t.Errorf("port names come from the built-in table: %v", err)
	}
}

// TestPortNames checks names of the built-in table where tcpdump on
// Debian resolves them: "domain" is both TCP and UDP, "http" TCP only.
func TestPortNames(t *testing.T) {
	for _, tc := range []struct {
		name        string
		port, proto int
	}{
		{"domain", 53, protoUndef}, {"http", 80, ipprotoTCP}, {"https", 443, protoUndef},
		{"ssh", 22, ipprotoTCP}, {"ntp", 123, ipprotoUDP}, {"bootps", 67, ipprotoUDP},
		{"www", 80, ipprotoTCP}, {"53", 53, protoUndef}, {"70000", 70000 & 0xffff, protoUndef},
	} {
		port, proto, ok := lookupPort(tc.name)
		if !ok || port != tc.port || proto != tc.proto {
			t.Errorf("%s: %d %d %v, want %d %d", tc.name, port, proto, ok, tc.port, tc.proto)
		}
	}
	if v, ok := protocols["ipv6-icmp"]; !ok || v != 58 {
		t.Errorf("ipv6-icmp = %d, %v", v, ok)
	}
	p1, p2, proto, ok := lookupPortRange("smtp-domain")
	if !ok || p1 != 25 || p2 != 53 || proto != protoUndef {
		t.Errorf("smtp-domain: %d-%d %d %v", p1, p2, proto, ok)
	}
}
