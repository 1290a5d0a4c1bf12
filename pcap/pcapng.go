package pcap

// This is medina's own pcapng reader rather than gopacket's pcapgo.NgReader,
// which netdump cannot use: it turns timestamps into time.Time through a
// per-interface integer scale (2^-n resolutions finer than 2^-9 come out
// wrong, and the stored fraction is lost); it hands out epb_flags only in
// an options struct allocated per packet, and reads them little-endian in
// big-endian sections; it keeps Decryption Secrets Blocks private (and only
// those before the first interface), and fails the file on a malformed one
// that libpcap would skip; it checks neither block trailers nor block sizes
// against a bound; and its errors are free text that cannot be mapped onto
// libpcap's messages. pcapgo's reader remains the oracle of the
// differential test.

import (
	"encoding/binary"
	"io"
	"math/bits"
)

// Block types and fixed layouts, named once. Lengths are of the block
// contents after the 8-byte type and length, before the 4-byte trailer.
const (
	blockSHB = 0x0a0d0d0a // Section Header Block
	blockIDB = 1          // Interface Description Block
	blockPB  = 2          // Packet Block (obsolete)
	blockSPB = 3          // Simple Packet Block
	blockEPB = 6          // Enhanced Packet Block
	blockDSB = 10         // Decryption Secrets Block

	byteOrderMagic = 0x1a2b3c4d

	blockHeaderLen = 8  // type, total length
	blockMinLen    = 12 // header and trailer
	shbFixedLen    = 16 // byte-order magic, major, minor, section length
	shbMinLen      = blockHeaderLen + shbFixedLen + 4
	idbFixedLen    = 8  // link type, reserved, snaplen
	epbFixedLen    = 20 // interface, ts high, ts low, caplen, len
	pbFixedLen     = 20 // interface (16 bits), drops, ts high, ts low, caplen, len
	spbFixedLen    = 4  // len
	dsbFixedLen    = 8  // secrets type, secrets length

	optEndOfOpt  = 0
	optIfName    = 2
	optIfTSResol = 9
	optIfTSOff   = 14
	optEPBFlags  = 2

	// shbMaxLen is libpcap's BT_SHB_INSANE_MAX for the first SHB.
	shbMaxLen = 1 << 20
	// initialMaxBlock is libpcap's INITIAL_MAX_BLOCKSIZE; the first
	// interface's link type can raise it (see maxBlockFor).
	initialMaxBlock = 16 << 20
	// maxInterfaces bounds the interfaces of one section, so a stream of
	// IDBs cannot grow the reader without limit (libpcap's only bound is
	// 2^31).
	maxInterfaces = 1 << 20
	// maxSecretBytes bounds the Decryption Secrets kept; blocks beyond it
	// are skipped (libpcap ignores them all).
	maxSecretBytes = 64 << 20
)

// SecretsType identifies the format of a Decryption Secrets Block.
type SecretsType uint32

// Secrets types registered for pcapng DSBs.
const (
	// SecretsTLSKeyLog is an NSS key log (SSLKEYLOGFILE) for TLS.
	SecretsTLSKeyLog SecretsType = 0x544c534b
	// SecretsSSHKeyLog is an SSH key log.
	SecretsSSHKeyLog SecretsType = 0x5353484b
	// SecretsWireGuardKeyLog is a WireGuard key log.
	SecretsWireGuardKeyLog SecretsType = 0x57474b4c
	// SecretsZigBeeNWKKey is a ZigBee network key.
	SecretsZigBeeNWKKey SecretsType = 0x5a4e574b
	// SecretsZigBeeAPSKey is a ZigBee application support key.
	SecretsZigBeeAPSKey SecretsType = 0x5a415053
)

// Secret is the content of a pcapng Decryption Secrets Block.
type Secret struct {
	Type SecretsType
	Data []byte
}

// tsConv converts an interface's 64-bit timestamps.
type tsConv struct {
	res    uint64 // units per second
	binary bool   // res is a power of 2
	offset uint64 // if_tsoffset, added to the seconds
	perSec uint32 // FracPerSec of the packets: 1e6 or 1e9
}

// split turns a timestamp into seconds and a fraction in units of
// 1/perSec. Resolutions other than micro- and nanoseconds are converted to
// nanoseconds exactly (libpcap's arithmetic overflows for fine binary
// resolutions; 128-bit products here do not).
func (c *tsConv) split(t uint64) (int64, uint32) {
	sec := int64(t/c.res + c.offset)
	f := t % c.res
	switch {
	case c.res == 1e6 || c.res == 1e9:
	case c.binary:
		hi, lo := bits.Mul64(f, 1e9)
		f, _ = bits.Div64(hi, lo, c.res) // hi < res because f < res
	case c.res < 1e9:
		f *= 1e9 / c.res
	default:
		f /= c.res / 1e9
	}
	return sec, uint32(f)
}

// ngState is what a pcapng Reader keeps between blocks.
type ngState struct {
	ifaces      []Interface // current section
	conv        []tsConv    // parallel to ifaces
	secrets     []Secret
	secretBytes int
	maxBlock    uint32
	firstDLT    int // libpcap's p->linktype: the DLT of the first interface
}

func (r *Reader) u16(b []byte) uint16 {
	if r.big {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *Reader) u32(b []byte) uint32 {
	if r.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *Reader) u64(b []byte) uint64 {
	if r.big {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

// maxBlockFor is libpcap's MAX_BLOCKSIZE_FOR_SNAPLEN: an EPB holding a
// packet of the link type's maximum length and 128 KiB of options.
func maxBlockFor(t LinkType) uint32 {
	return blockHeaderLen + epbFixedLen + t.MaxSnaplen() + 131072 + 4
}

// openNg reads the first Section Header Block and the blocks up to the
// first Interface Description Block, as libpcap 1.10.3 does when it opens
// a file (sf-pcapng.c), with its checks and messages.
func (r *Reader) openNg() error {
	s := &r.src
	b := s.ensure(blockHeaderLen + 4)
	if len(b) < blockHeaderLen+4 {
		if err := s.failed(); err != nil {
			return ioError(r.name, 0, err)
		}
		// Too short to be pcapng; libpcap then calls it unknown.
		return newError(r.name, 0, ErrUnknownFormat, "unknown file format")
	}
	switch binary.LittleEndian.Uint32(b[blockHeaderLen:]) {
	case byteOrderMagic:
		r.big = false
	case swap32(byteOrderMagic):
		r.big = true
	default:
		return newError(r.name, 0, ErrUnknownFormat, "unknown file format")
	}
	total := r.u32(b[4:])
	if total < shbMinLen || total > shbMaxLen {
		return newError(r.name, 0, ErrBlockLength,
			"Section Header Block in pcapng dump file has invalid length %d < _%d_ < %d (BT_SHB_INSANE_MAX)",
			shbMinLen, total, shbMaxLen)
	}
	b = s.ensure(int(total))
	if len(b) < int(total) {
		if err := s.failed(); err != nil {
			return ioError(r.name, 0, err)
		}
		return newError(r.name, 0, ErrTruncated,
			"truncated pcapng dump file; tried to read %d bytes, only got %d",
			total-blockHeaderLen-4, len(b)-blockHeaderLen-4)
	}
	major, minor := r.u16(b[12:]), r.u16(b[14:])
	// libpcap reads 1.0 and 1.2 (written by tools that add block types)
	// and nothing else, here; it neither parses the SHB's options nor
	// checks its trailer.
	if major != 1 || minor != 0 && minor != 2 {
		return newError(r.name, 0, ErrVersion,
			"unsupported pcapng savefile version %d.%d", major, minor)
	}
	s.consume(int(total))
	r.format = FormatPcapNG
	r.major, r.minor = int(major), int(minor)
	r.ng.maxBlock = initialMaxBlock

	for {
		off := s.off
		typ, body, err := r.readBlock()
		if err == io.EOF {
			return newError(r.name, off, ErrNoInterface,
				"the capture file has no Interface Description Blocks")
		}
		if err != nil {
			return err
		}
		switch typ {
		case blockIDB:
			if err := r.ngInterface(off, body, true); err != nil {
				return err
			}
			return nil
		case blockEPB, blockSPB, blockPB:
			return newError(r.name, off, ErrNoInterface,
				"the capture file has a packet block before any Interface Description Blocks")
		case blockDSB:
			r.ngSecrets(body)
		case blockSHB:
			// libpcap skips a second SHB before the first IDB like any
			// unknown block; otherwise it starts a section as usual.
			if !r.libpcap {
				if err := r.ngSection(off, body); err != nil {
					return err
				}
			}
		}
	}
}

// readBlock reads one whole block into the buffer and returns its type and
// contents (between the length and the trailer), valid until the next read.
// It returns io.EOF at a clean end of file.
func (r *Reader) readBlock() (uint32, []byte, error) {
	s := &r.src
	off := s.off
	b := s.ensure(blockHeaderLen)
	if len(b) < blockHeaderLen {
		if len(b) == 0 {
			return 0, nil, r.end()
		}
		if err := s.failed(); err != nil {
			return 0, nil, r.fail(ioError(r.name, off, err))
		}
		return 0, nil, r.errorf(off, ErrTruncated,
			"truncated pcapng dump file; tried to read %d bytes, only got %d", blockHeaderLen, len(b))
	}
	// A new section may change the byte order. Its byte-order magic comes
	// after the length, so look ahead before reading the length; libpcap
	// does not, and fails on such a file.
	if !r.libpcap && binary.LittleEndian.Uint32(b) == blockSHB {
		if b = s.ensure(blockHeaderLen + 4); len(b) >= blockHeaderLen+4 {
			switch binary.LittleEndian.Uint32(b[blockHeaderLen:]) {
			case byteOrderMagic:
				r.big = false
			case swap32(byteOrderMagic):
				r.big = true
			}
		}
	}
	typ, total := r.u32(b), r.u32(b[4:])
	if total < blockMinLen {
		return 0, nil, r.errorf(off, ErrBlockLength,
			"block in pcapng dump file has a length of %d < %d", total, blockMinLen)
	}
	if total%4 != 0 {
		return 0, nil, r.errorf(off, ErrBlockLength,
			"block in pcapng dump file has a length of %d that is not a multiple of 4", total)
	}
	if total > r.ng.maxBlock {
		return 0, nil, r.errorf(off, ErrBlockLength,
			"pcapng block size %d > maximum %d", total, r.ng.maxBlock)
	}
	n := int(total)
	if len(b) < n {
		b = s.ensure(n)
		if len(b) < n {
			if err := s.failed(); err != nil {
				return 0, nil, r.fail(ioError(r.name, off, err))
			}
			return 0, nil, r.errorf(off, ErrTruncated,
				"truncated pcapng dump file; tried to read %d bytes, only got %d",
				n-blockHeaderLen, len(b)-blockHeaderLen)
		}
	}
	if r.u32(b[n-4:]) != total {
		return 0, nil, r.errorf(off, ErrBlockLength,
			"block total length in header and trailer don't match")
	}
	s.consume(n)
	r.pf.advance(s.off)
	return typ, b[blockHeaderLen : n-4 : n-4], nil
}

// nextNg reads blocks until one holds a packet.
func (r *Reader) nextNg() (*Packet, error) {
	for {
		off := r.src.off
		typ, body, err := r.readBlock()
		if err != nil {
			return nil, err
		}
		switch typ {
		case blockEPB:
			if len(body) < epbFixedLen {
				return nil, r.tooShort(off, typ)
			}
			id := r.u32(body)
			t := uint64(r.u32(body[4:]))<<32 | uint64(r.u32(body[8:]))
			return r.ngPacket(off, typ, uint64(id), t, r.u32(body[12:]), r.u32(body[16:]), body[epbFixedLen:])
		case blockSPB:
			if len(body) < spbFixedLen {
				return nil, r.tooShort(off, typ)
			}
			// An SPB has no captured length: it is the packet length
			// cut to the snapshot length, and no timestamp.
			length := r.u32(body)
			snap := r.snaplen
			if !r.libpcap && len(r.ng.ifaces) > 0 {
				snap = r.ng.ifaces[0].Snaplen
			}
			return r.ngPacket(off, typ, 0, 0, min(length, snap), length, body[spbFixedLen:])
		case blockPB:
			if len(body) < pbFixedLen {
				return nil, r.tooShort(off, typ)
			}
			id := r.u16(body)
			t := uint64(r.u32(body[4:]))<<32 | uint64(r.u32(body[8:]))
			return r.ngPacket(off, typ, uint64(id), t, r.u32(body[12:]), r.u32(body[16:]), body[pbFixedLen:])
		case blockIDB:
			if err := r.ngInterface(off, body, false); err != nil {
				return nil, err
			}
		case blockSHB:
			if err := r.ngSection(off, body); err != nil {
				return nil, err
			}
		case blockDSB:
			r.ngSecrets(body)
		}
	}
}

// ngPacket fills the packet from a packet block: rest is the block after
// its fixed fields (data, padding, then options for an EPB).
func (r *Reader) ngPacket(off int64, typ uint32, id, t uint64, caplen, length uint32, rest []byte) (*Packet, error) {
	if id >= uint64(len(r.ng.ifaces)) {
		return nil, r.errorf(off, ErrNoInterface,
			"a packet arrived on interface %d, but there's no Interface Description Block for that interface", id)
	}
	iface := &r.ng.ifaces[id]
	snap := iface.Snaplen
	if r.libpcap {
		snap = r.snaplen
	}
	if caplen > snap {
		return nil, r.errorf(off, ErrCaptureLength,
			"invalid packet capture length %d, bigger than snaplen of %d", caplen, snap)
	}
	if uint64(caplen) > uint64(len(rest)) {
		return nil, r.tooShort(off, typ)
	}
	conv := &r.ng.conv[id]
	pkt := &r.pkt
	pkt.Sec, pkt.Frac = conv.split(t)
	pkt.FracPerSec = conv.perSec
	pkt.Data = rest[:caplen:caplen]
	pkt.Length = int(length)
	pkt.LinkType = iface.LinkType
	pkt.Interface = int(id)
	pkt.Flags = 0
	if typ == blockEPB {
		pkt.Flags = r.epbFlags(rest, caplen)
	}
	return pkt, nil
}

// epbFlags finds the epb_flags option after the packet data. libpcap does
// not read EPB options at all, so a malformed option list must not fail
// the packet: the walk stops quietly at the first option that does not fit.
func (r *Reader) epbFlags(rest []byte, caplen uint32) uint32 {
	pad := (uint64(caplen) + 3) &^ 3
	if pad > uint64(len(rest)) {
		return 0
	}
	opts := rest[pad:]
	for len(opts) >= 4 {
		code, n := r.u16(opts), int(r.u16(opts[2:]))
		if code == optEndOfOpt {
			break
		}
		padded := (n + 3) &^ 3
		if padded > len(opts)-4 {
			break
		}
		if code == optEPBFlags && n == 4 {
			return r.u32(opts[4:])
		}
		opts = opts[4+padded:]
	}
	return 0
}

// tooShort is libpcap's error for a block too short for what it claims
// to hold.
func (r *Reader) tooShort(off int64, typ uint32) error {
	return r.errorf(off, ErrMalformed, "block of type %d in pcapng dump file is too short", typ)
}

// ngSection starts a new section at a Section Header Block after the
// first: its interfaces replace the previous section's.
func (r *Reader) ngSection(off int64, body []byte) error {
	if len(body) < shbFixedLen {
		return r.tooShort(off, blockSHB)
	}
	switch r.u32(body) {
	case byteOrderMagic:
	case swap32(byteOrderMagic):
		return r.errorf(off, ErrMismatch, "the file has sections with different byte orders")
	default:
		return r.errorf(off, ErrMalformed, "the file has a section with a bad byte order magic field")
	}
	// Only the major version is checked here, as libpcap does.
	major := r.u16(body[4:])
	if major != 1 {
		return r.errorf(off, ErrVersion, "unknown pcapng savefile major version number %d", major)
	}
	r.major, r.minor = int(major), int(r.u16(body[6:]))
	r.ng.ifaces = r.ng.ifaces[:0]
	r.ng.conv = r.ng.conv[:0]
	return nil
}

// ngInterface adds the interface an Interface Description Block describes.
// first is true for the first IDB of the file, which sets the reader's
// link type and snapshot length.
func (r *Reader) ngInterface(off int64, body []byte, first bool) error {
	if len(body) < idbFixedLen {
		return r.tooShort(off, blockIDB)
	}
	linkType := LinkType(r.u16(body))
	rawSnap := r.u32(body[4:])
	if !first && r.libpcap {
		// libpcap compares the stored link type with the first
		// interface's DLT_ value, not its LINKTYPE_ value.
		if int(linkType) != r.ng.firstDLT {
			return r.errorf(off, ErrMismatch,
				"an interface has a type %d different from the type of the first interface", linkType)
		}
		if adjustSnaplen(r.linkType, rawSnap) != r.snaplen {
			return r.errorf(off, ErrMismatch,
				"an interface has a snapshot length %d different from the snapshot length of the first interface", rawSnap)
		}
	}
	if len(r.ng.ifaces) >= maxInterfaces {
		return r.errorf(off, ErrLimit, "more than %d interfaces in the file", maxInterfaces)
	}

	iface := Interface{LinkType: linkType, Snaplen: adjustSnaplen(linkType, rawSnap)}
	conv := tsConv{res: 1e6}
	sawRes, sawOff := false, false
	opts := body[idbFixedLen:]
options:
	for len(opts) != 0 {
		if len(opts) < 4 {
			return r.tooShort(off, blockIDB)
		}
		code, n := r.u16(opts), r.u16(opts[2:])
		padded := (int(n) + 3) &^ 3
		if padded > len(opts)-4 {
			return r.tooShort(off, blockIDB)
		}
		v := opts[4 : 4+int(n)]
		opts = opts[4+padded:]
		switch code {
		case optEndOfOpt:
			if n != 0 {
				return r.errorf(off, ErrMalformed,
					"Interface Description Block has opt_endofopt option with length %d != 0", n)
			}
			break options
		case optIfName:
			iface.Name = string(v)
		case optIfTSResol:
			if n != 1 {
				return r.errorf(off, ErrMalformed,
					"Interface Description Block has if_tsresol option with length %d != 1", n)
			}
			if sawRes {
				return r.errorf(off, ErrMalformed,
					"Interface Description Block has more than one if_tsresol option")
			}
			sawRes = true
			if v[0]&0x80 != 0 {
				shift := v[0] & 0x7f
				if shift > 63 {
					return r.errorf(off, ErrMalformed,
						"Interface Description Block if_tsresol option resolution 2^-%d is too high", shift)
				}
				conv.res, conv.binary = 1<<shift, true
			} else {
				if v[0] > 19 {
					return r.errorf(off, ErrMalformed,
						"Interface Description Block if_tsresol option resolution 10^-%d is too high", v[0])
				}
				conv.res, conv.binary = 1, false
				for range v[0] {
					conv.res *= 10
				}
			}
		case optIfTSOff:
			if n != 8 {
				return r.errorf(off, ErrMalformed,
					"Interface Description Block has if_tsoffset option with length %d != 8", n)
			}
			if sawOff {
				return r.errorf(off, ErrMalformed,
					"Interface Description Block has more than one if_tsoffset option")
			}
			sawOff = true
			conv.offset = r.u64(v)
		}
	}
	conv.perSec = 1e9
	if conv.res == 1e6 && !conv.binary {
		conv.perSec = 1e6
	}
	iface.TSResolution = conv.res
	iface.TSOffset = int64(conv.offset)

	if first {
		r.linkType = linkType
		r.snaplen = iface.Snaplen
		r.ng.firstDLT = linkType.DLT()
		r.ng.maxBlock = max(r.ng.maxBlock, maxBlockFor(linkType))
	} else if !r.libpcap {
		// libpcap sizes its block limit by the first interface only; an
		// interface added later may need room for larger packets.
		r.ng.maxBlock = max(r.ng.maxBlock, maxBlockFor(linkType))
	}
	r.ng.ifaces = append(r.ng.ifaces, iface)
	r.ng.conv = append(r.ng.conv, conv)
	return nil
}

// ngSecrets keeps the secrets of a Decryption Secrets Block. libpcap
// ignores DSBs, so a malformed one is skipped rather than failing the file.
func (r *Reader) ngSecrets(body []byte) {
	if len(body) < dsbFixedLen {
		return
	}
	typ, n := r.u32(body), r.u32(body[4:])
	if uint64(n) > uint64(len(body)-dsbFixedLen) || r.ng.secretBytes+int(n) > maxSecretBytes {
		return
	}
	data := make([]byte, n)
	copy(data, body[dsbFixedLen:])
	r.ng.secretBytes += int(n)
	r.ng.secrets = append(r.ng.secrets, Secret{Type: SecretsType(typ), Data: data})
}
