package filter

// tokKind is a token of the pcap-filter language.
type tokKind uint8

// The tokens: literal values first, then punctuation, then keywords.
const (
	tEOF      tokKind = iota
	tLexError         // a character or number the language has no token for
	tID               // a name: host, port, protocol; also "\anything"
	tHID              // an IPv4 address or a prefix of one: 10, 10.1, 10.1.2.3
	tHID6             // an IPv6 address
	tEID              // a MAC address
	tAID              // an ARCnet address: $xx
	tNUM              // a number, or a named constant such as tcp-syn

	tLParen
	tRParen
	tLBrack
	tRBrack
	tColon
	tPlus
	tMinus
	tStar
	tSlash
	tPercent
	tAmp
	tPipe
	tCaret
	tNot // "!" or "not"
	tLT
	tGT
	tEQ // "=" or "=="
	tGEQ
	tLEQ
	tNEQ
	tLSH
	tRSH
	tAnd // "and" or "&&"
	tOr  // "or" or "||"

	tDst
	tSrc
	tHost
	tGateway
	tNet
	tNetmask
	tPort
	tPortrange
	tLess
	tGreater
	tProto
	tProtochain
	tByte
	tBroadcast
	tMulticast
	tInbound
	tOutbound
	tIfindex
	tLen
	tVLAN
	tMPLS
	tPPPoED
	tPPPoES
	tGeneve

	// Protocol qualifiers (pname).
	tLink
	tIP
	tARP
	tRARP
	tSCTP
	tTCP
	tUDP
	tICMP
	tIGMP
	tIGRP
	tPIM
	tVRRP
	tCARP
	tRadio
	tIP6
	tICMP6
	tAH
	tESP
	tAtalk
	tAARP
	tDECnet
	tLAT
	tSCA
	tMOPRC
	tMOPDL
	tISO
	tESIS
	tISIS
	tL1
	tL2
	tIIH
	tLSP
	tSNP
	tCSNP
	tPSNP
	tCLNP
	tSTP
	tIPX
	tNetBEUI

	// 802.11 and its direction/address qualifiers.
	tType
	tSubtype
	tDir
	tAddr1
	tAddr2
	tAddr3
	tAddr4
	tRA
	tTA

	// ATM.
	tLANE
	tLLC
	tMetac
	tBCC
	tOAM
	tOAMF4
	tOAMF4EC
	tOAMF4SC
	tSC
	tILMIC
	tVPI
	tVCI
	tConnectMsg
	tMetaConnect

	// pflog.
	tPFIfname
	tPFRset
	tPFRnr
	tPFSrnr
	tPFReason
	tPFAction

	// MTP2/MTP3 (SS7).
	tFISU
	tLSSU
	tMSU
	tHFISU
	tHLSSU
	tHMSU
	tSIO
	tOPC
	tDPC
	tSLS
	tHSIO
	tHOPC
	tHDPC
	tHSLS
)

// token is one lexeme: its kind, its text, and for tNUM its value. A token
// the scanner refused (a number that overflows, a bogus address) carries
// the message libpcap gives for it.
type token struct {
	kind tokKind
	text string
	num  uint32
	err  string
	// repair marks a number syntaxFailure added to finish an arithmetic
	// expression the parser had not reduced.
	repair bool
}

// keywords are the language's reserved words with their tokens. A word
// that is a keyword is never a name: "tcp" is a protocol qualifier, and a
// protocol called tcp is written \tcp.
var keywords = map[string]tokKind{
	"dst": tDst, "src": tSrc,
	"link": tLink, "ether": tLink, "ppp": tLink, "slip": tLink,
	"fddi": tLink, "tr": tLink, "wlan": tLink,
	"arp": tARP, "rarp": tRARP, "ip": tIP, "sctp": tSCTP, "tcp": tTCP,
	"udp": tUDP, "icmp": tICMP, "igmp": tIGMP, "igrp": tIGRP, "pim": tPIM,
	"vrrp": tVRRP, "carp": tCARP, "radio": tRadio,
	"ip6": tIP6, "icmp6": tICMP6, "ah": tAH, "esp": tESP,
	"atalk": tAtalk, "aarp": tAARP, "decnet": tDECnet, "lat": tLAT,
	"sca": tSCA, "moprc": tMOPRC, "mopdl": tMOPDL,
	"iso": tISO, "esis": tESIS, "es-is": tESIS, "isis": tISIS, "is-is": tISIS,
	"l1": tL1, "l2": tL2, "iih": tIIH, "lsp": tLSP, "snp": tSNP,
	"csnp": tCSNP, "psnp": tPSNP, "clnp": tCLNP, "stp": tSTP, "ipx": tIPX,
	"netbeui": tNetBEUI,
	"host":    tHost, "net": tNet, "mask": tNetmask, "port": tPort,
	"portrange": tPortrange, "proto": tProto, "protochain": tProtochain,
	"gateway": tGateway,
	"type":    tType, "subtype": tSubtype, "direction": tDir, "dir": tDir,
	"address1": tAddr1, "addr1": tAddr1, "address2": tAddr2, "addr2": tAddr2,
	"address3": tAddr3, "addr3": tAddr3, "address4": tAddr4, "addr4": tAddr4,
	"ra": tRA, "ta": tTA,
	"less": tLess, "greater": tGreater, "byte": tByte,
	"broadcast": tBroadcast, "multicast": tMulticast,
	"and": tAnd, "&&": tAnd, "or": tOr, "||": tOr, "not": tNot,
	"len": tLen, "length": tLen, "inbound": tInbound, "outbound": tOutbound,
	"ifindex": tIfindex,
	"vlan":    tVLAN, "mpls": tMPLS, "pppoed": tPPPoED, "pppoes": tPPPoES,
	"geneve": tGeneve,
	"lane":   tLANE, "llc": tLLC, "metac": tMetac, "bcc": tBCC, "oam": tOAM,
	"oamf4": tOAMF4, "oamf4ec": tOAMF4EC, "oamf4sc": tOAMF4SC, "sc": tSC,
	"ilmic": tILMIC, "vpi": tVPI, "vci": tVCI, "connectmsg": tConnectMsg,
	"metaconnect": tMetaConnect,
	"on":          tPFIfname, "ifname": tPFIfname, "rset": tPFRset, "ruleset": tPFRset,
	"rnr": tPFRnr, "rulenum": tPFRnr, "srnr": tPFSrnr, "subrulenum": tPFSrnr,
	"reason": tPFReason, "action": tPFAction,
	"fisu": tFISU, "lssu": tLSSU, "lsu": tLSSU, "msu": tMSU, "hfisu": tHFISU,
	"hlssu": tHLSSU, "hmsu": tHMSU, "sio": tSIO, "opc": tOPC, "dpc": tDPC,
	"sls": tSLS, "hsio": tHSIO, "hopc": tHOPC, "hdpc": tHDPC, "hsls": tHSLS,
}

// namedNumbers are the constants the scanner turns into numbers: header
// field offsets (icmptype, tcpflags) and their values (icmp-echo, tcp-syn).
var namedNumbers = map[string]uint32{
	"icmptype": 0, "icmpcode": 1,
	"icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4,
	"icmp-redirect": 5, "icmp-echo": 8, "icmp-routeradvert": 9,
	"icmp-routersolicit": 10, "icmp-timxceed": 11, "icmp-paramprob": 12,
	"icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15,
	"icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,

	"icmp6type": 0, "icmp6code": 1,
	"icmp6-destinationunreach": 1, "icmp6-packettoobig": 2,
	"icmp6-timeexceeded": 3, "icmp6-parameterproblem": 4,
	"icmp6-echo": 128, "icmp6-echoreply": 129,
	"icmp6-multicastlistenerquery": 130, "icmp6-multicastlistenerreportv1": 131,
	"icmp6-multicastlistenerdone": 132, "icmp6-routersolicit": 133,
	"icmp6-routeradvert": 134, "icmp6-neighborsolicit": 135,
	"icmp6-neighboradvert": 136, "icmp6-redirect": 137,
	"icmp6-routerrenum": 138, "icmp6-nodeinformationquery": 139,
	"icmp6-nodeinformationresponse":   140,
	"icmp6-ineighbordiscoverysolicit": 141,
	"icmp6-ineighbordiscoveryadvert":  142,
	"icmp6-multicastlistenerreportv2": 143,
	"icmp6-homeagentdiscoveryrequest": 144,
	"icmp6-homeagentdiscoveryreply":   145, "icmp6-mobileprefixsolicit": 146,
	"icmp6-mobileprefixadvert": 147, "icmp6-certpathsolicit": 148,
	"icmp6-certpathadvert": 149, "icmp6-multicastrouteradvert": 151,
	"icmp6-multicastroutersolicit": 152, "icmp6-multicastrouterterm": 153,

	"tcpflags": 13,
	"tcp-fin":  0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
}
