package ipv4

import (
	"errors"
	"fmt"
	"io"
)

// MinFragmentMTU is the smallest MTU Fragment works with: RFC 791's 68
// octets, which every module must forward unfragmented, and which holds
// the largest header (60 bytes) and one 8-byte block of data.
const MinFragmentMTU = 68

var (
	// ErrDontFragment: the datagram is larger than the MTU and has DF
	// set. The caller drops it and sends ICMP fragmentation needed (RFC
	// 1191) with the MTU. Fragment returns it unwrapped, without
	// allocating, since path MTU discovery makes it common.
	ErrDontFragment = errors.New("ipv4: datagram exceeds MTU and DF is set")
	// ErrMTUTooSmall: the MTU is below MinFragmentMTU.
	ErrMTUTooSmall = errors.New("ipv4: MTU too small to fragment")
)

// Fragment sends datagram (a whole IPv4 datagram, header first, whose
// header the caller trusts) over a link of the given MTU. If it fits, emit
// is called once with it. Otherwise it is split into fragments of at most
// mtu bytes (RFC 791 section 3.2): each fragment's payload is a multiple
// of 8 bytes but the last's, the first fragment carries all the options,
// the others only those whose copied bit is set (padded to a multiple of 4
// with end-of-list bytes), and every header gets its length, MF flag,
// offset and checksum. A datagram that is itself a fragment is split
// further: offsets count from its own, and its last piece keeps its MF.
//
// Each fragment is built in scratch, which must hold mtu bytes, and emit
// is called with it; the slice is valid only during the call. An error
// from emit stops Fragment and is returned. Fragment returns
// ErrDontFragment for a datagram that does not fit and has DF set,
// ErrMTUTooSmall for an MTU below 68, ErrTruncated (wrapped) for a short
// scratch buffer or datagram, and an option error for malformed options,
// before emitting anything.
func Fragment(datagram []byte, mtu int, scratch []byte, emit func(frag []byte) error) error {
	if len(datagram) < MinHeaderLen {
		return fmt.Errorf("%w: %d bytes, header needs %d", ErrTruncated, len(datagram), MinHeaderLen)
	}
	h := Header(datagram)
	hl, tl := h.HeaderLen(), int(h.TotalLen())
	switch {
	case hl < MinHeaderLen:
		return fmt.Errorf("%w: IHL %d", ErrBadHeaderLength, h.IHL())
	case tl < hl:
		return fmt.Errorf("%w: total length %d < header length %d", ErrBadTotalLength, tl, hl)
	case tl > len(datagram):
		return fmt.Errorf("%w: total length %d > %d bytes", ErrTruncated, tl, len(datagram))
	case tl <= mtu:
		return emit(datagram[:tl])
	case h.DF():
		return ErrDontFragment
	case mtu < MinFragmentMTU:
		return fmt.Errorf("%w: %d < %d", ErrMTUTooSmall, mtu, MinFragmentMTU)
	case len(scratch) < mtu:
		return fmt.Errorf("%w: scratch buffer of %d bytes for MTU %d", ErrTruncated, len(scratch), mtu)
	}

	// The header of the later fragments: the fixed part and the copied
	// options.
	copied, err := copiedOptions(h.Options(), nil)
	if err != nil {
		return err
	}
	hl2 := MinHeaderLen + (copied+3)&^3

	payload := datagram[hl:tl]
	base, lastMF := h.FragOffset(), h.MF()

	// The first fragment: the whole header.
	n := (mtu - hl) &^ 7
	copy(scratch, datagram[:hl])
	copy(scratch[hl:], payload[:n])
	if err := emit(finishFragment(scratch[:hl+n], base, true)); err != nil {
		return err
	}

	copy(scratch, datagram[:MinHeaderLen])
	scratch[verIHLOff] = Version<<4 | uint8(hl2/4)
	copiedOptions(h.Options(), scratch[MinHeaderLen:])
	clear(scratch[MinHeaderLen+copied : hl2])
	step := (mtu - hl2) &^ 7
	for off := n; off < len(payload); off += n {
		n = min(step, len(payload)-off)
		last := off+n == len(payload)
		copy(scratch[hl2:], payload[off:off+n])
		if err := emit(finishFragment(scratch[:hl2+n], base+off, !last || lastMF)); err != nil {
			return err
		}
	}
	return nil
}

// finishFragment sets the length, MF flag, offset and checksum of the
// fragment in b and returns it.
func finishFragment(b []byte, off int, mf bool) []byte {
	h := Header(b)
	h.SetTotalLen(uint16(len(b)))
	f := h.Flags() &^ FlagMF
	if mf {
		f |= FlagMF
	}
	h.SetFlags(f)
	h.SetFragOffset(off)
	h.FillChecksum()
	return b
}

// copiedOptions walks the options and returns the length of those whose
// copied bit is set; when dst is not nil, it copies them there too.
func copiedOptions(opts []byte, dst []byte) (int, error) {
	it := NewOptionIter(opts)
	n := 0
	for {
		o, err := it.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		if o.Kind.Copied() {
			if dst != nil {
				copy(dst[n:], o.Bytes)
			}
			n += len(o.Bytes)
		}
	}
}
