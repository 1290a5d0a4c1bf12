package dump

// sFlow version 5 as tcpdump's print-sflow.c prints it: the agent and
// length, and with -v every sample with its flow or counter records, the
// records tcpdump knows with their fields. tcpdump's quirks are kept: a
// sample's records are bounded by the datagram rather than by the
// sample's length, and a counter record's enterprise is its format
// shifted by 20 bits where a flow record's is shifted by 12.

// portSFlow is sFlow's UDP port.
const portSFlow = 6343

// Lengths of the fixed parts.
const (
	sflowHdr4Len           = 28 // version, IP version, IPv4 agent, ID, seqnum, uptime, samples
	sflowHdr6Len           = 40 // with an IPv6 agent
	sflowSampleHdrLen      = 8  // format, length
	sflowRecordHdrLen      = 8  // format, length
	sflowFlowSampleLen     = 32
	sflowExpFlowSampleLen  = 44
	sflowCounterSampleLen  = 12
	sflowExpCounterSampLen = 16
)

// Sample formats.
const (
	sflowFlowSample       = 1
	sflowCounterSample    = 2
	sflowExpFlowSample    = 3
	sflowExpCounterSample = 4
)

// Flow record and counter record types tcpdump decodes.
const (
	sflowFlowRawPacket  = 1
	sflowFlowEthernet   = 2
	sflowFlowExtSwitch  = 1001
	sflowCounterGeneric = 1
	sflowCounterEther   = 2
	sflowCounterToken   = 3
	sflowCounterBaseVG  = 4
	sflowCounterVLAN    = 5
	sflowCounterCPU     = 1001
)

var sflowFormatNames = []tok{
	{1, "flow sample"}, {2, "counter sample"}, {3, "expanded flow sample"},
	{4, "expanded counter sample"},
}

var sflowFlowTypeNames = []tok{
	{1, "Raw packet"}, {2, "Ethernet frame"}, {3, "IPv4 Data"}, {4, "IPv6 Data"},
	{1001, "Extended Switch data"}, {1002, "Extended Router data"},
	{1003, "Extended Gateway data"}, {1004, "Extended User data"},
	{1005, "Extended URL data"}, {1006, "Extended MPLS data"},
	{1007, "Extended NAT data"}, {1008, "Extended MPLS tunnel"},
	{1009, "Extended MPLS VC"}, {1010, "Extended MPLS FEC"},
	{1011, "Extended MPLS LVP FEC"}, {1012, "Extended VLAN Tunnel"},
}

var sflowRawProtoNames = []tok{{1, "Ethernet"}, {11, "IPv4"}, {12, "IPv6"}}

var sflowCounterTypeNames = []tok{
	{1, "Generic counter"}, {2, "Ethernet counter"}, {3, "Token ring counter"},
	{4, "100 BaseVG counter"}, {5, "Vlan counter"}, {1001, "Processor counter"},
}

var sflowDirectionNames = []tok{
	{0, "unknown"}, {1, "full-duplex"}, {2, "half-duplex"}, {3, "in"}, {4, "out"},
}

// sflowField is a counter printed after its label: size is 4 or 8
// bytes. A label that starts a line starts one of tcpdump's prints,
// which print nothing unless all of their fields were captured.
type sflowField struct {
	label string
	size  int
}

var sflowEtherCounters = []sflowField{
	{"\n\t      align errors ", 4}, {", fcs errors ", 4}, {", single collision ", 4},
	{", multiple collision ", 4}, {", test error ", 4},
	{"\n\t      deferred ", 4}, {", late collision ", 4}, {", excessive collision ", 4},
	{", mac trans error ", 4},
	{"\n\t      carrier error ", 4}, {", frames too long ", 4}, {", mac receive errors ", 4},
	{", symbol errors ", 4},
}

var sflowBaseVGCounters = []sflowField{
	{"\n\t      in high prio frames ", 4}, {", in high prio octets ", 8},
	{"\n\t      in norm prio frames ", 4}, {", in norm prio octets ", 8},
	{"\n\t      in ipm errors ", 4}, {", oversized ", 4}, {", in data errors ", 4},
	{", null addressed frames ", 4},
	{"\n\t      out high prio frames ", 4}, {", out high prio octets ", 8},
	{", trans into frames ", 4},
	{"\n\t      in hc high prio octets ", 8}, {", in hc norm prio octets ", 8},
	{", out hc high prio octets ", 8},
}

var sflowVLANCounters = []sflowField{
	{"\n\t      vlan_id ", 4}, {", octets ", 8}, {", unicast_pkt ", 4},
	{", multicast_pkt ", 4}, {", broadcast_pkt ", 4}, {", discards ", 4},
}

// The processor record's free memory is labelled total_mem too, as
// tcpdump labels it.
var sflowCPUCounters = []sflowField{
	{"\n\t      5sec ", 4}, {", 1min ", 4}, {", 5min ", 4}, {", total_mem ", 8},
	{", total_mem ", 8},
}

// The generic counters after the interface's index, type, speed,
// direction and status.
var sflowGenericCounters = []sflowField{
	{"\n\t      In octets ", 8}, {", unicast pkts ", 4}, {", multicast pkts ", 4},
	{", broadcast pkts ", 4}, {", discards ", 4},
	{"\n\t      In errors ", 4}, {", unknown protos ", 4},
	{"\n\t      Out octets ", 8}, {", unicast pkts ", 4}, {", multicast pkts ", 4},
	{", broadcast pkts ", 4}, {", discards ", 4},
	{"\n\t      Out errors ", 4}, {", promisc mode ", 4},
}

// sflowFieldsLen is the number of bytes fields cover.
func sflowFieldsLen(fields []sflowField) int {
	n := 0
	for _, f := range fields {
		n += f.size
	}
	return n
}

// sflowFields prints fields, which start at b[off:], a line at a time.
func (p *Printer) sflowFields(b []byte, off int, fields []sflowField) {
	for i, f := range fields {
		if f.label[0] == '\n' {
			end := off
			for j := i; j < len(fields) && (j == i || fields[j].label[0] != '\n'); j++ {
				end += fields[j].size
			}
			p.need(b, end)
		}
		p.s(f.label)
		if f.size == 8 {
			p.u(uint64(be32(b[off:]))<<32 | uint64(be32(b[off+4:])))
		} else {
			p.u(uint64(be32(b[off:])))
		}
		off += f.size
	}
}

// sflow prints an sFlow datagram (tcpdump's sflow_print). b holds what
// was captured of it; length is its length by UDP.
func (p *Printer) sflow(b []byte, length int) {
	p.proto = "sflow"
	ipVersion := p.get32(b, 4)
	if (length < sflowHdr4Len && ipVersion == 1) || (length < sflowHdr6Len && ipVersion == 2) {
		p.s("sFlowv")
		p.u(uint64(p.get32(b, 0)))
		p.s(" [length ")
		p.u(uint64(length))
		p.s(" < 28] (invalid)")
		return
	}
	p.need(b, sflowHdr4Len)
	version := be32(b)
	if version != 5 {
		p.s("sFlow version ")
		p.u(uint64(version))
		p.s(" packet not supported")
		return
	}
	hdrLen, agentLen := sflowHdr4Len, 4
	if ipVersion != 1 {
		hdrLen, agentLen = sflowHdr6Len, 16
	}
	// The header's fields after the agent's address.
	after := 8 + agentLen
	p.need(b, after+4)
	if p.opt.Verbose < 1 {
		p.s("sFlowv5, ")
		p.sflowAgent(b, ipVersion == 1)
		p.s(", agent-id ")
		p.u(uint64(be32(b[after:])))
		p.s(", length ")
		p.u(uint64(length))
		return
	}
	p.need(b, after+16)
	nsamples := be32(b[after+12:])
	p.s("sFlowv5, ")
	p.sflowAgent(b, ipVersion == 1)
	p.s(", agent-id ")
	p.u(uint64(be32(b[after:])))
	p.s(", seqnum ")
	p.u(uint64(be32(b[after+4:])))
	p.s(", uptime ")
	p.u(uint64(be32(b[after+8:])))
	p.s(", samples ")
	p.u(uint64(nsamples))
	p.s(", length ")
	p.u(uint64(length))
	off, n := 0, length
	if n < hdrLen {
		p.s(" [tlen ")
		p.u(uint64(n))
		p.s(" < ")
		p.u(uint64(hdrLen))
		p.c(']')
		p.sflowInvalid(b, off, n)
		return
	}
	off += hdrLen
	n -= hdrLen
	for ; nsamples > 0 && n > 0; nsamples-- {
		typ := p.get32(b, off) & 0x0fff
		slen := int64(p.get32(b, off+4))
		if n < sflowSampleHdrLen {
			p.sflowInvalid(b, off, n)
			return
		}
		off += sflowSampleHdrLen
		n -= sflowSampleHdrLen
		p.s("\n\t")
		p.tok2str(sflowFormatNames, "Unknown", typ)
		p.s(" (")
		p.u(uint64(typ))
		p.s("), length ")
		p.u(uint64(slen))
		p.c(',')
		if typ == 0 || slen == 0 {
			return
		}
		if int64(n) < slen {
			p.sflowInvalid(b, off, n)
			return
		}
		p.need(b, off+int(slen))
		ok := true
		switch typ {
		case sflowFlowSample, sflowExpFlowSample:
			ok = p.sflowFlowSample(b, off, n, typ == sflowExpFlowSample)
		case sflowCounterSample, sflowExpCounterSample:
			ok = p.sflowCounterSample(b, off, n, typ == sflowExpCounterSample)
		default:
			if p.opt.Verbose <= 1 {
				p.unknownData(b, off, "\n\t    ", int(slen))
			}
		}
		if !ok {
			p.sflowInvalid(b, off, n)
			return
		}
		off += int(slen)
		n -= int(slen)
	}
}

// sflowAgent prints the agent's IP version and address.
func (p *Printer) sflowAgent(b []byte, v4 bool) {
	if v4 {
		p.s("IPv4 agent ")
		p.out = appendIPv4(p.out, b[8:12])
		return
	}
	p.s("IPv6 agent ")
	p.out = appendIPv6(p.out, b[8:24])
}

// sflowInvalid prints tcpdump's mark of a malformed datagram, and stops
// the packet if the n bytes at b[off:] were not all captured.
func (p *Printer) sflowInvalid(b []byte, off, n int) {
	p.s(" (invalid)")
	p.need(b, off+n)
}

// The fields of a flow sample after its source's type and index: the
// expanded sample carries the interfaces as well, but tcpdump prints
// them only for the compact one.
var (
	sflowFlowSampleFields    = []sflowField{{", rate ", 4}, {", pool ", 4}, {", drops ", 4}, {", input ", 4}, {" output ", 4}}
	sflowExpFlowSampleFields = []sflowField{{", rate ", 4}, {", pool ", 4}, {", drops ", 4}}
)

// The flow records tcpdump decodes field by field.
var sflowExtSwitchFields = []sflowField{
	{"\n\t      src vlan ", 4}, {", src pri ", 4}, {", dst vlan ", 4}, {", dst pri ", 4},
}

// sflowSampleHeader prints the sequence number and the source's type and
// index of a sample s, compact (type and index packed in one word) or
// expanded (a word each), and returns the offset of what follows them.
func (p *Printer) sflowSampleHeader(s []byte, expanded bool) int {
	p.s(" seqnum ")
	p.u(uint64(be32(s)))
	p.s(", type ")
	if expanded {
		p.u(uint64(be32(s[4:])))
		p.s(", idx ")
		p.u(uint64(be32(s[8:])))
		return 12
	}
	p.u(uint64(s[4]))
	p.s(", idx ")
	p.u(uint64(be32(s[4:]) & 0xffffff))
	return 8
}

// sflowFlowSample prints a flow sample, compact or expanded, at b[off:]
// with n bytes left in the datagram, and reports false when they are too
// few for it.
func (p *Printer) sflowFlowSample(b []byte, off, n int, expanded bool) bool {
	hlen, fields := sflowFlowSampleLen, sflowFlowSampleFields
	if expanded {
		hlen, fields = sflowExpFlowSampleLen, sflowExpFlowSampleFields
	}
	if n < hlen {
		return false
	}
	p.need(b, off+hlen)
	records := be32(b[off+hlen-4:])
	p.sflowFields(b, off+p.sflowSampleHeader(b[off:], expanded), fields)
	if expanded {
		p.c(',')
	}
	p.s(" records ")
	p.u(uint64(records))
	return p.sflowRecords(b, off+hlen, n-hlen, records, false)
}

// sflowCounterSample prints a counter sample, compact or expanded, at
// b[off:] with n bytes left in the datagram.
func (p *Printer) sflowCounterSample(b []byte, off, n int, expanded bool) bool {
	hlen := sflowCounterSampleLen
	if expanded {
		hlen = sflowExpCounterSampLen
	}
	if n < hlen {
		return false
	}
	p.need(b, off+hlen)
	records := be32(b[off+hlen-4:])
	p.sflowSampleHeader(b[off:], expanded)
	p.s(", records ")
	p.u(uint64(records))
	return p.sflowRecords(b, off+hlen, n-hlen, records, true)
}

// sflowRecords prints records flow records, or counter records, at
// b[off:] with n bytes left in the datagram.
func (p *Printer) sflowRecords(b []byte, off, n int, records uint32, counters bool) bool {
	for ; records > 0; records-- {
		if n < sflowRecordHdrLen {
			return false
		}
		format := p.get32(b, off)
		typ, enterprise := format&0x0fff, format>>12
		sep, names := " ", sflowFlowTypeNames
		if counters {
			enterprise, sep, names = format>>20, ", ", sflowCounterTypeNames
		}
		rlen := int64(p.get32(b, off+4))
		p.s("\n\t    enterprise ")
		p.u(uint64(enterprise))
		p.s(sep)
		if enterprise == 0 {
			p.tok2str(names, "Unknown", typ)
		} else {
			p.s("Unknown")
		}
		p.s(" (")
		p.u(uint64(typ))
		p.s(") length ")
		p.u(uint64(rlen))
		off += sflowRecordHdrLen
		n -= sflowRecordHdrLen
		if int64(n) < rlen {
			return false
		}
		if enterprise == 0 {
			var fields []sflowField
			ok := true
			if counters {
				fields, ok = p.sflowCounterRecord(b, off, n, typ, int(rlen))
			} else {
				fields, ok = p.sflowFlowRecord(b, off, n, typ, int(rlen))
			}
			if !ok || n < sflowFieldsLen(fields) {
				return false
			}
			p.sflowFields(b, off, fields)
		}
		off += int(rlen)
		n -= int(rlen)
	}
	return true
}

// sflowFlowRecord prints the flow record of type typ and length rlen at
// b[off:], with n bytes left in the datagram, or returns the fields that
// are all there is to it; it reports false when n is too few.
func (p *Printer) sflowFlowRecord(b []byte, off, n int, typ uint32, rlen int) ([]sflowField, bool) {
	switch typ {
	case sflowFlowRawPacket:
		if n < 16 {
			return nil, false
		}
		p.need(b, off+16)
		proto := be32(b[off:])
		p.s("\n\t      protocol ")
		p.tok2str(sflowRawProtoNames, "Unknown", proto)
		p.s(" (")
		p.u(uint64(proto))
		p.s("), length ")
		p.u(uint64(be32(b[off+4:])))
		p.s(", stripped bytes ")
		p.u(uint64(be32(b[off+8:])))
		p.s(", header_size ")
		p.u(uint64(be32(b[off+12:])))
	case sflowFlowExtSwitch:
		return sflowExtSwitchFields, true
	case sflowFlowEthernet:
		if n < 24 {
			return nil, false
		}
		p.need(b, off+24)
		p.s("\n\t      frame len ")
		p.u(uint64(be32(b[off:])))
		p.s(", type ")
		p.u(uint64(be32(b[off+20:])))
	default:
		// The other types tcpdump names have no decoder.
		if _, known := lookup(sflowFlowTypeNames, typ); !known && p.opt.Verbose <= 1 {
			p.unknownData(b, off, "\n\t\t", rlen)
		}
	}
	return nil, true
}

// sflowCounterRecord prints the counter record of type typ and length
// rlen at b[off:], with n bytes left in the datagram, or returns the
// fields that are all there is to it; it reports false when n is too few.
func (p *Printer) sflowCounterRecord(b []byte, off, n int, typ uint32, rlen int) ([]sflowField, bool) {
	switch typ {
	case sflowCounterGeneric:
		return nil, p.sflowGeneric(b, off, n)
	case sflowCounterEther:
		return sflowEtherCounters, true
	case sflowCounterToken:
	case sflowCounterBaseVG:
		return sflowBaseVGCounters, true
	case sflowCounterVLAN:
		return sflowVLANCounters, true
	case sflowCounterCPU:
		return sflowCPUCounters, true
	default:
		if p.opt.Verbose <= 1 {
			p.unknownData(b, off, "\n\t\t", rlen)
		}
	}
	return nil, true
}

// sflowGenericLen is the length of the generic interface counters.
const sflowGenericLen = 88

// sflowGeneric prints the generic interface counters at b[off:] with n
// bytes left in the datagram.
func (p *Printer) sflowGeneric(b []byte, off, n int) bool {
	if n < sflowGenericLen {
		return false
	}
	p.need(b, off+20)
	c := b[off:]
	dir := be32(c[16:])
	p.s("\n\t      ifindex ")
	p.u(uint64(be32(c)))
	p.s(", iftype ")
	p.u(uint64(be32(c[4:])))
	p.s(", ifspeed ")
	p.u(uint64(be32(c[8:]))<<32 | uint64(be32(c[12:])))
	p.s(", ifdirection ")
	p.u(uint64(dir))
	p.s(" (")
	p.tok2str(sflowDirectionNames, "Unknown", dir)
	p.c(')')
	p.need(b, off+24)
	status := be32(c[20:])
	p.s("\n\t      ifstatus ")
	p.u(uint64(status))
	p.s(", adminstatus: ")
	p.s(pick(status&1 != 0, "up", "down"))
	p.s(", operstatus: ")
	p.s(pick(status>>1&1 != 0, "up", "down"))
	p.sflowFields(b, off+24, sflowGenericCounters)
	return true
}
