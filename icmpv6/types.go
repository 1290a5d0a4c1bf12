package icmpv6

import "strconv"

// Type is the ICMPv6 message type. Types below 128 are errors, the others
// informational messages (RFC 4443 2.1).
type Type uint8

// Message types from the IANA registry, every one tcpdump 4.99.3 names.
const (
	TypeDestUnreachable     Type = 1   // RFC 4443
	TypePacketTooBig        Type = 2   // RFC 4443
	TypeTimeExceeded        Type = 3   // RFC 4443
	TypeParamProblem        Type = 4   // RFC 4443
	TypeEchoRequest         Type = 128 // RFC 4443
	TypeEchoReply           Type = 129 // RFC 4443
	TypeMLDQuery            Type = 130 // multicast listener query, RFCs 2710 and 3810
	TypeMLDReport           Type = 131 // MLDv1 listener report, RFC 2710
	TypeMLDDone             Type = 132 // MLDv1 listener done, RFC 2710
	TypeRouterSolicit       Type = 133 // RFC 4861
	TypeRouterAdvert        Type = 134 // RFC 4861
	TypeNeighborSolicit     Type = 135 // RFC 4861
	TypeNeighborAdvert      Type = 136 // RFC 4861
	TypeRedirect            Type = 137 // RFC 4861
	TypeRouterRenumbering   Type = 138 // RFC 2894
	TypeNodeInfoQuery       Type = 139 // RFC 4620 (KAME's who-are-you request before it)
	TypeNodeInfoReply       Type = 140 // RFC 4620
	TypeInverseNDSolicit    Type = 141 // RFC 3122
	TypeInverseNDAdvert     Type = 142 // RFC 3122
	TypeMLDv2Report         Type = 143 // RFC 3810
	TypeHomeAgentRequest    Type = 144 // home agent address discovery request, RFC 6275
	TypeHomeAgentReply      Type = 145 // home agent address discovery reply, RFC 6275
	TypeMobilePrefixSolicit Type = 146 // RFC 6275
	TypeMobilePrefixAdvert  Type = 147 // RFC 6275
	TypeRPL                 Type = 155 // RPL control message, RFC 6550
	TypeMtraceResponse      Type = 200 // draft-ietf-idmr-traceroute-ipm
	TypeMtrace              Type = 201 // draft-ietf-idmr-traceroute-ipm
)

// typeNames are tcpdump 4.99.3's names of the types (its
// icmp6_type_values).
var typeNames = [256]string{
	TypeDestUnreachable:     "destination unreachable",
	TypePacketTooBig:        "packet too big",
	TypeTimeExceeded:        "time exceeded in-transit",
	TypeParamProblem:        "parameter problem",
	TypeEchoRequest:         "echo request",
	TypeEchoReply:           "echo reply",
	TypeMLDQuery:            "multicast listener query",
	TypeMLDReport:           "multicast listener report",
	TypeMLDDone:             "multicast listener done",
	TypeRouterSolicit:       "router solicitation",
	TypeRouterAdvert:        "router advertisement",
	TypeNeighborSolicit:     "neighbor solicitation",
	TypeNeighborAdvert:      "neighbor advertisement",
	TypeRedirect:            "redirect",
	TypeRouterRenumbering:   "router renumbering",
	TypeNodeInfoQuery:       "who-are-you request",
	TypeNodeInfoReply:       "who-are-you reply",
	TypeInverseNDSolicit:    "inverse neighbor solicitation",
	TypeInverseNDAdvert:     "inverse neighbor advertisement",
	TypeMLDv2Report:         "multicast listener report v2",
	TypeHomeAgentRequest:    "ha discovery request",
	TypeHomeAgentReply:      "ha discovery reply",
	TypeMobilePrefixSolicit: "mobile router solicitation",
	TypeMobilePrefixAdvert:  "mobile router advertisement",
	TypeRPL:                 "RPL",
	TypeMtraceResponse:      "mtrace response",
	TypeMtrace:              "mtrace message",
}

// Known reports whether String has a name for t.
func (t Type) Known() bool { return typeNames[t] != "" }

// String returns tcpdump's name of the type ("echo request", "neighbor
// solicitation", ...; it calls 139 and 140 by the names KAME gave them
// first, "who-are-you request" and "reply"), or "Type(N)".
func (t Type) String() string {
	if n := typeNames[t]; n != "" {
		return n
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// IsError reports whether t is an error message: the high bit is clear
// (RFC 4443 2.1). Errors quote the packet that caused them and must never
// be sent in answer to another error.
func (t Type) IsError() bool { return t < 128 }

// IsNDP reports whether t is one of neighbor discovery's five messages,
// which carry ND options after their fixed part and which a node accepts
// only with a hop limit of 255 (RFC 4861 6.1).
func (t Type) IsNDP() bool { return t >= TypeRouterSolicit && t <= TypeRedirect }

// IsMLD reports whether t is a multicast listener discovery message.
func (t Type) IsMLD() bool {
	return t == TypeMLDQuery || t == TypeMLDReport || t == TypeMLDDone || t == TypeMLDv2Report
}

// Code is the ICMPv6 message code; what it means depends on the type.
type Code uint8

// Codes of destination unreachable (RFC 4443 3.1 for 0 to 6, RFC 6554
// for 7, RFC 8883 for 8).
const (
	UnreachNoRoute        Code = 0 // no route to destination
	UnreachProhibited     Code = 1 // communication administratively prohibited
	UnreachBeyondScope    Code = 2 // beyond the scope of the source address
	UnreachAddress        Code = 3 // address unreachable
	UnreachPort           Code = 4 // port unreachable
	UnreachPolicyFailed   Code = 5 // source address failed ingress/egress policy
	UnreachRejectRoute    Code = 6 // reject route to destination
	UnreachSourceRouting  Code = 7 // error in source routing header
	UnreachHeadersTooLong Code = 8 // headers too long
)

// Codes of time exceeded (RFC 4443 3.3).
const (
	TimeExceededHopLimit   Code = 0 // hop limit exceeded in transit
	TimeExceededReassembly Code = 1 // fragment reassembly time exceeded
)

// Codes of parameter problem (RFC 4443 3.4, RFC 7112 for 3, RFC 8754 for
// 4, RFC 8883 for 5 to 10).
const (
	ParamProblemHeader          Code = 0  // erroneous header field encountered
	ParamProblemNextHeader      Code = 1  // unrecognized next header type
	ParamProblemOption          Code = 2  // unrecognized IPv6 option
	ParamProblemIncompleteChain Code = 3  // first fragment has an incomplete header chain
	ParamProblemSRUpperLayer    Code = 4  // segment routing upper-layer header error
	ParamProblemIntermediateNH  Code = 5  // unrecognized next header by an intermediate node
	ParamProblemExtTooBig       Code = 6  // extension header too big
	ParamProblemChainTooLong    Code = 7  // extension header chain too long
	ParamProblemTooManyExt      Code = 8  // too many extension headers
	ParamProblemTooManyOptions  Code = 9  // too many options in an extension header
	ParamProblemOptionTooBig    Code = 10 // option too big
)

// Codes of router renumbering (RFC 2894 3.1).
const (
	RenumberCommand  Code = 0   // router renumbering command
	RenumberResult   Code = 1   // router renumbering result
	RenumberSeqReset Code = 255 // sequence number reset
)

// Codes of a node information query, which say what the subject is, and
// of a reply (RFC 4620 4).
const (
	NIQuerySubjectIPv6 Code = 0 // the subject is an IPv6 address
	NIQuerySubjectName Code = 1 // the subject is a DNS name (or empty, for a NOOP)
	NIQuerySubjectIPv4 Code = 2 // the subject is an IPv4 address
	NIReplySuccess     Code = 0 // a successful reply
	NIReplyRefused     Code = 1 // the responder refuses to answer
	NIReplyUnknown     Code = 2 // the query's Qtype is unknown to the responder
)

// Codes of an RPL control message (RFC 6550 6): the high bit marks the
// secure variants.
const (
	RPLDIS         Code = 0x00 // DODAG information solicitation
	RPLDIO         Code = 0x01 // DODAG information object
	RPLDAO         Code = 0x02 // destination advertisement object
	RPLDAOAck      Code = 0x03 // DAO acknowledgment
	RPLSecure      Code = 0x80 // the bit of the secure variants
	RPLConsistency Code = 0x8a // consistency check (always secure)
)
