package stack

import (
	"net/netip"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/bufpool"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/vnet"
	"github.com/medina-net/medina/neigh"
	"github.com/medina-net/medina/tcp"
)

// TCP segmentation offload. When the device takes TCP super-frames
// (link.GSOWriter: a TAP with virtio-net headers), the TCP engine hands
// the stack super-segments of up to 64 KiB (tcp.GSONetwork), and the
// stack sends each as one frame: one trip through IP, the neighbour
// table and the device, one system call, for what would have been forty
// segments. The device (the kernel behind it) cuts it up. A super-segment
// whose neighbour is not resolved yet is cut here, in software, and its
// segments go the ordinary way, queued for the neighbour as any packet.

// maxTCPHeader is the longest TCP header, options included.
const maxTCPHeader = 60

// GSOMax is the most payload a super-segment to dst may carry: what fits
// the device's largest super-frame, a buffer of the stack's pools and
// IP's 16-bit length, behind the longest headers. 0 when the device
// takes no super-frames.
func (n tcpNetwork) GSOMax(dst netip.Addr) int {
	s := n.s
	if s.gsoDev == nil {
		return 0
	}
	ipLen := ipv4.MinHeaderLen
	if dst.Is6() {
		ipLen = ipv6.HeaderLen
	}
	frame := min(s.gsoDev.MaxGSO(), bufpool.MaxSize, ethernet.HeaderLen+ipLen+0xffff)
	return max(frame-ethernet.HeaderLen-ipLen-maxTCPHeader, 0)
}

// outputTCPSuper sends the TCP super-segment whose IP packet, header
// filled in, is (*bp)[ethernet.HeaderLen:][:n]; mss is the payload of
// each segment it stands for. The caller keeps bp.
func (s *Stack) outputTCPSuper(bp *[]byte, n int, v6 bool, mss int, now time.Time) error {
	buf := *bp
	pkt := buf[ethernet.HeaderLen : ethernet.HeaderLen+n]
	if now.IsZero() {
		now = s.clock.Now()
	}
	ipLen := ipv4.MinHeaderLen
	typ := ethernet.TypeIPv4
	var mac ethernet.Addr
	resolved := s.layer3 // nothing to resolve on a layer-3 link
	if v6 {
		ipLen, typ = ipv6.HeaderLen, ethernet.TypeIPv6
		hop, err := s.addrs().nextHop6(ipv6.Header(pkt).Dst())
		if err != nil {
			s.ctr.ip6.outNoRoutes.Add(1)
			return err
		}
		if nt := s.nd6(); nt != nil && !hop.IsMulticast() && !resolved {
			mac, resolved = resolvedNeighbour(nt, hop.Netip(), now)
			s.neigh6Timer.arm(nt.Deadline())
		}
	} else {
		hop, err := s.nextHop(ipv4.Header(pkt).Dst())
		if err != nil {
			s.ctr.ip.outNoRoutes.Add(1)
			return err
		}
		if !resolved {
			mac, resolved = resolvedNeighbour(s.neigh.Table(), hop.Netip(), now)
			s.neighTimer.arm(s.neigh.Deadline())
		}
	}
	tOff := ipLen
	hdrEnd := tOff + tcp.Header(pkt[tOff:]).DataOffset()
	segs := (n - hdrEnd + mss - 1) / mss
	if resolved && s.gsoDev != nil && ethernet.HeaderLen+n <= s.gsoDev.MaxGSO() {
		frame := buf[:ethernet.HeaderLen+n]
		f := ethernet.Frame(frame)
		f.SetDst(mac)
		f.SetSrc(s.mac)
		f.SetType(typ)
		gso := link.GSO{IPv6: v6, NetworkOff: ethernet.HeaderLen, TransportOff: ethernet.HeaderLen + tOff,
			HeaderLen: ethernet.HeaderLen + hdrEnd, SegmentSize: mss}
		if s.capture.on() {
			s.captureSegments(now, frame, gso, true)
		}
		if err := s.gsoDev.WriteGSO(frame, gso); err != nil {
			s.ctr.link.outErrors.Add(1)
			return err
		}
		s.ctr.link.outFrames.Add(1)
		s.ctr.link.outSuperFrames.Add(1)
		s.countSuper(v6, segs)
		return nil
	}
	s.ctr.link.outSuperCut.Add(1)
	return s.cutTCPSuper(pkt, v6, mss, now)
}

// resolvedNeighbour returns ip's link-layer address if the table has one
// to send to now, counting the use as a send does (a STALE entry goes to
// DELAY); an unresolved neighbour is left alone, for the ordinary path
// to resolve.
func resolvedNeighbour(t *neigh.Table, ip netip.Addr, now time.Time) (ethernet.Addr, bool) {
	if e, ok := t.Lookup(ip); !ok || e.State == neigh.StateIncomplete {
		return ethernet.Addr{}, false
	}
	r := t.Resolve(ip, nil, now)
	return r.LinkAddr, r.OK
}

// countSuper counts a super-segment sent whole as the segments it stands
// for, as they would have been counted one by one.
func (s *Stack) countSuper(v6 bool, segs int) {
	if v6 {
		s.ctr.ip6.outRequests.Add(uint64(segs))
		return
	}
	s.ctr.ip.outRequests.Add(uint64(segs))
}

// cutTCPSuper cuts the super-segment pkt (an IP packet) into its segments
// in software and sends each the ordinary way.
func (s *Stack) cutTCPSuper(pkt []byte, v6 bool, mss int, now time.Time) error {
	cut, err := vnet.SegmenterFor(pkt, link.GSO{IPv6: v6, SegmentSize: mss})
	if err != nil {
		return err
	}
	for i := range cut.N() {
		k := cut.SegmentLen(i)
		bp := s.bufs.get(ethernet.HeaderLen + k)
		if _, err := cut.Segment(i, (*bp)[ethernet.HeaderLen:ethernet.HeaderLen+k]); err != nil {
			s.bufs.put(bp)
			return err
		}
		if v6 {
			err = s.output6(bp, k, now)
		} else {
			err = s.outputAt(bp, k, now)
		}
		s.bufs.put(bp)
		if err != nil {
			return err
		}
	}
	return nil
}
