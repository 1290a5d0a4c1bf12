package dump

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/pcap"
)

// BER builders for the SNMP tests.

// tlv encodes an element with a short- or long-form length as the
// content needs.
func tlv(tag byte, parts ...[]byte) []byte {
	c := cat(parts...)
	return cat([]byte{tag}, berLen(len(c)), c)
}

// berLen encodes a definite length in the shortest form.
func berLen(n int) []byte {
	switch {
	case n < 0x80:
		return []byte{byte(n)}
	case n < 0x100:
		return []byte{0x81, byte(n)}
	default:
		return []byte{0x82, byte(n >> 8), byte(n)}
	}
}

// berInt encodes an INTEGER in the fewest octets.
func berInt(v int64) []byte {
	var c []byte
	for {
		c = append([]byte{byte(v)}, c...)
		if (v < 0x80 && v >= -0x80) || len(c) == 8 {
			break
		}
		v >>= 8
	}
	return tlv(0x02, c)
}

// berStr encodes an OCTET STRING.
func berStr(s string) []byte { return tlv(0x04, []byte(s)) }

// berNull is a NULL.
var berNull = []byte{0x05, 0x00}

// berOID encodes an OBJECT IDENTIFIER from its arcs.
func berOID(arcs ...uint64) []byte {
	c := berSubid(nil, arcs[0]*40+arcs[1])
	for _, a := range arcs[2:] {
		c = berSubid(c, a)
	}
	return tlv(0x06, c)
}

// berSubid appends a base-128 subidentifier.
func berSubid(b []byte, v uint64) []byte {
	var tmp [10]byte
	i := len(tmp) - 1
	tmp[i] = byte(v & 0x7f)
	for v >>= 7; v != 0; v >>= 7 {
		i--
		tmp[i] = byte(v&0x7f) | 0x80
	}
	return append(b, tmp[i:]...)
}

// berApp encodes an application-class primitive (IpAddress 0, Counter 1,
// Gauge 2, TimeTicks 3, Opaque 4, Counter64 6).
func berApp(tag byte, c ...byte) []byte { return tlv(0x40|tag, c) }

// varbind is a name and a value.
func varbind(name, value []byte) []byte { return tlv(0x30, name, value) }

// snmpPDUBytes is a PDU of the common form.
func snmpPDUBytes(tag byte, reqID, status, index int64, vbs ...[]byte) []byte {
	return tlv(0xa0|tag, berInt(reqID), berInt(status), berInt(index), tlv(0x30, vbs...))
}

// snmpMsg is an SNMPv1 or v2c message.
func snmpMsg(version int64, community string, pdu []byte) []byte {
	return tlv(0x30, berInt(version), berStr(community), pdu)
}

var sysDescr = berOID(1, 3, 6, 1, 2, 1, 1, 1, 0)

var (
	snmpGet     = snmpMsg(0, "public", snmpPDUBytes(0, 1234, 0, 0, varbind(sysDescr, berNull)))
	snmpGetNext = snmpMsg(1, "private", snmpPDUBytes(1, 7, 0, 0,
		varbind(berOID(1, 3, 6, 1, 2, 1, 2, 2, 1, 10), berNull), varbind(berOID(1, 3, 6, 1, 4, 1, 2021, 10), berNull)))
	snmpResponse = snmpMsg(1, "public", snmpPDUBytes(2, 1234, 0, 0,
		varbind(sysDescr, berStr("Linux box 6.1")),
		varbind(berOID(1, 3, 6, 1, 2, 1, 1, 3, 0), berApp(3, 0x01, 0x02, 0x03, 0x04)),
		varbind(berOID(1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 10, 0, 0, 1), berApp(0, 10, 0, 0, 1)),
		varbind(berOID(1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 2), berApp(6, 0x01, 0, 0, 0, 0, 0, 0, 0, 5)),
		varbind(berOID(1, 3, 6, 1, 2, 1, 2, 2, 1, 6, 2), berStr("\x00\x11\x22\x33\x44\x55")),
		varbind(berOID(1, 3, 6, 1, 2, 1, 1, 2, 0), berOID(1, 3, 6, 1, 4, 1, 8072, 3, 2, 10)),
		varbind(berOID(1, 3, 6, 1, 2, 1, 2, 2, 1, 5, 2), berApp(2, 0x3b, 0x9a, 0xca, 0x00)),
		varbind(berOID(1, 3, 6, 1, 2, 1, 1, 9, 1, 5, 1), []byte{0x80, 0x00}),
		varbind(berOID(1, 3, 6, 1, 2, 1, 1, 9, 1, 5, 2), []byte{0x81, 0x00}),
		varbind(berOID(1, 3, 6, 1, 2, 1, 1, 9, 1, 5, 3), []byte{0x82, 0x00}),
		varbind(berOID(1, 3, 6, 1, 2, 1, 1, 7, 0), berInt(-72))))
	snmpError = snmpMsg(0, "public", snmpPDUBytes(2, 99, 2, 1, varbind(sysDescr, berNull)))
	snmpSet   = snmpMsg(1, "secret", snmpPDUBytes(3, 5, 0, 0,
		varbind(berOID(1, 3, 6, 1, 2, 1, 1, 5, 0), berStr("router"))))
	snmpBulk = snmpMsg(1, "public", tlv(0xa5, berInt(42), berInt(0), berInt(10),
		tlv(0x30, varbind(berOID(1, 3, 6, 1, 2, 1, 2, 2), berNull))))
	snmpV2TrapMsg = snmpMsg(1, "public", snmpPDUBytes(7, 3, 0, 0,
		varbind(berOID(1, 3, 6, 1, 2, 1, 1, 3, 0), berApp(3, 0x10)),
		varbind(berOID(1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0), berOID(1, 3, 6, 1, 6, 3, 1, 1, 5, 3))))
	snmpInformMsg = snmpMsg(1, "public", snmpPDUBytes(6, 4, 0, 0))
	snmpV1Trap    = snmpMsg(0, "trap", tlv(0xa4, berOID(1, 3, 6, 1, 4, 1, 3830, 1), berApp(0, 192, 0, 2, 7),
		berInt(6), berInt(52), berApp(3, 0x03, 0xaa, 0x67, 0x79),
		tlv(0x30, varbind(berOID(1, 3, 6, 1, 4, 1, 3830, 1, 1), berInt(3)))))
	snmpLinkDown = snmpMsg(0, "public", tlv(0xa4, berOID(1, 3, 6, 1, 4, 1, 9), berApp(0, 10, 1, 1, 1),
		berInt(2), berInt(0), berApp(3, 0x05),
		tlv(0x30, varbind(berOID(1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 3), berInt(3)))))
	// SNMPv3: a discovery request (no user, no flags but reportable)
	// and an authenticated, encrypted one.
	snmpV3Discovery = tlv(0x30, berInt(3),
		tlv(0x30, berInt(821490644), berInt(65507), berStr("\x04"), berInt(3)),
		tlv(0x04, tlv(0x30, berStr(""), berInt(0), berInt(0), berStr(""), berStr(""), berStr(""))),
		tlv(0x30, berStr(""), berStr(""), snmpPDUBytes(0, 1390222496, 0, 0)))
	snmpV3Report = tlv(0x30, berInt(3),
		tlv(0x30, berInt(821490644), berInt(65507), berStr("\x00"), berInt(3)),
		tlv(0x04, tlv(0x30, berStr("\x80\x00\x1f\x88\x80\x59\xdc\x48\x61\x45\xa2\x63\x22"), berInt(2), berInt(1017), berStr(""), berStr(""), berStr(""))),
		tlv(0x30, berStr("\x80\x00\x1f\x88\x80\x59\xdc\x48\x61\x45\xa2\x63\x22"), berStr(""),
			snmpPDUBytes(8, 1390222496, 0, 0, varbind(berOID(1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0), berApp(1, 0x01)))))
	snmpV3Encrypted = tlv(0x30, berInt(3),
		tlv(0x30, berInt(821490645), berInt(65507), berStr("\x07"), berInt(3)),
		tlv(0x04, tlv(0x30, berStr("\x80\x00\x1f\x88\x80\x59"), berInt(2), berInt(1017), berStr("admin"),
			berStr("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"), berStr("\x00\x00\x00\x01\x02\x03\x04\x05"))),
		tlv(0x04, []byte("\x9a\x8b\x7c\x6d\x5e\x4f")))
)

var snmpCases = []printCase{
	{name: "snmp", frames: [][]byte{
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpGet}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpGetNext}),
		udpFrame(dgram{src: hostB, dst: hostA, sport: 161, dport: 1025, data: snmpResponse}),
		udpFrame(dgram{src: hostB, dst: hostA, sport: 161, dport: 1025, data: snmpError}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpSet}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpBulk}),
		udpFrame(dgram{sport: 1025, dport: 162, data: snmpV2TrapMsg}),
		udpFrame(dgram{sport: 1025, dport: 162, data: snmpInformMsg}),
		udpFrame(dgram{sport: 1025, dport: 162, data: snmpV1Trap}),
		udpFrame(dgram{sport: 1025, dport: 162, data: snmpLinkDown}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpV3Discovery}),
		udpFrame(dgram{src: hostB, dst: hostA, sport: 161, dport: 1025, data: snmpV3Report}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpV3Encrypted}),
	}, want: "" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  GetRequest(26)  .1.3.6.1.2.1.1.1.0\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  C=\"private\" GetNextRequest(40)  .1.3.6.1.2.1.2.2.1.10 .1.3.6.1.4.1.2021.10\n" +
		"IP 10.0.0.2.161 > 10.0.0.1.1025:  GetResponse(236)  .1.3.6.1.2.1.1.1.0=\"Linux box 6.1\" .1.3.6.1.2.1.1.3.0=16909060 .1.3.6.1.2.1.4.20.1.1.10.0.0.1=10.0.0.1 .1.3.6.1.2.1.31.1.1.1.6.2=5 .1.3.6.1.2.1.2.2.1.6.2=00_11_22_33_44_55 .1.3.6.1.2.1.1.2.0=.1.3.6.1.4.1.8072.3.2.10 .1.3.6.1.2.1.2.2.1.5.2=1000000000 .1.3.6.1.2.1.1.9.1.5.1=[noSuchObject] .1.3.6.1.2.1.1.9.1.5.2=[noSuchInstance] .1.3.6.1.2.1.1.9.1.5.3=[endOfMibView] .1.3.6.1.2.1.1.7.0=-72\n" +
		"IP 10.0.0.2.161 > 10.0.0.1.1025:  GetResponse(25)  noSuchName@1 .1.3.6.1.2.1.1.1.0=\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  C=\"secret\" SetRequest(31)  .1.3.6.1.2.1.1.5.0=\"router\"\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  GetBulk(24)  N=0 M=10 .1.3.6.1.2.1.2.2\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.162:  V2Trap(51)  .1.3.6.1.2.1.1.3.0=16 .1.3.6.1.6.3.1.1.4.1.0=.1.3.6.1.6.3.1.1.5.3\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.162:  Inform(11) \n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.162:  C=\"trap\" Trap(46)  .1.3.6.1.4.1.3830.1 192.0.2.7 enterpriseSpecific s=52 61499257 .1.3.6.1.4.1.3830.1.1=3\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.162:  Trap(42)  .1.3.6.1.4.1.9 10.1.1.1 linkDown 5 .1.3.6.1.2.1.2.2.1.1.3=3\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  F=r U=\"\" E= C=\"\" GetRequest(14) \n" +
		"IP 10.0.0.2.161 > 10.0.0.1.1025:  F= U=\"\" E=_80_00_1f_88_80_59_dc_48_61_45_a2_63_22 C=\"\" Report(31)  .1.3.6.1.6.3.15.1.1.4.0=1\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  F=apr U=\"admin\" [!scoped PDU]9a_8b_7c_6d_5e_4f\n"},
	{name: "snmp-v", args: []string{"-v"}, frames: [][]byte{
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpGet}),
		udpFrame(dgram{src: hostB, dst: hostA, sport: 161, dport: 1025, data: snmpError}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpBulk}),
		udpFrame(dgram{sport: 1025, dport: 162, data: snmpV1Trap}),
		udpFrame(dgram{src: hostB, dst: hostA, sport: 161, dport: 1025, data: snmpV3Report}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpV3Encrypted}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 69)\n" +
		"    10.0.0.1.1025 > 10.0.0.2.161:  { SNMPv1 { GetRequest(26) R=1234  .1.3.6.1.2.1.1.1.0 } } \n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 68)\n" +
		"    10.0.0.2.161 > 10.0.0.1.1025:  { SNMPv1 { GetResponse(25) R=99  noSuchName@1 .1.3.6.1.2.1.1.1.0= } } \n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 67)\n" +
		"    10.0.0.1.1025 > 10.0.0.2.161:  { SNMPv2c { GetBulk(24) R=42  N=0 M=10 .1.3.6.1.2.1.2.2 } } \n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 87)\n" +
		"    10.0.0.1.1025 > 10.0.0.2.162:  { SNMPv1 C=\"trap\" { Trap(46)  .1.3.6.1.4.1.3830.1 192.0.2.7 enterpriseSpecific s=52 61499257 .1.3.6.1.4.1.3830.1.1=3 } } \n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 136)\n" +
		"    10.0.0.2.161 > 10.0.0.1.1025:  { SNMPv3 { F= } { USM B=2 T=1017 U=\"\" } { ScopedPDU E=_80_00_1f_88_80_59_dc_48_61_45_a2_63_22 C=\"\" { Report(31) R=1390222496  .1.3.6.1.6.3.15.1.1.4.0=1 } } } \n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 110)\n" +
		"    10.0.0.1.1025 > 10.0.0.2.161:  { SNMPv3 { F=apr } { USM B=2 T=1017 U=\"admin\" } { ScopedPDU [!scoped PDU]9a_8b_7c_6d_5e_4f} } \n"},
	{name: "snmp-malformed", frames: [][]byte{
		// Not a SEQUENCE; an unknown version; a v2 PDU in a v1
		// message and the other way round; a long tag; a length
		// that runs past the datagram; long-form lengths; a class's
		// tag past its names; a Boolean; a GetRequest with a value
		// and errors it should not have; a trap with a bad generic
		// number.
		udpFrame(dgram{sport: 1025, dport: 161, data: berStr("hello")}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpMsg(2, "public", snmpPDUBytes(0, 1, 0, 0))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpMsg(0, "public", snmpPDUBytes(5, 1, 0, 0))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpMsg(1, "public", tlv(0xa4))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: tlv(0x30, berInt(0), []byte{0x1f, 0x81, 0x04, 0x00})}),
		udpFrame(dgram{sport: 1025, dport: 161, data: cat([]byte{0x30, 0x20}, berInt(0))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: cat([]byte{0x30, 0x84, 0, 0, 0, 3}, berInt(1))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: []byte{0x30, 0x85, 0, 0}}),
		udpFrame(dgram{sport: 1025, dport: 161, data: tlv(0x30, []byte{0x12, 0x00})}),
		udpFrame(dgram{sport: 1025, dport: 161, data: tlv(0x30, []byte{0x01, 0x01, 0xff})}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpMsg(0, "public", snmpPDUBytes(0, 1, 3, 1, varbind(sysDescr, berInt(5))))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpMsg(0, "public", snmpPDUBytes(2, 1, 0, 4, varbind(sysDescr, berStr(""))))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpMsg(0, "public", snmpPDUBytes(2, 1, 77, 0))}),
		udpFrame(dgram{sport: 1025, dport: 162, data: snmpMsg(0, "public", tlv(0xa4, berOID(1, 3, 6), berApp(0, 1, 2, 3), berInt(9), berInt(1), berInt(5)))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpMsg(0, "\x01bin", tlv(0x63, berInt(1)))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: cat(snmpGet, []byte{0, 0})}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpGet, ulen: 8 + 20}),
		udpFrame(dgram{sport: 1025, dport: 161, data: tlv(0x30, berInt(3), tlv(0x30, berInt(1), berInt(2), berStr("\x02"), berInt(3)))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: tlv(0x30, berInt(3), tlv(0x30, berInt(1), berInt(2), berStr("\x01"), berInt(1)))}),
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpMsg(0, "public", snmpPDUBytes(2, 1, 0, 0, varbind(berOID(2, 999, 3), []byte{0x06, 0x06, 0x8f, 0xff, 0xff, 0xff, 0x7f, 0x81})))}),
	}, want: "" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [!init SEQ]\"hello\"\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  SNMP [version = 2]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  GetBulk(11) [v2 PDU in v1 message]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  Trap(0) [v1 PDU in v2 message]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [id?P/x/132]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [len3<asnlen32]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [nothing to parse]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [asnlen? 2<5]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [id?P/x/18]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [P/U/Boolean][version!=INT]_ff\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  GetRequest(26) [errorStatus(badValue)!=0][errorIndex(1)!=0] .1.3.6.1.2.1.1.1.0[objVal!=NULL]5\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  GetResponse(25) [errorIndex(4) w/o errorStatus] .1.3.6.1.2.1.1.1.0=\"\"\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  GetResponse(11)  err=77[errorIndex==0]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.162:  Trap(18)  .1.3.6 [inetaddr len!=4]1.2.3 gt=9[specific-trap(1)!=0] [time-stamp!=TIMETICKS]5\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  C=01_62_69_6e C/x/TimeTicks[no PDU]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [2 extra after iSEQ]GetRequest(26)  .1.3.6.1.2.1.1.1.0\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [len18<asnlen39]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  [msgFlags=0x02]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  F=a [security model 1]\n" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161:  GetResponse(26)  .2.999.3=.0.4294967295\n"},
	{name: "snmp-truncated", snap: 14 + 20 + 8 + 30, frames: [][]byte{
		udpFrame(dgram{src: hostB, dst: hostA, sport: 161, dport: 1025, data: snmpResponse}),
	}, want: "" +
		"IP 10.0.0.2.161 > 10.0.0.1.1025:   [|snmp]\n"},
	{name: "snmp-truncated-v", args: []string{"-v"}, snap: 14 + 20 + 8 + 30, frames: [][]byte{
		udpFrame(dgram{src: hostB, dst: hostA, sport: 161, dport: 1025, data: snmpResponse}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 281)\n" +
		"    10.0.0.2.161 > 10.0.0.1.1025:   [|snmp]\n"},
	{name: "snmp-truncated-length", args: []string{"-v"}, snap: 14 + 20 + 8 + 1, frames: [][]byte{
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpGet}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 69)\n" +
		"    10.0.0.1.1025 > 10.0.0.2.161:   [|snmp]\n"},
	{name: "snmp-truncated-long-length", args: []string{"-v"}, snap: 14 + 20 + 8 + 3, frames: [][]byte{
		udpFrame(dgram{sport: 1025, dport: 161, data: cat([]byte{0x30, 0x82, 0x00, 0x03}, berInt(1))}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 35)\n" +
		"    10.0.0.1.1025 > 10.0.0.2.161:   [|snmp]\n"},
	{name: "snmp-long-tag-past-end", args: []string{"-v"}, frames: [][]byte{
		// A tag whose octets run past the message: in the capture
		// (the datagram has bytes after the message) and not.
		udpFrame(dgram{sport: 1025, dport: 161, data: cat(tlv(0x30, berInt(0), []byte{0x1f, 0x81}), []byte{0x01})}),
		udpFrame(dgram{sport: 1025, dport: 161, data: tlv(0x30, berInt(0), []byte{0x1f, 0x81})}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 36)\n" +
		"    10.0.0.1.1025 > 10.0.0.2.161:  [1 extra after iSEQ]{ SNMPv1 [Xtagfield?]} \n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto UDP (17), length 35)\n" +
		"    10.0.0.1.1025 > 10.0.0.2.161:  { SNMPv1  [|snmp]\n"},
	{name: "snmp-q", args: []string{"-q"}, frames: [][]byte{
		udpFrame(dgram{sport: 1025, dport: 161, data: snmpGet}),
	}, want: "" +
		"IP 10.0.0.1.1025 > 10.0.0.2.161: UDP, length 41\n"},
}

func TestSNMPPrinter(t *testing.T) { runPrintCases(t, snmpCases) }

func TestSNMPCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, snmpCases) }

// snmpGen makes SNMP messages for the differential test: well-formed
// ones of every kind, with values of every type, and then damaged.
type snmpGen struct{ randGen }

// elem is tlv with, now and then, a long-form length padded with
// zeros, as some encoders write them.
func (g snmpGen) elem(tag byte, parts ...[]byte) []byte {
	c := cat(parts...)
	if g.pick(8) == 0 {
		n := 1 + g.pick(3)
		l := []byte{0x80 | byte(n)}
		for i := n - 1; i >= 0; i-- {
			l = append(l, byte(len(c)>>(8*i)))
		}
		return cat([]byte{tag}, l, c)
	}
	return cat([]byte{tag}, berLen(len(c)), c)
}

func (g snmpGen) int() []byte {
	switch g.pick(6) {
	case 0:
		return berInt(0)
	case 1:
		return berInt(int64(g.rng.Int32()))
	case 2:
		return berInt(-int64(g.pick(1000)))
	case 3:
		// Wider than 32 bits.
		return berInt(g.rng.Int64())
	case 4:
		return tlv(0x02, []byte{0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff})
	}
	return berInt(int64(g.pick(20)))
}

func (g snmpGen) str() []byte {
	switch g.pick(5) {
	case 0:
		return g.elem(0x04)
	case 1:
		b := make([]byte, g.pick(20))
		for i := range b {
			b[i] = byte(g.rng.Uint32())
		}
		return g.elem(0x04, b)
	case 2:
		return g.elem(0x04, []byte("public"))
	}
	b := make([]byte, 1+g.pick(30))
	for i := range b {
		b[i] = byte(0x20 + g.pick(95))
	}
	return g.elem(0x04, b)
}

func (g snmpGen) oid() []byte {
	arcs := []uint64{uint64(g.pick(3)), uint64(g.pick(40))}
	if g.pick(4) != 0 {
		arcs = []uint64{1, 3, 6, 1, uint64(1 + g.pick(6))}
	}
	for n := g.pick(12); n > 0; n-- {
		switch g.pick(10) {
		case 0:
			arcs = append(arcs, uint64(g.rng.Uint32()))
		case 1:
			arcs = append(arcs, g.rng.Uint64()>>uint(g.pick(64)))
		default:
			arcs = append(arcs, uint64(g.pick(300)))
		}
	}
	if g.pick(20) == 0 {
		arcs[0] = uint64(3 + g.pick(100))
	}
	o := berOID(arcs...)
	if g.pick(15) == 0 {
		// A subidentifier left unfinished.
		c := append(o[2:len(o):len(o)], 0x81)
		return g.elem(0x06, c)
	}
	return o
}

func (g snmpGen) value() []byte {
	switch g.pick(16) {
	case 0:
		return berNull
	case 1, 2:
		return g.int()
	case 3, 4:
		return g.str()
	case 5:
		return g.oid()
	case 6:
		a := make([]byte, 4)
		if g.pick(6) == 0 {
			a = make([]byte, g.pick(8))
		}
		for i := range a {
			a[i] = byte(g.rng.Uint32())
		}
		return g.elem(0x40, a)
	case 7, 8:
		c := make([]byte, g.pick(10))
		for i := range c {
			c[i] = byte(g.rng.Uint32())
		}
		return g.elem(byte(0x41+g.pick(6)), c)
	case 9:
		return []byte{byte(0x80 + g.pick(9)), 0x00}
	case 10:
		return g.elem(byte(g.pick(0x20)), []byte{1, 2})
	case 11:
		return g.elem(0x30, g.int(), g.str())
	case 12:
		return g.elem(byte(0xc0+g.pick(3)), []byte{7})
	case 13:
		return g.elem(byte(0x60+g.pick(8)), g.int())
	}
	return g.int()
}

func (g snmpGen) varbinds(values bool) []byte {
	var vbs [][]byte
	for n := g.pick(6); n > 0; n-- {
		v := berNull
		if values || g.pick(6) == 0 {
			v = g.value()
		}
		vbs = append(vbs, g.elem(0x30, g.oid(), v))
	}
	return g.elem(0x30, vbs...)
}

func (g snmpGen) pdu() []byte {
	tag := byte(g.pick(9))
	if tag == 4 && g.pick(3) != 0 {
		return g.elem(0xa4, g.oid(), g.elem(0x40, []byte{10, 0, 0, byte(g.pick(256))}),
			berInt(int64(g.pick(9))), g.int(), g.elem(0x43, []byte{byte(g.pick(256)), 1}), g.varbinds(true))
	}
	status, index := berInt(0), berInt(0)
	if g.pick(3) == 0 {
		status = berInt(int64(g.pick(22)) - 1)
	}
	if g.pick(3) == 0 {
		index = berInt(int64(g.pick(4)))
	}
	return g.elem(0xa0|tag, g.int(), status, index, g.varbinds(tag != 0 && tag != 1 && tag != 5 || g.pick(5) == 0))
}

func (g snmpGen) v3() []byte {
	flags := []byte{0, 1, 3, 4, 5, 7, 2, 6}[g.pick(8)]
	flagStr := g.elem(0x04, []byte{flags})
	if g.pick(15) == 0 {
		flagStr = g.elem(0x04, []byte{flags, 0})
	}
	model := berInt(3)
	if g.pick(10) == 0 {
		model = berInt(int64(g.pick(5)))
	}
	header := [][]byte{berInt(int64(g.rng.Int32())), berInt(65507), flagStr, model}
	if g.pick(12) == 0 {
		header = append(header, berInt(1))
	}
	usm := g.elem(0x04, g.elem(0x30, g.str(), g.int(), g.int(), g.str(), g.str(), g.str()))
	var scoped []byte
	if g.pick(4) == 0 {
		scoped = g.str()
	} else {
		scoped = g.elem(0x30, g.str(), g.str(), g.pdu())
	}
	return g.elem(0x30, berInt(3), g.elem(0x30, header...), usm, scoped)
}

// message returns a message, whole or damaged.
func (g snmpGen) message() []byte {
	var m []byte
	switch g.pick(6) {
	case 5:
		// Any bytes in a SEQUENCE.
		b := make([]byte, g.pick(40))
		for i := range b {
			b[i] = byte(g.rng.Uint32())
		}
		return g.elem(0x30, berInt(int64(g.pick(4))), b)
	case 0, 1:
		m = g.elem(0x30, berInt(int64(g.pick(2))), g.str(), g.pdu())
	case 2:
		m = g.v3()
	case 3:
		m = g.elem(0x30, berInt(int64(g.pick(5))), g.str(), g.pdu())
	default:
		m = g.elem(0x30, berInt(0), berStr("public"), g.pdu())
	}
	switch g.pick(4) {
	case 0:
		for n := 1 + g.pick(4); n > 0; n-- {
			m[g.pick(len(m))] = byte(g.rng.Uint32())
		}
	case 1:
		i := g.pick(len(m))
		m[i] = []byte{0x1f, 0x80, 0x81, 0x84, 0x7f, 0x00, 0xff}[g.pick(7)]
	}
	if g.pick(10) == 0 {
		m = append(m, make([]byte, g.pick(4))...)
	}
	return m
}

// diffFrame is a frame for the differential tests, with what of it was
// captured.
type diffFrame struct {
	data []byte
	snap int // 0 for all
}

// diffWithTCPDump prints frames with the installed tcpdump 4.99.3 and
// with a Printer, each set of flags in turn, and reports the packets
// whose text differs (up to a few per set).
func diffWithTCPDump(t *testing.T, frames []diffFrame, flagSets [][]string) {
	t.Helper()
	tcpdump := tcpdump4993(t)
	file := filepath.Join(t.TempDir(), "diff.pcap")
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf, pcap.LinkTypeEthernet, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		data := f.data
		if f.snap > 0 && f.snap < len(data) {
			data = data[:f.snap]
		}
		if err := w.WritePacket(time.Unix(int64(1e9+i), 0), data, len(f.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flags := range flagSets {
		out, err := exec.Command(tcpdump, append([]string{"-n", "-t", "-r", file}, flags...)...).Output()
		if err != nil {
			t.Fatalf("tcpdump %v: %v", flags, err)
		}
		want := splitPackets(string(out))
		if len(want) != len(frames) {
			t.Fatalf("tcpdump %v printed %d packets of %d", flags, len(want), len(frames))
		}
		p := New(nil, flagOptions(t, append([]string{"-n", "-t"}, flags...)))
		bad := 0
		for i, f := range frames {
			data := f.data
			if f.snap > 0 && f.snap < len(data) {
				data = data[:f.snap]
			}
			pkt := &pcap.Packet{Data: data, Length: len(f.data), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
			if got := string(p.AppendPacket(nil, pkt)); got != want[i] {
				bad++
				if bad <= 5 {
					t.Errorf("%v, frame %x (captured %d):\ngot  %q\nwant %q", flags, f.data, len(data), got, want[i])
				}
			}
		}
		if bad > 0 {
			t.Errorf("%v: %d of %d packets differ", flags, bad, len(frames))
		}
	}
}

// splitPackets splits tcpdump's output into each packet's text: a packet
// starts on a line that does not start with white space.
func splitPackets(out string) []string {
	var pkts []string
	for _, line := range strings.SplitAfter(out, "\n") {
		if line == "" {
			continue
		}
		if len(pkts) == 0 || (line[0] != ' ' && line[0] != '\t') {
			pkts = append(pkts, line)
			continue
		}
		pkts[len(pkts)-1] += line
	}
	return pkts
}

// TestSNMPRandomAgainstTCPDump prints thousands of generated SNMP
// messages, whole, damaged and cut short, with tcpdump and with the
// printer, and requires the same text at each verbosity, quiet, and
// with the raw dumps.
func TestSNMPRandomAgainstTCPDump(t *testing.T) {
	n := 6000
	if testing.Short() {
		n = 600
	}
	g := snmpGen{randGen{rand.New(rand.NewPCG(161, 162))}}
	frames := make([]diffFrame, 0, n)
	for i := 0; i < n; i++ {
		m := g.message()
		d := dgram{sport: uint16(1024 + g.pick(1000)), dport: 161}
		if g.pick(3) == 0 {
			d.sport, d.dport = 161, d.sport
		}
		if g.pick(4) == 0 {
			d.dport = 162
		}
		d.data = m
		if g.pick(10) == 0 {
			d.ulen = 8 + g.pick(len(m)+1)
		}
		f := diffFrame{data: udpFrame(d)}
		if g.pick(5) == 0 {
			f.snap = 14 + 20 + 8 + g.pick(len(m)+1)
		}
		frames = append(frames, f)
	}
	diffWithTCPDump(t, frames, [][]string{nil, {"-v"}, {"-vv"}, {"-q"}, {"-x"}, {"-vvv", "-e", "-X"}})
}

// FuzzSNMP checks that no SNMP message, whole or cut short, makes the
// printer panic.
func FuzzSNMP(f *testing.F) {
	for _, c := range snmpCases {
		for _, fr := range c.frames {
			f.Add(fr[14+20+8:], uint16(0), uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, m []byte, cut uint16, flags uint8) {
		fr := udpFrame(dgram{sport: 1025, dport: 161 + uint16(flags&1), data: m})
		data := fr
		if c := int(cut); c > 0 && c < len(fr) {
			data = fr[:c]
		}
		p := New(nil, flagOptions(t, [][]string{nil, {"-v"}, {"-vv"}}[int(flags>>1)%3]))
		pkt := &pcap.Packet{Data: data, Length: len(fr), LinkType: pcap.LinkTypeEthernet, FracPerSec: 1e6}
		p.AppendPacket(nil, pkt)
	})
}

// TestSNMPDoesNotAllocate checks that SNMP messages, well-formed and
// not, print without allocating once the printer's buffer has grown.
func TestSNMPDoesNotAllocate(t *testing.T) { checkCasesDoNotAllocate(t, snmpCases) }

// BenchmarkSNMP prints an SNMPv2c response with eleven varbinds.
func BenchmarkSNMP(b *testing.B) {
	benchFrame(b, udpFrame(dgram{src: hostB, dst: hostA, sport: 161, dport: 1025, data: snmpResponse}), 1)
}
