package tcp

import (
	"encoding/binary"
	"fmt"
)

// MPTCP is a view of a Multipath TCP option (kind 30): the whole option,
// from the kind byte, so that offsets match the figures of RFC 8684 and RFC
// 6824. Its length is len(m). The high nibble of the third byte is the
// subtype; the subtype views (Capable, Join, DSS, ...) read the rest.
//
// The subtype views are lenient, the way a printer needs them: each checks
// only the bytes its fixed part needs, and an accessor whose field is
// absent or does not fit reports false. Validate applies the length rules
// of the RFCs, which a stack applies before it believes any field.
type MPTCP []byte

// MPTCPSubtype is the subtype of a Multipath TCP option.
type MPTCPSubtype uint8

// Multipath TCP subtypes (RFC 8684 section 7).
const (
	MPCapableSubtype  MPTCPSubtype = 0x0 // MP_CAPABLE
	MPJoinSubtype     MPTCPSubtype = 0x1 // MP_JOIN
	DSSSubtype        MPTCPSubtype = 0x2 // DSS, the data sequence signal
	AddAddrSubtype    MPTCPSubtype = 0x3 // ADD_ADDR
	RemoveAddrSubtype MPTCPSubtype = 0x4 // REMOVE_ADDR
	MPPrioSubtype     MPTCPSubtype = 0x5 // MP_PRIO
	MPFailSubtype     MPTCPSubtype = 0x6 // MP_FAIL
	FastCloseSubtype  MPTCPSubtype = 0x7 // MP_FASTCLOSE
	TCPRSTSubtype     MPTCPSubtype = 0x8 // MP_TCPRST (RFC 8684 only)
	MPExpSubtype      MPTCPSubtype = 0xf // MP_EXPERIMENTAL
)

var subtypeNames = [...]string{"capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close"}

// String returns the name tcpdump 4.99.3 prints for the subtype: "capable",
// "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", and
// "unknown" for every later one (MP_TCPRST included, which 4.99.3 predates).
func (s MPTCPSubtype) String() string {
	if int(s) < len(subtypeNames) {
		return subtypeNames[s]
	}
	return "unknown"
}

// mptcpMinLen is the shortest MPTCP option: kind, length, subtype.
const mptcpMinLen = 3

// NewMPTCP returns b as an MPTCP option after checking it holds the kind,
// length and subtype bytes. b must be exactly the option (Option.Raw of a
// well-formed option is); the length byte is not consulted again.
func NewMPTCP(b []byte) (MPTCP, error) {
	if len(b) < mptcpMinLen {
		return nil, fmt.Errorf("%w: MPTCP option of %d bytes, needs %d", ErrBadOption, len(b), mptcpMinLen)
	}
	return MPTCP(b), nil
}

// Subtype returns the subtype. A view too short to hold it (the nil
// MPTCP that a failed lookup returns) reports MPCapableSubtype, whose view
// it then cannot give, so no accessor panics on it.
func (m MPTCP) Subtype() MPTCPSubtype {
	if len(m) < mptcpMinLen {
		return 0
	}
	return MPTCPSubtype(m[2] >> 4)
}

// Validate checks the option's length against the rules of its subtype:
// the lengths RFC 8684 and RFC 6824 define for MP_CAPABLE, MP_JOIN,
// ADD_ADDR (by version and echo bit), MP_PRIO, MP_FAIL, MP_FASTCLOSE and
// MP_TCPRST, the length the DSS flags imply (plus an optional checksum),
// and at least one ID for REMOVE_ADDR. The error wraps ErrBadOption. It
// does not check which segments may carry the option (an MP_JOIN of 12
// bytes only on a SYN, and so on); that depends on the flags.
func (m MPTCP) Validate() error {
	if m.lengthOK() {
		return nil
	}
	return fmt.Errorf("%w: mptcp %s option of %d bytes", ErrBadOption, m.Subtype(), len(m))
}

func (m MPTCP) lengthOK() bool {
	n := len(m)
	switch m.Subtype() {
	case MPCapableSubtype:
		return n == 4 || n == 12 || n == 20 || n == 22 || n == 24
	case MPJoinSubtype:
		return n == 12 || n == 16 || n == 24
	case DSSSubtype:
		if n < 4 {
			return false
		}
		d := DSS(m)
		want := d.fieldsLen()
		return n == want || d.Flags()&DSSMapping != 0 && n == want+2
	case AddAddrSubtype:
		switch m[2] & 0x0f {
		case 4: // RFC 6824, IPv4
			return n == 8 || n == 10
		case 6: // RFC 6824, IPv6
			return n == 20 || n == 22
		case 1: // RFC 8684, echo: no HMAC
			return n == 8 || n == 10 || n == 20 || n == 22
		case 0: // RFC 8684: with HMAC
			return n == 16 || n == 18 || n == 28 || n == 30
		}
		return false
	case RemoveAddrSubtype:
		return n >= 4
	case MPPrioSubtype:
		return n == 3 || n == 4
	case MPFailSubtype, FastCloseSubtype:
		return n == 12
	case TCPRSTSubtype:
		return n == 4
	}
	return true
}

// be64 reads a big-endian uint64 at off if b holds it.
func be64(b []byte, off int) (uint64, bool) {
	if len(b) < off+8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b[off:]), true
}

// be32 reads a big-endian uint32 at off if b holds it.
func be32(b []byte, off int) (uint32, bool) {
	if len(b) < off+4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b[off:]), true
}

// be16 reads a big-endian uint16 at off if b holds it.
func be16(b []byte, off int) (uint16, bool) {
	if len(b) < off+2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(b[off:]), true
}

// MPCapable is a view of an MP_CAPABLE option. Its forms differ by length:
// 4 bytes (RFC 8684 SYN), 12 (RFC 6824 SYN and SYN/ACK, RFC 8684 SYN/ACK:
// the sender's key), 20 (third ACK: both keys), 22 and 24 (RFC 8684 third
// ACK with data: the data-level length, and a checksum).
type MPCapable []byte

// MP_CAPABLE flag bits (RFC 8684 section 3.1).
const (
	MPCapableChecksum      = 0x80 // A: checksum required
	MPCapableExtensibility = 0x40 // B
	MPCapableNoNewSubflows = 0x20 // C: do not open subflows to the source address
	MPCapableHMACSHA256    = 0x01 // H: HMAC-SHA256
)

// Capable returns m as an MP_CAPABLE option if that is its subtype and it
// holds the version and flags (4 bytes).
func (m MPTCP) Capable() (MPCapable, bool) {
	if m.Subtype() != MPCapableSubtype || len(m) < 4 {
		return nil, false
	}
	return MPCapable(m), true
}

// Version returns the MPTCP version: 0 (RFC 6824) or 1 (RFC 8684).
func (c MPCapable) Version() uint8 { return c[2] & 0x0f }

// Flags returns the flag bits (MPCapableChecksum, ...).
func (c MPCapable) Flags() uint8 { return c[3] }

// ChecksumRequired reports the A flag: DSS options must carry checksums.
func (c MPCapable) ChecksumRequired() bool { return c[3]&MPCapableChecksum != 0 }

// SenderKey returns the key of the option's sender, present from 12 bytes.
func (c MPCapable) SenderKey() (uint64, bool) { return be64(c, 4) }

// ReceiverKey returns the key of the option's receiver, present from 20
// bytes (the third ACK echoes both keys).
func (c MPCapable) ReceiverKey() (uint64, bool) { return be64(c, 12) }

// DataLen returns the data-level length, present from 22 bytes.
func (c MPCapable) DataLen() (uint16, bool) { return be16(c, 20) }

// Checksum returns the DSS checksum, present in the 24-byte form.
func (c MPCapable) Checksum() (uint16, bool) { return be16(c, 22) }

// MPJoin is a view of an MP_JOIN option, whose three forms differ by
// length: 12 bytes on the SYN (token and nonce), 16 on the SYN/ACK
// (truncated HMAC and nonce), 24 on the third ACK (full HMAC).
type MPJoin []byte

// Join returns m as an MP_JOIN option if that is its subtype and it holds
// the flags and address ID (4 bytes).
func (m MPTCP) Join() (MPJoin, bool) {
	if m.Subtype() != MPJoinSubtype || len(m) < 4 {
		return nil, false
	}
	return MPJoin(m), true
}

// Backup reports the B flag of the SYN and SYN/ACK forms.
func (j MPJoin) Backup() bool { return j[2]&0x01 != 0 }

// AddrID returns the address ID of the SYN and SYN/ACK forms.
func (j MPJoin) AddrID() uint8 { return j[3] }

// Token returns the receiver's token, in the 12-byte SYN form.
func (j MPJoin) Token() (uint32, bool) {
	if len(j) != 12 {
		return 0, false
	}
	return binary.BigEndian.Uint32(j[4:]), true
}

// Nonce returns the sender's random number, in the SYN and SYN/ACK forms.
func (j MPJoin) Nonce() (uint32, bool) {
	switch len(j) {
	case 12:
		return binary.BigEndian.Uint32(j[8:]), true
	case 16:
		return binary.BigEndian.Uint32(j[12:]), true
	}
	return 0, false
}

// TruncatedHMAC returns the leftmost 64 bits of the sender's HMAC, in the
// 16-byte SYN/ACK form.
func (j MPJoin) TruncatedHMAC() (uint64, bool) {
	if len(j) != 16 {
		return 0, false
	}
	return binary.BigEndian.Uint64(j[4:]), true
}

// HMAC returns the sender's 160-bit HMAC, in the 24-byte ACK form.
func (j MPJoin) HMAC() ([]byte, bool) {
	if len(j) != 24 {
		return nil, false
	}
	return j[4:24], true
}

// DSS is a view of a data sequence signal option. Its flags say which
// fields follow: a data ACK of 4 or 8 bytes, then a mapping (a data
// sequence number of 4 or 8 bytes, a subflow sequence number, a data-level
// length, and a checksum when checksums were negotiated).
type DSS []byte

// DSS flag bits (RFC 8684 section 3.3).
const (
	DSSDataACK  = 0x01 // A: a data ACK is present
	DSSDataACK8 = 0x02 // a: the data ACK is 8 bytes, not 4
	DSSMapping  = 0x04 // M: a mapping (DSN, SSN, length, checksum) is present
	DSSDSN8     = 0x08 // m: the data sequence number is 8 bytes, not 4
	DSSDataFIN  = 0x10 // F: DATA_FIN
)

// DSS returns m as a DSS option if that is its subtype and it holds the
// flags (4 bytes).
func (m MPTCP) DSS() (DSS, bool) {
	if m.Subtype() != DSSSubtype || len(m) < 4 {
		return nil, false
	}
	return DSS(m), true
}

// Flags returns the flag bits (DSSDataACK, ...).
func (d DSS) Flags() uint8 { return d[3] }

// DataFIN reports the F flag.
func (d DSS) DataFIN() bool { return d[3]&DSSDataFIN != 0 }

// ackLen returns the length of the data ACK the flags announce.
func (d DSS) ackLen() int {
	switch {
	case d[3]&DSSDataACK == 0:
		return 0
	case d[3]&DSSDataACK8 != 0:
		return 8
	}
	return 4
}

// dsnLen returns the length of the data sequence number the flags announce.
func (d DSS) dsnLen() int {
	switch {
	case d[3]&DSSMapping == 0:
		return 0
	case d[3]&DSSDSN8 != 0:
		return 8
	}
	return 4
}

// fieldsLen returns the option length the flags imply, without checksum.
func (d DSS) fieldsLen() int {
	n := 4 + d.ackLen()
	if d[3]&DSSMapping != 0 {
		n += d.dsnLen() + 4 + 2
	}
	return n
}

// uint reads a 4- or 8-byte field at off.
func (d DSS) uint(off, n int) (uint64, bool) {
	if n == 8 {
		return be64(d, off)
	}
	v, ok := be32(d, off)
	return uint64(v), ok
}

// Ack returns the data ACK when the A flag is set and it fits, widened to
// 64 bits when it is the 4-byte form.
func (d DSS) Ack() (uint64, bool) {
	if d.ackLen() == 0 {
		return 0, false
	}
	return d.uint(4, d.ackLen())
}

// DataSeq returns the data sequence number of the mapping when the M flag
// is set and it fits, widened to 64 bits when it is the 4-byte form.
func (d DSS) DataSeq() (uint64, bool) {
	if d.dsnLen() == 0 {
		return 0, false
	}
	return d.uint(4+d.ackLen(), d.dsnLen())
}

// SubflowSeq returns the relative subflow sequence number of the mapping.
func (d DSS) SubflowSeq() (uint32, bool) {
	if d.dsnLen() == 0 {
		return 0, false
	}
	return be32(d, 4+d.ackLen()+d.dsnLen())
}

// DataLen returns the data-level length of the mapping.
func (d DSS) DataLen() (uint16, bool) {
	if d.dsnLen() == 0 {
		return 0, false
	}
	return be16(d, 4+d.ackLen()+d.dsnLen()+4)
}

// Checksum returns the checksum of the mapping, present when the option
// has room for it after the data-level length.
func (d DSS) Checksum() (uint16, bool) {
	if d.dsnLen() == 0 {
		return 0, false
	}
	return be16(d, d.fieldsLen())
}

// AddAddr is a view of an ADD_ADDR option: an address ID, an IPv4 or IPv6
// address, an optional port and, in RFC 8684 unless it is an echo, a
// truncated HMAC. The length tells which fields are there: 8 and 10 bytes
// carry IPv4, 20 and 22 IPv6, each without and with a port; an HMAC adds 8
// (16, 18, 28, 30).
type AddAddr []byte

// AddAddr returns m as an ADD_ADDR option if that is its subtype and it
// holds the address ID (4 bytes).
func (m MPTCP) AddAddr() (AddAddr, bool) {
	if m.Subtype() != AddAddrSubtype || len(m) < 4 {
		return nil, false
	}
	return AddAddr(m), true
}

// Bits returns the four bits after the subtype: the IP version (4 or 6) in
// RFC 6824, and three reserved bits and the echo bit in RFC 8684. tcpdump
// prints 4 as "v0-ip4", 6 as "v0-ip6", 0 as "v1" and 1 as "v1-echo".
func (a AddAddr) Bits() uint8 { return a[2] & 0x0f }

// Version returns the MPTCP version the option follows: 0 when Bits is an
// IP version (4 or 6), 1 otherwise.
func (a AddAddr) Version() uint8 {
	if b := a.Bits(); b == 4 || b == 6 {
		return 0
	}
	return 1
}

// Echo reports the E bit of RFC 8684: the option echoes one received.
func (a AddAddr) Echo() bool { return a.Version() == 1 && a[2]&0x01 != 0 }

// AddrID returns the address ID.
func (a AddAddr) AddrID() uint8 { return a[3] }

// Addr returns the address: 4 bytes (IPv4) or 16 (IPv6) by the option's
// length, or nil for a length no form has.
func (a AddAddr) Addr() []byte {
	switch len(a) {
	case 8, 10, 16, 18:
		return a[4:8]
	case 20, 22, 28, 30:
		return a[4:20]
	}
	return nil
}

// Port returns the port, present in the 10, 18, 22 and 30-byte forms.
func (a AddAddr) Port() (uint16, bool) {
	switch len(a) {
	case 10, 18:
		return binary.BigEndian.Uint16(a[8:]), true
	case 22, 30:
		return binary.BigEndian.Uint16(a[20:]), true
	}
	return 0, false
}

// HMAC returns the truncated HMAC, the last 8 bytes of the 16, 18, 28 and
// 30-byte forms.
func (a AddAddr) HMAC() (uint64, bool) {
	switch len(a) {
	case 16, 18, 28, 30:
		return binary.BigEndian.Uint64(a[len(a)-8:]), true
	}
	return 0, false
}

// RemoveAddr is a view of a REMOVE_ADDR option.
type RemoveAddr []byte

// RemoveAddr returns m as a REMOVE_ADDR option if that is its subtype.
func (m MPTCP) RemoveAddr() (RemoveAddr, bool) {
	if m.Subtype() != RemoveAddrSubtype || len(m) < mptcpMinLen {
		return nil, false
	}
	return RemoveAddr(m), true
}

// IDs returns the address IDs to remove, one byte each.
func (r RemoveAddr) IDs() []byte { return r[3:] }

// MPPrio is a view of an MP_PRIO option.
type MPPrio []byte

// Prio returns m as an MP_PRIO option if that is its subtype.
func (m MPTCP) Prio() (MPPrio, bool) {
	if m.Subtype() != MPPrioSubtype || len(m) < mptcpMinLen {
		return nil, false
	}
	return MPPrio(m), true
}

// Backup reports the B flag: the subflow is a backup path.
func (p MPPrio) Backup() bool { return p[2]&0x01 != 0 }

// AddrID returns the address ID, which RFC 6824's 4-byte form carries and
// RFC 8684's 3-byte form does not.
func (p MPPrio) AddrID() (uint8, bool) {
	if len(p) < 4 {
		return 0, false
	}
	return p[3], true
}

// MPFail is a view of an MP_FAIL option.
type MPFail []byte

// Fail returns m as an MP_FAIL option if that is its subtype.
func (m MPTCP) Fail() (MPFail, bool) {
	if m.Subtype() != MPFailSubtype || len(m) < mptcpMinLen {
		return nil, false
	}
	return MPFail(m), true
}

// DataSeq returns the 64-bit data sequence number where the failure was
// detected.
func (f MPFail) DataSeq() (uint64, bool) { return be64(f, 4) }

// FastClose is a view of an MP_FASTCLOSE option.
type FastClose []byte

// FastClose returns m as an MP_FASTCLOSE option if that is its subtype.
func (m MPTCP) FastClose() (FastClose, bool) {
	if m.Subtype() != FastCloseSubtype || len(m) < mptcpMinLen {
		return nil, false
	}
	return FastClose(m), true
}

// Key returns the option receiver's key.
func (f FastClose) Key() (uint64, bool) { return be64(f, 4) }

// TCPRST is a view of an MP_TCPRST option (RFC 8684 section 3.6).
type TCPRST []byte

// TCPRST returns m as an MP_TCPRST option if that is its subtype.
func (m MPTCP) TCPRST() (TCPRST, bool) {
	if m.Subtype() != TCPRSTSubtype || len(m) < mptcpMinLen {
		return nil, false
	}
	return TCPRST(m), true
}

// Flags returns the four flag bits U, V, W, T (T, the lowest, says the
// error is transient).
func (r TCPRST) Flags() uint8 { return r[2] & 0x0f }

// Transient reports the T flag.
func (r TCPRST) Transient() bool { return r[2]&0x01 != 0 }

// Reason returns the reason code (RFC 8684 section 3.6).
func (r TCPRST) Reason() (uint8, bool) {
	if len(r) < 4 {
		return 0, false
	}
	return r[3], true
}
