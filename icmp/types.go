package icmp

import "strconv"

// Type is the ICMP message type.
type Type uint8

// Message types from the IANA registry that tcpdump and medina name.
const (
	TypeEchoReply          Type = 0  // RFC 792
	TypeDestUnreachable    Type = 3  // RFC 792
	TypeSourceQuench       Type = 4  // RFC 792, deprecated by RFC 6633
	TypeRedirect           Type = 5  // RFC 792
	TypeAltHostAddress     Type = 6  // deprecated by RFC 6918
	TypeEcho               Type = 8  // echo request, RFC 792
	TypeRouterAdvert       Type = 9  // RFC 1256
	TypeRouterSolicit      Type = 10 // RFC 1256
	TypeTimeExceeded       Type = 11 // RFC 792
	TypeParamProblem       Type = 12 // RFC 792
	TypeTimestamp          Type = 13 // timestamp request, RFC 792
	TypeTimestampReply     Type = 14 // RFC 792
	TypeInfoRequest        Type = 15 // RFC 792, deprecated by RFC 6918
	TypeInfoReply          Type = 16 // RFC 792, deprecated by RFC 6918
	TypeAddressMaskRequest Type = 17 // RFC 950, deprecated by RFC 6918
	TypeAddressMaskReply   Type = 18 // RFC 950, deprecated by RFC 6918
	TypeTraceroute         Type = 30 // RFC 1393, deprecated by RFC 6918
	TypeConversionError    Type = 31 // RFC 1475, deprecated by RFC 6918
	TypeMobileHostRedirect Type = 32 // deprecated by RFC 6918
	TypeDomainNameRequest  Type = 37 // RFC 1788, deprecated by RFC 6918
	TypeDomainNameReply    Type = 38 // RFC 1788, deprecated by RFC 6918
	TypeSKIP               Type = 39 // deprecated by RFC 6918
	TypePhoturis           Type = 40 // RFC 2521
	TypeExtEchoRequest     Type = 42 // extended echo request, RFC 8335
	TypeExtEchoReply       Type = 43 // extended echo reply, RFC 8335
)

// Code is the ICMP message code; its meaning depends on the type.
type Code uint8

// Codes of destination unreachable messages (RFC 792, 1191, 1122, 1812).
const (
	UnreachNet              Code = 0  // network unreachable
	UnreachHost             Code = 1  // host unreachable
	UnreachProtocol         Code = 2  // protocol unreachable
	UnreachPort             Code = 3  // port unreachable
	UnreachNeedFrag         Code = 4  // fragmentation needed and DF set; NextHopMTU says the MTU
	UnreachSrcRouteFailed   Code = 5  // source route failed
	UnreachNetUnknown       Code = 6  // destination network unknown
	UnreachHostUnknown      Code = 7  // destination host unknown
	UnreachIsolated         Code = 8  // source host isolated
	UnreachNetProhibited    Code = 9  // network administratively prohibited
	UnreachHostProhibited   Code = 10 // host administratively prohibited
	UnreachTOSNet           Code = 11 // network unreachable for TOS
	UnreachTOSHost          Code = 12 // host unreachable for TOS
	UnreachFilterProhibited Code = 13 // communication administratively prohibited
	UnreachHostPrecedence   Code = 14 // host precedence violation
	UnreachPrecedenceCutoff Code = 15 // precedence cutoff in effect
)

// Codes of redirect messages.
const (
	RedirectNet     Code = 0 // redirect for the network
	RedirectHost    Code = 1 // redirect for the host
	RedirectTOSNet  Code = 2 // redirect for TOS and network
	RedirectTOSHost Code = 3 // redirect for TOS and host
)

// Codes of router advertisements (RFC 1256, RFC 2002).
const (
	RouterAdvertNormal          Code = 0  // normal router advertisement
	RouterAdvertNoCommonTraffic Code = 16 // the router does not route common traffic
)

// Codes of time exceeded messages.
const (
	TimeExceededTTL        Code = 0 // TTL exceeded in transit
	TimeExceededReassembly Code = 1 // fragment reassembly time exceeded
)

// Codes of parameter problem messages.
const (
	ParamProblemPointer       Code = 0 // Pointer says which byte is in error
	ParamProblemMissingOption Code = 1 // a required option is missing
	ParamProblemBadLength     Code = 2 // bad length
)

// Codes of Photuris messages (RFC 2521).
const (
	PhoturisBadSPI              Code = 0 // bad SPI
	PhoturisAuthFailed          Code = 1 // authentication failed
	PhoturisDecompressionFailed Code = 2 // decompression failed
	PhoturisDecryptionFailed    Code = 3 // decryption failed
	PhoturisNeedAuthentication  Code = 4 // need authentication
	PhoturisNeedAuthorization   Code = 5 // need authorization
)

// Codes of extended echo replies (RFC 8335).
const (
	ExtEchoNoError            Code = 0 // no error
	ExtEchoMalformedQuery     Code = 1 // malformed query
	ExtEchoNoSuchInterface    Code = 2 // no such interface
	ExtEchoNoSuchTableEntry   Code = 3 // no such table entry
	ExtEchoMultipleInterfaces Code = 4 // multiple interfaces satisfy the query
)

// typeNames names the types. Where tcpdump 4.99.3 prints a type by a fixed
// name, the name is its, so that netdump can print String unchanged.
var typeNames = [256]string{
	TypeEchoReply:          "echo reply",
	TypeDestUnreachable:    "destination unreachable",
	TypeSourceQuench:       "source quench",
	TypeRedirect:           "redirect",
	TypeAltHostAddress:     "alternate host address",
	TypeEcho:               "echo request",
	TypeRouterAdvert:       "router advertisement",
	TypeRouterSolicit:      "router solicitation",
	TypeTimeExceeded:       "time exceeded",
	TypeParamProblem:       "parameter problem",
	TypeTimestamp:          "time stamp request",
	TypeTimestampReply:     "time stamp reply",
	TypeInfoRequest:        "information request",
	TypeInfoReply:          "information reply",
	TypeAddressMaskRequest: "address mask request",
	TypeAddressMaskReply:   "address mask reply",
	TypeTraceroute:         "traceroute",
	TypeConversionError:    "conversion error",
	TypeMobileHostRedirect: "mobile host redirect",
	TypeDomainNameRequest:  "domain name request",
	TypeDomainNameReply:    "domain name reply",
	TypeSKIP:               "SKIP",
	TypePhoturis:           "photuris",
	TypeExtEchoRequest:     "extended echo request",
	TypeExtEchoReply:       "extended echo reply",
}

// String returns the name of t, or "type-#N" for a type without one.
// Where tcpdump 4.99.3 prints a type by a fixed name the name is its:
// source quench, router solicitation, information request and reply and
// address mask request stand alone, and echo request and reply come
// before the id and sequence number. It words the other types it knows
// from their fields ("host 10.0.0.1 unreachable"), and prints the types it
// does not know (alternate host address, and every type above 18:
// traceroute, photuris, extended echo, ...) as "type-#N", which a printer
// that follows it must do itself.
func (t Type) String() string {
	if s := typeNames[t]; s != "" {
		return s
	}
	return "type-#" + strconv.Itoa(int(t))
}

// IsError reports whether t is an error message, one that quotes the
// datagram that caused it: destination unreachable, source quench,
// redirect, time exceeded and parameter problem.
func (t Type) IsError() bool {
	switch t {
	case TypeDestUnreachable, TypeSourceQuench, TypeRedirect, TypeTimeExceeded, TypeParamProblem:
		return true
	}
	return false
}

// IsMultipart reports whether t may carry the RFC 4884 length field and
// extension structure: destination unreachable, time exceeded and
// parameter problem.
func (t Type) IsMultipart() bool {
	return t == TypeDestUnreachable || t == TypeTimeExceeded || t == TypeParamProblem
}
