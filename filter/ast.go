package filter

// The parser turns an expression into this tree; the code generator walks
// it left to right, children first, which is the order in which libpcap's
// parser runs its actions, so state that one primitive changes for those
// after it (vlan, mpls, pppoes, geneve shifting the offsets) changes at the
// same point.

// qual is the qualifiers in front of an id: protocol (ip, tcp, ether...),
// direction (src, dst...) and address type (host, net, port...).
type qual struct{ proto, dir, addr uint8 }

// Address-type qualifiers.
const (
	qHost = iota + 1
	qNet
	qPort
	qGateway
	qProto
	qProtochain
	qPortrange
)

// Protocol qualifiers. qDefault (0) is "none given" for all three kinds.
const (
	qDefault = 0
	qLink    = iota
	qIP
	qARP
	qRARP
	qSCTP
	qTCP
	qUDP
	qICMP
	qIGMP
	qIGRP
	qAtalk
	qDECnet
	qLAT
	qSCA
	qMOPRC
	qMOPDL
	qIPv6
	qICMPv6
	qAH
	qESP
	qPIM
	qVRRP
	qAARP
	qISO
	qESIS
	qISIS
	qCLNP
	qSTP
	qIPX
	qNetBEUI
	qISISL1
	qISISL2
	qISISIIH
	qISISSNP
	qISISCSNP
	qISISPSNP
	qISISLSP
	qRadio
	qCARP
)

// Direction qualifiers.
const (
	qSrc = iota + 1
	qDst
	qOr
	qAnd
	qAddr1
	qAddr2
	qAddr3
	qAddr4
	qRA
	qTA
)

// qUndef marks a qualifier that no head gave: an id inheriting it (as in
// "(tcp) or 10.0.0.1") is libpcap's "syntax error in filter expression".
const qUndef = 255

var qerr = qual{qUndef, qUndef, qUndef}

// node is a node of the boolean part of the tree.
type node interface{}

// andOr is "l and r" or "l or r".
type andOr struct {
	and  bool
	l, r node
}

// notNode is "not x".
type notNode struct{ x node }

// headID is qualifiers followed by an id: "src host 10.0.0.1".
type headID struct {
	q  qual
	id node
}

// paren is "(expr)": the qualifiers after it are those before it.
type paren struct{ x node }

// pname is a protocol on its own: "tcp", "ip6".
type pname struct{ proto uint8 }

// relation compares two arithmetic expressions: jump is the BPF test
// (jeq, jgt, jge) and neg whether its sense is reversed (!=, <=, <).
type relation struct {
	jump   uint16
	neg    bool
	a0, a1 arith
}

// other is a primitive with its own keyword: broadcast, less, vlan, llc...
type other struct {
	kind  otherKind
	proto uint8  // pqual for broadcast, multicast, 802.11
	n     uint32 // the number, when has
	has   bool
	op    byte   // byte operator
	v     uint32 // byte operand
	s     string // pf names, llc subtype, the ATM/MTP keyword
	vals  []otherVal
	words []token // 802.11 type, subtype and direction values
}

// otherVal is one value of an ATM or MTP3 field test.
type otherVal struct {
	jump uint16
	neg  bool
	v    uint32
}

type otherKind uint8

const (
	oBroadcast otherKind = iota
	oMulticast
	oLess
	oGreater
	oByte
	oInbound
	oOutbound
	oIfindex
	oVLAN
	oMPLS
	oPPPoED
	oPPPoES
	oGeneve
	oPFIfname
	oPFRset
	oPFRnr
	oPFSrnr
	oPFReason
	oPFAction
	oWlanType
	oWlanSubtype
	oWlanTypeSubtype
	oWlanDir
	oLLC
	oATMType
	oATMMulti
	oATMField
	oMTP2
	oMTP3
)

// Ids: what follows a head, or an and/or that reuses the previous
// qualifiers ("host 10.0.0.1 or 10.0.0.2").

// idName is a name: a host, network, port or protocol name.
type idName struct{ s string }

// idHost is an IPv4 address or prefix, with "/len" or "mask M" after it.
type idHost struct {
	s       string
	form    byte // 0 alone, '/' with masklen, 'm' with mask
	masklen uint32
	mask    string
}

// idHost6 is an IPv6 address, with "/len" after it when slash.
type idHost6 struct {
	s       string
	err     string
	slash   bool
	masklen uint32
}

// idEther is a MAC address (err: the scanner refused it).
type idEther struct{ s, err string }

// idArc is an ARCnet address.
type idArc struct{ s string }

// idNum is a number where an id is expected: "port 80".
type idNum struct{ v uint32 }

// idNot is "not id".
type idNot struct{ x node }

// idAndOr is "id and id", "id or id" inside parentheses after a head.
type idAndOr struct {
	and  bool
	l, r node
}

// idParen is "(ids)".
type idParen struct{ x node }

// arith is a node of an arithmetic expression.
type arith interface{}

// aNum is a constant (repair: one syntaxFailure added).
type aNum struct {
	v      uint32
	repair bool
}

// aLen is the packet's length on the wire.
type aLen struct{}

// aLoad is proto[idx:size].
type aLoad struct {
	proto uint8
	idx   arith
	size  uint32
}

// aBin is l op r with op a BPF ALU operation.
type aBin struct {
	op   uint16
	l, r arith
}

// aNeg is -x.
type aNeg struct{ x arith }
