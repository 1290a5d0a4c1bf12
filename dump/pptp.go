package dump

// PPTP control messages (RFC 2637) on TCP port 1723, as tcpdump's
// pptp_print shows them: the message type and every field of the message
// as NAME(value), with -v the header fields and the meaning of result and
// error codes.

const pptpMagicCookie = 0x1a2b3c4d

// PPTP control message types.
const (
	pptpSCCRQ    = 1
	pptpSCCRP    = 2
	pptpStopCCRQ = 3
	pptpStopCCRP = 4
	pptpECHORQ   = 5
	pptpECHORP   = 6
	pptpOCRQ     = 7
	pptpOCRP     = 8
	pptpICRQ     = 9
	pptpICRP     = 10
	pptpICCN     = 11
	pptpCCRQ     = 12
	pptpCDN      = 13
	pptpWEN      = 14
	pptpSLI      = 15
)

var pptpMessageNames = [...]string{
	"NOT_DEFINED", "SCCRQ", "SCCRP", "StopCCRQ", "StopCCRP", "ECHORQ",
	"ECHORP", "OCRQ", "OCRP", "ICRQ", "ICRP", "ICCN", "CCRQ", "CDN", "WEN",
	"SLI",
}

var pptpBearerTypes = []tok{{1, "A"}, {2, "D"}, {3, "Any"}}
var pptpFramingTypes = []tok{{1, "A"}, {2, "S"}, {3, "E"}}

var pptpErrorCodes = []tok{
	{0, "None"}, {1, "Not-Connected"}, {2, "Bad-Format"}, {3, "Bad-Value"},
	{4, "No-Resource"}, {5, "Bad-Call-ID"}, {6, "PAC-Error"},
}

// pptpResultCodes are the meanings of result codes, which depend on the
// message.
var pptpResultCodes = map[uint16][]tok{
	pptpSCCRP: {
		{1, "Successful channel establishment"},
		{2, "General error"},
		{3, "Command channel already exists"},
		{4, "Requester is not authorized to establish a command channel"},
		{5, "The protocol version of the requester is not supported"},
	},
	pptpStopCCRP: {{1, "OK"}, {2, "General Error"}},
	pptpECHORP:   {{1, "OK"}, {2, "General Error"}},
	pptpOCRP: {
		{1, "Connected"}, {2, "General Error"}, {3, "No Carrier"}, {4, "Busy"},
		{5, "No Dial Tone"}, {6, "Time-out"}, {7, "Do Not Accept"},
	},
	pptpICRP: {{1, "Connect"}, {2, "General Error"}, {3, "Do Not Accept"}},
	pptpCDN:  {{1, "Lost Carrier"}, {2, "General Error"}, {3, "Admin Shutdown"}, {4, "Request"}},
}

// pptpMsg walks the body of a control message, field by field; reads past
// the capture stop the packet.
type pptpMsg struct {
	p   *Printer
	b   []byte
	off int
	typ uint16
}

func (m *pptpMsg) u8() uint32 {
	v := m.p.get8(m.b, m.off)
	m.off++
	return uint32(v)
}

func (m *pptpMsg) u16() uint32 {
	v := m.p.get16(m.b, m.off)
	m.off += 2
	return uint32(v)
}

func (m *pptpMsg) u32() uint32 {
	v := m.p.get32(m.b, m.off)
	m.off += 4
	return v
}

// num prints " NAME(value)".
func (m *pptpMsg) num(name string, v uint32) {
	m.p.c(' ')
	m.p.s(name)
	m.p.c('(')
	m.p.u(uint64(v))
	m.p.c(')')
}

// reserved prints a complaint about a reserved field that is not zero.
func (m *pptpMsg) reserved(v uint32) {
	if v != 0 {
		m.p.s(" [ERROR: reserved=")
		m.p.u(uint64(v))
		m.p.s(" must be zero]")
	}
}

// str prints " NAME(text)" for a NUL-padded field of size bytes, of which
// at most n are shown.
func (m *pptpMsg) str(name string, size, n int) {
	p := m.p
	p.c(' ')
	p.s(name)
	p.c('(')
	for i := 0; i < n; i++ {
		c := p.get8(m.b, m.off+i)
		if c == 0 {
			break
		}
		p.printChar(c)
	}
	p.c(')')
	m.off += size
}

func (m *pptpMsg) protoVer() {
	v := m.u16()
	m.p.s(" PROTO_VER(")
	m.p.u(uint64(v >> 8))
	m.p.c('.')
	m.p.u(uint64(v & 0xff))
	m.p.c(')')
}

func (m *pptpMsg) resultCode() {
	v := m.u8()
	m.p.s(" RESULT_CODE(")
	m.p.u(uint64(v))
	if m.p.opt.Verbose > 0 {
		if t, ok := pptpResultCodes[m.typ]; ok {
			m.p.c(':')
			m.p.tok2str(t, "?", v)
		}
	}
	m.p.c(')')
}

func (m *pptpMsg) errCode() {
	v := m.u8()
	m.p.s(" ERR_CODE(")
	m.p.u(uint64(v))
	if m.p.opt.Verbose > 0 {
		m.p.c(':')
		m.p.tok2str(pptpErrorCodes, "?", v)
	}
	m.p.c(')')
}

// caps prints the framing and bearer capabilities. tcpdump prints the
// first name before reading its field, the second after.
func (m *pptpMsg) caps() {
	m.p.s(" FRAME_CAP(")
	framing := m.u32()
	if framing&1 != 0 {
		m.p.c('A')
	}
	if framing&2 != 0 {
		m.p.c('S')
	}
	m.p.c(')')
	bearer := m.u32()
	m.p.s(" BEARER_CAP(")
	if bearer&2 != 0 {
		m.p.c('D')
	}
	if bearer&1 != 0 {
		m.p.c('A')
	}
	m.p.c(')')
}

func (m *pptpMsg) typeName(name string, t []tok) {
	v := m.u32()
	m.p.c(' ')
	m.p.s(name)
	m.p.c('(')
	m.p.tok2str(t, "?", v)
	m.p.c(')')
}

// pptp prints a PPTP control message (tcpdump's pptp_print).
func (p *Printer) pptp(b []byte) {
	p.proto = "pptp"
	p.s(": pptp")
	if p.opt.Verbose > 0 {
		n := p.get16(b, 0)
		p.s(" Length=")
		p.u(uint64(n))
		switch p.get16(b, 2) {
		case 1:
			p.s(" CTRL-MSG")
		case 2:
			p.s(" MGMT-MSG")
		default:
			p.s(" UNKNOWN-MSG-TYPE")
		}
	}
	mc := p.get32(b, 4)
	if mc != pptpMagicCookie {
		p.s(" UNEXPECTED Magic-Cookie!!(")
		p.xw(uint64(mc), 8)
		p.c(')')
	}
	if p.opt.Verbose > 0 || mc != pptpMagicCookie {
		p.s(" Magic-Cookie=")
		p.xw(uint64(mc), 8)
	}
	typ := p.get16(b, 8)
	if int(typ) < len(pptpMessageNames) {
		p.s(" CTRL_MSGTYPE=")
		p.s(pptpMessageNames[typ])
	} else {
		p.s(" UNKNOWN_CTRL_MSGTYPE(")
		p.u(uint64(typ))
		p.c(')')
	}
	m := &pptpMsg{p: p, b: b, off: 10, typ: typ}
	m.reserved(m.u16())

	switch typ {
	case pptpSCCRQ, pptpSCCRP:
		m.protoVer()
		if typ == pptpSCCRQ {
			m.reserved(m.u16())
		} else {
			m.resultCode()
			m.errCode()
		}
		m.caps()
		m.num("MAX_CHAN", m.u16())
		m.num("FIRM_REV", m.u16())
		m.str("HOSTNAME", 64, 64)
		m.str("VENDOR", 64, 64)
	case pptpStopCCRQ:
		reason := m.u8()
		p.s(" REASON(")
		p.u(uint64(reason))
		if p.opt.Verbose > 0 {
			switch reason {
			case 1:
				p.s(":None")
			case 2:
				p.s(":Stop-Protocol")
			case 3:
				p.s(":Stop-Local-Shutdown")
			default:
				p.s(":?")
			}
		}
		p.c(')')
		m.reserved(m.u8())
		m.reserved(m.u16())
	case pptpStopCCRP:
		m.resultCode()
		m.errCode()
		m.reserved(m.u16())
	case pptpECHORQ:
		m.num("ID", m.u32())
	case pptpECHORP:
		m.num("ID", m.u32())
		m.resultCode()
		m.errCode()
		m.reserved(m.u16())
	case pptpOCRQ:
		m.num("CALL_ID", m.u16())
		m.num("CALL_SER_NUM", m.u16())
		m.num("MIN_BPS", m.u32())
		m.num("MAX_BPS", m.u32())
		m.typeName("BEARER_TYPE", pptpBearerTypes)
		m.typeName("FRAME_TYPE", pptpFramingTypes)
		m.num("RECV_WIN", m.u16())
		m.num("PROC_DELAY", m.u16())
		n := m.u16()
		m.num("PHONE_NO_LEN", n)
		m.reserved(m.u16())
		m.str("PHONE_NO", 64, int(min(64, n)))
		m.str("SUB_ADDR", 64, 64)
	case pptpOCRP:
		m.num("CALL_ID", m.u16())
		m.num("PEER_CALL_ID", m.u16())
		m.resultCode()
		m.errCode()
		m.num("CAUSE_CODE", m.u16())
		m.num("CONN_SPEED", m.u32())
		m.num("RECV_WIN", m.u16())
		m.num("PROC_DELAY", m.u16())
		m.num("PHY_CHAN_ID", m.u32())
	case pptpICRQ:
		m.num("CALL_ID", m.u16())
		m.num("CALL_SER_NUM", m.u16())
		m.typeName("BEARER_TYPE", pptpBearerTypes)
		m.num("PHY_CHAN_ID", m.u32())
		dialed := m.u16()
		m.num("DIALED_NO_LEN", dialed)
		dialing := m.u16()
		m.num("DIALING_NO_LEN", dialing)
		m.str("DIALED_NO", 64, int(min(64, dialed)))
		m.str("DIALING_NO", 64, int(min(64, dialing)))
		m.str("SUB_ADDR", 64, 64)
	case pptpICRP:
		m.num("CALL_ID", m.u16())
		m.num("PEER_CALL_ID", m.u16())
		m.resultCode()
		m.errCode()
		m.num("RECV_WIN", m.u16())
		m.num("PROC_DELAY", m.u16())
		m.reserved(m.u16())
	case pptpICCN:
		m.num("PEER_CALL_ID", m.u16())
		m.reserved(m.u16())
		m.num("CONN_SPEED", m.u32())
		m.num("RECV_WIN", m.u16())
		m.num("PROC_DELAY", m.u16())
		m.typeName("FRAME_TYPE", pptpFramingTypes)
	case pptpCCRQ:
		m.num("CALL_ID", m.u16())
		m.reserved(m.u16())
	case pptpCDN:
		m.num("CALL_ID", m.u16())
		m.resultCode()
		m.errCode()
		m.num("CAUSE_CODE", m.u16())
		m.reserved(m.u16())
		m.str("CALL_STATS", 128, 128)
	case pptpWEN:
		m.num("PEER_CALL_ID", m.u16())
		m.reserved(m.u16())
		for _, name := range [...]string{"CRC_ERR", "FRAMING_ERR", "HARDWARE_OVERRUN", "BUFFER_OVERRUN", "TIMEOUT_ERR", "ALIGN_ERR"} {
			m.num(name, m.u32())
		}
	case pptpSLI:
		m.num("PEER_CALL_ID", m.u16())
		m.reserved(m.u16())
		for _, name := range [...]string{" SEND_ACCM(0x", " RECV_ACCM(0x"} {
			v := m.u32()
			p.s(name)
			p.xw(uint64(v), 8)
			p.c(')')
		}
	}
}
