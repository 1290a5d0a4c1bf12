package filter

import (
	"fmt"
	"math/rand"
	"strings"
)

// exprGen makes random filter expressions from the primitives of the
// language, mostly valid, sometimes not, for differential tests against
// tcpdump.
type exprGen struct {
	r *rand.Rand
}

func (g exprGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

func (g exprGen) num(max int) string {
	switch g.r.Intn(6) {
	case 0:
		return fmt.Sprintf("0x%x", g.r.Intn(max+1))
	case 1:
		return g.pick("0", "1", "2", "4", "6", "8", "12", "13", "14", "17", "20", "23", "40", "53", "80", "255", "443", "1500", "65535")
	}
	return fmt.Sprint(g.r.Intn(max + 1))
}

func (g exprGen) ipv4() string {
	switch g.r.Intn(5) {
	case 0:
		return g.pick("10.0.0.1", "192.168.1.1", "127.0.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.1")
	case 1:
		return fmt.Sprintf("%d.%d", g.r.Intn(256), g.r.Intn(256))
	case 2:
		return fmt.Sprintf("%d.%d.%d", g.r.Intn(256), g.r.Intn(256), g.r.Intn(256))
	}
	return fmt.Sprintf("%d.%d.%d.%d", g.r.Intn(256), g.r.Intn(256), g.r.Intn(256), g.r.Intn(256))
}

func (g exprGen) ipv6() string {
	return g.pick("::1", "fe80::1", "ff02::1", "2001:db8::1", "::", "fe80::d6ca:6dff:fe66:cf60", "::ffff:1.2.3.4", "ff02::12", "10::1")
}

func (g exprGen) mac() string {
	return g.pick("ff:ff:ff:ff:ff:ff", "00:10:18:de:38:1e", "01:80:c2:00:00:00", "ab:cd:ef:00:00:01", "0:1:2:3:4:5", "abcd.ef00.0003", "ab-cd-ef-00-00-02")
}

func (g exprGen) port() string {
	if g.r.Intn(3) == 0 {
		return g.pick("http", "https", "domain", "ssh", "smtp", "ftp", "telnet", "bootps", "bootpc", "ntp", "snmp", "isakmp", "nfs", "bgp", "sunrpc")
	}
	return g.pick("22", "53", "80", "443", "123", "67", "68", "500", "4500", "5060", "6081", "0", "65535", "8080", "1024", "179")
}

func (g exprGen) dir() string {
	return g.pick("", "", "", "src ", "dst ", "src or dst ", "src and dst ")
}

func (g exprGen) proto() string {
	return g.pick("ip", "ip6", "tcp", "udp", "icmp", "icmp6", "sctp", "arp", "rarp", "ether", "link", "igmp", "pim", "vrrp", "carp", "ah", "esp", "igrp", "decnet", "atalk", "aarp", "lat", "sca", "moprc", "mopdl", "iso", "esis", "isis", "clnp", "stp", "ipx", "netbeui", "l1", "l2", "iih", "lsp", "snp", "csnp", "psnp", "radio")
}

func (g exprGen) relop() string { return g.pick("=", "==", "!=", "<", ">", "<=", ">=") }

func (g exprGen) arith(depth int) string {
	if depth <= 0 || g.r.Intn(3) == 0 {
		switch g.r.Intn(8) {
		case 0:
			return "len"
		case 1, 2:
			return g.num(300)
		case 3:
			return g.pick("tcpflags", "icmptype", "icmpcode", "icmp6type", "tcp-syn", "tcp-ack", "icmp-echo", "icmp6-echo")
		}
		p := g.pick("ip", "ip6", "tcp", "udp", "icmp", "icmp6", "ether", "link", "arp", "sctp", "igmp", "vrrp", "ip", "tcp", "udp")
		idx := g.num(60)
		if g.r.Intn(4) == 0 {
			idx = g.arith(depth - 1)
		}
		size := g.pick("", "", "", ":1", ":2", ":4")
		return p + "[" + idx + size + "]"
	}
	switch g.r.Intn(6) {
	case 0:
		return "(" + g.arith(depth-1) + ")"
	case 1:
		return "-" + g.arith(depth-1)
	}
	return g.arith(depth-1) + " " + g.pick("+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "&", "&") + " " + g.arith(depth-1)
}

// prim is a primitive, with the id that can follow it alone (for "host a
// or b").
func (g exprGen) prim() (string, func() string) {
	switch g.r.Intn(30) {
	case 0:
		return g.proto(), nil
	case 1:
		return g.pick("ip ", "arp ", "rarp ", "") + g.dir() + g.pick("host ", "") + g.ipv4(), g.ipv4
	case 2:
		return g.pick("ip6 ", "") + g.dir() + g.pick("host ", "") + g.ipv6(), g.ipv6
	case 3:
		a := g.ipv4()
		if g.r.Intn(2) == 0 {
			return g.pick("ip ", "arp ", "") + g.dir() + "net " + a + "/" + fmt.Sprint(g.r.Intn(33)), nil
		}
		return g.dir() + "net " + a + g.pick(" mask 255.255.255.0", " mask 255.0.0.0", "", " mask 255.255"), nil
	case 4:
		return g.pick("ip6 ", "") + g.dir() + "net " + g.ipv6() + "/" + fmt.Sprint(g.r.Intn(129)), nil
	case 5:
		return g.pick("ether ", "link ") + g.dir() + g.pick("host ", "") + g.mac(), g.mac
	case 6:
		return g.pick("tcp ", "udp ", "sctp ", "") + g.dir() + "port " + g.port(), g.port
	case 7:
		a, b := g.port(), g.port()
		return g.pick("tcp ", "udp ", "sctp ", "") + g.dir() + "portrange " + a + "-" + b, nil
	case 8:
		return g.pick("ether proto ", "link proto ") + g.pick("\\ip", "\\ip6", "\\arp", "\\rarp", "\\stp", "\\ipx", "\\iso", "\\netbeui", "\\atalk", "\\aarp", "\\decnet", "\\lat", "\\sca", "\\loopback", "0x800", "0x86dd", "0x8100", "1500", "66", "254"), nil
	case 9:
		return g.pick("ip proto ", "ip6 proto ", "proto ") + g.pick("\\tcp", "\\udp", "\\icmp", "6", "17", "1", "58", "50", "51", "132", "44", "0", "255", "\\ipv6-icmp"), nil
	case 10:
		return g.pick("ip protochain ", "ip6 protochain ", "protochain ") + g.pick("6", "17", "51", "41", "108", "58", "\\tcp"), nil
	case 11:
		return g.pick("less ", "greater ") + g.num(1600), nil
	case 12:
		return "len " + g.relop() + " " + g.num(1600), nil
	case 13, 14, 15, 16:
		return g.arith(2) + " " + g.relop() + " " + g.arith(1), nil
	case 17:
		return g.pick("vlan", "vlan "+g.num(4095), "mpls", "mpls "+g.num(1048575), "pppoed", "pppoes", "pppoes "+g.num(65535)), nil
	case 18:
		return g.pick("geneve", "geneve "+g.num(20)), nil
	case 19:
		return g.pick("broadcast", "multicast", "ip broadcast", "ip multicast", "ip6 multicast", "ether broadcast", "ether multicast", "link broadcast"), nil
	case 20:
		return g.pick("llc", "llc i", "llc s", "llc u", "llc rr", "llc rnr", "llc rej", "llc ui", "llc ua", "llc disc", "llc dm", "llc sabme", "llc test", "llc xid", "llc frmr"), nil
	case 21:
		return "decnet " + g.pick("src ", "dst ", "host ", "") + g.pick("1.1", "50.764", "63.1023"), nil
	case 22:
		return g.pick("icmp[icmptype] = icmp-echo", "icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0", "tcp[tcpflags] & tcp-syn != 0", "icmp6[icmp6type] = icmp6-echo", "ip[6:2] & 0x1fff = 0", "tcp[13] & 0x12 != 0", "ether[0] & 1 = 0", "udp[8:4] = 0"), nil
	case 23:
		return g.pick("iso proto \\isis", "isis proto "+g.num(30), "iso proto "+g.num(255)), nil
	case 24:
		return g.pick("src", "dst", "") + " " + g.ipv4(), g.ipv4
	case 25:
		return g.pick("byte "+g.num(60)+" "+g.pick("=", "<", ">")+" "+g.num(255), "ip host "+g.ipv4()+" and "+g.ipv4()), nil
	case 26:
		return g.pick("tcp", "udp", "") + " port " + g.port() + " or " + g.port(), nil
	}
	return g.proto(), nil
}

// expr makes an expression of up to depth levels of and/or.
func (g exprGen) expr(depth int) string {
	if depth <= 0 || g.r.Intn(3) == 0 {
		p, id := g.prim()
		if g.r.Intn(3) == 0 {
			p = g.pick("not ", "! ") + p
		}
		if id != nil && g.r.Intn(3) == 0 {
			p += " " + g.pick("or", "and", "||", "&&", "and not") + " " + id()
		}
		return p
	}
	l, r := g.expr(depth-1), g.expr(depth-1)
	op := g.pick("and", "or", "&&", "||", "and not", "or not")
	e := l + " " + op + " " + r
	if g.r.Intn(3) == 0 {
		e = "(" + e + ")"
	}
	if g.r.Intn(8) == 0 {
		e = "not " + e
	}
	return e
}

// mutate damages an expression a little: a dropped or doubled token, a
// stray character.
func (g exprGen) mutate(e string) string {
	f := strings.Fields(e)
	if len(f) == 0 {
		return e
	}
	i := g.r.Intn(len(f))
	switch g.r.Intn(5) {
	case 0:
		f = append(f[:i], f[i+1:]...)
	case 1:
		f = append(f[:i+1], f[i:]...)
	case 2:
		f[i] = f[i] + g.pick(")", "(", "]", ":", "-", "/", "!", "#", "$1", "08", "0x1ffffffff")
	case 3:
		f[i] = g.pick("and", "or", "not", "(", ")", "host", "port", "tcp", "1", "foo", "1.2.3.4.5", "ab:cd:ef:0g")
	default:
		j := g.r.Intn(len(f))
		f[i], f[j] = f[j], f[i]
	}
	return strings.Join(f, " ")
}
