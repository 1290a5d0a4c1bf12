package stack

import (
	"sync"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
)

// bufferPools hold the buffers frames are built in: small ones that fit a
// frame of the device's MTU, and large ones for datagrams up to IPv4's
// limit and packets up to IPv6's (a 65535-byte payload behind the 40-byte
// header), which are fragmented. Pooling *[]byte keeps Get and Put free of
// allocations.
type bufferPools struct {
	smallSize int
	small     sync.Pool
	large     sync.Pool
}

// largeSize holds the biggest IPv4 datagram or IPv6 packet (not a
// jumbogram) behind an Ethernet header.
const largeSize = ethernet.HeaderLen + max(ipv4.MaxTotalLen, ipv6.HeaderLen+ipv6.MaxPayloadLen)

// init sizes the small buffers to frameLen, link.FrameLen of the device:
// the size a link.Swapper exchanges, so that the stack's buffers and the
// device's can take each other's places.
func (p *bufferPools) init(frameLen int) {
	p.smallSize = frameLen
	p.small.New = func() any { b := make([]byte, p.smallSize); return &b }
	p.large.New = func() any { b := make([]byte, largeSize); return &b }
}

// get returns a buffer of at least n bytes.
func (p *bufferPools) get(n int) *[]byte {
	if n <= p.smallSize {
		return p.small.Get().(*[]byte)
	}
	return p.large.Get().(*[]byte)
}

// put returns a buffer got from get (or exchanged for one by a
// link.Swapper).
func (p *bufferPools) put(b *[]byte) {
	*b = (*b)[:cap(*b)]
	if len(*b) == p.smallSize {
		p.small.Put(b)
	} else {
		p.large.Put(b)
	}
}
