package stack

import (
	"sync"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
)

// bufferPools hold the buffers frames are built in: small ones that fit a
// frame of the device's MTU, and large ones for datagrams up to IPv4's
// limit, which are fragmented. Pooling *[]byte keeps Get and Put free of
// allocations.
type bufferPools struct {
	smallSize int
	small     sync.Pool
	large     sync.Pool
}

// largeSize holds the biggest IPv4 datagram behind an Ethernet header.
const largeSize = ethernet.HeaderLen + ipv4.MaxTotalLen

func (p *bufferPools) init(mtu int) {
	p.smallSize = ethernet.HeaderLen + mtu
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

// put returns a buffer got from get.
func (p *bufferPools) put(b *[]byte) {
	if len(*b) == p.smallSize {
		p.small.Put(b)
	} else {
		p.large.Put(b)
	}
}
