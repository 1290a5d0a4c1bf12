package tcpstream

import (
	"fmt"
	"time"

	"github.com/medina-net/medina/internal/decap"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

// AddFrame hands the Assembler the TCP segment a captured frame carries:
// the frame is taken apart (Ethernet with VLAN tags, Linux cooked, BSD
// loopback or raw IP; then IPv4 or IPv6) and the segment given to
// AddTruncated with its length on the wire as the IP header says, so
// that bytes the capture cut are reported as a gap. It reports whether it
// added a segment: false and no error for a frame that carries none (not
// TCP, or a fragment after the first), and an error for a segment whose
// TCP header is malformed or cut short, which is left out.
func (a *Assembler) AddFrame(lt pcap.LinkType, frame []byte, ts time.Time) (bool, error) {
	seg, ok := decap.TCP(lt, frame)
	if !ok {
		return false, nil
	}
	h, err := tcp.NewHeader(seg.TCP)
	if err == nil {
		err = h.Validate()
	}
	if err != nil {
		return false, fmt.Errorf("tcpstream: segment %v > %v: %w", seg.Src, seg.Dst, err)
	}
	a.AddTruncated(seg.Src, seg.Dst, h, seg.Length, ts)
	return true, nil
}
