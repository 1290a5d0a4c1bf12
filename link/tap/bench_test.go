//go:build linux

package tap_test

import (
	"fmt"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/tap"
)

// BenchmarkARPRoundTrip writes an ARP request to the kernel and reads its
// reply: two system calls and the kernel's ARP code per op.
func BenchmarkARPRoundTrip(b *testing.B) {
	tp := netns.NewTAP(b, tap.Config{})
	d := tp.Dev
	req := arpFrame(1, ethernet.Broadcast, d.HardwareAddr(), netns.StackAddr, ethernet.Addr{}, netns.KernelAddr)
	buf := make([]byte, 1518)
	b.ReportAllocs()
	for b.Loop() {
		if err := d.WriteFrame(req); err != nil {
			b.Fatal(err)
		}
		if _, err := d.ReadFrame(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrite writes 1514-byte frames that the kernel receives and
// drops (they are addressed to nobody).
// Over the offload path too (offload=true), where each frame goes behind
// a virtio-net header in one writev.
func BenchmarkWrite(b *testing.B) {
	for _, offload := range []bool{false, true} {
		b.Run(fmt.Sprintf("offload=%v", offload), func(b *testing.B) { benchWrite(b, tap.Config{Offload: offload}) })
	}
}

func benchWrite(b *testing.B, cfg tap.Config) {
	tp := netns.NewTAP(b, cfg)
	d := tp.Dev
	f := make([]byte, 1514)
	ethernet.Encode(f, ethernet.Addr{0x02, 0, 0, 0, 0, 0x99}, d.HardwareAddr(), ethernet.TypeIPv4)
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.WriteFrame(f); err != nil {
			b.Fatal(err)
		}
	}
}
