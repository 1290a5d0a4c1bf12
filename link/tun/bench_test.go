//go:build linux

package tun_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/tun"
)

// BenchmarkWrite writes 1500-byte IPv4 packets (behind the 14 bytes a
// TUN does not send) that the kernel receives and drops: they are for an
// address of the namespace's link that nobody has, and the namespace
// forwards nothing. Over the offload path too, where each goes behind a
// virtio-net header in one writev.
func BenchmarkWrite(b *testing.B) {
	for _, offload := range []bool{false, true} {
		b.Run(fmt.Sprintf("offload=%v", offload), func(b *testing.B) {
			d := netns.NewTUN(b, tun.Config{Offload: offload}).Dev
			f := echoFrame(8, netns.StackAddr, netip.MustParseAddr("192.0.2.99"), 1, 1, 1500-28)
			b.SetBytes(int64(len(f) - 14))
			b.ReportAllocs()
			for b.Loop() {
				if err := d.WriteFrame(f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPingRoundTrip writes an echo request to the kernel and reads
// its reply: two system calls and the kernel's ICMP code per op.
func BenchmarkPingRoundTrip(b *testing.B) {
	for _, offload := range []bool{false, true} {
		b.Run(fmt.Sprintf("offload=%v", offload), func(b *testing.B) {
			d := netns.NewTUN(b, tun.Config{Offload: offload}).Dev
			f := echoFrame(8, netns.StackAddr, netns.KernelAddr, 1, 1, 56)
			buf := make([]byte, 1518)
			b.ReportAllocs()
			for b.Loop() {
				if err := d.WriteFrame(f); err != nil {
					b.Fatal(err)
				}
				if _, err := d.ReadFrame(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
