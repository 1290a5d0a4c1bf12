package dump

// Line-oriented text protocols (HTTP, RTSP, FTP, SMTP, whois), printed as
// tcpdump's txtproto_print does: the protocol's name in capitals and the
// first line, or with -v every line up to the first that is not printable
// text.

// httpCommands are the request methods tcpdump recognises, WebDAV's
// included.
var httpCommands = []string{
	"GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY",
	"BMOVE", "MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK",
	"REPORT", "UPDATE", "NOTIFY", "BDELETE", "CONNECT", "OPTIONS", "CHECKIN",
	"PROPFIND", "CHECKOUT", "CCM_POST", "SUBSCRIBE", "PROPPATCH", "BPROPFIND",
	"BPROPPATCH", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE",
	"RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL",
}

// rtspCommands are the RTSP request methods tcpdump recognises.
var rtspCommands = []string{
	"DESCRIBE", "ANNOUNCE", "GET_PARAMETER", "OPTIONS", "PAUSE", "PLAY",
	"RECORD", "REDIRECT", "SETUP", "SET_PARAMETER", "TEARDOWN",
}

// maxToken is the longest request or response token tcpdump reads.
const maxToken = 128

// txtProto prints a text protocol's payload. b holds what was captured,
// length is the payload's length. With cmds, the payload is printed only
// if its first token is one of them (case-insensitively) or a response's
// three-digit code (the second token when codeSecond, the first
// otherwise); without, always.
func (p *Printer) txtProto(b []byte, length int, proto string, cmds []string, codeSecond bool) {
	p.proto = proto
	show := cmds == nil
	if cmds != nil {
		var tokBuf [maxToken + 1]byte
		tok, idx := fetchToken(b, 0, length, tokBuf[:0])
		if idx != 0 {
			for _, c := range cmds {
				if asciiEqualFold(tok, c) {
					show = true
					break
				}
			}
			if codeSecond {
				tok, idx = fetchToken(b, idx, length, tokBuf[:0])
			}
			if idx != 0 && len(tok) == 3 && isDigit(tok[0]) && isDigit(tok[1]) && isDigit(tok[2]) {
				show = true
			}
		}
	}
	for i := 0; i < len(proto); i++ {
		c := proto[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		p.c(c)
	}
	if !show {
		return
	}
	if p.opt.Verbose == 0 {
		p.txtLine(": ", b, 0, length)
		return
	}
	p.s(", length: ")
	p.u(uint64(length))
	for idx := 0; idx < length; {
		eol := p.txtLine("\n\t", b, idx, length)
		if eol == 0 {
			break
		}
		idx = eol
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// asciiEqualFold compares a token with a command ignoring ASCII case.
func asciiEqualFold(tok []byte, cmd string) bool {
	if len(tok) != len(cmd) {
		return false
	}
	for i := range tok {
		a, b := tok[i], cmd[i]
		if a >= 'A' && a <= 'Z' {
			a += 'a' - 'A'
		}
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// fetchToken reads the printable token starting at idx (up to white space)
// into buf, and returns it with the index just past the white space after
// it, or 0 for no token: non-ASCII or control bytes, the end of the data
// or capture before any token character, or a token too long
// (tcpdump's fetch_token).
func fetchToken(b []byte, idx, length int, buf []byte) ([]byte, int) {
	for ; idx < length; idx++ {
		if idx >= len(b) {
			return buf, 0
		}
		c := b[idx]
		if c >= 0x80 {
			return buf, 0
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		if !isPrint(c) {
			return buf, 0
		}
		if len(buf)+2 > maxToken+1 {
			return buf, 0
		}
		buf = append(buf, c)
	}
	if len(buf) == 0 {
		return buf, 0
	}
	for ; idx < length; idx++ {
		if idx >= len(b) {
			break
		}
		c := b[idx]
		if c == '\r' || c == '\n' || !isPrint(c) {
			break
		}
		if c != ' ' && c != '\t' {
			break
		}
	}
	return buf, idx
}

// txtLine prints the line starting at idx after prefix and returns the
// index after its end (LF or CR LF), or 0 when there is none to print:
// a byte that is neither printable nor a tab, or a CR not followed by LF,
// stops the text unprinted; text running to the end of the data prints
// with a truncation mark (tcpdump's print_txt_line).
func (p *Printer) txtLine(prefix string, b []byte, idx, length int) int {
	start := idx
	for idx < length {
		c := p.get8(b, idx)
		switch {
		case c == '\n':
			p.s(prefix)
			p.out = append(p.out, b[start:idx]...)
			return idx + 1
		case c == '\r':
			if idx+1 >= length {
				return 0
			}
			if p.get8(b, idx+1) == '\n' {
				p.s(prefix)
				p.out = append(p.out, b[start:idx]...)
				return idx + 2
			}
			return 0
		case !isPrint(c) && c != '\t':
			return 0
		}
		idx++
	}
	p.s(prefix)
	p.out = append(p.out, b[start:idx]...)
	p.s(" [|")
	p.s(p.proto)
	p.c(']')
	return 0
}

// ssh prints the version banner that opens an SSH connection; other data
// prints nothing (tcpdump's ssh_print).
func (p *Printer) ssh(b []byte, length int) {
	p.proto = "ssh"
	for i := 0; i < 4; i++ {
		if p.get8(b, i) != "SSH-"[i] {
			return
		}
	}
	for idx := 4; idx < length; idx++ {
		c := p.get8(b, idx)
		switch {
		case c == '\n':
		case c == '\r':
			if idx+1 >= length || p.get8(b, idx+1) != '\n' {
				return
			}
		case !isPrint(c):
			return
		default:
			continue
		}
		p.s(": SSH: ")
		p.out = append(p.out, b[:idx]...)
		return
	}
}
