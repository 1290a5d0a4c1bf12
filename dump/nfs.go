package dump

import "encoding/binary"

// NFS over ONC RPC, as far as this package follows tcpdump's print-nfs.c: the
// status of a reply and the procedure of a call. tcpdump goes on to decode
// the arguments of each procedure, and the results of a reply whose call it
// saw; this package does not yet.

// ONC RPC reply status and rejection reasons (RFC 5531).
const (
	rpcMsgAccepted = 0
	rpcMsgDenied   = 1
	rpcMismatch    = 0
	rpcAuthError   = 1
)

var rpcAuthErrors = []tok{
	{0, "OK"},
	{1, "Bogus Credentials (seal broken)"},
	{2, "Rejected Credentials (client should begin new session)"},
	{3, "Bogus Verifier (seal broken)"},
	{4, "Verifier expired or was replayed"},
	{5, "Credentials are too weak"},
	{6, "Bogus response verifier"},
	{7, "Unknown failure"},
}

// nfsProcNames are tcpdump's names of the NFS procedures, numbered as in
// NFS version 3.
var nfsProcNames = []tok{
	{25, "nop"}, {0, "null"}, {1, "getattr"}, {2, "setattr"}, {3, "lookup"},
	{4, "access"}, {5, "readlink"}, {6, "read"}, {7, "write"}, {8, "create"},
	{9, "mkdir"}, {10, "symlink"}, {11, "mknod"}, {12, "remove"},
	{13, "rmdir"}, {14, "rename"}, {15, "link"}, {16, "readdir"},
	{17, "readdirplus"}, {18, "fsstat"}, {19, "fsinfo"}, {20, "pathconf"},
	{21, "commit"},
}

// nfsV2Procs maps NFS version 2 procedure numbers to version 3 ones (25 is
// a procedure version 3 does not have).
var nfsV2Procs = [26]uint32{
	0, 1, 2, 25, 3, 5, 6, 25, 7, 8, 12, 14, 15, 10, 9, 13, 16, 18,
	25, 25, 25, 25, 25, 25, 25, 25,
}

// nfsOverTCP prints the RPC message in an RPC-over-TCP record on the NFS
// port, if it is a call to the server or a reply from it.
func (p *Printer) nfsOverTCP(b []byte, length int, sport, dport uint16) {
	fragLen := int(binary.BigEndian.Uint32(b) & 0x7fffffff)
	if fragLen > length-4 {
		fragLen = length - 4
	}
	rpc := b[4:]
	if len(rpc) < 8 {
		return
	}
	dir := binary.BigEndian.Uint32(rpc[4:])
	switch {
	case dport == portNFS && dir == rpcCall:
		p.s(": NFS request xid ")
		p.u(uint64(binary.BigEndian.Uint32(rpc)))
		p.c(' ')
		p.nfsRequest(rpc, fragLen)
	case sport == portNFS && dir == rpcReply:
		p.s(": NFS reply xid ")
		p.u(uint64(binary.BigEndian.Uint32(rpc)))
		p.c(' ')
		p.nfsReply(rpc, fragLen)
	}
}

// nfsRequest prints an NFS call: its length and procedure.
func (p *Printer) nfsRequest(b []byte, length int) {
	p.proto = "nfs"
	p.u(uint64(uint32(length)))
	if len(b) < 24 {
		p.s(" [|nfs]")
		return
	}
	vers := binary.BigEndian.Uint32(b[16:])
	proc := binary.BigEndian.Uint32(b[20:])
	if vers != 3 && proc < uint32(len(nfsV2Procs)) {
		proc = nfsV2Procs[proc]
	}
	p.c(' ')
	p.tok2str(nfsProcNames, "proc-%d", proc)
}

// nfsReply prints the status of an NFS reply (tcpdump's
// nfsreply_noaddr_print, without the decoding of results).
func (p *Printer) nfsReply(b []byte, length int) {
	p.proto = "nfs"
	n := uint64(uint32(length))
	if len(b) < 12 {
		p.s(" [|nfs]")
		return
	}
	switch stat := binary.BigEndian.Uint32(b[8:]); stat {
	case rpcMsgAccepted:
		p.s("reply ok ")
		p.u(n)
	case rpcMsgDenied:
		p.s("reply ERR ")
		p.u(n)
		p.s(": ")
		if len(b) < 16 {
			p.s(" [|nfs]")
			return
		}
		switch reason := binary.BigEndian.Uint32(b[12:]); reason {
		case rpcMismatch:
			if len(b) < 24 {
				p.s(" [|nfs]")
				return
			}
			p.s("RPC Version mismatch (")
			p.u(uint64(binary.BigEndian.Uint32(b[16:])))
			p.c('-')
			p.u(uint64(binary.BigEndian.Uint32(b[20:])))
			p.c(')')
		case rpcAuthError:
			if len(b) < 20 {
				p.s(" [|nfs]")
				return
			}
			p.s("Auth ")
			p.tok2str(rpcAuthErrors, "Invalid failure code %d", binary.BigEndian.Uint32(b[16:]))
		default:
			p.s("Unknown reason for rejecting rpc message ")
			p.u(uint64(reason))
		}
	default:
		p.s("reply Unknown rpc response code=")
		p.u(uint64(stat))
		p.c(' ')
		p.u(n)
	}
}
