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

// cpPacket is a PPP frame (address, control, protocol) carrying a control
// protocol packet with the given code, id and data, whose length field
// says n, or the real length when n is 0.
func cpPacket(proto uint16, code, id byte, n int, data []byte) []byte {
	if n == 0 {
		n = 4 + len(data)
	}
	b := []byte{0xff, 0x03, byte(proto >> 8), byte(proto), code, id, byte(n >> 8), byte(n)}
	return append(b, data...)
}

// pppFrame is a PPP frame with address, control and the given protocol.
func pppFrame(proto uint16, payload []byte) []byte {
	return append([]byte{0xff, 0x03, byte(proto >> 8), byte(proto)}, payload...)
}

var (
	lcpConfReq = cpPacket(pppLCP, 1, 1, 0, hx(""+
		"0104 05dc"+ // MRU 1500
		"0206 00000000"+ // ACCM
		"0305 c223 05"+ // CHAP with MD5
		"0506 12345678"+ // magic number
		"0702 0802"+ // PFC, ACFC
		"0d03 06"+ // callback by CBCP
		"1104 0640"+ // MRRU
		"1307 02 0a000001"+ // endpoint discriminator: IPv4
		"1704 0001"+ // link discriminator
		"0006 00000c 01"+ // vendor extension, Cisco
		"1202"+ // 12-bit sequence numbers, not decoded
		"0903 01"+ // FCS alternatives, not decoded
		"0408 c025 000003e8"+ // quality protocol LQR
		"1f03 00")) // beyond the named options
	lcpConfReq2 = cpPacket(pppLCP, 2, 2, 0, hx(""+
		"0304 c023"+ // PAP
		"0306 1234 0000"+ // an authentication protocol tcpdump does not know
		"0305 c223 80"+ // MS-CHAPv1
		"0305 c223 07"+ // an unknown CHAP algorithm
		"0404 1234"+ // an unknown quality protocol
		"1309 03 020000000001"+ // endpoint discriminator: MAC
		"1303 00 1303 01 1303 04 1303 05 1303 09"+ // the other classes
		"0103 00"+ // MRU with a bad length: the list goes on
		"0504 0000"+ // magic number with a bad length: the list ends
		"0702"))
	lcpConfNak = cpPacket(pppLCP, 3, 3, 0, hx("0104 05dc 0502 0702"))      // an option too short
	lcpConfRej = cpPacket(pppLCP, 4, 4, 10, hx("0104 05dc 0506 12345678")) // an option past the packet
	lcpBadLen  = cpPacket(pppLCP, 1, 5, 0, hx("0100 0104 05dc"))           // zero length
	lcpBigOpt  = cpPacket(pppLCP, 1, 6, 0, hx("0104 05dc 0510 12345678"))  // longer than the packet
	lcpEmpty   = cpPacket(pppLCP, 1, 7, 0, nil)                            // no options
	lcpUnknown = cpPacket(pppLCP, 1, 8, 0, hx("2004 0102 2001"))           // unknown options
	lcpShort   = cpPacket(pppLCP, 1, 9, 3, hx("0104"))                     // encoded length < 4
	lcpLong    = cpPacket(pppLCP, 1, 10, 100, hx("0104 05dc"))             // encoded length too long
	lcpEcho    = cpPacket(pppLCP, 9, 11, 0, hx("12345678 01020304"))       // with data
	lcpEchoRep = cpPacket(pppLCP, 10, 11, 0, hx("87654321"))               // without
	lcpDisc    = cpPacket(pppLCP, 11, 12, 0, hx("87654321 aa"))            // discard request
	lcpTerm    = cpPacket(pppLCP, 5, 13, 0, hx("62796521"))                // terminate request
	lcpTermAck = cpPacket(pppLCP, 6, 13, 0, nil)                           // terminate ack
	lcpCodeRej = cpPacket(pppLCP, 7, 14, 0, hx("2001 0004"))               // code reject
	lcpProtRej = cpPacket(pppLCP, 8, 15, 0, hx("8057 01020304"))           // protocol reject
	lcpIdent   = cpPacket(pppLCP, 12, 16, 0, hx("12345678 68656c6c6f"))    // "hello"
	lcpIdent2  = cpPacket(pppLCP, 12, 17, 0, hx("12345678 6869 00000000")) // "hi" and padding
	lcpTimeRem = cpPacket(pppLCP, 13, 18, 0, hx("12345678 00000e10"))      // an hour
	lcpVendor  = cpPacket(pppLCP, 0, 19, 0, hx("12345678 00000c 01 02"))   // vendor extension
	lcpReset   = cpPacket(pppLCP, 14, 20, 0, hx("0102 0304"))              // not an LCP code
	lcpUnkCode = cpPacket(pppLCP, 0x20, 21, 0, hx("0102"))                 // no code at all
	ipcpReq    = cpPacket(pppIPCP, 1, 1, 0, hx(""+
		"0306 0a000001"+ // IP address
		"8106 08080808 8206 0a000002 8306 08080404 8406 0a000003"+ // DNS, NBNS
		"0406 c0a80101"+ // home address
		"010a 0a000001 0a000002"+ // IP addresses, deprecated
		"0206 002d 0f01"+ // VJ compression
		"0214 0061 0010 0020 0030 0040 0050 0102 0202"+ // header compression
		"9904 0000")) // unknown
	ipcpBad      = cpPacket(pppIPCP, 3, 2, 0, hx("0303 00 0206 0061 0000"))
	ipcpBad2     = cpPacket(pppIPCP, 3, 3, 0, hx("0203 00"))
	ipcpCompPkt  = cpPacket(pppIPCP, 4, 4, 0, hx("0212 0061 0010 0020 0030 0040 0050 0108 0000"))
	ipcpAddrsPkt = cpPacket(pppIPCP, 4, 5, 0, hx("0109 0a000001 0a0000"))
	ip6cpReq     = cpPacket(pppIPv6CP, 1, 1, 0, hx("010a 0011223344556677 0204 abcd 0108 0000"))
	ccpReq       = cpPacket(pppCCP, 1, 1, 0, hx("1a04 7800 1503 2f 1804 a502 1206 01000000 1a03 00 1502"))
	bacpReq      = cpPacket(pppBACP, 1, 1, 0, hx("0106 11223344 0203 00 0105 00"))
	osicpReq     = cpPacket(pppOSICP, 1, 1, 0, hx("0103 00"))

	chapChallengeFrame = pppFrame(pppCHAP, hx("01 01 0011 04 61626364 737276 0a")) // value abcd, name "srv\n"
	chapResponseFrame  = pppFrame(pppCHAP, hx("02 01 000e 02 ff00 75736572"))      // name "user"
	chapSuccessFrame   = pppFrame(pppCHAP, hx("03 01 000b 57656c636f6d65"))        // "Welcome"
	chapFailureFrame   = pppFrame(pppCHAP, hx("04 01 0006 8081"))                  // high bytes
	chapShortLenFrame  = pppFrame(pppCHAP, hx("03 02 0002 6f6b"))                  // length < header
	chapOtherFrame     = pppFrame(pppCHAP, hx("09 02 0004"))                       // unknown code
	chapValueLong      = pppFrame(pppCHAP, hx("01 03 0010 20 6162"))               // value past the end
	papRequestFrame    = pppFrame(pppPAP, hx("01 01 000e 04 75736572 02 7077"))    // user, pw
	papAckFrame        = pppFrame(pppPAP, hx("02 01 0008 03 6f6b21"))              // ok!
	papNakFrame        = pppFrame(pppPAP, hx("03 01 0005 00"))                     // empty message
	papLongFrame       = pppFrame(pppPAP, hx("01 02 0020 04"))                     // length > packet
	papTinyFrame       = pppFrame(pppPAP, hx("01 03 0002 00"))                     // length < header
	papShortReqFrame   = pppFrame(pppPAP, hx("01 04 0005 00"))                     // request < 6
	papCutPeerFrame    = pppFrame(pppPAP, hx("01 05 0008 09 61626364"))            // peer past length
	mlpppFrame         = pppFrame(pppML, hx("c123 0102"))                          // begin, end
	mlpppFrame2        = pppFrame(pppML, hx("0fff"))                               // neither
	compFrame          = pppFrame(pppComp, hx("0102 0304"))                        // compressed
	vjcFrame           = pppFrame(pppVJC, hx("0102 0304"))                         // VJ compressed
	bapFrame           = pppFrame(pppBAP, hx("0102 0304"))                         // not printed
	unknownPPPFrame    = pppFrame(0x1235, hx("0102 0304 0506"))                    // unknown protocol
	escapedLCP         = cat(hx("7eff 7d23 c021 01 01 00 08 0104 05dc"))           // escaped control byte
	escapedInvalid     = hx("7eff 7d23 7e01 0102")                                 // escaped, then a bad protocol
	escapedTrailing    = hx("7e21 4500 7d")                                        // escape at the end
)

var pppInGRECases = []printCase{
	{name: "LCP", frames: [][]byte{pptpGRE(1, -1, lcpConfReq), pptpGRE(2, -1, lcpEcho)}, want: "" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 1, length 85: LCP, Conf-Request (0x01), id 1, length 71\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 2, length 28: LCP, Echo-Request (0x09), id 11, length 14\n"},
	{name: "LCP -v", args: []string{"-v"}, frames: [][]byte{
		pptpGRE(1, -1, lcpConfReq), pptpGRE(2, -1, lcpConfReq2), pptpGRE(3, -1, lcpConfNak),
		pptpGRE(4, -1, lcpConfRej), pptpGRE(5, -1, lcpBadLen), pptpGRE(6, -1, lcpBigOpt),
		pptpGRE(7, -1, lcpEmpty), pptpGRE(8, -1, lcpUnknown), pptpGRE(9, -1, lcpShort),
		pptpGRE(10, -1, lcpLong),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 105)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 1, length 85\n" +
		"\tLCP, Conf-Request (0x01), id 1, length 71\n" +
		"\tencoded length 69 (=Option(s) length 65)\n" +
		"\t  MRU Option (0x01), length 4: 1500\n" +
		"\t  ACCM Option (0x02), length 6: 0x00000000\n" +
		"\t  Auth-Prot Option (0x03), length 5: CHAP, MD5\n" +
		"\t  Magic-Num Option (0x05), length 6: 0x12345678\n" +
		"\t  PFC Option (0x07), length 2\n" +
		"\t  ACFC Option (0x08), length 2\n" +
		"\t  Call-Back Option (0x0d), length 3: : Callback Operation CBCP (6)\n" +
		"\t  MRRU Option (0x11), length 4: 1600\n" +
		"\t  End-Disc Option (0x13), length 7: IPv4 10.0.0.1\n" +
		"\t  Link-Disc Option (0x17), length 4: 0x0001\n" +
		"\t  Vend-Ext Option (0x00), length 6: Vendor: Cisco (12)\n" +
		"\t  12-Bit seq # Option (0x12), length 2\n" +
		"\t  FCS-Alt Option (0x09), length 3\n" +
		"\t    0x0000:  01\n" +
		"\t  Qual-Prot Option (0x04), length 8: LQR\n" +
		"\tunknown LCP option 0x1f\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 97)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 2, length 77\n" +
		"\tLCP, Conf-Ack (0x02), id 2, length 63\n" +
		"\tencoded length 61 (=Option(s) length 57)\n" +
		"\t  Auth-Prot Option (0x03), length 4: PAP\n" +
		"\t  Auth-Prot Option (0x03), length 6: Unknown Auth Proto (0x04x)\n" +
		"\t0x0000:  0306 1234 0000\n" +
		"\t  Auth-Prot Option (0x03), length 5: CHAP, MS-CHAPv1\n" +
		"\t  Auth-Prot Option (0x03), length 5: CHAP, Unknown Auth Alg 7\n" +
		"\t  Qual-Prot Option (0x04), length 4: unknown\n" +
		"\t  End-Disc Option (0x13), length 9: MAC 02:00:00:00:00:01\n" +
		"\t  End-Disc Option (0x13), length 3: Null\n" +
		"\t  End-Disc Option (0x13), length 3: Local\n" +
		"\t  End-Disc Option (0x13), length 3: Magic-Num-Block\n" +
		"\t  End-Disc Option (0x13), length 3: PSNDN\n" +
		"\t  End-Disc Option (0x13), length 3: Unknown class 9\n" +
		"\t  MRU Option (0x01), length 3 (length bogus, should be = 4)\n" +
		"\t  Magic-Num Option (0x05), length 4 (length bogus, should be = 6)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 48)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 3, length 28\n" +
		"\tLCP, Conf-Nack (0x03), id 3, length 14\n" +
		"\tencoded length 12 (=Option(s) length 8)\n" +
		"\t  MRU Option (0x01), length 4: 1500\n" +
		"\t  Magic-Num Option (0x05), length 2 (length bogus, should be = 6)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 50)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 4, length 30\n" +
		"\tLCP, Conf-Reject (0x04), id 4, length 16\n" +
		"\tencoded length 10 (=Option(s) length 6)\n" +
		"\t  MRU Option (0x01), length 4: 1500\n" +
		"\t  Magic-Num Option (0x05), length 6: 0x12345678 [remaining options length 2 < 6] (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 46)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 5, length 26\n" +
		"\tLCP, Conf-Request (0x01), id 5, length 12\n" +
		"\tencoded length 10 (=Option(s) length 6)\n" +
		"\t  MRU Option (0x01), length 0 (length bogus, should be >= 2)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 50)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 6, length 30\n" +
		"\tLCP, Conf-Request (0x01), id 6, length 16\n" +
		"\tencoded length 14 (=Option(s) length 10)\n" +
		"\t  MRU Option (0x01), length 4: 1500\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 40)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 7, length 20\n" +
		"\tLCP, Conf-Request (0x01), id 7, length 6\n" +
		"\tencoded length 4 (=Option(s) length 0)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 46)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 8, length 26\n" +
		"\tLCP, Conf-Request (0x01), id 8, length 12\n" +
		"\tencoded length 10 (=Option(s) length 6)\n" +
		"\tunknown LCP option 0x20\n" +
		"\tunknown LCP option 0x20\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 42)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 9, length 22\n" +
		"\tLCP, Conf-Request (0x01), id 9, length 8\n" +
		"\tencoded length 3 (< 4))\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 44)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 10, length 24\n" +
		"\tLCP, Conf-Request (0x01), id 10, length 10\n" +
		"\tencoded length 100 (> packet length 8))\n"},
	{name: "LCP -vv", args: []string{"-vv"}, frames: [][]byte{
		pptpGRE(1, -1, lcpConfReq), pptpGRE(2, -1, lcpConfReq2), pptpGRE(3, -1, lcpUnknown),
		pptpGRE(4, -1, lcpEcho), pptpGRE(5, -1, lcpReset),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 105)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 1, length 85\n" +
		"\tLCP, Conf-Request (0x01), id 1, length 71\n" +
		"\tencoded length 69 (=Option(s) length 65)\n" +
		"\t0x0000:  c021 0101 0045\n" +
		"\t  MRU Option (0x01), length 4: 1500\n" +
		"\t    0x0000:  05dc\n" +
		"\t  ACCM Option (0x02), length 6: 0x00000000\n" +
		"\t    0x0000:  0000 0000\n" +
		"\t  Auth-Prot Option (0x03), length 5: CHAP, MD5\n" +
		"\t    0x0000:  c223 05\n" +
		"\t  Magic-Num Option (0x05), length 6: 0x12345678\n" +
		"\t    0x0000:  1234 5678\n" +
		"\t  PFC Option (0x07), length 2\n" +
		"\t  ACFC Option (0x08), length 2\n" +
		"\t  Call-Back Option (0x0d), length 3: : Callback Operation CBCP (6)\n" +
		"\t    0x0000:  06\n" +
		"\t  MRRU Option (0x11), length 4: 1600\n" +
		"\t    0x0000:  0640\n" +
		"\t  End-Disc Option (0x13), length 7: IPv4 10.0.0.1\n" +
		"\t    0x0000:  020a 0000 01\n" +
		"\t  Link-Disc Option (0x17), length 4: 0x0001\n" +
		"\t    0x0000:  0001\n" +
		"\t  Vend-Ext Option (0x00), length 6: Vendor: Cisco (12)\n" +
		"\t    0x0000:  0000 0c01\n" +
		"\t  12-Bit seq # Option (0x12), length 2\n" +
		"\t  FCS-Alt Option (0x09), length 3\n" +
		"\t    0x0000:  01\n" +
		"\t  Qual-Prot Option (0x04), length 8: LQR\n" +
		"\t    0x0000:  c025 0000 03e8\n" +
		"\tunknown LCP option 0x1f\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 97)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 2, length 77\n" +
		"\tLCP, Conf-Ack (0x02), id 2, length 63\n" +
		"\tencoded length 61 (=Option(s) length 57)\n" +
		"\t0x0000:  c021 0202 003d\n" +
		"\t  Auth-Prot Option (0x03), length 4: PAP\n" +
		"\t    0x0000:  c023\n" +
		"\t  Auth-Prot Option (0x03), length 6: Unknown Auth Proto (0x04x)\n" +
		"\t0x0000:  0306 1234 0000\n" +
		"\t    0x0000:  1234 0000\n" +
		"\t  Auth-Prot Option (0x03), length 5: CHAP, MS-CHAPv1\n" +
		"\t    0x0000:  c223 80\n" +
		"\t  Auth-Prot Option (0x03), length 5: CHAP, Unknown Auth Alg 7\n" +
		"\t    0x0000:  c223 07\n" +
		"\t  Qual-Prot Option (0x04), length 4: unknown\n" +
		"\t    0x0000:  1234\n" +
		"\t  End-Disc Option (0x13), length 9: MAC 02:00:00:00:00:01\n" +
		"\t    0x0000:  0302 0000 0000 01\n" +
		"\t  End-Disc Option (0x13), length 3: Null\n" +
		"\t    0x0000:  00\n" +
		"\t  End-Disc Option (0x13), length 3: Local\n" +
		"\t    0x0000:  01\n" +
		"\t  End-Disc Option (0x13), length 3: Magic-Num-Block\n" +
		"\t    0x0000:  04\n" +
		"\t  End-Disc Option (0x13), length 3: PSNDN\n" +
		"\t    0x0000:  05\n" +
		"\t  End-Disc Option (0x13), length 3: Unknown class 9\n" +
		"\t    0x0000:  09\n" +
		"\t  MRU Option (0x01), length 3 (length bogus, should be = 4)\n" +
		"\t  Magic-Num Option (0x05), length 4 (length bogus, should be = 6)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 46)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 3, length 26\n" +
		"\tLCP, Conf-Request (0x01), id 8, length 12\n" +
		"\tencoded length 10 (=Option(s) length 6)\n" +
		"\t0x0000:  c021 0108 000a\n" +
		"\tunknown LCP option 0x20\n" +
		"\tunknown LCP option 0x20\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 48)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 4, length 28\n" +
		"\tLCP, Echo-Request (0x09), id 11, length 14\n" +
		"\tencoded length 12 (=Option(s) length 8)\n" +
		"\t0x0000:  c021 090b 000c\n" +
		"\t  Magic-Num 0x12345678\n" +
		"\t  -----trailing data-----\n" +
		"\t  0x0000:  0102 0304\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 44)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 5, length 24\n" +
		"\tLCP, Reset-Req (0x0e), id 20, length 10\n" +
		"\tencoded length 8 (=Option(s) length 4)\n" +
		"\t0x0000:  c021 0e14 0008\n"},
	{name: "LCP codes -v", args: []string{"-v"}, frames: [][]byte{
		pptpGRE(1, -1, lcpEcho), pptpGRE(2, -1, lcpEchoRep), pptpGRE(3, -1, lcpDisc),
		pptpGRE(4, -1, lcpTerm), pptpGRE(5, -1, lcpTermAck), pptpGRE(6, -1, lcpCodeRej),
		pptpGRE(7, -1, lcpProtRej), pptpGRE(8, -1, lcpIdent), pptpGRE(9, -1, lcpIdent2),
		pptpGRE(10, -1, lcpTimeRem), pptpGRE(11, -1, lcpVendor), pptpGRE(12, -1, lcpReset),
		pptpGRE(13, -1, lcpUnkCode),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 48)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 1, length 28\n" +
		"\tLCP, Echo-Request (0x09), id 11, length 14\n" +
		"\tencoded length 12 (=Option(s) length 8)\n" +
		"\t  Magic-Num 0x12345678\n" +
		"\t  -----trailing data-----\n" +
		"\t  0x0000:  0102 0304\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 44)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 2, length 24\n" +
		"\tLCP, Echo-Reply (0x0a), id 11, length 10\n" +
		"\tencoded length 8 (=Option(s) length 4)\n" +
		"\t  Magic-Num 0x87654321\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 45)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 3, length 25\n" +
		"\tLCP, Disc-Req (0x0b), id 12, length 11\n" +
		"\tencoded length 9 (=Option(s) length 5)\n" +
		"\t  Magic-Num 0x87654321\n" +
		"\t  -----trailing data-----\n" +
		"\t  0x0000:  aa\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 44)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 4, length 24\n" +
		"\tLCP, Term-Request (0x05), id 13, length 10\n" +
		"\tencoded length 8 (=Option(s) length 4)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 40)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 5, length 20\n" +
		"\tLCP, Term-Ack (0x06), id 13, length 6\n" +
		"\tencoded length 4 (=Option(s) length 0)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 44)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 6, length 24\n" +
		"\tLCP, Code-Reject (0x07), id 14, length 10\n" +
		"\tencoded length 8 (=Option(s) length 4)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 46)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 7, length 26\n" +
		"\tLCP, Prot-Reject (0x08), id 15, length 12\n" +
		"\tencoded length 10 (=Option(s) length 6)\n" +
		"\t  Rejected IP6CP Protocol (0x8057)\n" +
		"\t  Rejected Packet\n" +
		"\t    0x0000:  0102 0304\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 49)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 8, length 29\n" +
		"\tLCP, Ident (0x0c), id 16, length 15\n" +
		"\tencoded length 13 (=Option(s) length 9)\n" +
		"\t  Magic-Num 0x12345678\n" +
		"\t  Message\n" +
		"\t    hello[|LCP]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 50)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 9, length 30\n" +
		"\tLCP, Ident (0x0c), id 17, length 16\n" +
		"\tencoded length 14 (=Option(s) length 10)\n" +
		"\t  Magic-Num 0x12345678\n" +
		"\t  Message\n" +
		"\t    hi^@^@^@^@[|LCP]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 48)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 10, length 28\n" +
		"\tLCP, Time-Rem (0x0d), id 18, length 14\n" +
		"\tencoded length 12 (=Option(s) length 8)\n" +
		"\t  Magic-Num 0x12345678, Seconds-Remaining 3600s\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 49)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 11, length 29\n" +
		"\tLCP, Vendor-Extension (0x00), id 19, length 15\n" +
		"\tencoded length 13 (=Option(s) length 9)\n" +
		"\t  Magic-Num 0x12345678 Vendor: Cisco (12)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 44)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 12, length 24\n" +
		"\tLCP, Reset-Req (0x0e), id 20, length 10\n" +
		"\tencoded length 8 (=Option(s) length 4)\n" +
		"\t  0x0000:  c021 0e14 0008 0102 0304\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 42)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 13, length 22\n" +
		"\tLCP, Unknown Opcode (0x20), id 21, length 8\n" +
		"\tencoded length 6 (=Option(s) length 2)\n" +
		"\t  0x0000:  c021 2015 0006 0102\n"},
	{name: "NCPs -v", args: []string{"-v"}, frames: [][]byte{
		pptpGRE(1, -1, ipcpReq), pptpGRE(2, -1, ipcpBad), pptpGRE(3, -1, ipcpBad2),
		pptpGRE(4, -1, ipcpCompPkt), pptpGRE(5, -1, ipcpAddrsPkt), pptpGRE(6, -1, ip6cpReq),
		pptpGRE(7, -1, ccpReq), pptpGRE(8, -1, bacpReq), pptpGRE(9, -1, osicpReq),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 114)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 1, length 94\n" +
		"\tIPCP, Conf-Request (0x01), id 1, length 80\n" +
		"\tencoded length 78 (=Option(s) length 74)\n" +
		"\t  IP-Addr Option (0x03), length 6: 10.0.0.1\n" +
		"\t  Pri-DNS Option (0x81), length 6: 8.8.8.8\n" +
		"\t  Pri-NBNS Option (0x82), length 6: 10.0.0.2\n" +
		"\t  Sec-DNS Option (0x83), length 6: 8.8.4.4\n" +
		"\t  Sec-NBNS Option (0x84), length 6: 10.0.0.3\n" +
		"\t  Home-Addr Option (0x04), length 6: 192.168.1.1\n" +
		"\t  IP-Addrs Option (0x01), length 10: src 10.0.0.1, dst 10.0.0.2\n" +
		"\t  IP-Comp Option (0x02), length 6: VJ-Comp (0x2d):\n" +
		"\t  IP-Comp Option (0x02), length 20: IP Header Compression (0x61):\n" +
		"\t    TCP Space 16, non-TCP Space 32, maxPeriod 48, maxTime 64, maxHdr 80\n" +
		"\t      Suboptions, length 6\n" +
		"\t\tRTP-Compression Suboption #1, length 2\n" +
		"\t\tEnhanced RTP-Compression Suboption #2, length 2\n" +
		"\t\tUnknown Suboption #153, length 4 [remaining suboptions length 2 < 4] (invalid)\n" +
		"\t  unknown Option (0x00), length 0 (length bogus, should be >= 2)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 49)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 2, length 29\n" +
		"\tIPCP, Conf-Nack (0x03), id 2, length 15\n" +
		"\tencoded length 13 (=Option(s) length 9)\n" +
		"\t  IP-Addr Option (0x03), length 3 (length bogus, should be = 6)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 43)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 3, length 23\n" +
		"\tIPCP, Conf-Nack (0x03), id 3, length 9\n" +
		"\tencoded length 7 (=Option(s) length 3)\n" +
		"\t  IP-Comp Option (0x02), length 3 (length bogus, should be >= 4)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 58)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 4, length 38\n" +
		"\tIPCP, Conf-Reject (0x04), id 4, length 24\n" +
		"\tencoded length 22 (=Option(s) length 18)\n" +
		"\t  IP-Comp Option (0x02), length 18: IP Header Compression (0x61):\n" +
		"\t    TCP Space 16, non-TCP Space 32, maxPeriod 48, maxTime 64, maxHdr 80\n" +
		"\t      Suboptions, length 4\n" +
		"\t\tRTP-Compression Suboption #1, length 8 [remaining suboptions length 4 < 8] (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 49)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 5, length 29\n" +
		"\tIPCP, Conf-Reject (0x04), id 5, length 15\n" +
		"\tencoded length 13 (=Option(s) length 9)\n" +
		"\t  IP-Addrs Option (0x01), length 9 (length bogus, should be = 10)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 58)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 6, length 38\n" +
		"\tIP6CP, Conf-Request (0x01), id 1, length 24\n" +
		"\tencoded length 22 (=Option(s) length 18)\n" +
		"\t  Interface-ID Option (0x01), length 10: 0011:2233:4455:6677\n" +
		"\t  unknown Option (0x02), length 4\n" +
		"\t    0x0000:  abcd\n" +
		"\t  Interface-ID Option (0x01), length 8 (length bogus, should be = 10) [remaining options length 4 < 8] (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 62)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 7, length 42\n" +
		"\tCCP, Conf-Request (0x01), id 1, length 28\n" +
		"\tencoded length 26 (=Option(s) length 22)\n" +
		"\t  Deflate Option (0x1a), length 4: Window: 7K, Method: zlib (0x8), MBZ: 0, CHK: 0\n" +
		"\t  BSD-Comp Option (0x15), length 3: Version: 1, Dictionary Bits: 15\n" +
		"\t  MVRCA Option (0x18), length 4: Features: 2, PxP: Enabled, History: 5, #CTX-ID: 2\n" +
		"\t  MPPC Option (0x12), length 6\n" +
		"\t    0x0000:  0100 0000\n" +
		"\t  Deflate Option (0x1a), length 3 (length bogus, should be >= 4)\n" +
		"\t  BSD-Comp Option (0x15), length 2 (length bogus, should be >= 3)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 52)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 8, length 32\n" +
		"\tBACP, Conf-Request (0x01), id 1, length 18\n" +
		"\tencoded length 16 (=Option(s) length 12)\n" +
		"\t  Favored-Peer Option (0x01), length 6: Magic-Num 0x11223344\n" +
		"\t  Unknown Option (0x02), length 3\n" +
		"\t    0x0000:  00\n" +
		"\t  Favored-Peer Option (0x01), length 5 (length bogus, should be = 6) [remaining options length 3 < 5] (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 43)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 9, length 23\n" +
		"\tOSICP, Conf-Request (0x01), id 1, length 9\n" +
		"\tencoded length 7 (=Option(s) length 3)\n"},
	{name: "NCPs -vv", args: []string{"-vv"}, frames: [][]byte{
		pptpGRE(1, -1, ipcpReq), pptpGRE(4, -1, ipcpCompPkt), pptpGRE(6, -1, ip6cpReq),
		pptpGRE(7, -1, ccpReq), pptpGRE(8, -1, bacpReq),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 114)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 1, length 94\n" +
		"\tIPCP, Conf-Request (0x01), id 1, length 80\n" +
		"\tencoded length 78 (=Option(s) length 74)\n" +
		"\t0x0000:  8021 0101 004e\n" +
		"\t  IP-Addr Option (0x03), length 6: 10.0.0.1\n" +
		"\t    0x0000:  0a00 0001\n" +
		"\t  Pri-DNS Option (0x81), length 6: 8.8.8.8\n" +
		"\t    0x0000:  0808 0808\n" +
		"\t  Pri-NBNS Option (0x82), length 6: 10.0.0.2\n" +
		"\t    0x0000:  0a00 0002\n" +
		"\t  Sec-DNS Option (0x83), length 6: 8.8.4.4\n" +
		"\t    0x0000:  0808 0404\n" +
		"\t  Sec-NBNS Option (0x84), length 6: 10.0.0.3\n" +
		"\t    0x0000:  0a00 0003\n" +
		"\t  Home-Addr Option (0x04), length 6: 192.168.1.1\n" +
		"\t    0x0000:  c0a8 0101\n" +
		"\t  IP-Addrs Option (0x01), length 10: src 10.0.0.1, dst 10.0.0.2\n" +
		"\t    0x0000:  0a00 0001 0a00 0002\n" +
		"\t  IP-Comp Option (0x02), length 6: VJ-Comp (0x2d):\n" +
		"\t    0x0000:  002d 0f01\n" +
		"\t  IP-Comp Option (0x02), length 20: IP Header Compression (0x61):\n" +
		"\t    TCP Space 16, non-TCP Space 32, maxPeriod 48, maxTime 64, maxHdr 80\n" +
		"\t      Suboptions, length 6\n" +
		"\t\tRTP-Compression Suboption #1, length 2\n" +
		"\t\tEnhanced RTP-Compression Suboption #2, length 2\n" +
		"\t\tUnknown Suboption #153, length 4 [remaining suboptions length 2 < 4] (invalid)\n" +
		"\t    0x0000:  0000\n" +
		"\t  unknown Option (0x00), length 0 (length bogus, should be >= 2)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 58)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 4, length 38\n" +
		"\tIPCP, Conf-Reject (0x04), id 4, length 24\n" +
		"\tencoded length 22 (=Option(s) length 18)\n" +
		"\t0x0000:  8021 0404 0016\n" +
		"\t  IP-Comp Option (0x02), length 18: IP Header Compression (0x61):\n" +
		"\t    TCP Space 16, non-TCP Space 32, maxPeriod 48, maxTime 64, maxHdr 80\n" +
		"\t      Suboptions, length 4\n" +
		"\t\tRTP-Compression Suboption #1, length 8 [remaining suboptions length 4 < 8] (invalid)\n" +
		"\t    0x0000:  0000\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 58)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 6, length 38\n" +
		"\tIP6CP, Conf-Request (0x01), id 1, length 24\n" +
		"\tencoded length 22 (=Option(s) length 18)\n" +
		"\t0x0000:  8057 0101 0016\n" +
		"\t  Interface-ID Option (0x01), length 10: 0011:2233:4455:6677\n" +
		"\t    0x0000:  0011 2233 4455 6677\n" +
		"\t  unknown Option (0x02), length 4\n" +
		"\t    0x0000:  abcd\n" +
		"\t  Interface-ID Option (0x01), length 8 (length bogus, should be = 10) [remaining options length 4 < 8] (invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 62)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 7, length 42\n" +
		"\tCCP, Conf-Request (0x01), id 1, length 28\n" +
		"\tencoded length 26 (=Option(s) length 22)\n" +
		"\t0x0000:  80fd 0101 001a\n" +
		"\t  Deflate Option (0x1a), length 4: Window: 7K, Method: zlib (0x8), MBZ: 0, CHK: 0\n" +
		"\t    0x0000:  7800\n" +
		"\t  BSD-Comp Option (0x15), length 3: Version: 1, Dictionary Bits: 15\n" +
		"\t    0x0000:  2f\n" +
		"\t  MVRCA Option (0x18), length 4: Features: 2, PxP: Enabled, History: 5, #CTX-ID: 2\n" +
		"\t    0x0000:  a502\n" +
		"\t  MPPC Option (0x12), length 6\n" +
		"\t    0x0000:  0100 0000\n" +
		"\t  Deflate Option (0x1a), length 3 (length bogus, should be >= 4)\n" +
		"\t  BSD-Comp Option (0x15), length 2 (length bogus, should be >= 3)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 52)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 8, length 32\n" +
		"\tBACP, Conf-Request (0x01), id 1, length 18\n" +
		"\tencoded length 16 (=Option(s) length 12)\n" +
		"\t0x0000:  c02b 0101 0010\n" +
		"\t  Favored-Peer Option (0x01), length 6: Magic-Num 0x11223344\n" +
		"\t    0x0000:  1122 3344\n" +
		"\t  Unknown Option (0x02), length 3\n" +
		"\t    0x0000:  00\n" +
		"\t  Favored-Peer Option (0x01), length 5 (length bogus, should be = 6) [remaining options length 3 < 5] (invalid)\n"},
	{name: "authentication", frames: [][]byte{
		pptpGRE(1, -1, chapChallengeFrame), pptpGRE(2, -1, chapResponseFrame),
		pptpGRE(3, -1, chapSuccessFrame), pptpGRE(4, -1, chapFailureFrame),
		pptpGRE(5, -1, chapShortLenFrame), pptpGRE(6, -1, chapOtherFrame),
		pptpGRE(7, -1, chapValueLong),
		pptpGRE(8, -1, papRequestFrame), pptpGRE(9, -1, papAckFrame), pptpGRE(10, -1, papNakFrame),
		pptpGRE(11, -1, papLongFrame), pptpGRE(12, -1, papTinyFrame), pptpGRE(13, -1, papShortReqFrame),
		pptpGRE(14, -1, papCutPeerFrame),
		pptpGRE(15, -1, hx("ff03 c223 01")), pptpGRE(16, -1, hx("ff03 c023")),
	}, want: "" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 1, length 29: CHAP, Challenge (0x01), id 1, Value 61626364, Name srv^J [|ppp]\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 2, length 27: CHAP, Response (0x02), id 1, Value ff00, Name user [|ppp]\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 3, length 27: CHAP, Success (0x03), id 1, Msg Welcome\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 4, length 22: CHAP, Fail (0x04), id 1, Msg M-^@M-^A\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 5, length 22: CHAP, Success (0x03), id 2, Msg ok [|ppp]\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 6, length 20: CHAP, unknown (0x09), id 2\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 7, length 23: CHAP, Challenge (0x01), id 3\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 8, length 28: PAP, Auth-Req (0x01), id 1, length 14 > packet size\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 9, length 24: PAP, Auth-ACK (0x02), id 1, Msg ok!\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 10, length 21: PAP, Auth-NACK (0x03), id 1, Msg \n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 11, length 21: PAP, Auth-Req (0x01), id 2, length 32 > packet size\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 12, length 21: PAP, Auth-Req (0x01), id 3, length 2 < PAP header length\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 13, length 21: PAP, Auth-Req (0x01), id 4[|pap]\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 14, length 25: PAP, Auth-Req (0x01), id 5\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 15, length 17: [|chap 0x01]\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 16, length 16: [|pap]\n"},
	{name: "other protocols", frames: [][]byte{
		pptpGRE(1, -1, mlpppFrame), pptpGRE(2, -1, mlpppFrame2), pptpGRE(3, -1, compFrame),
		pptpGRE(4, -1, vjcFrame), pptpGRE(5, -1, bapFrame), pptpGRE(6, -1, unknownPPPFrame),
		pptpGRE(7, -1, pppFrame(pppVJNC, innerIPv4)), pptpGRE(8, -1, pppFrame(pppIPv6, innerIPv6)),
		pptpGRE(9, -1, pppFrame(0x0800, innerIPv4)), pptpGRE(10, -1, pppFrame(pppIPX, innerIPX)),
		pptpGRE(11, -1, cat(hx("21"), innerIPv4)), pptpGRE(12, -1, cat(hx("0057"), innerIPv6)),
		pptpGRE(13, -1, cat(hx("ff03 21"), innerIPv4)), pptpGRE(14, -1, hx("ff03 3d")),
		pptpGRE(15, -1, hx("ff03 003d 01")), pptpGRE(16, -1, hx("ff")),
	}, want: "" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 1, length 20: MLPPP, seq 0x123, Flags [begin, end], length 4\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 2, length 18: MLPPP, seq 0xfff, Flags [none], length 2\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 3, length 20: compressed PPP data\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 4, length 20: VJC IP \n" +
		"\t0x0000:  0102 0304\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 5, length 20: \n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 6, length 22: unknown PPP protocol (0x1235) \n" +
		"\t0x0000:  0102 0304 0506\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 7, length 48: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 8, length 56: IP6 ::1 > ::2: no next header\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 9, length 48: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 10, length 112: IPX 00000000.00:00:00:00:00:00.0452 > 00000000.00:00:00:00:00:00.0452: ipx-sap-resp 0004 'FS1' addr 00000000.00:00:00:00:00:00\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 11, length 45: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 12, length 54: IP6 ::1 > ::2: no next header\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 13, length 47: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 14, length 15:  [|ppp]\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 15, length 17: MLPPP, [|mlppp]\n" +
		"IP 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 16, length 13:  [|ppp]\n"},
	{name: "other protocols -e", args: []string{"-e"}, frames: [][]byte{
		pptpGRE(1, -1, mlpppFrame), pptpGRE(2, -1, unknownPPPFrame), pptpGRE(3, -1, cat(hx("0003 0021"), innerIPv4)),
		pptpGRE(4, -1, cat(hx("0103 c021 09 01 0008 01020304"))), pptpGRE(5, -1, cat(hx("0021"), innerIPv4)),
	}, want: "" +
		"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 54: 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 1, proto PPP (0x880b), length 20: MLPPP (0x003d), length 8: seq 0x123, Flags [begin, end], length 4\n" +
		"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 56: 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 2, proto PPP (0x880b), length 22: unknown (0x1235), length 10\n" +
		"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 82: 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 3, proto PPP (0x880b), length 48: In  IP (0x0021), length 36: 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 58: 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 4, proto PPP (0x880b), length 24: Out LCP (0xc021), length 12: LCP, Echo-Request (0x09), id 1, length 10\n" +
		"02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 80: 10.0.0.1 > 10.0.0.2: GREv1, call 7, seq 5, proto PPP (0x880b), length 46: IP (0x0021), length 34: 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n"},
	{name: "escaped frames", args: []string{"-v"}, frames: [][]byte{
		pptpGRE(1, -1, escapedLCP), pptpGRE(2, -1, escapedInvalid), pptpGRE(3, -1, escapedTrailing),
		pptpGRE(4, -1, cat(hx("7e21"), innerIPv4)), pptpGRE(5, -1, cat(hx("7e57"), innerIPv6)),
		pptpGRE(6, -1, hx("7eff 7d")), pptpGRE(7, -1, hx("7eff 7d23")), pptpGRE(8, -1, hx("7eff 7d23 c0")),
		pptpGRE(9, -1, hx("7e00 c021 0101 0004")),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 46)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 1, length 26\n" +
		"\tLCP, Conf-Request (0x01), id 1, length 10\n" +
		"\tencoded length 8 (=Option(s) length 4)\n" +
		"\t  MRU Option (0x01), length 4: 1500\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 40)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 2, length 20\n" +
		"\t(protocol 0x7e01 invalid)\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 37)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 3, length 17\n" +
		"\tIP  [|ip]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 66)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 4, length 46\n" +
		"\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto ICMP (1), length 32)\n" +
		"    192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 74)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 5, length 54\n" +
		"\tIP6 (hlim 64, next-header unknown (59) payload length: 0) ::1 > ::2: no next header\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 35)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 6, length 15\n" +
		"\t [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 36)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 7, length 16\n" +
		"\t [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 37)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 8, length 17\n" +
		"\t [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 40)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 9, length 20\n" +
		"\tunknown PPP protocol (0x00c0) \n" +
		"\t0x0000:  2101 0100 04\n"},
	{name: "LCP cut by the capture", args: []string{"-v"}, snap: 14 + 20 + 12 + 4 + 4 + 3, frames: [][]byte{
		pptpGRE(1, -1, lcpConfReq), pptpGRE(2, -1, ipcpReq), pptpGRE(3, -1, lcpEcho),
		pptpGRE(4, -1, ip6cpReq), pptpGRE(5, -1, ccpReq), pptpGRE(6, -1, bacpReq),
		pptpGRE(7, -1, chapChallengeFrame), pptpGRE(8, -1, papRequestFrame),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 105)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 1, length 85\n" +
		"\tLCP, Conf-Request (0x01), id 1, length 71\n" +
		"\tencoded length 69 (=Option(s) length 65)\n" +
		"\t  MRU Option (0x01), length 4 [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 114)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 2, length 94\n" +
		"\tIPCP, Conf-Request (0x01), id 1, length 80\n" +
		"\tencoded length 78 (=Option(s) length 74)\n" +
		"\t  IP-Addr Option (0x03), length 6 [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 48)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 3, length 28\n" +
		"\tLCP, Echo-Request (0x09), id 11, length 14\n" +
		"\tencoded length 12 (=Option(s) length 8) [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 58)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 4, length 38\n" +
		"\tIP6CP, Conf-Request (0x01), id 1, length 24\n" +
		"\tencoded length 22 (=Option(s) length 18)\n" +
		"\t  Interface-ID Option (0x01), length 10[|ip6cp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 62)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 5, length 42\n" +
		"\tCCP, Conf-Request (0x01), id 1, length 28\n" +
		"\tencoded length 26 (=Option(s) length 22)\n" +
		"\t  Deflate Option (0x1a), length 4 [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 52)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 6, length 32\n" +
		"\tBACP, Conf-Request (0x01), id 1, length 18\n" +
		"\tencoded length 16 (=Option(s) length 12)\n" +
		"\t  Favored-Peer Option (0x01), length 6 [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 49)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 7, length 29\n" +
		"\tCHAP, Challenge (0x01), id 1, Value 6162 [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 48)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 8, length 28\n" +
		"\tPAP, Auth-Req (0x01), id 1, length 14 > packet size\n"},
	{name: "LCP cut later", args: []string{"-v"}, snap: 14 + 20 + 12 + 4 + 4 + 12, frames: [][]byte{
		pptpGRE(1, -1, lcpConfReq), pptpGRE(2, -1, ipcpReq), pptpGRE(3, -1, lcpEcho),
		pptpGRE(4, -1, ip6cpReq), pptpGRE(5, -1, ccpReq), pptpGRE(6, -1, lcpIdent),
		pptpGRE(7, -1, chapChallengeFrame), pptpGRE(8, -1, papRequestFrame),
		pptpGRE(9, -1, pppFrame(pppIPCP, hx("0101 0018 0214 0061 0010 0020 0030 0040 0050 0102 0202"))),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 105)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 1, length 85\n" +
		"\tLCP, Conf-Request (0x01), id 1, length 71\n" +
		"\tencoded length 69 (=Option(s) length 65)\n" +
		"\t  MRU Option (0x01), length 4: 1500\n" +
		"\t  ACCM Option (0x02), length 6: 0x00000000\n" +
		"\t  Auth-Prot Option (0x03), length 5 [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 114)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 2, length 94\n" +
		"\tIPCP, Conf-Request (0x01), id 1, length 80\n" +
		"\tencoded length 78 (=Option(s) length 74)\n" +
		"\t  IP-Addr Option (0x03), length 6: 10.0.0.1\n" +
		"\t  Pri-DNS Option (0x81), length 6: 8.8.8.8[|ipcp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 48)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 3, length 28\n" +
		"\tLCP, Echo-Request (0x09), id 11, length 14\n" +
		"\tencoded length 12 (=Option(s) length 8)\n" +
		"\t  Magic-Num 0x12345678\n" +
		"\t  -----trailing data-----\n" +
		"\t  0x0000:  0102 0304\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 58)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 4, length 38\n" +
		"\tIP6CP, Conf-Request (0x01), id 1, length 24\n" +
		"\tencoded length 22 (=Option(s) length 18)\n" +
		"\t  Interface-ID Option (0x01), length 10: 0011:2233:4455:6677\n" +
		"\t  unknown Option (0x02), length 4[|ip6cp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 62)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 5, length 42\n" +
		"\tCCP, Conf-Request (0x01), id 1, length 28\n" +
		"\tencoded length 26 (=Option(s) length 22)\n" +
		"\t  Deflate Option (0x1a), length 4: Window: 7K, Method: zlib (0x8), MBZ: 0, CHK: 0\n" +
		"\t  BSD-Comp Option (0x15), length 3: Version: 1, Dictionary Bits: 15\n" +
		"\t  MVRCA Option (0x18), length 4: Features: 2, PxP: Enabled, History: 5, #CTX-ID: 2[|ccp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 49)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 6, length 29\n" +
		"\tLCP, Ident (0x0c), id 16, length 15\n" +
		"\tencoded length 13 (=Option(s) length 9)\n" +
		"\t  Magic-Num 0x12345678\n" +
		"\t  Message\n" +
		"\t    hello[|LCP]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 49)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 7, length 29\n" +
		"\tCHAP, Challenge (0x01), id 1, Value 61626364, Name srv^J [|ppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 48)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 8, length 28\n" +
		"\tPAP, Auth-Req (0x01), id 1, length 14 > packet size\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 58)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 9, length 38\n" +
		"\tIPCP, Conf-Request (0x01), id 1, length 24\n" +
		"\tencoded length 24 (> packet length 22))\n"},
	{name: "control packets cut short", args: []string{"-v"}, snap: 14 + 20 + 12 + 4 + 1, frames: [][]byte{
		pptpGRE(1, -1, lcpConfReq), pptpGRE(2, -1, mlpppFrame), pptpGRE(3, -1, chapSuccessFrame),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 105)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 1, length 85\n" +
		"\tLCP, [|LCP]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 40)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 2, length 20\n" +
		"\tMLPPP, [|mlppp]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto GRE (47), length 47)\n" +
		"    10.0.0.1 > 10.0.0.2: GREv1, Flags [key present, sequence# present], call 7, seq 3, length 27\n" +
		"\tCHAP, Success (0x03) [|ppp]\n"},
}

func TestPPPInGREPrinter(t *testing.T) { runPrintCases(t, pppInGRECases) }

func TestPPPInGRECasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, pppInGRECases) }

// pppLinkCase is a printCase for a PPP link type.
type pppLinkCase struct {
	name   string
	lt     pcap.LinkType
	args   []string
	frames [][]byte
	snap   int
	want   string
}

func (c pppLinkCase) printCase() printCase {
	return printCase{name: c.name, args: c.args, frames: c.frames, snap: c.snap, want: c.want}
}

var pppLinkCases = []pppLinkCase{
	{name: "PPP", lt: pcap.LinkTypePPP, frames: [][]byte{
		pppFrame(pppIP, innerIPv4), lcpConfReq, cat(hx("21"), innerIPv4), hx("ff0321"), hx("ff03"), hx("ff0300"),
	}, want: "" +
		"IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"LCP, Conf-Request (0x01), id 1, length 71\n" +
		"IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		" [|ppp]\n" +
		" [|ppp]\n" +
		" [|ppp]\n"},
	{name: "PPP -e -x", lt: pcap.LinkTypePPP, args: []string{"-e", "-x"}, frames: [][]byte{
		pppFrame(pppIP, innerIPv4), lcpConfReq, cat(hx("21"), innerIPv4), hx("ff03 1235 01"), hx("ff03 c0"),
	}, want: "" +
		"IP (0x0021), length 36: 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"\t0x0000:  4500 0020 1234 0000 4001 e555 c0a8 0101\n" +
		"\t0x0010:  c0a8 0102 0800 192c 0001 0002 7069 6e67\n" +
		"LCP (0xc021), length 73: LCP, Conf-Request (0x01), id 1, length 71\n" +
		"\t0x0000:  0101 0045 0104 05dc 0206 0000 0000 0305\n" +
		"\t0x0010:  c223 0505 0612 3456 7807 0208 020d 0306\n" +
		"\t0x0020:  1104 0640 1307 020a 0000 0117 0400 0100\n" +
		"\t0x0030:  0600 000c 0112 0209 0301 0408 c025 0000\n" +
		"\t0x0040:  03e8 1f03 00\n" +
		"IP (0x0021), length 33: 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"\t0x0000:  2012 3400 0040 01e5 55c0 a801 01c0 a801\n" +
		"\t0x0010:  0208 0019 2c00 0100 0270 696e 67\n" +
		"unknown (0x1235), length 5\n" +
		"\t0x0000:  01\n" +
		" [|ppp]\n"},
	{name: "PPP cut short -x", lt: pcap.LinkTypePPP, args: []string{"-x"}, snap: 30, frames: [][]byte{
		pppFrame(pppIP, innerIPv4), chapChallengeFrame,
	}, want: "" +
		"IP 192.168.1.1 > 192.168.1.2:  [|icmp]\n" +
		"\t0x0000:  ff03 0021 4500 0020 1234 0000 4001 e555\n" +
		"\t0x0010:  c0a8 0101 c0a8 0102 0800 192c 0001\n" +
		"CHAP, Challenge (0x01), id 1, Value 61626364, Name srv^J [|ppp]\n" +
		"\t0x0000:  ff03 c223 0101 0011 0461 6263 6473 7276\n" +
		"\t0x0010:  0a\n"},
	{name: "PPP -v", lt: pcap.LinkTypePPP, args: []string{"-v"}, frames: [][]byte{lcpConfReq, ipcpReq, lcpEcho}, want: "" +
		"LCP, Conf-Request (0x01), id 1, length 71\n" +
		"\tencoded length 69 (=Option(s) length 65)\n" +
		"\t  MRU Option (0x01), length 4: 1500\n" +
		"\t  ACCM Option (0x02), length 6: 0x00000000\n" +
		"\t  Auth-Prot Option (0x03), length 5: CHAP, MD5\n" +
		"\t  Magic-Num Option (0x05), length 6: 0x12345678\n" +
		"\t  PFC Option (0x07), length 2\n" +
		"\t  ACFC Option (0x08), length 2\n" +
		"\t  Call-Back Option (0x0d), length 3: : Callback Operation CBCP (6)\n" +
		"\t  MRRU Option (0x11), length 4: 1600\n" +
		"\t  End-Disc Option (0x13), length 7: IPv4 10.0.0.1\n" +
		"\t  Link-Disc Option (0x17), length 4: 0x0001\n" +
		"\t  Vend-Ext Option (0x00), length 6: Vendor: Cisco (12)\n" +
		"\t  12-Bit seq # Option (0x12), length 2\n" +
		"\t  FCS-Alt Option (0x09), length 3\n" +
		"\t    0x0000:  01\n" +
		"\t  Qual-Prot Option (0x04), length 8: LQR\n" +
		"\tunknown LCP option 0x1f\n" +
		"IPCP, Conf-Request (0x01), id 1, length 80\n" +
		"\tencoded length 78 (=Option(s) length 74)\n" +
		"\t  IP-Addr Option (0x03), length 6: 10.0.0.1\n" +
		"\t  Pri-DNS Option (0x81), length 6: 8.8.8.8\n" +
		"\t  Pri-NBNS Option (0x82), length 6: 10.0.0.2\n" +
		"\t  Sec-DNS Option (0x83), length 6: 8.8.4.4\n" +
		"\t  Sec-NBNS Option (0x84), length 6: 10.0.0.3\n" +
		"\t  Home-Addr Option (0x04), length 6: 192.168.1.1\n" +
		"\t  IP-Addrs Option (0x01), length 10: src 10.0.0.1, dst 10.0.0.2\n" +
		"\t  IP-Comp Option (0x02), length 6: VJ-Comp (0x2d):\n" +
		"\t  IP-Comp Option (0x02), length 20: IP Header Compression (0x61):\n" +
		"\t    TCP Space 16, non-TCP Space 32, maxPeriod 48, maxTime 64, maxHdr 80\n" +
		"\t      Suboptions, length 6\n" +
		"\t\tRTP-Compression Suboption #1, length 2\n" +
		"\t\tEnhanced RTP-Compression Suboption #2, length 2\n" +
		"\t\tUnknown Suboption #153, length 4 [remaining suboptions length 2 < 4] (invalid)\n" +
		"\t  unknown Option (0x00), length 0 (length bogus, should be >= 2)\n" +
		"LCP, Echo-Request (0x09), id 11, length 14\n" +
		"\tencoded length 12 (=Option(s) length 8)\n" +
		"\t  Magic-Num 0x12345678\n" +
		"\t  -----trailing data-----\n" +
		"\t  0x0000:  0102 0304\n"},
	{name: "PPPD -e", lt: 166, args: []string{"-e"}, frames: [][]byte{
		cat(hx("0003 0021"), innerIPv4), cat(hx("0103 c021 09 01 0008 01020304")), cat(hx("0203 0021"), innerIPv4),
	}, want: "" +
		"In  IP (0x0021), length 36: 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"Out LCP (0xc021), length 12: LCP, Echo-Request (0x09), id 1, length 10\n" +
		"unknown (0x0203), length 36\n"},
	{name: "PPP serial", lt: 50, frames: [][]byte{
		pppFrame(pppIP, innerIPv4), lcpConfReq, hx("1203 0021 4500"), hx("ff03 1235 0102"), hx("ff03 7e21 00"), hx("ff0300"),
		escapedLCP,
	}, want: "" +
		"IP: IP 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"LCP: LCP, Conf-Request (0x01), id 1, length 71\n" +
		"unknown addr 00; ctrl 21\n" +
		"unknown PPP protocol (0x1235): unknown PPP protocol (0x1235) \n" +
		"\t0x0000:  0102\n" +
		"unknown PPP protocol (0x7e21): IP0 (invalid)\n" +
		" [|ppp_hdlc]\n" +
		"unknown addr 7d; ctrl 23\n"},
	{name: "PPP serial -e -x", lt: 50, args: []string{"-e", "-x"}, frames: [][]byte{
		pppFrame(pppIP, innerIPv4), hx("1203 0021 4500"), hx("ff03 c021 01"),
	}, want: "" +
		"ff 03 36 IP: 192.168.1.1 > 192.168.1.2: ICMP echo request, id 1, seq 2, length 12\n" +
		"\t0x0000:  4500 0020 1234 0000 4001 e555 c0a8 0101\n" +
		"\t0x0010:  c0a8 0102 0800 192c 0001 0002 7069 6e67\n" +
		"12 03 6 unknown addr 00; ctrl 21\n" +
		"\t0x0000:  0021 4500\n" +
		"ff 03 5 LCP: LCP, [|LCP]\n" +
		"\t0x0000:  01\n"},
	{name: "PPP serial -v", lt: 50, args: []string{"-v"}, frames: [][]byte{
		lcpConfReq, ccpReq, hx("ff03 c021 0101 0010 0104"),
	}, want: "" +
		"LCP: LCP, Conf-Request (0x01), id 1, length 71\n" +
		"\tencoded length 69 (=Option(s) length 65)\n" +
		"\t  MRU Option (0x01), length 4: 1500\n" +
		"\t  ACCM Option (0x02), length 6: 0x00000000\n" +
		"\t  Auth-Prot Option (0x03), length 5: CHAP, MD5\n" +
		"\t  Magic-Num Option (0x05), length 6: 0x12345678\n" +
		"\t  PFC Option (0x07), length 2\n" +
		"\t  ACFC Option (0x08), length 2\n" +
		"\t  Call-Back Option (0x0d), length 3: : Callback Operation CBCP (6)\n" +
		"\t  MRRU Option (0x11), length 4: 1600\n" +
		"\t  End-Disc Option (0x13), length 7: IPv4 10.0.0.1\n" +
		"\t  Link-Disc Option (0x17), length 4: 0x0001\n" +
		"\t  Vend-Ext Option (0x00), length 6: Vendor: Cisco (12)\n" +
		"\t  12-Bit seq # Option (0x12), length 2\n" +
		"\t  FCS-Alt Option (0x09), length 3\n" +
		"\t    0x0000:  01\n" +
		"\t  Qual-Prot Option (0x04), length 8: LQR\n" +
		"\tunknown LCP option 0x1f\n" +
		"CCP: CCP, Conf-Request (0x01), id 1, length 28\n" +
		"\tencoded length 26 (=Option(s) length 22)\n" +
		"\t  Deflate Option (0x1a), length 4: Window: 7K, Method: zlib (0x8), MBZ: 0, CHK: 0\n" +
		"\t  BSD-Comp Option (0x15), length 3: Version: 1, Dictionary Bits: 15\n" +
		"\t  MVRCA Option (0x18), length 4: Features: 2, PxP: Enabled, History: 5, #CTX-ID: 2\n" +
		"\t  MPPC Option (0x12), length 6\n" +
		"\t    0x0000:  0100 0000\n" +
		"\t  Deflate Option (0x1a), length 3 (length bogus, should be >= 4)\n" +
		"\t  BSD-Comp Option (0x15), length 2 (length bogus, should be >= 3)\n" +
		"LCP: LCP, Conf-Request (0x01), id 1, length 8\n" +
		"\tencoded length 16 (> packet length 6))\n"},
	{name: "BSD-OS PPP", lt: 16, args: []string{"-x"}, frames: [][]byte{cat(make([]byte, 24), innerIPv4)}, want: "" +
		"\n" +
		"\t0x0000:  0000 0000 0000 0000 0000 0000 0000 0000\n" +
		"\t0x0010:  0000 0000 0000 0000 4500 0020 1234 0000\n" +
		"\t0x0020:  4001 e555 c0a8 0101 c0a8 0102 0800 192c\n" +
		"\t0x0030:  0001 0002 7069 6e67\n"},
}

func TestPPPLinkPrinter(t *testing.T) {
	for _, c := range pppLinkCases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.printerOutput(t); got != c.want {
				t.Errorf("netdump %v:\ngot  %q\nwant %q", c.args, got, c.want)
			}
		})
	}
}

// printerOutput prints the case's frames with a fresh Printer.
func (c pppLinkCase) printerOutput(t *testing.T) string {
	t.Helper()
	p := New(nil, flagOptions(t, append([]string{"-n", "-t", "-r", "-"}, c.args...)))
	pc := c.printCase()
	var out strings.Builder
	for _, f := range c.frames {
		pkt := &pcap.Packet{Data: pc.captured(f), Length: len(f), LinkType: c.lt, FracPerSec: 1e6}
		out.Write(p.AppendPacket(nil, pkt))
	}
	return out.String()
}

// TestPPPLinkCasesAgainstTCPDump checks the PPP link cases against the
// installed tcpdump, when it is 4.99.3.
func TestPPPLinkCasesAgainstTCPDump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed")
	}
	if ver, _ := exec.Command(tcpdump, "--version").CombinedOutput(); !bytes.Contains(ver, []byte("tcpdump version 4.99.3")) {
		t.Skip("the installed tcpdump is not 4.99.3")
	}
	dir := t.TempDir()
	for i, c := range pppLinkCases {
		t.Run(c.name, func(t *testing.T) {
			got := tcpdumpOutput(t, tcpdump, filepath.Join(dir, strings.NewReplacer(" ", "_", "/", "_").Replace(c.name)+".pcap"), c, i)
			if got != c.want {
				t.Errorf("tcpdump %v prints:\n%q\nthe table says:\n%q", c.args, got, c.want)
			}
		})
	}
}

// tcpdumpOutput writes the case's frames to file and returns what tcpdump
// -n -t prints for them.
func tcpdumpOutput(t *testing.T, tcpdump, file string, c pppLinkCase, i int) string {
	t.Helper()
	pc := c.printCase()
	var buf bytes.Buffer
	w, err := pcap.NewWriter(&buf, c.lt, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for j, f := range c.frames {
		ts := time.Unix(int64(1e9+i*100+j), 0)
		if err := w.WritePacket(ts, pc.captured(f), len(f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tcpdump, append([]string{"-n", "-t", "-r", file}, c.args...)...).Output()
	if err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	return string(out)
}

// grePPPSeeds returns the frames of the GRE and PPP tables with their link
// types, for the robustness tests.
func grePPPSeeds() (lts []pcap.LinkType, frames [][]byte) {
	for _, cases := range [][]printCase{greCases, pppInGRECases} {
		for _, c := range cases {
			for _, f := range c.frames {
				lts = append(lts, pcap.LinkTypeEthernet)
				frames = append(frames, f)
			}
		}
	}
	for _, c := range pppLinkCases {
		for _, f := range c.frames {
			lts = append(lts, c.lt)
			frames = append(frames, f)
		}
	}
	return lts, frames
}

// TestGREPPPNoPanic feeds mutated and cut GRE and PPP packets to the
// printers with each option set: they may stop at the end of the data but
// must never panic otherwise.
func TestGREPPPNoPanic(t *testing.T) {
	lts, seeds := grePPPSeeds()
	flagSets := []string{"", "-v", "-vv", "-vvv -e", "-x", "-q -e"}
	rng := rand.New(rand.NewPCG(3, 4))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := 0; i < n; i++ {
		k := rng.IntN(len(seeds))
		b := append([]byte(nil), seeds[k]...)
		for m := rng.IntN(6); m > 0; m-- {
			b[rng.IntN(len(b))] = byte(rng.Uint32())
		}
		length := len(b) + rng.IntN(3)*rng.IntN(100)
		b = b[:1+rng.IntN(len(b))]
		lt := lts[k]
		if rng.IntN(4) == 0 {
			lt = []pcap.LinkType{9, 50, 166}[rng.IntN(3)]
		}
		flags := flagSets[rng.IntN(len(flagSets))]
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("link type %d, flags %q, data %x, length %d: panic: %v", lt, flags, b, length, r)
				}
			}()
			render(t, flags, lt, b, length)
		}()
	}
}

// FuzzGREPPP checks that no GRE or PPP packet makes a printer panic.
func FuzzGREPPP(f *testing.F) {
	lts, seeds := grePPPSeeds()
	for i, b := range seeds {
		f.Add(uint16(lts[i]), b, uint16(0), uint8(i))
	}
	flagSets := []string{"", "-v", "-vv", "-vvv -e", "-x", "-q -e"}
	f.Fuzz(func(t *testing.T, lt uint16, b []byte, extra uint16, flags uint8) {
		if len(b) == 0 {
			return
		}
		render(t, flagSets[int(flags)%len(flagSets)], pcap.LinkType(lt), b, len(b)+int(extra))
	})
}

// TestGREPPPDoNotAllocate checks that common GRE and PPP packets print
// without allocating once the printer's buffer has grown.
func TestGREPPPDoNotAllocate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lt    pcap.LinkType
		flags string
		data  []byte
	}{
		{"GRE IPv4", pcap.LinkTypeEthernet, "", greFrame(hx("3000 0800 0000abcd 00000007"), innerIPv4)},
		{"GRE IPv4 -v -e", pcap.LinkTypeEthernet, "-v -e", greFrame(hx("b000 0800 1234 0000 0000abcd 00000007"), innerIPv4)},
		{"GRE TEB", pcap.LinkTypeEthernet, "-v", greFrame(hx("0000 6558"), innerEther)},
		{"PPTP IPv4", pcap.LinkTypeEthernet, "", pptpGRE(3, 2, cat(hx("ff03 0021"), innerIPv4))},
		{"PPTP LCP -v", pcap.LinkTypeEthernet, "-v", pptpGRE(1, -1, lcpConfReq)},
		{"PPTP IPCP -vv", pcap.LinkTypeEthernet, "-vv", pptpGRE(1, -1, ipcpReq)},
		{"PPTP echo -v", pcap.LinkTypeEthernet, "-v", pptpGRE(1, -1, lcpEcho)},
		{"PPTP CHAP", pcap.LinkTypeEthernet, "", pptpGRE(1, -1, chapChallengeFrame)},
		{"PPP IPv4 -e", pcap.LinkTypePPP, "-e", pppFrame(pppIP, innerIPv4)},
		{"PPP serial LCP -v", 50, "-v", lcpConfReq},
	} {
		p := New(nil, flagOptions(t, strings.Fields(tc.flags)))
		pkt := &pcap.Packet{Data: tc.data, Length: len(tc.data), LinkType: tc.lt}
		allocs := testing.AllocsPerRun(100, func() {
			p.out = p.out[:0]
			p.llHdrLen = 0
			p.dissect(pkt)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per packet", tc.name, allocs)
		}
	}
}
