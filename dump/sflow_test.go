package dump

import "testing"

// sFlow builders.

// sflowDgram is an sFlow v5 datagram from an IPv4 agent (agent 16 bytes
// long for IPv6) with samples.
func sflowDgram(agent []byte, samples ...[]byte) []byte {
	ipv := uint32(1)
	if len(agent) == 16 {
		ipv = 2
	}
	return cat(be32b(5), be32b(ipv), agent, be32b(2), be32b(109), be32b(113000), be32b(uint32(len(samples))), cat(samples...))
}

// sflowRec is a sample or record: format, length, body.
func sflowRec(format uint32, body ...[]byte) []byte {
	b := cat(body...)
	return cat(be32b(format), be32b(uint32(len(b))), b)
}

// sflowWords is n 32-bit counters counting up from v.
func sflowWords(n int, v uint32) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		b = cat(b, be32b(v+uint32(i)))
	}
	return b
}

var (
	sflowFlow = sflowRec(1, be32b(28), []byte{0, 0, 0x59, 0xd9}, be32b(512), be32b(1000), be32b(0), be32b(3), be32b(4), be32b(4),
		sflowRec(1, be32b(1), be32b(1518), be32b(4), be32b(128)),
		sflowRec(2, be32b(1500), make([]byte, 16), be32b(0x0800)),
		sflowRec(1001, be32b(10), be32b(0), be32b(20), be32b(7)),
		sflowRec(3, make([]byte, 4)), sflowRec(99, []byte{1, 2, 3, 4}), sflowRec(0x1001, []byte{5, 6}))
	sflowCounters = sflowRec(2, be32b(27), []byte{0, 0, 0x4e, 0x21}, be32b(6),
		sflowRec(2, sflowWords(13, 1)),
		sflowRec(1, sflowWords(22, 100)),
		sflowRec(5, sflowWords(7, 50)),
		sflowRec(1001, sflowWords(7, 80)),
		sflowRec(3, nil),
		sflowRec(77, []byte{9, 9}))
	sflowExpanded = sflowRec(4, be32b(5), be32b(0), be32b(0x10001), be32b(2),
		sflowRec(4, sflowWords(20, 1000)),
		sflowRec(0x300002, sflowWords(13, 1)))
	sflowExpFlow = sflowRec(3, be32b(1), be32b(0), be32b(7), be32b(256), be32b(100), be32b(0), be32b(0), be32b(1), be32b(0), be32b(2),
		be32b(1), sflowRec(2, make([]byte, 24)))
	sflowShortRec = sflowRec(2, be32b(27), []byte{0, 0, 0, 1}, be32b(1), sflowRec(1, sflowWords(4, 1)))
	sflowAgent4   = []byte{15, 184, 8, 4}
)

// sflowSamplesV is how -v and -vv print the samples of sflowFlow and
// sflowCounters, which both tables send.
const sflowSamplesV = "" +
	"\tflow sample (1), length 146, seqnum 28, type 0, idx 23001, rate 512, pool 1000, drops 0, input 3 output 4 records 4\n" +
	"\t    enterprise 0 Raw packet (1) length 16\n" +
	"\t      protocol Ethernet (1), length 1518, stripped bytes 4, header_size 128\n" +
	"\t    enterprise 0 Ethernet frame (2) length 24\n" +
	"\t      frame len 1500, type 2048\n" +
	"\t    enterprise 0 Extended Switch data (1001) length 16\n" +
	"\t      src vlan 10, src pri 0, dst vlan 20, dst pri 7\n" +
	"\t    enterprise 0 IPv4 Data (3) length 4\n" +
	"\tcounter sample (2), length 258, seqnum 27, type 0, idx 20001, records 6\n" +
	"\t    enterprise 0, Ethernet counter (2) length 52\n" +
	"\t      align errors 1, fcs errors 2, single collision 3, multiple collision 4, test error 5\n" +
	"\t      deferred 6, late collision 7, excessive collision 8, mac trans error 9\n" +
	"\t      carrier error 10, frames too long 11, mac receive errors 12, symbol errors 13\n" +
	"\t    enterprise 0, Generic counter (1) length 88\n" +
	"\t      ifindex 100, iftype 101, ifspeed 438086664295, ifdirection 104 (Unknown)\n" +
	"\t      ifstatus 105, adminstatus: up, operstatus: down\n" +
	"\t      In octets 455266533483, unicast pkts 108, multicast pkts 109, broadcast pkts 110, discards 111\n" +
	"\t      In errors 112, unknown protos 113\n" +
	"\t      Out octets 489626271859, unicast pkts 116, multicast pkts 117, broadcast pkts 118, discards 119\n" +
	"\t      Out errors 120, promisc mode 121\n" +
	"\t    enterprise 0, Vlan counter (5) length 28\n" +
	"\t      vlan_id 50, octets 219043332148, unicast_pkt 53, multicast_pkt 54, broadcast_pkt 55, discards 56\n" +
	"\t    enterprise 0, Processor counter (1001) length 28\n" +
	"\t      5sec 80, 1min 81, 5min 82, total_mem 356482285652, total_mem 365072220246\n" +
	"\t    enterprise 0, Token ring counter (3) length 0\n" +
	"\t    enterprise 0, Unknown (77) length 2\n"

var sflowCases = []printCase{
	{name: "sflow", frames: [][]byte{
		udpFrame(dgram{sport: 40000, dport: 6343, data: sflowDgram(sflowAgent4, sflowFlow)}),
		udp6Frame(v6Client, v6Server, 40000, 6343, sflowDgram(v6Global[:], sflowCounters)),
		udpFrame(dgram{sport: 40000, dport: 6343, data: cat(be32b(4), be32b(1), make([]byte, 28))}),
	}, want: "" +
		"IP 10.0.0.1.40000 > 10.0.0.2.6343: sFlowv5, IPv4 agent 15.184.8.4, agent-id 2, length 182\n" +
		"IP6 fe80::201:2ff:fe03:405.40000 > fe80::211:22ff:fe33:4455.6343: sFlowv5, IPv6 agent 2001:db8:1::10, agent-id 2, length 306\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.6343: sFlow version 4 packet not supported\n"},
	{name: "sflow-v", args: []string{"-v"}, frames: [][]byte{
		udpFrame(dgram{sport: 40000, dport: 6343, data: sflowDgram(sflowAgent4, sflowFlow, sflowCounters)}),
		udp6Frame(v6Client, v6Server, 40000, 6343, sflowDgram(v6Global[:], sflowExpanded, sflowExpFlow, sflowRec(9, []byte{1, 2, 3, 4}))),
		udpFrame(dgram{sport: 40000, dport: 6343, data: sflowDgram(sflowAgent4, sflowShortRec)}),
		udpFrame(dgram{sport: 40000, dport: 6343, data: sflowDgram(sflowAgent4, sflowRec(2, make([]byte, 4)))}),
		udpFrame(dgram{sport: 40000, dport: 6343, data: sflowDgram(sflowAgent4, sflowRec(1))}),
		udpFrame(dgram{sport: 40000, dport: 6343, data: cat(sflowDgram(sflowAgent4, sflowFlow)[:40], be32b(500))}),
		udpFrame(dgram{sport: 40000, dport: 6343, data: cat(be32b(5), be32b(2), make([]byte, 28))}),
		udpFrame(dgram{sport: 40000, dport: 6343, data: cat(be32b(5), be32b(3), make([]byte, 28))}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 476)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343: sFlowv5, IPv4 agent 15.184.8.4, agent-id 2, seqnum 109, uptime 113000, samples 2, length 448\n" +
		sflowSamplesV +
		"\t\t0x0000:  0909\n" +
		"IP6 (hlim 64, next-header UDP (17) payload length: 316) fe80::201:2ff:fe03:405.40000 > fe80::211:22ff:fe33:4455.6343: [udp sum ok] sFlowv5, IPv6 agent 2001:db8:1::10, agent-id 2, seqnum 109, uptime 113000, samples 3, length 308\n" +
		"\texpanded counter sample (4), length 164, seqnum 5, type 0, idx 65537, records 2\n" +
		"\t    enterprise 0, 100 BaseVG counter (4) length 80\n" +
		"\t      in high prio frames 1000, in high prio octets 4299262264298\n" +
		"\t      in norm prio frames 1003, in norm prio octets 4312147166189\n" +
		"\t      in ipm errors 1006, oversized 1007, in data errors 1008, null addressed frames 1009\n" +
		"\t      out high prio frames 1010, out high prio octets 4342211937268, trans into frames 1013\n" +
		"\t      in hc high prio octets 4355096839159, in hc norm prio octets 4363686773753, out hc high prio octets 4372276708347\n" +
		"\t    enterprise 3, Unknown (2) length 52\n" +
		"\texpanded flow sample (3), length 76, seqnum 1, type 0, idx 7, rate 256, pool 100, drops 0, records 1\n" +
		"\t    enterprise 0 Ethernet frame (2) length 24\n" +
		"\t      frame len 0, type 0\n" +
		"\tUnknown (9), length 4,\n" +
		"\t    0x0000:  0102 0304\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 100)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343: sFlowv5, IPv4 agent 15.184.8.4, agent-id 2, seqnum 109, uptime 113000, samples 1, length 72\n" +
		"\tcounter sample (2), length 36, seqnum 27, type 0, idx 1, records 1\n" +
		"\t    enterprise 0, Generic counter (1) length 16 (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 68)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343: sFlowv5, IPv4 agent 15.184.8.4, agent-id 2, seqnum 109, uptime 113000, samples 1, length 40\n" +
		"\tcounter sample (2), length 4, (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 64)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343: sFlowv5, IPv4 agent 15.184.8.4, agent-id 2, seqnum 109, uptime 113000, samples 1, length 36\n" +
		"\tflow sample (1), length 0,\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 72)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343: sFlowv5, IPv4 agent 15.184.8.4, agent-id 2, seqnum 109, uptime 113000, samples 1, length 44\n" +
		"\tflow sample (1), length 146, (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 64)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343: sFlowv5 [length 36 < 28] (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 64)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343:  [|sflow]\n"},
	{name: "sflow-vv", args: []string{"-vv"}, frames: [][]byte{
		udpFrame(dgram{sport: 40000, dport: 6343, data: sflowDgram(sflowAgent4, sflowFlow, sflowCounters, sflowRec(9, []byte{1, 2, 3, 4}))}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 488)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343: [udp sum ok] sFlowv5, IPv4 agent 15.184.8.4, agent-id 2, seqnum 109, uptime 113000, samples 3, length 460\n" +
		sflowSamplesV +
		"\tUnknown (9), length 4,\n"},
	{name: "sflow-truncated", args: []string{"-v"}, snap: 14 + 20 + 8 + 100, frames: [][]byte{
		udpFrame(dgram{sport: 40000, dport: 6343, data: sflowDgram(sflowAgent4, sflowCounters)}),
		udpFrame(dgram{sport: 40000, dport: 6343, data: sflowDgram(sflowAgent4, sflowFlow)}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 322)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343: sFlowv5, IPv4 agent 15.184.8.4, agent-id 2, seqnum 109, uptime 113000, samples 1, length 294\n" +
		"\tcounter sample (2), length 258, [|sflow]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 210)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.6343: sFlowv5, IPv4 agent 15.184.8.4, agent-id 2, seqnum 109, uptime 113000, samples 1, length 182\n" +
		"\tflow sample (1), length 146, [|sflow]\n"},
}

func TestSFlowPrinter(t *testing.T) { runPrintCases(t, sflowCases) }

func TestSFlowCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, sflowCases) }
