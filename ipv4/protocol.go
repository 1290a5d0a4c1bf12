package ipv4

import "strconv"

// Protocol is an IP protocol number: the Protocol field of an IPv4 header
// and the Next Header field of IPv6 draw on the same IANA registry.
type Protocol uint8

// Protocol numbers from the IANA registry that medina handles or names.
const (
	ProtoHopOpts     Protocol = 0   // IPv6 hop-by-hop options
	ProtoICMP        Protocol = 1   // RFC 792
	ProtoIGMP        Protocol = 2   // RFC 1112, 2236, 3376
	ProtoIPIP        Protocol = 4   // IPv4 in IPv4, RFC 2003
	ProtoTCP         Protocol = 6   // RFC 9293
	ProtoEGP         Protocol = 8   // RFC 888
	ProtoIGRP        Protocol = 9   // any private interior gateway (Cisco IGRP)
	ProtoUDP         Protocol = 17  // RFC 768
	ProtoDCCP        Protocol = 33  // RFC 4340
	ProtoIPv6        Protocol = 41  // IPv6 in IPv4, RFC 4213
	ProtoRouting     Protocol = 43  // IPv6 routing header
	ProtoFragment    Protocol = 44  // IPv6 fragment header
	ProtoRSVP        Protocol = 46  // RFC 2205
	ProtoGRE         Protocol = 47  // RFC 2784
	ProtoESP         Protocol = 50  // RFC 4303
	ProtoAH          Protocol = 51  // RFC 4302
	ProtoMobileIP    Protocol = 55  // IP mobility (minimal encapsulation), RFC 2004
	ProtoICMPv6      Protocol = 58  // RFC 4443
	ProtoNoNext      Protocol = 59  // IPv6 no next header
	ProtoDstOpts     Protocol = 60  // IPv6 destination options
	ProtoMobilityOld Protocol = 62  // pre-RFC 3775 Mobile IPv6 drafts
	ProtoEIGRP       Protocol = 88  // RFC 7868
	ProtoOSPF        Protocol = 89  // RFC 2328
	ProtoPIM         Protocol = 103 // RFC 7761
	ProtoIPComp      Protocol = 108 // RFC 3173
	ProtoVRRP        Protocol = 112 // RFC 5798 (and CARP)
	ProtoPGM         Protocol = 113 // RFC 3208
	ProtoL2TP        Protocol = 115 // L2TPv3 over IP, RFC 3931
	ProtoSCTP        Protocol = 132 // RFC 9260
	ProtoMobility    Protocol = 135 // IPv6 mobility header, RFC 6275
	ProtoUDPLite     Protocol = 136 // RFC 3828
	ProtoMPLSInIP    Protocol = 137 // RFC 4023
	ProtoEthernet    Protocol = 143 // RFC 8986 (SRv6)
)

// protoNames holds the names tcpdump prints in its verbose IP line
// ("proto TCP (6)"), so that netdump can print Protocol.String unchanged.
var protoNames = [256]string{
	ProtoHopOpts:     "Options",
	ProtoICMP:        "ICMP",
	ProtoIGMP:        "IGMP",
	ProtoIPIP:        "IPIP",
	ProtoTCP:         "TCP",
	ProtoEGP:         "EGP",
	ProtoIGRP:        "IGRP",
	ProtoUDP:         "UDP",
	ProtoDCCP:        "DCCP",
	ProtoIPv6:        "IPv6",
	ProtoRouting:     "Routing",
	ProtoFragment:    "Fragment",
	ProtoRSVP:        "RSVP",
	ProtoGRE:         "GRE",
	ProtoESP:         "ESP",
	ProtoAH:          "AH",
	ProtoMobileIP:    "Mobile IP",
	ProtoICMPv6:      "ICMPv6",
	ProtoMobilityOld: "Mobile IP (old)",
	ProtoEIGRP:       "EIGRP",
	ProtoOSPF:        "OSPF",
	ProtoPIM:         "PIM",
	ProtoIPComp:      "Compressed IP",
	ProtoVRRP:        "VRRP",
	ProtoPGM:         "PGM",
	ProtoSCTP:        "SCTP",
	ProtoMobility:    "Mobility",
	ProtoEthernet:    "Ethernet",
}

// Known reports whether String has a name for p rather than a number.
func (p Protocol) Known() bool { return protoNames[p] != "" }

// String returns the name tcpdump 4.99.3 gives p ("TCP", "Compressed IP",
// ...), or "ip-proto-N" for a number it has no name for. tcpdump itself
// prints "unknown" in its verbose line for those; a printer that wants that
// checks Known.
func (p Protocol) String() string {
	if s := protoNames[p]; s != "" {
		return s
	}
	return "ip-proto-" + strconv.Itoa(int(p))
}
