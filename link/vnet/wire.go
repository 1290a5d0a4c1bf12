package vnet

import (
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// WireFrames calls emit with the wire-size frames that frame, an
// Ethernet frame as a device with offloads passed it (off: what the
// device said of it, or what the sender asked of it), stands for: the
// frame as it is when nothing is vouched for; a TCP super-frame's
// segments, cut as a NIC cuts them; a TCP segment with its checksum made
// whole. A recorder uses it to show what the wire carries whatever path
// the frame took. The frames emit sees are valid only during the call;
// they are built in scratch, which WireFrames returns, grown if it was
// short. A frame that cannot be cut or completed is emitted as it came,
// and the error says why.
func WireFrames(frame []byte, off link.RxOffload, scratch []byte, emit func([]byte)) ([]byte, error) {
	if !off.ChecksumValid {
		emit(frame)
		return scratch, nil
	}
	netOff := ethernet.HeaderLen
	if len(frame) >= ethernet.HeaderLen && ethernet.Frame(frame).Type() == ethernet.TypeVLAN {
		netOff += ethernet.TagLen
	}
	if off.SegmentSize == 0 {
		scratch = grow(scratch, len(frame))
		seg := scratch[:copy(scratch, frame)]
		if err := SetTCPChecksum(seg, netOff); err != nil {
			emit(frame)
			return scratch, err
		}
		emit(seg)
		return scratch, nil
	}
	v6 := len(frame) > netOff && frame[netOff]>>4 == 6
	cut, err := SegmenterFor(frame, link.GSO{IPv6: v6, NetworkOff: netOff, SegmentSize: off.SegmentSize})
	if err != nil {
		emit(frame)
		return scratch, err
	}
	scratch = grow(scratch, cut.HeadersLen()+off.SegmentSize)
	for i := range cut.N() {
		n, _ := cut.Segment(i, scratch) // scratch holds any segment
		emit(scratch[:n])
	}
	return scratch, nil
}

// grow returns b, or a buffer of n bytes when b is shorter.
func grow(b []byte, n int) []byte {
	if len(b) < n {
		return make([]byte, n)
	}
	return b
}
