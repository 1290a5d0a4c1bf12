package dump

import "github.com/medina-net/medina/internal/ber"

// SNMP as tcpdump's print-snmp.c prints it (RFC 1157 for SNMPv1, RFC
// 3416 for the v2 PDUs, RFC 3412 and 3414 for SNMPv3's header and
// user-based security): the message is walked one BER element at a time
// with package ber, and each element is checked to be what the message
// should hold there. What is not is named in brackets, and the walk
// stops there; so does it when an element is longer than what holds it.
//
// tcpdump reads object identifiers as numbers here, since netdump never
// resolves names: without -n, tcpdump would shorten some prefixes and
// name the objects of its compiled-in MIB (system.sysDescr.0 and so on).
//
// Two kinds of truncation end the walk, as in tcpdump. When the capture
// ends inside an element's tag or first length octet, the packet is
// abandoned (" [|snmp]" ends the line). When it ends inside a long
// length or the content, " [|snmp]" is printed where the element would
// be and the printers above it finish their own text (the closing
// braces of -v).

// UDP ports of SNMP.
const (
	portSNMP     = 161
	portSNMPTrap = 162
)

// snmpKind is what an element holds, as far as the SNMP printer cares.
type snmpKind uint8

const (
	snmpAny          snmpKind = iota // a context-specific primitive of no meaning here
	snmpNull                         // NULL
	snmpOctets                       // a type printed as raw octets
	snmpOID                          // OBJECT IDENTIFIER
	snmpInt                          // INTEGER
	snmpUns                          // Counter, Gauge, TimeTicks
	snmpStr                          // OCTET STRING
	snmpSeq                          // SEQUENCE
	snmpIPAddr                       // IpAddress
	snmpPDU                          // a constructed context-specific element: a PDU
	snmpUns64                        // Counter64
	snmpNoSuchObject                 // the exceptions of RFC 3416's varbinds
	snmpNoSuchInstance
	snmpEndOfMibView
)

// SNMP PDU tags (context-specific, constructed).
const (
	snmpGetRequest     = 0
	snmpGetNextRequest = 1
	snmpGetResponse    = 2
	snmpSetRequest     = 3
	snmpTrap           = 4
	snmpGetBulk        = 5
	snmpInform         = 6
	snmpV2Trap         = 7
	snmpReport         = 8
)

// Application tags of the SMI (RFC 2578).
const (
	snmpTagIPAddress = 0
	snmpTagCounter   = 1
	snmpTagGauge     = 2
	snmpTagTimeTicks = 3
	snmpTagCounter64 = 6
)

// SNMP versions, as the version field holds them.
const (
	snmpV1  = 0
	snmpV2c = 1
	snmpV3  = 3
)

// snmpUSM is the user-based security model's number (RFC 3411).
const snmpUSM = 3

// snmpEnterpriseSpecific is the generic-trap value whose specific-trap
// field means something.
const snmpEnterpriseSpecific = 6

// The names tcpdump gives the tags of each class; a tag past the end of
// its class's list is an error. tcpdump names the classes themselves
// "x" in its messages, the name its table was meant to stringify.
var (
	snmpUniversalNames = [...]string{
		"U-0", "Boolean", "Integer", "Bitstring", "String", "Null", "ObjID",
		"ObjectDes", "U-8", "U-9", "U-10", "U-11", "U-12", "U-13", "U-14",
		"U-15", "Sequence", "Set",
	}
	snmpApplicationNames = [...]string{
		"IpAddress", "Counter", "Gauge", "TimeTicks", "Opaque", "C-5", "Counter64",
	}
	snmpPDUNames = [...]string{
		"GetRequest", "GetNextRequest", "GetResponse", "SetRequest", "Trap",
		"GetBulk", "Inform", "V2Trap", "Report",
	}
	snmpPrivateNames   = [...]string{"P-0"}
	snmpExceptionNames = [...]string{"noSuchObject", "noSuchInstance", "endOfMibView"}

	snmpErrorNames = [...]string{
		"noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr",
		"noAccess", "wrongType", "wrongLength", "wrongEncoding", "wrongValue",
		"noCreation", "inconsistentValue", "resourceUnavailable",
		"commitFailed", "undoFailed", "authorizationError", "notWritable",
		"inconsistentName",
	}
	snmpGenericTrapNames = [...]string{
		"coldStart", "warmStart", "linkDown", "linkUp",
		"authenticationFailure", "egpNeighborLoss", "enterpriseSpecific",
	}
	snmpVersionNames = [...]string{"SNMPv1", "SNMPv2c", "SNMPv2u", "SNMPv3"}
)

// snmpClassNames returns the tag names of class c.
func snmpClassNames(c ber.Class) []string {
	switch c {
	case ber.Universal:
		return snmpUniversalNames[:]
	case ber.Application:
		return snmpApplicationNames[:]
	case ber.Context:
		return snmpPDUNames[:]
	default:
		return snmpPrivateNames[:]
	}
}

// snmpElem is one element read by snmpParse.
type snmpElem struct {
	kind   snmpKind
	tag    uint8  // the tag number, kept to 8 bits as tcpdump keeps it
	hdr    int    // identifier and length octets
	length uint32 // content length
	// content is the content, all captured.
	content []byte
	i32     int32
	u32     uint32
	u64     uint64
}

// size is the element's length, header included: where the next one
// starts.
func (e *snmpElem) size() int { return e.hdr + int(e.length) }

// inner returns what was captured from e's content on, out of b, the
// bytes e was read from: the content and what follows it, which the
// walk inside e may look at (a long tag running past its end).
func (e *snmpElem) inner(b []byte) []byte { return b[e.hdr:] }

// snmpTrunc prints the truncation mark of an element whose length or
// content was not captured, and lets the printers go on.
func (p *Printer) snmpTrunc() { p.s(" [|snmp]") }

// snmpParse reads the element that starts b (what was captured from it
// on); n is what the message says is left for it. It prints what is wrong
// with the element, as tcpdump's asn1_parse does (with a few types it
// does not expect, it prints their names and reads them anyway), and
// reports false when the walk must stop. It stops the packet when the
// capture ends inside the tag or the first length octet.
func (p *Printer) snmpParse(b []byte, n int) (e snmpElem, ok bool) {
	h, st := ber.Read(b, n)
	switch st {
	case ber.OK:
	case ber.Empty:
		p.s("[nothing to parse]")
		return e, false
	case ber.TruncatedTag, ber.TruncatedLength:
		p.trunc()
	case ber.TagPastEnd:
		p.s("[Xtagfield?]")
		return e, false
	case ber.NoLength:
		p.s("[no asnlen]")
		return e, false
	case ber.LengthPastEnd:
		p.s("[asnlen? ")
		p.d(int64(h.Remaining(n)))
		p.c('<')
		p.d(int64(h.LengthOctets))
		p.c(']')
		return e, false
	case ber.TruncatedLongLength:
		p.snmpTrunc()
		return e, false
	case ber.ContentPastEnd:
		p.s("[len")
		p.d(int64(h.Remaining(n)))
		p.s("<asnlen")
		p.u(uint64(h.Length))
		p.c(']')
		return e, false
	}
	e.tag = uint8(h.Tag)
	e.hdr = h.HeaderLen
	e.length = h.Length
	names := snmpClassNames(h.Class)
	if int(e.tag) >= len(names) {
		p.s("[id?")
		if h.Constructed {
			p.c('C')
		} else {
			p.c('P')
		}
		p.s("/x/")
		p.d(int64(e.tag))
		p.c(']')
		return e, false
	}
	c, captured := h.Captured(b)
	if !captured {
		p.snmpTrunc()
		return e, false
	}
	e.content = c
	name := names[e.tag]
	switch {
	case !h.Constructed && h.Class == ber.Universal:
		switch e.tag {
		case ber.TagOctetString:
			e.kind = snmpStr
		case ber.TagInteger:
			if len(c) == 0 {
				p.s("[asnlen=0]")
				return e, false
			}
			e.kind = snmpInt
			e.i32 = ber.Int32(c)
		case ber.TagOID:
			e.kind = snmpOID
		case ber.TagNull:
			e.kind = snmpNull
		default:
			e.kind = snmpOctets
			p.s("[P/U/")
			p.s(name)
			p.c(']')
		}
	case !h.Constructed && h.Class == ber.Application:
		switch e.tag {
		case snmpTagIPAddress:
			e.kind = snmpIPAddr
		case snmpTagCounter, snmpTagGauge, snmpTagTimeTicks:
			e.kind = snmpUns
			e.u32 = ber.Uint32(c)
		case snmpTagCounter64:
			e.kind = snmpUns64
			e.u64 = ber.Uint64(c)
		default:
			e.kind = snmpOctets
			p.s("[P/A/")
			p.s(name)
			p.c(']')
		}
	case !h.Constructed && h.Class == ber.Context:
		switch e.tag {
		case 0:
			e.kind = snmpNoSuchObject
		case 1:
			e.kind = snmpNoSuchInstance
		case 2:
			e.kind = snmpEndOfMibView
		default:
			e.kind = snmpAny
		}
	case !h.Constructed:
		e.kind = snmpOctets
		p.s("[P/x/")
		p.s(name)
		p.c(']')
	case h.Class == ber.Universal && e.tag == ber.TagSequence:
		e.kind = snmpSeq
	case h.Class == ber.Universal:
		e.kind = snmpOctets
		p.s("C/U/")
		p.s(name)
	case h.Class == ber.Context:
		e.kind = snmpPDU
	default:
		e.kind = snmpOctets
		p.s("C/x/")
		p.s(name)
	}
	return e, true
}

// snmpValue prints an element's value (tcpdump's asn1_print).
func (p *Printer) snmpValue(e *snmpElem) {
	switch e.kind {
	case snmpOctets:
		p.snmpOctets(e.content)
	case snmpNull:
	case snmpOID:
		p.snmpOID(e.content)
	case snmpInt:
		p.d(int64(e.i32))
	case snmpUns:
		p.u(uint64(e.u32))
	case snmpUns64:
		p.u(e.u64)
	case snmpStr:
		p.snmpString(e.content)
	case snmpSeq:
		p.s("Seq(")
		p.u(uint64(e.length))
		p.c(')')
	case snmpIPAddr:
		if len(e.content) != 4 {
			p.s("[inetaddr len!=4]")
		}
		for i, v := range e.content {
			if i > 0 {
				p.c('.')
			}
			p.u(uint64(v))
		}
	case snmpNoSuchObject, snmpNoSuchInstance, snmpEndOfMibView:
		p.c('[')
		p.s(snmpExceptionNames[e.tag])
		p.c(']')
	case snmpPDU:
		p.s(snmpPDUNames[e.tag])
		p.c('(')
		p.u(uint64(e.length))
		p.c(')')
	default:
		p.s("[BE_ANY!?]")
	}
}

// snmpOctets prints bytes as "_xx" each.
func (p *Printer) snmpOctets(c []byte) {
	for _, v := range c {
		p.c('_')
		p.xw(uint64(v), 2)
	}
}

// snmpString prints an OCTET STRING: quoted when every byte is printable
// ASCII, else in hex with "_" between the bytes.
func (p *Printer) snmpString(c []byte) {
	printable := true
	for _, v := range c {
		if !isPrint(v) {
			printable = false
			break
		}
	}
	if printable {
		p.c('"')
		p.out = append(p.out, c...)
		p.c('"')
		return
	}
	for i, v := range c {
		if i > 0 {
			p.c('_')
		}
		p.xw(uint64(v), 2)
	}
}

// snmpOID prints an OBJECT IDENTIFIER as numbers, each after a dot, the
// first subidentifier split into its two arcs (the first arc at most 2).
// The arithmetic is tcpdump's, on 32-bit signed numbers, so that an
// overlong subidentifier prints the same.
func (p *Printer) snmpOID(c []byte) {
	it := ber.NewOIDIter(c)
	first := true
	for {
		v, ok := it.Next()
		if !ok {
			return
		}
		o := int32(v)
		if first {
			first = false
			s := o / 40
			if s > 2 {
				s = 2
			}
			p.c('.')
			p.u(uint64(uint32(s)))
			o -= s * 40
		}
		p.c('.')
		p.u(uint64(uint32(o)))
	}
}

// snmpExtra prints "[N extra after WHAT]" when the element just read
// (count bytes) leaves bytes of n unused.
func (p *Printer) snmpExtra(count, n int, what string) {
	if count < n {
		p.c('[')
		p.d(int64(n - count))
		p.s(" extra after ")
		p.s(what)
		p.c(']')
	}
}

// snmpWrong prints that an element is not what the message should hold
// there, "[what]", and the element.
func (p *Printer) snmpWrong(what string, e *snmpElem) {
	p.c('[')
	p.s(what)
	p.c(']')
	p.snmpValue(e)
}

// snmp prints an SNMP message (tcpdump's snmp_print). b holds what was
// captured of it; length is its length by UDP.
func (p *Printer) snmp(b []byte, length int) {
	p.proto = "snmp"
	p.c(' ')
	e, ok := p.snmpParse(b, length)
	if !ok {
		return
	}
	if e.kind != snmpSeq {
		p.snmpWrong("!init SEQ", &e)
		return
	}
	p.snmpExtra(e.size(), length, "iSEQ")
	b, n := e.inner(b), int(e.length)

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpInt {
		p.snmpWrong("version!=INT", &e)
		return
	}
	version := e.i32
	switch version {
	case snmpV1, snmpV2c, snmpV3:
		if p.opt.Verbose > 0 {
			p.s("{ ")
			p.s(snmpVersionNames[version])
			p.c(' ')
		}
	default:
		p.s("SNMP [version = ")
		p.d(int64(version))
		p.c(']')
		return
	}
	b, n = b[e.size():], n-e.size()
	if version == snmpV3 {
		p.snmpV3Message(b, n)
	} else {
		p.snmpCommunity(b, n, version)
	}
	if p.opt.Verbose > 0 {
		p.s("} ")
	}
}

// snmpCommunity prints the community of an SNMPv1 or v2c message, unless
// it is "public", and the PDU.
func (p *Printer) snmpCommunity(b []byte, n int, version int32) {
	e, ok := p.snmpParse(b, n)
	if !ok {
		return
	}
	if e.kind != snmpStr {
		p.snmpWrong("comm!=STR", &e)
		return
	}
	if string(e.content) != "public" {
		p.s("C=")
		p.snmpString(e.content)
		p.c(' ')
	}
	p.snmpPDU(b[e.size():], n-e.size(), version)
}

// snmpPDU prints a PDU: its name and length, then its fields.
func (p *Printer) snmpPDU(b []byte, n int, version int32) {
	e, ok := p.snmpParse(b, n)
	if !ok {
		return
	}
	if e.kind != snmpPDU {
		p.s("[no PDU]")
		return
	}
	p.snmpExtra(e.size(), n, "PDU")
	if p.opt.Verbose > 0 {
		p.s("{ ")
	}
	p.snmpValue(&e)
	p.c(' ')
	id := e.tag
	b, n = e.inner(b), int(e.length)
	switch {
	case version == snmpV1 && (id == snmpGetBulk || id == snmpInform || id == snmpV2Trap || id == snmpReport):
		p.s("[v2 PDU in v1 message]")
		return
	case version == snmpV2c && id == snmpTrap:
		p.s("[v1 PDU in v2 message]")
		return
	}
	if id == snmpTrap {
		p.snmpTrapPDU(b, n)
	} else {
		p.snmpCommonPDU(id, b, n)
	}
	if p.opt.Verbose > 0 {
		p.s(" } ")
	}
}

// snmpRequestish reports whether a PDU may not carry an error status or
// index (tcpdump complains when one does).
func snmpRequestish(id uint8) bool {
	switch id {
	case snmpGetRequest, snmpGetNextRequest, snmpSetRequest, snmpInform, snmpV2Trap, snmpReport:
		return true
	}
	return false
}

// snmpErrorStatus prints an error-status value by its name.
func (p *Printer) snmpErrorStatus(v int32) {
	if v >= 0 && int(v) < len(snmpErrorNames) {
		p.s(snmpErrorNames[v])
		return
	}
	p.s("err=")
	p.u(uint64(uint32(v)))
}

// snmpCommonPDU prints the fields of every PDU but the SNMPv1 Trap:
// request-id, error-status and error-index (non-repeaters and
// max-repetitions in a GetBulk), then the varbinds.
func (p *Printer) snmpCommonPDU(id uint8, b []byte, n int) {
	e, ok := p.snmpParse(b, n)
	if !ok {
		return
	}
	if e.kind != snmpInt {
		p.snmpWrong("reqId!=INT", &e)
		return
	}
	if p.opt.Verbose > 0 {
		p.s("R=")
		p.d(int64(e.i32))
		p.c(' ')
	}
	b, n = b[e.size():], n-e.size()

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpInt {
		p.snmpWrong("errorStatus!=INT", &e)
		return
	}
	var status int32
	switch v := e.i32; {
	case snmpRequestish(id) && v != 0:
		p.s("[errorStatus(")
		p.snmpErrorStatus(v)
		p.s(")!=0]")
	case id == snmpGetBulk:
		p.s(" N=")
		p.d(int64(v))
	case v != 0:
		p.c(' ')
		p.snmpErrorStatus(v)
		status = v
	}
	b, n = b[e.size():], n-e.size()

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpInt {
		p.snmpWrong("errorIndex!=INT", &e)
		return
	}
	switch v := e.i32; {
	case snmpRequestish(id) && v != 0:
		p.s("[errorIndex(")
		p.d(int64(v))
		p.s(")!=0]")
	case id == snmpGetBulk:
		p.s(" M=")
		p.d(int64(v))
	case v != 0 && status == 0:
		p.s("[errorIndex(")
		p.d(int64(v))
		p.s(") w/o errorStatus]")
	case v != 0:
		p.c('@')
		p.d(int64(v))
	case status != 0:
		p.s("[errorIndex==0]")
	}
	b, n = b[e.size():], n-e.size()
	p.snmpVarbinds(id, b, n)
}

// snmpTrapPDU prints an SNMPv1 Trap: enterprise, agent address, generic
// and specific trap, time stamp, then the varbinds.
func (p *Printer) snmpTrapPDU(b []byte, n int) {
	p.c(' ')
	e, ok := p.snmpParse(b, n)
	if !ok {
		return
	}
	if e.kind != snmpOID {
		p.snmpWrong("enterprise!=OID", &e)
		return
	}
	p.snmpValue(&e)
	b, n = b[e.size():], n-e.size()
	p.c(' ')

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpIPAddr {
		p.snmpWrong("agent-addr!=INETADDR", &e)
		return
	}
	p.snmpValue(&e)
	b, n = b[e.size():], n-e.size()

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpInt {
		p.snmpWrong("generic-trap!=INT", &e)
		return
	}
	generic := e.i32
	p.c(' ')
	if generic >= 0 && int(generic) < len(snmpGenericTrapNames) {
		p.s(snmpGenericTrapNames[generic])
	} else {
		p.s("gt=")
		p.d(int64(generic))
	}
	b, n = b[e.size():], n-e.size()

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpInt {
		p.snmpWrong("specific-trap!=INT", &e)
		return
	}
	if generic != snmpEnterpriseSpecific {
		if e.i32 != 0 {
			p.s("[specific-trap(")
			p.d(int64(e.i32))
			p.s(")!=0]")
		}
	} else {
		p.s(" s=")
		p.d(int64(e.i32))
	}
	b, n = b[e.size():], n-e.size()
	p.c(' ')

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpUns {
		p.snmpWrong("time-stamp!=TIMETICKS", &e)
		return
	}
	p.snmpValue(&e)
	b, n = b[e.size():], n-e.size()
	p.snmpVarbinds(snmpTrap, b, n)
}

// snmpVarbinds prints a PDU's variable bindings, " NAME=VALUE" each; in
// the requests that carry no values, " NAME" and a complaint if the
// value is not NULL.
func (p *Printer) snmpVarbinds(id uint8, b []byte, n int) {
	e, ok := p.snmpParse(b, n)
	if !ok {
		return
	}
	if e.kind != snmpSeq {
		p.snmpWrong("!SEQ of varbind", &e)
		return
	}
	p.snmpExtra(e.size(), n, "SEQ of varbind")
	b, n = e.inner(b), int(e.length)
	noValues := id == snmpGetRequest || id == snmpGetNextRequest || id == snmpGetBulk
	for n > 0 {
		p.c(' ')
		if e, ok = p.snmpParse(b, n); !ok {
			return
		}
		if e.kind != snmpSeq {
			p.snmpWrong("!varbind", &e)
			return
		}
		next, nextN := b[e.size():], n-e.size()
		b, n = e.inner(b), int(e.length)

		if e, ok = p.snmpParse(b, n); !ok {
			return
		}
		if e.kind != snmpOID {
			p.snmpWrong("objName!=OID", &e)
			return
		}
		p.snmpValue(&e)
		b, n = b[e.size():], n-e.size()
		if !noValues {
			p.c('=')
		}

		if e, ok = p.snmpParse(b, n); !ok {
			return
		}
		if e.kind != snmpNull {
			if noValues {
				p.s("[objVal!=NULL]")
			}
			p.snmpValue(&e)
		}
		b, n = next, nextN
	}
}

// snmpV3Message prints an SNMPv3 message after its version (tcpdump's
// v3msg_print): the header's flags, the security parameters of the
// user-based model, and the scoped PDU, unencrypted or not.
func (p *Printer) snmpV3Message(b []byte, n int) {
	// The security parameters are read from where the header's last
	// field ends, and their length counted from the message's: if the
	// header holds more than its four fields, that is where they are
	// looked for, as tcpdump does.
	start, startN := b, n
	e, ok := p.snmpParse(b, n)
	if !ok {
		return
	}
	if e.kind != snmpSeq {
		p.snmpWrong("!message", &e)
		return
	}
	b, n = e.inner(b), int(e.length)
	if p.opt.Verbose > 0 {
		p.s("{ ")
	}

	for _, field := range [...]string{"msgID!=INT", "msgMaxSize!=INT"} {
		if e, ok = p.snmpParse(b, n); !ok {
			return
		}
		if e.kind != snmpInt {
			p.snmpWrong(field, &e)
			return
		}
		b, n = b[e.size():], n-e.size()
	}

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpStr {
		p.snmpWrong("msgFlags!=STR", &e)
		return
	}
	if e.length != 1 {
		p.s("[msgFlags size ")
		p.d(int64(int32(e.length)))
		p.c(']')
		return
	}
	flags := e.content[0]
	switch flags {
	case 0x00, 0x01, 0x03, 0x04, 0x05, 0x07:
	default:
		p.s("[msgFlags=0x")
		p.c(upperHexDigits[flags>>4])
		p.c(upperHexDigits[flags&0xf])
		p.c(']')
		return
	}
	b, n = b[e.size():], n-e.size()
	p.s("F=")
	if flags&0x01 != 0 {
		p.c('a')
	}
	if flags&0x02 != 0 {
		p.c('p')
	}
	if flags&0x04 != 0 {
		p.c('r')
	}
	p.c(' ')

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpInt {
		p.snmpWrong("msgSecurityModel!=INT", &e)
		return
	}
	model := e.i32
	b, n = b[e.size():], n-e.size()
	p.snmpExtra(e.size(), n, "message SEQ")
	if p.opt.Verbose > 0 {
		p.s("} ")
	}
	if model != snmpUSM {
		p.s("[security model ")
		p.d(int64(model))
		p.c(']')
		return
	}
	if p.opt.Verbose > 0 {
		p.s("{ USM ")
	}

	n = startN - (len(start) - len(b))
	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpStr {
		p.snmpWrong("msgSecurityParameters!=STR", &e)
		return
	}
	p.snmpUSM(e.inner(b), int(e.length))
	b, n = b[e.size():], n-e.size()
	if p.opt.Verbose > 0 {
		p.s("} ")
		p.s("{ ScopedPDU ")
	}
	p.snmpScopedPDU(b, n)
	if p.opt.Verbose > 0 {
		p.s("} ")
	}
}

const upperHexDigits = "0123456789ABCDEF"

// snmpUSM prints the user-based security parameters (RFC 3414): the
// engine boots and time with -v, and the user name.
func (p *Printer) snmpUSM(b []byte, n int) {
	e, ok := p.snmpParse(b, n)
	if !ok {
		return
	}
	if e.kind != snmpSeq {
		p.snmpWrong("!usm", &e)
		return
	}
	b, n = e.inner(b), int(e.length)

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpStr {
		p.snmpWrong("msgAuthoritativeEngineID!=STR", &e)
		return
	}
	b, n = b[e.size():], n-e.size()

	for _, field := range [...]struct{ label, wrong string }{
		{"B=", "msgAuthoritativeEngineBoots!=INT"},
		{"T=", "msgAuthoritativeEngineTime!=INT"},
	} {
		if e, ok = p.snmpParse(b, n); !ok {
			return
		}
		if e.kind != snmpInt {
			p.snmpWrong(field.wrong, &e)
			return
		}
		if p.opt.Verbose > 0 {
			p.s(field.label)
			p.d(int64(e.i32))
			p.c(' ')
		}
		b, n = b[e.size():], n-e.size()
	}

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpStr {
		p.snmpWrong("msgUserName!=STR", &e)
		return
	}
	b, n = b[e.size():], n-e.size()
	p.s("U=")
	p.snmpString(e.content)
	p.c(' ')

	for _, field := range [...]string{"msgAuthenticationParameters!=STR", "msgPrivacyParameters!=STR"} {
		if e, ok = p.snmpParse(b, n); !ok {
			return
		}
		if e.kind != snmpStr {
			p.snmpWrong(field, &e)
			return
		}
		b, n = b[e.size():], n-e.size()
	}
	p.snmpExtra(e.size(), n, "usm SEQ")
}

// snmpScopedPDU prints a scoped PDU: the context engine ID in hex, the
// context name, and the PDU. An encrypted one is an OCTET STRING, which
// is reported as not a scoped PDU.
func (p *Printer) snmpScopedPDU(b []byte, n int) {
	e, ok := p.snmpParse(b, n)
	if !ok {
		return
	}
	if e.kind != snmpSeq {
		p.snmpWrong("!scoped PDU", &e)
		return
	}
	b, n = e.inner(b), int(e.length)

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpStr {
		p.snmpWrong("contextEngineID!=STR", &e)
		return
	}
	b, n = b[e.size():], n-e.size()
	p.s("E=")
	p.snmpOctets(e.content)
	p.c(' ')

	if e, ok = p.snmpParse(b, n); !ok {
		return
	}
	if e.kind != snmpStr {
		p.snmpWrong("contextName!=STR", &e)
		return
	}
	b, n = b[e.size():], n-e.size()
	p.s("C=")
	p.snmpString(e.content)
	p.c(' ')
	p.snmpPDU(b, n, snmpV3)
}
