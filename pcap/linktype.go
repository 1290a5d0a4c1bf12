package pcap

import "strconv"

// LinkType is a LINKTYPE_ value as stored in a capture file: the link-layer
// header type of the packets. It is the value in the file, not the
// platform's DLT_ value: the two differ for a few types (LINKTYPE_RAW is 101
// in files and DLT_RAW is 12 on Linux), and DLT gives the latter.
//
// In a classic pcap file the upper six bits of the link type field carry
// other information (an FCS length); like libpcap 1.10.3 the reader drops
// them and keeps the other 26 bits, including the ten reserved bits above
// the 16-bit type, so a file with reserved bits set yields a link type no
// decoder knows, as it does in tcpdump ("unknown data link type 3145728").
type LinkType uint32

// Link types medina decodes or names. The full list is at
// https://www.tcpdump.org/linktypes.html.
const (
	// LinkTypeNull is BSD loopback: a 4-byte address family in the byte
	// order of the host that captured.
	LinkTypeNull LinkType = 0
	// LinkTypeEthernet is Ethernet (DLT_EN10MB).
	LinkTypeEthernet LinkType = 1
	// LinkTypePPP is PPP in HDLC-like framing without the flag bytes.
	LinkTypePPP LinkType = 9
	// LinkTypeRawDLT12 is raw IP as written by platforms whose DLT_RAW is
	// 12 (Linux and most others); libpcap reads it as RAW.
	LinkTypeRawDLT12 LinkType = 12
	// LinkTypeRawDLT14 is raw IP as written by OpenBSD, whose DLT_RAW is
	// 14. libpcap on Linux has no name for 14 and tcpdump there refuses it
	// ("unknown data link type 14"); a decoder may still treat it as raw IP.
	LinkTypeRawDLT14 LinkType = 14
	// LinkTypeRaw is raw IP, IPv4 or IPv6 by the version nibble
	// (LINKTYPE_RAW).
	LinkTypeRaw LinkType = 101
	// LinkTypeIEEE80211 is IEEE 802.11 without a radio header.
	LinkTypeIEEE80211 LinkType = 105
	// LinkTypeLoop is OpenBSD loopback: a 4-byte address family in network
	// byte order.
	LinkTypeLoop LinkType = 108
	// LinkTypeLinuxSLL is the Linux "cooked" capture header (v1).
	LinkTypeLinuxSLL LinkType = 113
	// LinkTypeIEEE80211Radiotap is IEEE 802.11 with a radiotap header.
	LinkTypeIEEE80211Radiotap LinkType = 127
	// LinkTypeUser0 is the first of the sixteen private-use types
	// USER0..USER15 (147..162); libpcap has no names for them.
	LinkTypeUser0 LinkType = 147
	// LinkTypeUser2 is the private-use type USER2 (149).
	LinkTypeUser2 LinkType = 149
	// LinkTypeIPv4 is raw IPv4.
	LinkTypeIPv4 LinkType = 228
	// LinkTypeIPv6 is raw IPv6.
	LinkTypeIPv6 LinkType = 229
	// LinkTypeDBUS is D-Bus messages; its packets may be 128 MiB long.
	LinkTypeDBUS LinkType = 231
	// LinkTypeNFLOG is Linux netfilter log messages.
	LinkTypeNFLOG LinkType = 239
	// LinkTypeUSBPcap is USB captured by USBPcap on Windows.
	LinkTypeUSBPcap LinkType = 249
	// LinkTypePKTAP is Apple's PKTAP metadata header.
	LinkTypePKTAP LinkType = 258
	// LinkTypeLinuxSLL2 is the Linux "cooked" capture header (v2).
	LinkTypeLinuxSLL2 LinkType = 276
	// LinkTypeEBHSCR is Elektrobit's high-speed capture format.
	LinkTypeEBHSCR LinkType = 279
)

// Snapshot lengths libpcap 1.10.3 allows, by link type.
const (
	// MaxSnaplen is libpcap's MAXIMUM_SNAPLEN: the largest captured length
	// it accepts for most link types.
	MaxSnaplen        = 262144
	maxSnaplenDBUS    = 128 * 1024 * 1024
	maxSnaplenEBHSCR  = 8 * 1024 * 1024
	maxSnaplenUSBPcap = 1024 * 1024
)

// linkTypeInfo is what libpcap knows about a link type: the DLT_ value it
// maps to and that DLT's name and description.
type linkTypeInfo struct {
	dlt         int32
	name        string
	description string
}

// String returns libpcap's name for the link type's DLT ("EN10MB", "RAW",
// "LINUX_SLL"), the name tcpdump prints in "link-type EN10MB (Ethernet)";
// for a link type libpcap cannot name it returns the number, as tcpdump
// prints it ("link-type 149").
func (t LinkType) String() string {
	if info, ok := t.info(); ok {
		return info.name
	}
	return strconv.FormatUint(uint64(t), 10)
}

// Description returns libpcap's description of the link type ("Ethernet",
// "Raw IP"), or "" when libpcap has none.
func (t LinkType) Description() string {
	info, _ := t.info()
	return info.description
}

// Known reports whether libpcap 1.10.3 (on Linux) has a name for t; for
// other link types tcpdump prints the number ("link-type 149").
func (t LinkType) Known() bool {
	_, ok := t.info()
	return ok
}

// DLT returns the DLT_ value libpcap on Linux maps t to: t itself except for
// the few LINKTYPE_ values that differ from their DLT_ (LINKTYPE_RAW 101 is
// DLT_RAW 12, LINKTYPE_ATM_CLIP 106 is DLT_ATM_CLIP 19, ...). Values libpcap
// does not know are returned unchanged, as libpcap does.
func (t LinkType) DLT() int {
	if info, ok := t.info(); ok {
		return int(info.dlt)
	}
	return int(t)
}

// Savefile returns the link type libpcap writes in the header of a file
// that packets of link type t are dumped into (pcap_dump_open maps the
// DLT_ back to a LINKTYPE_): t itself, except for the few values that are
// DLT_s of Linux rather than LINKTYPE_s, which become their LINKTYPE_
// (12, DLT_RAW, is written as 101, LINKTYPE_RAW). So tcpdump -r IN -w OUT
// turns a file of link type 12 into one of link type 101, and so does
// netdump.
func (t LinkType) Savefile() LinkType {
	switch t.DLT() {
	case dltATMRFC1483:
		return linkTypeATMRFC1483
	case dltRaw:
		return LinkTypeRaw
	case dltSLIPBSDOS:
		return linkTypeSLIPBSDOS
	case dltPPPBSDOS:
		return linkTypePPPBSDOS
	case dltATMCLIP:
		return linkTypeATMCLIP
	}
	return t
}

// The DLT_ values of Linux that differ from the LINKTYPE_ values of the
// same link-layer types, and those LINKTYPE_ values (libpcap's map in
// pcap-common.c, confirmed by having tcpdump 4.99.3 rewrite a file of each
// link type 0..299).
const (
	dltATMRFC1483      = 11
	dltRaw             = 12
	dltSLIPBSDOS       = 15
	dltPPPBSDOS        = 16
	dltATMCLIP         = 19
	linkTypeATMRFC1483 = 100
	linkTypeSLIPBSDOS  = 102
	linkTypePPPBSDOS   = 103
	linkTypeATMCLIP    = 106
)

// MaxSnaplen returns the largest captured length libpcap accepts for a
// packet of this link type: 262144 bytes, more for the few types whose
// messages can be larger (D-Bus, EBHSCR, USBPcap).
func (t LinkType) MaxSnaplen() uint32 {
	switch t.DLT() {
	case int(LinkTypeDBUS):
		return maxSnaplenDBUS
	case int(LinkTypeEBHSCR):
		return maxSnaplenEBHSCR
	case int(LinkTypeUSBPcap):
		return maxSnaplenUSBPcap
	}
	return MaxSnaplen
}

// adjustSnaplen is libpcap's pcap_adjust_snapshot: a snapshot length of 0
// or above 2^31-1 in a file is bogus, and the maximum for the link type is
// used instead. Lengths between that maximum and 2^31-1 are kept, as
// libpcap keeps them; the reader never allocates by them.
func adjustSnaplen(t LinkType, snaplen uint32) uint32 {
	if snaplen == 0 || snaplen > maxSnaplenC {
		return t.MaxSnaplen()
	}
	return snaplen
}

func (t LinkType) info() (linkTypeInfo, bool) {
	if uint64(t) >= uint64(len(linkTypes)) {
		return linkTypeInfo{}, false
	}
	info := linkTypes[t]
	return info, info.name != ""
}

// linkTypes holds, for every LINKTYPE_ value libpcap 1.10.3 on Linux can
// name, the DLT_ it maps to and the strings pcap_datalink_val_to_name and
// pcap_datalink_val_to_description return for that DLT. It was made by
// opening a one-record file of each link type 0..299 with Debian's libpcap
// 1.10.3, so netdump's "reading from file" line matches tcpdump's.
var linkTypes = [...]linkTypeInfo{
	0:   {0, "NULL", "BSD loopback"},
	1:   {1, "EN10MB", "Ethernet"},
	6:   {6, "IEEE802", "Token ring"},
	7:   {7, "ARCNET", "BSD ARCNET"},
	8:   {8, "SLIP", "SLIP"},
	9:   {9, "PPP", "PPP"},
	10:  {10, "FDDI", "FDDI"},
	11:  {11, "ATM_RFC1483", "RFC 1483 LLC-encapsulated ATM"},
	12:  {12, "RAW", "Raw IP"},
	15:  {15, "SLIP_BSDOS", "BSD/OS SLIP"},
	16:  {16, "PPP_BSDOS", "BSD/OS PPP"},
	19:  {19, "ATM_CLIP", "Linux Classical IP over ATM"},
	50:  {50, "PPP_SERIAL", "PPP over serial"},
	51:  {51, "PPP_ETHER", "PPPoE"},
	99:  {99, "SYMANTEC_FIREWALL", "Symantec Firewall"},
	100: {11, "ATM_RFC1483", "RFC 1483 LLC-encapsulated ATM"},
	101: {12, "RAW", "Raw IP"},
	102: {15, "SLIP_BSDOS", "BSD/OS SLIP"},
	103: {16, "PPP_BSDOS", "BSD/OS PPP"},
	104: {104, "C_HDLC", "Cisco HDLC"},
	105: {105, "IEEE802_11", "802.11"},
	106: {19, "ATM_CLIP", "Linux Classical IP over ATM"},
	107: {107, "FRELAY", "Frame Relay"},
	108: {108, "LOOP", "OpenBSD loopback"},
	109: {109, "ENC", "OpenBSD encapsulated IP"},
	113: {113, "LINUX_SLL", "Linux cooked v1"},
	114: {114, "LTALK", "Localtalk"},
	117: {117, "PFLOG", "OpenBSD pflog file"},
	119: {119, "PRISM_HEADER", "802.11 plus Prism header"},
	122: {122, "IP_OVER_FC", "RFC 2625 IP-over-Fibre Channel"},
	123: {123, "SUNATM", "Sun raw ATM"},
	127: {127, "IEEE802_11_RADIO", "802.11 plus radiotap header"},
	129: {129, "ARCNET_LINUX", "Linux ARCNET"},
	130: {130, "JUNIPER_MLPPP", "Juniper Multi-Link PPP"},
	131: {131, "JUNIPER_MLFR", "Juniper Multi-Link Frame Relay"},
	132: {132, "JUNIPER_ES", "Juniper Encryption Services PIC"},
	133: {133, "JUNIPER_GGSN", "Juniper GGSN PIC"},
	134: {134, "JUNIPER_MFR", "Juniper FRF.16 Frame Relay"},
	135: {135, "JUNIPER_ATM2", "Juniper ATM2 PIC"},
	136: {136, "JUNIPER_SERVICES", "Juniper Advanced Services PIC"},
	137: {137, "JUNIPER_ATM1", "Juniper ATM1 PIC"},
	138: {138, "APPLE_IP_OVER_IEEE1394", "Apple IP-over-IEEE 1394"},
	139: {139, "MTP2_WITH_PHDR", "SS7 MTP2 with Pseudo-header"},
	140: {140, "MTP2", "SS7 MTP2"},
	141: {141, "MTP3", "SS7 MTP3"},
	142: {142, "SCCP", "SS7 SCCP"},
	143: {143, "DOCSIS", "DOCSIS"},
	144: {144, "LINUX_IRDA", "Linux IrDA"},
	163: {163, "IEEE802_11_RADIO_AVS", "802.11 plus AVS radio information header"},
	164: {164, "JUNIPER_MONITOR", "Juniper Passive Monitor PIC"},
	165: {165, "BACNET_MS_TP", "BACnet MS/TP"},
	166: {166, "PPP_PPPD", "PPP for pppd, with direction flag"},
	167: {167, "JUNIPER_PPPOE", "Juniper PPPoE"},
	168: {168, "JUNIPER_PPPOE_ATM", "Juniper PPPoE/ATM"},
	169: {169, "GPRS_LLC", "GPRS LLC"},
	170: {170, "GPF_T", "GPF-T"},
	171: {171, "GPF_F", "GPF-F"},
	174: {174, "JUNIPER_PIC_PEER", "Juniper PIC Peer"},
	175: {175, "ERF_ETH", "Ethernet with Endace ERF header"},
	176: {176, "ERF_POS", "Packet-over-SONET with Endace ERF header"},
	177: {177, "LINUX_LAPD", "Linux vISDN LAPD"},
	178: {178, "JUNIPER_ETHER", "Juniper Ethernet"},
	179: {179, "JUNIPER_PPP", "Juniper PPP"},
	180: {180, "JUNIPER_FRELAY", "Juniper Frame Relay"},
	181: {181, "JUNIPER_CHDLC", "Juniper C-HDLC"},
	182: {182, "MFR", "FRF.16 Frame Relay"},
	183: {183, "JUNIPER_VP", "Juniper Voice PIC"},
	184: {184, "A429", "Arinc 429"},
	185: {185, "A653_ICM", "Arinc 653 Interpartition Communication"},
	186: {186, "USB_FREEBSD", "USB with FreeBSD header"},
	187: {187, "BLUETOOTH_HCI_H4", "Bluetooth HCI UART transport layer"},
	188: {188, "IEEE802_16_MAC_CPS", "IEEE 802.16 MAC Common Part Sublayer"},
	189: {189, "USB_LINUX", "USB with Linux header"},
	190: {190, "CAN20B", "Controller Area Network (CAN) v. 2.0B"},
	191: {191, "IEEE802_15_4_LINUX", "IEEE 802.15.4 with Linux padding"},
	192: {192, "PPI", "Per-Packet Information"},
	193: {193, "IEEE802_16_MAC_CPS_RADIO", "IEEE 802.16 MAC Common Part Sublayer plus radiotap header"},
	194: {194, "JUNIPER_ISM", "Juniper Integrated Service Module"},
	195: {195, "IEEE802_15_4", "IEEE 802.15.4 with FCS"},
	196: {196, "SITA", "SITA pseudo-header"},
	197: {197, "ERF", "Endace ERF header"},
	198: {198, "RAIF1", "Ethernet with u10 Networks pseudo-header"},
	199: {199, "IPMB_KONTRON", "IPMB with Kontron pseudo-header"},
	200: {200, "JUNIPER_ST", "Juniper Secure Tunnel"},
	201: {201, "BLUETOOTH_HCI_H4_WITH_PHDR", "Bluetooth HCI UART transport layer plus pseudo-header"},
	202: {202, "AX25_KISS", "AX.25 with KISS header"},
	209: {209, "IPMB_LINUX", "IPMB with Linux/Pigeon Point pseudo-header"},
	215: {215, "IEEE802_15_4_NONASK_PHY", "IEEE 802.15.4 with non-ASK PHY data"},
	216: {216, "LINUX_EVDEV", "Linux evdev events"},
	219: {219, "MPLS", "MPLS with label as link-layer header"},
	220: {220, "USB_LINUX_MMAPPED", "USB with padded Linux header"},
	221: {221, "DECT", "DECT"},
	222: {222, "AOS", "AOS Space Data Link protocol"},
	223: {223, "WIHART", "Wireless HART"},
	224: {224, "FC_2", "Fibre Channel FC-2"},
	225: {225, "FC_2_WITH_FRAME_DELIMS", "Fibre Channel FC-2 with frame delimiters"},
	226: {226, "IPNET", "Solaris ipnet"},
	227: {227, "CAN_SOCKETCAN", "CAN-bus with SocketCAN headers"},
	228: {228, "IPV4", "Raw IPv4"},
	229: {229, "IPV6", "Raw IPv6"},
	230: {230, "IEEE802_15_4_NOFCS", "IEEE 802.15.4 without FCS"},
	231: {231, "DBUS", "D-Bus"},
	232: {232, "JUNIPER_VS", "Juniper Virtual Server"},
	233: {233, "JUNIPER_SRX_E2E", "Juniper SRX E2E"},
	234: {234, "JUNIPER_FIBRECHANNEL", "Juniper Fibre Channel"},
	235: {235, "DVB_CI", "DVB-CI"},
	236: {236, "MUX27010", "MUX27010"},
	237: {237, "STANAG_5066_D_PDU", "STANAG 5066 D_PDUs"},
	238: {238, "JUNIPER_ATM_CEMIC", "Juniper ATM CEMIC"},
	239: {239, "NFLOG", "Linux netfilter log messages"},
	240: {240, "NETANALYZER", "Ethernet with Hilscher netANALYZER pseudo-header"},
	241: {241, "NETANALYZER_TRANSPARENT", "Ethernet with Hilscher netANALYZER pseudo-header and with preamble and SFD"},
	242: {242, "IPOIB", "RFC 4391 IP-over-Infiniband"},
	243: {243, "MPEG_2_TS", "MPEG-2 transport stream"},
	244: {244, "NG40", "ng40 protocol tester Iub/Iur"},
	245: {245, "NFC_LLCP", "NFC LLCP PDUs with pseudo-header"},
	246: {246, "PFSYNC", "Packet filter state syncing"},
	247: {247, "INFINIBAND", "InfiniBand"},
	248: {248, "SCTP", "SCTP"},
	249: {249, "USBPCAP", "USB with USBPcap header"},
	250: {250, "RTAC_SERIAL", "Schweitzer Engineering Laboratories RTAC packets"},
	251: {251, "BLUETOOTH_LE_LL", "Bluetooth Low Energy air interface"},
	253: {253, "NETLINK", "Linux netlink"},
	254: {254, "BLUETOOTH_LINUX_MONITOR", "Bluetooth Linux Monitor"},
	255: {255, "BLUETOOTH_BREDR_BB", "Bluetooth Basic Rate/Enhanced Data Rate baseband packets"},
	256: {256, "BLUETOOTH_LE_LL_WITH_PHDR", "Bluetooth Low Energy air interface with pseudo-header"},
	257: {257, "PROFIBUS_DL", "PROFIBUS data link layer"},
	258: {258, "PKTAP", "Apple DLT_PKTAP"},
	259: {259, "EPON", "Ethernet with 802.3 Clause 65 EPON preamble"},
	260: {260, "IPMI_HPM_2", "IPMI trace packets"},
	261: {261, "ZWAVE_R1_R2", "Z-Wave RF profile R1 and R2 packets"},
	262: {262, "ZWAVE_R3", "Z-Wave RF profile R3 packets"},
	263: {263, "WATTSTOPPER_DLM", "WattStopper Digital Lighting Management (DLM) and Legrand Nitoo Open protocol"},
	264: {264, "ISO_14443", "ISO 14443 messages"},
	265: {265, "RDS", "IEC 62106 Radio Data System groups"},
	266: {266, "USB_DARWIN", "USB with Darwin header"},
	267: {267, "OPENFLOW", "OpenBSD DLT_OPENFLOW"},
	268: {268, "SDLC", "IBM SDLC frames"},
	269: {269, "TI_LLN_SNIFFER", "TI LLN sniffer frames"},
	271: {271, "VSOCK", "Linux vsock"},
	272: {272, "NORDIC_BLE", "Nordic Semiconductor Bluetooth LE sniffer frames"},
	273: {273, "DOCSIS31_XRA31", "Excentis XRA-31 DOCSIS 3.1 RF sniffer frames"},
	274: {274, "ETHERNET_MPACKET", "802.3br mPackets"},
	275: {275, "DISPLAYPORT_AUX", "DisplayPort AUX channel monitoring data"},
	276: {276, "LINUX_SLL2", "Linux cooked v2"},
	278: {278, "OPENVIZSLA", "OpenVizsla USB"},
	279: {279, "EBHSCR", "Elektrobit High Speed Capture and Replay (EBHSCR)"},
	280: {280, "VPP_DISPATCH", "VPP graph dispatch tracer"},
	281: {281, "DSA_TAG_BRCM", "Broadcom tag"},
	282: {282, "DSA_TAG_BRCM_PREPEND", "Broadcom tag (prepended)"},
	283: {283, "IEEE802_15_4_TAP", "IEEE 802.15.4 with pseudo-header"},
	284: {284, "DSA_TAG_DSA", "Marvell DSA"},
	285: {285, "DSA_TAG_EDSA", "Marvell EDSA"},
	286: {286, "ELEE", "ELEE lawful intercept packets"},
	287: {287, "Z_WAVE_SERIAL", "Z-Wave serial frames between host and chip"},
	288: {288, "USB_2_0", "USB 2.0/1.1/1.0 as transmitted over the cable"},
	289: {289, "ATSC_ALP", "ATSC Link-Layer Protocol packets"},
}
