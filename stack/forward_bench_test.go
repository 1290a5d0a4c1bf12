package stack

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
)

// BenchmarkForwardUDPPath is BenchmarkUDPPath for a flow of any-address
// mode: receive is a datagram to a foreign address from the frame's
// input up to its flow's queue, and the flow's Read; send is the flow's
// reply, from that address, down to the device. Both should cost what a
// socket's datagram does, with no allocation.
func BenchmarkForwardUDPPath(b *testing.B) {
	for _, fam := range []struct {
		name     string
		a, b, to netip.Addr
	}{
		{"family=ipv4", addrA, addrB, netip.MustParseAddr("198.51.100.7")},
		{"family=ipv6", addrA6, addrB6, netip.MustParseAddr("2001:db8:99::7")},
	} {
		b.Run(fam.name, func(b *testing.B) {
			ea, eb := pipe.New(pipe.Config{Queue: udpPipeQueue})
			da := &sinkable{Device: ea}
			db := &sinkable{Device: eb}
			sa, err := New(da, Config{Addr: netip.PrefixFrom(addrA, 24), Addrs: []netip.Prefix{netip.PrefixFrom(addrA6, 64)},
				Rand: SeededRand(1), NoGratuitousARP: true})
			if err != nil {
				b.Fatal(err)
			}
			defer sa.Close()
			sb, err := New(db, Config{Addr: netip.PrefixFrom(addrB, 24), Addrs: []netip.Prefix{netip.PrefixFrom(addrB6, 64)},
				Rand: SeededRand(2), NoGratuitousARP: true, Gateway: addrA, Gateway6: addrA6})
			if err != nil {
				b.Fatal(err)
			}
			defer sb.Close()
			l, err := sa.ListenAnyUDP(AnyUDPOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			// Both neighbours resolved, over the real pipe.
			if _, err := sb.Ping(context.Background(), fam.a, 8); err != nil {
				b.Fatal(err)
			}
			if _, err := sa.Ping(context.Background(), fam.b, 8); err != nil {
				b.Fatal(err)
			}
			tx, err := sb.DialUDP(netip.AddrPort{}, netip.AddrPortFrom(fam.to, 53))
			if err != nil {
				b.Fatal(err)
			}
			payload := make([]byte, 64)
			buf := make([]byte, 2048)
			if _, err := tx.Write(payload); err != nil {
				b.Fatal(err)
			}
			l.SetDeadline(time.Now().Add(time.Minute))
			f, err := l.Accept()
			if err != nil {
				b.Fatal(err)
			}
			f.SetReadDeadline(time.Now().Add(time.Minute))
			if _, err := f.Read(buf); err != nil {
				b.Fatal(err)
			}
			da.sink.Store(true)
			db.sink.Store(true)
			if _, err := tx.Write(payload); err != nil {
				b.Fatal(err)
			}
			db.mu.Lock()
			frame := append([]byte(nil), db.last...)
			db.mu.Unlock()
			b.Run("half=receive", func(b *testing.B) {
				in := make([]byte, len(frame))
				now := sa.clock.Now()
				b.ReportAllocs()
				for b.Loop() {
					copy(in, frame)
					sa.inputAt(in, link.RxOffload{}, now)
					if _, err := f.Read(buf); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("half=send", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := f.Write(payload); err != nil {
						b.Fatal(err)
					}
				}
			})
			da.mu.Lock()
			sent := append([]byte(nil), da.last...)
			da.mu.Unlock()
			if len(sent) == 0 {
				b.Fatal("the flow sent nothing")
			}
		})
	}
}
