package icmpv6

import (
	"encoding/binary"

	"github.com/medina-net/medina/ipv6"
)

// Offsets of the multicast listener discovery messages, named once.
//
// MLDv1 query, report and done (RFC 2710 3), and the first 24 bytes of an
// MLDv2 query (RFC 3810 5.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Maximum Response Delay    |          Reserved             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                    Multicast Address (16)                     +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Resv  |S| QRV |     QQIC      |     Number of Sources (N)     |  (v2)
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                  Source Addresses [N] (16 each)               +
//
// An MLDv2 query is told from an MLDv1 one by its length: 24 bytes is v1,
// 28 or more v2 (RFC 3810 8.1).
//
// MLDv2 report (RFC 3810 5.2): 2 reserved bytes at 4, the number of
// records at 6, the records from 8, each:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Record Type  |  Aux Data Len |     Number of Sources (N)     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                  Multicast Address (16)                       +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	+                  Source Addresses [N] (16 each)               +
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  Auxiliary Data (4 x Aux Data Len)            |
const (
	mldDelayOff    = 4
	mldAddrOff     = 8
	mldQFlagsOff   = 24
	mldQQICOff     = 25
	mldNSourcesOff = 26
	mldSourcesOff  = 28
	mldNRecordsOff = 6
	mldRecordsOff  = 8

	recTypeOff     = 0
	recAuxLenOff   = 1
	recNSourcesOff = 2
	recAddrOff     = 4
	recSourcesOff  = 20
)

// MLD message sizes.
const (
	// MLDLen is the length of an MLDv1 message, and of an MLDv1 query.
	MLDLen = mldSourcesOff - 4
	// MLDv2QueryLen is the length of an MLDv2 query without sources.
	MLDv2QueryLen = mldSourcesOff
	// MLDv2RecordLen is the length of a multicast address record without
	// sources or auxiliary data.
	MLDv2RecordLen = recSourcesOff
)

// MaxRespDelay returns the maximum response delay of an MLDv1 message in
// milliseconds, and the maximum response code of an MLDv2 query (see
// MaxRespTime). 0 when the message ends before it.
func (m Message) MaxRespDelay() uint16 { return m.u16(mldDelayOff) }

// MaxRespTime returns the maximum response delay of an MLDv2 query in
// milliseconds, decoded from its code: as is below 32768, otherwise a
// floating-point value with a 3-bit exponent and a 12-bit mantissa (RFC
// 3810 5.1.3).
func (m Message) MaxRespTime() uint32 {
	c := uint32(m.MaxRespDelay())
	if c < 0x8000 {
		return c
	}
	return (c&0x0fff | 0x1000) << ((c>>12)&7 + 3)
}

// MulticastAddr returns the multicast address of an MLD query, report or
// done (the unspecified address in a general query); ok is false when the
// message ends before it.
func (m Message) MulticastAddr() (ipv6.Addr, bool) { return m.addr(mldAddrOff) }

// IsMLDv2Query reports whether m is an MLDv2 query: a query of at least 28
// bytes (RFC 3810 8.1). A query of 24 bytes is MLDv1's; one of 25 to 27 is
// neither.
func (m Message) IsMLDv2Query() bool { return m.Type() == TypeMLDQuery && len(m) >= MLDv2QueryLen }

// QueryFlags returns the byte of an MLDv2 query that holds its S flag
// (0x08: routers suppress their timer updates) and its QRV (the low 3
// bits, the querier's robustness variable); 0 when the message ends
// before it.
func (m Message) QueryFlags() uint8 { return m.u8(mldQFlagsOff) }

// SuppressRouterSide reports the S flag of an MLDv2 query.
func (m Message) SuppressRouterSide() bool { return m.QueryFlags()&0x08 != 0 }

// QRV returns the querier's robustness variable of an MLDv2 query.
func (m Message) QRV() uint8 { return m.QueryFlags() & 7 }

// QQIC returns the querier's query interval code of an MLDv2 query (see
// QQI); 0 when the message ends before it.
func (m Message) QQIC() uint8 { return m.u8(mldQQICOff) }

// QQI returns the querier's query interval of an MLDv2 query in seconds,
// decoded from its code like MaxRespTime (RFC 3810 5.1.9).
func (m Message) QQI() uint32 {
	c := uint32(m.QQIC())
	if c < 0x80 {
		return c
	}
	return (c&0x0f | 0x10) << ((c>>4)&7 + 3)
}

// NumQuerySources returns the number of sources of an MLDv2 query, as its
// field says (0 when the message ends before it).
func (m Message) NumQuerySources() int { return int(m.u16(mldNSourcesOff)) }

// QuerySource returns the i-th (from 0) source address of an MLDv2 query;
// ok is false when the message ends before it.
func (m Message) QuerySource(i int) (ipv6.Addr, bool) {
	if i < 0 || i >= 1<<16 {
		return ipv6.Addr{}, false
	}
	return m.addr(mldSourcesOff + i*ipv6.AddrLen)
}

// NumRecords returns the number of multicast address records of an MLDv2
// report, as its field says (0 when the message ends before it).
func (m Message) NumRecords() int { return int(m.u16(mldNRecordsOff)) }

// RecordType is the type of an MLDv2 multicast address record (RFC 3810
// 5.2.12).
type RecordType uint8

// Record types.
const (
	ModeIsInclude   RecordType = 1
	ModeIsExclude   RecordType = 2
	ChangeToInclude RecordType = 3
	ChangeToExclude RecordType = 4
	AllowNewSources RecordType = 5
	BlockOldSources RecordType = 6
)

var recordTypeNames = [...]string{"", "is_in", "is_ex", "to_in", "to_ex", "allow", "block"}

// String returns tcpdump's name of the record type ("is_in", "to_ex",
// ...) or "" for an unknown one.
func (t RecordType) String() string {
	if int(t) < len(recordTypeNames) {
		return recordTypeNames[t]
	}
	return ""
}

// Record is one multicast address record of an MLDv2 report, whole: its
// sources and auxiliary data included.
type Record []byte

// Type returns the record type.
func (r Record) Type() RecordType { return RecordType(r[recTypeOff]) }

// AuxDataLen returns the length of the auxiliary data in bytes.
func (r Record) AuxDataLen() int { return 4 * int(r[recAuxLenOff]) }

// NumSources returns the number of sources.
func (r Record) NumSources() int { return int(binary.BigEndian.Uint16(r[recNSourcesOff:])) }

// MulticastAddr returns the multicast address.
func (r Record) MulticastAddr() ipv6.Addr { return ipv6.Addr(r[recAddrOff : recAddrOff+ipv6.AddrLen]) }

// Source returns the i-th (from 0) source address; ok is false when there
// is none.
func (r Record) Source(i int) (ipv6.Addr, bool) {
	off := recSourcesOff + i*ipv6.AddrLen
	if i < 0 || i >= r.NumSources() || off+ipv6.AddrLen > len(r) {
		return ipv6.Addr{}, false
	}
	return ipv6.Addr(r[off : off+ipv6.AddrLen]), true
}

// RecordAt returns the record at off in an MLDv2 report, whatever the
// records before it say, running to the end of the message (sources past
// it are not there for Source). tcpdump steps from record to record over
// the sources alone, not the auxiliary data, and reads them so. ok is
// false when the message ends before the record's 20 fixed bytes.
func (m Message) RecordAt(off int) (Record, bool) {
	if off < 0 || off+MLDv2RecordLen > len(m) {
		return nil, false
	}
	return Record(m[off:]), true
}

// recordLen returns the length of the record at the start of b as its
// fields say, or -1 when b does not hold its fixed part.
func recordLen(b []byte) int {
	if len(b) < MLDv2RecordLen {
		return -1
	}
	r := Record(b)
	return MLDv2RecordLen + r.NumSources()*ipv6.AddrLen + r.AuxDataLen()
}

// RecordIter walks the multicast address records of an MLDv2 report. It
// never panics and never allocates.
type RecordIter struct {
	b    []byte
	off  int
	left int
	err  bool
}

// Records returns an iterator over the records of an MLDv2 report, as
// many as its number of records says. It is empty for another type.
func (m Message) Records() RecordIter {
	if m.Type() != TypeMLDv2Report || len(m) < mldRecordsOff {
		return RecordIter{}
	}
	return RecordIter{b: m, off: mldRecordsOff, left: m.NumRecords()}
}

// Next returns the next record and true, or false after the last one and
// when the next one does not fit in the message (Truncated tells).
func (it *RecordIter) Next() (Record, bool) {
	if it.left <= 0 || it.err {
		return nil, false
	}
	n := recordLen(it.b[it.off:])
	if n < 0 || it.off+n > len(it.b) {
		it.err = true
		return nil, false
	}
	r := Record(it.b[it.off : it.off+n])
	it.off += n
	it.left--
	return r, true
}

// Offset returns where the next record starts in the message.
func (it *RecordIter) Offset() int { return it.off }

// Truncated reports whether the walk stopped at a record the message ends
// inside: the number of records, or a record's number of sources, says
// more than the message holds.
func (it *RecordIter) Truncated() bool { return it.err }
