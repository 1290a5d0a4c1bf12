package live

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/bpf"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/pcap"
)

// captured is a packet copied out of the ring.
type captured struct {
	data   []byte
	length int
	flags  uint32
	ts     time.Time
}

// capture opens a capture in v's namespace A with cfg, attaches prog (nil
// for none), runs traffic, then reads until want says it has seen enough
// or five seconds pass.
func capture(t *testing.T, v *netns.Veth, cfg Config, prog []bpf.RawInstruction, traffic func(), want func([]captured) bool) (*Handle, []captured) {
	t.Helper()
	var h *Handle
	err := v.A.Do(func() (err error) {
		h, err = Open(cfg)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	if err := h.SetFilter(prog); err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(5*time.Second, h.Break)
	defer timer.Stop()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); traffic() }()
	defer wg.Wait()
	var got []captured
	for !want(got) {
		p, err := h.Next()
		if errors.Is(err, ErrBreak) {
			t.Logf("gave up waiting after %d packets", len(got))
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, captured{append([]byte(nil), p.Data...), p.Length, p.Flags, p.Time()})
	}
	return h, got
}

// ping pings to from ns, count times, quickly.
func ping(t *testing.T, ns *netns.Namespace, to string, count string) func() {
	return func() {
		if _, err := netns.RunIn(ns, "ping", "-c", count, "-i", "0.2", "-W", "2", to); err != nil {
			t.Error(err)
		}
	}
}

// icmpTypes counts the ICMP echo requests and replies among frames whose
// IPv4 header starts at off.
func icmpTypes(pkts []captured, off int) (requests, replies int) {
	for _, p := range pkts {
		b := p.data
		if len(b) < off+21 || b[off]>>4 != 4 || b[off+9] != 1 {
			continue
		}
		switch b[off+int(b[off]&0xf)*4] {
		case 8:
			requests++
		case 0:
			replies++
		}
	}
	return
}

func needPing(t *testing.T) {
	netns.NeedTools(t, "ping", "ip")
}

// TestEthernetCapture captures pings over a veth: Ethernet frames, whole,
// with nanosecond times of today and the direction in the flags, and the
// counts the kernel keeps.
func TestEthernetCapture(t *testing.T) {
	needPing(t)
	v := netns.NewVeth(t)
	before := time.Now()
	h, pkts := capture(t, v, Config{Interface: v.NameA, Promiscuous: true}, nil,
		ping(t, v.B, v.AddrA.String(), "3"),
		func(p []captured) bool { q, r := icmpTypes(p, 14); return q >= 3 && r >= 3 })
	if h.LinkType() != pcap.LinkTypeEthernet || h.Snaplen() != pcap.MaxSnaplen {
		t.Errorf("link type %v, snaplen %d", h.LinkType(), h.Snaplen())
	}
	if !h.KernelFilter() {
		t.Errorf("the snapshot-length program is not in the kernel")
	}
	if !h.VLANExtensions() {
		t.Errorf("the kernel offers no VLAN extensions to BPF (Linux has since 3.14)")
	}
	q, r := icmpTypes(pkts, 14)
	if q != 3 || r != 3 {
		t.Fatalf("%d requests, %d replies in %d packets", q, r, len(pkts))
	}
	for _, p := range pkts {
		if len(p.data) != p.length || len(p.data) < 42 {
			t.Errorf("captured %d of %d bytes", len(p.data), p.length)
		}
		if p.ts.Before(before.Add(-time.Second)) || p.ts.After(time.Now().Add(time.Second)) {
			t.Errorf("timestamp %v", p.ts)
		}
		dir := pcap.Direction(p.flags & 3)
		typ := binary.BigEndian.Uint16(p.data[12:])
		if typ == 0x0800 && p.data[14+9] == 1 {
			icmp := p.data[14+20]
			if (icmp == 8) != (dir == pcap.DirectionInbound) {
				t.Errorf("ICMP type %d with direction %d", icmp, dir)
			}
		}
	}
	st, err := h.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Received < uint64(len(pkts)) || st.Dropped != 0 {
		t.Errorf("stats %+v after %d packets", st, len(pkts))
	}
}

// TestFilterInKernel attaches "icmp[icmptype] == icmp-echo" as libpcap
// compiles it for Ethernet: nothing else reaches the ring, so the kernel
// counts only the requests.
func TestFilterInKernel(t *testing.T) {
	needPing(t)
	v := netns.NewVeth(t)
	prog, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 12, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 0x0800, SkipTrue: 8},
		bpf.LoadAbsolute{Off: 23, Size: 1},
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 1, SkipTrue: 6},
		bpf.LoadAbsolute{Off: 20, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 0x1fff, SkipTrue: 4},
		bpf.LoadMemShift{Off: 14},
		bpf.LoadIndirect{Off: 14, Size: 1},
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 8, SkipTrue: 1},
		bpf.RetConstant{Val: 262144},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	h, pkts := capture(t, v, Config{Interface: v.NameA}, prog,
		ping(t, v.B, v.AddrA.String(), "3"),
		func(p []captured) bool { return len(p) >= 3 })
	time.Sleep(1500 * time.Millisecond) // replies would be in the ring by now
	q, r := icmpTypes(pkts, 14)
	if q != 3 || r != 0 || len(pkts) != 3 || !h.KernelFilter() {
		t.Errorf("%d requests, %d replies, %d packets; kernel filter %v", q, r, len(pkts), h.KernelFilter())
	}
	if st, _ := h.Stats(); st.Received != 3 {
		t.Errorf("received by filter %d, want 3", st.Received)
	}
}

// sll2ICMPProgram is "icmp" for LINUX_SLL2 as libpcap compiles it: the
// protocol at offset 0, the IPv4 protocol at 20+9. With extra it also
// tests the hardware address length (offset 11), which the kernel cannot
// give.
func sll2ICMPProgram(t *testing.T, extra bool) []bpf.RawInstruction {
	ins := []bpf.Instruction{
		bpf.LoadAbsolute{Off: 0, Size: 2},
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 0x0800, SkipTrue: 3},
		bpf.LoadAbsolute{Off: 29, Size: 1},
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 1, SkipTrue: 1},
		bpf.RetConstant{Val: 262144},
		bpf.RetConstant{Val: 0},
	}
	if extra {
		ins = append([]bpf.Instruction{
			bpf.LoadAbsolute{Off: 11, Size: 1},
			bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 6, SkipTrue: 5},
		}, ins...)
	}
	prog, err := bpf.Assemble(ins)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// TestAnyDevice captures on "any": LINUX_SLL2 headers built as libpcap
// builds them, a filter compiled for them adapted to the kernel, or run in
// user space when it reads what the kernel cannot give, and -Q in.
func TestAnyDevice(t *testing.T) {
	needPing(t)
	for _, tc := range []struct {
		name   string
		extra  bool
		dir    Direction
		kernel bool
		q, r   int
	}{
		{"kernel", false, InOut, true, 3, 3},
		{"user", true, InOut, false, 3, 3},
		{"in", false, In, true, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := netns.NewVeth(t)
			var ifindex int
			v.A.Do(func() error {
				ifc, err := net.InterfaceByName(v.NameA)
				if err != nil {
					t.Fatal(err)
				}
				ifindex = ifc.Index
				return nil
			})
			h, pkts := capture(t, v, Config{Interface: "any", Direction: tc.dir}, sll2ICMPProgram(t, tc.extra),
				ping(t, v.B, v.AddrA.String(), "3"),
				func(p []captured) bool { q, r := icmpTypes(p, 20); return q >= tc.q && r >= tc.r })
			if h.LinkType() != pcap.LinkTypeLinuxSLL2 || h.KernelFilter() != tc.kernel {
				t.Errorf("link type %v, kernel filter %v", h.LinkType(), h.KernelFilter())
			}
			if q, r := icmpTypes(pkts, 20); q != tc.q || r != tc.r || len(pkts) != q+r {
				t.Errorf("%d requests, %d replies in %d packets", q, r, len(pkts))
			}
			for _, p := range pkts {
				b := p.data
				if len(b) != p.length || binary.BigEndian.Uint16(b[0:]) != 0x0800 || binary.BigEndian.Uint16(b[2:]) != 0 ||
					int(binary.BigEndian.Uint32(b[4:])) != ifindex || binary.BigEndian.Uint16(b[8:]) != 1 || b[11] != 6 {
					t.Errorf("SLL2 header % x (ifindex %d)", b[:20], ifindex)
				}
				if out := b[10] == packetOutgoing; out != (b[20+20] == 0) {
					t.Errorf("packet type %d for ICMP type %d", b[10], b[40])
				}
			}
		})
	}
}

// vlanFrame is a broadcast UDP datagram to port 9 in an 802.1Q tag with
// VLAN ID vid, from the MAC address src.
func vlanFrame(src net.HardwareAddr, vid uint16) []byte {
	f := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	f = append(f, src...)
	f = binary.BigEndian.AppendUint16(f, 0x8100)
	f = binary.BigEndian.AppendUint16(f, vid)
	f = binary.BigEndian.AppendUint16(f, 0x0800)
	ip := []byte{0x45, 0, 0, 29, 0, 1, 0, 0, 64, 17, 0, 0, 198, 51, 100, 2, 198, 51, 100, 255}
	var sum uint32
	for i := 0; i < len(ip); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	f = append(f, ip...)
	return append(f, 0x30, 0x39, 0, 9, 0, 9, 0, 0, 'x')
}

// TestVLANTagPutBack sends 802.1Q-tagged frames over the veth: the
// receiving kernel takes the tag off before the capture sees the frame,
// and the capture puts it back where it was, as libpcap does.
func TestVLANTagPutBack(t *testing.T) {
	v := netns.NewVeth(t)
	var mac net.HardwareAddr
	v.B.Do(func() error {
		ifc, err := net.InterfaceByName(v.NameB)
		if err != nil {
			t.Fatal(err)
		}
		mac = ifc.HardwareAddr
		return nil
	})
	want := vlanFrame(mac, 0x2005) // priority 1, VLAN 5
	tagged := func(p []captured) int {
		n := 0
		for _, c := range p {
			if bytes.Equal(c.data, want) && c.length == len(want) {
				n++
			}
		}
		return n
	}
	_, pkts := capture(t, v, Config{Interface: v.NameA}, nil,
		func() {
			if err := v.B.SendFrames(v.NameB, want, want); err != nil {
				t.Error(err)
			}
		},
		func(p []captured) bool { return tagged(p) >= 2 })
	if n := tagged(pkts); n != 2 {
		for _, p := range pkts {
			t.Logf("% x", p.data)
		}
		t.Errorf("%d of the tagged frames came back as sent", n)
	}
}

// TestBreak wakes a Next waiting on a quiet interface.
func TestBreak(t *testing.T) {
	v := netns.NewVeth(t)
	var h *Handle
	if err := v.A.Do(func() (err error) { h, err = Open(Config{Interface: v.NameA}); return err }); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// Nothing is sent, but the kernel may: take the filter that rejects
	// everything.
	if err := h.SetFilter([]bpf.RawInstruction{{Op: 0x06, K: 0}}); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, h.Break)
	start := time.Now()
	if _, err := h.Next(); !errors.Is(err, ErrBreak) {
		t.Fatalf("Next: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Break took %v", d)
	}
	// A Break before Next makes the next call return at once; the one
	// after waits again.
	h.Break()
	if _, err := h.Next(); !errors.Is(err, ErrBreak) {
		t.Fatalf("Next after Break: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Next(); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: %v", err)
	}
}

// TestOpenErrors checks the errors tcpdump words: no such device, a device
// that is down, a name too long.
func TestOpenErrors(t *testing.T) {
	v := netns.NewVeth(t)
	v.A.IP(t, "link", "add", "down0", "type", "veth", "peer", "name", "down1")
	for _, tc := range []struct {
		dev  string
		kind error
		msg  string
	}{
		{"nosuch", ErrNoSuchDevice, "nosuch: No such device exists\n(No such device exists)"},
		{"abcdefghijklmnopq", ErrNoSuchDevice, "abcdefghijklmnopq: No such device exists\n(No such device exists)"},
		{"down0", ErrNotUp, "down0: That device is not up"},
	} {
		var err error
		v.A.Do(func() error {
			var h *Handle
			if h, err = Open(Config{Interface: tc.dev}); err == nil {
				err = h.Start()
				h.Close()
			}
			return nil
		})
		if !errors.Is(err, tc.kind) || err.Error() != tc.msg {
			t.Errorf("%s: %q (%v), want %q", tc.dev, err, err, tc.msg)
		}
	}
}
