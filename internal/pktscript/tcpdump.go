package pktscript

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/medina-net/medina/tcp"
)

// Tcpdump prints a segment the side under test sent, from src to dst, the
// way tcpdump does (with relative sequence numbers, as tcpdump shows them
// after the SYN), for failure messages: s is the segment as Describe gave
// it.
func Tcpdump(h tcp.Header, src, dst netip.Addr, s *Segment) string {
	var b strings.Builder
	ip := "IP"
	if src.Is6() {
		ip = "IP6"
	}
	fmt.Fprintf(&b, "%s %s.%d > %s.%d: Flags [%s], seq %d",
		ip, src, h.SrcPort(), dst, h.DstPort(), h.Flags(), s.Seq.V)
	if s.Len > 0 {
		fmt.Fprintf(&b, ":%d", s.Seq.V+uint32(s.Len))
	}
	if s.Flags&tcp.FlagACK != 0 {
		fmt.Fprintf(&b, ", ack %d", s.Ack.V)
	}
	fmt.Fprintf(&b, ", win %d", s.Win.V)
	if len(s.Opts) > 0 {
		b.WriteString(", options [")
		for i, o := range s.Opts {
			if i > 0 {
				b.WriteByte(',')
			}
			if o.Kind == tcp.OptSACK {
				fmt.Fprintf(&b, "sack %d ", len(o.Blocks))
				for _, blk := range o.Blocks {
					fmt.Fprintf(&b, "{%d:%d}", blk[0].V, blk[1].V)
				}
				continue
			}
			b.WriteString(o.String())
		}
		b.WriteString("]")
	}
	fmt.Fprintf(&b, ", length %d", s.Len)
	return b.String()
}
