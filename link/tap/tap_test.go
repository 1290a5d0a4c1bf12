//go:build linux

package tap_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/link/tap"
)

// arpFrame builds an Ethernet ARP frame (padded to 60 bytes).
func arpFrame(op uint16, dst, sha ethernet.Addr, spa netip.Addr, tha ethernet.Addr, tpa netip.Addr) []byte {
	f := make([]byte, ethernet.MinFrameLen)
	ethernet.Encode(f, dst, sha, ethernet.TypeARP)
	a := f[ethernet.HeaderLen:]
	binary.BigEndian.PutUint16(a[0:], 1)      // Ethernet
	binary.BigEndian.PutUint16(a[2:], 0x0800) // IPv4
	a[4], a[5] = 6, 4
	binary.BigEndian.PutUint16(a[6:], op)
	copy(a[8:], sha[:])
	copy(a[14:], spa.AsSlice())
	copy(a[18:], tha[:])
	copy(a[24:], tpa.AsSlice())
	return f
}

// arp is the part of an ARP packet the tests look at.
type arp struct {
	op       uint16
	sha, tha ethernet.Addr
	spa, tpa netip.Addr
}

func parseARP(f []byte) (arp, bool) {
	if len(f) < ethernet.HeaderLen+28 || ethernet.Frame(f).Type() != ethernet.TypeARP {
		return arp{}, false
	}
	a := f[ethernet.HeaderLen:]
	var p arp
	p.op = binary.BigEndian.Uint16(a[6:])
	copy(p.sha[:], a[8:14])
	p.spa = netip.AddrFrom4([4]byte(a[14:18]))
	copy(p.tha[:], a[18:24])
	p.tpa = netip.AddrFrom4([4]byte(a[24:28]))
	return p, true
}

func TestBadNames(t *testing.T) {
	for _, name := range []string{"abcdefghijklmnop", "a/b", "a b", "a:1", ".", "..", "x%d%d", "x%s"} {
		if _, err := tap.Open(tap.Config{Name: name}); !errors.Is(err, tap.ErrName) {
			t.Errorf("Open(%q): %v, want ErrName", name, err)
		}
	}
}

func TestRandomAddr(t *testing.T) {
	seen := map[ethernet.Addr]bool{}
	for range 100 {
		a := tap.RandomAddr()
		if a.IsMulticast() || a[0]&0x02 == 0 {
			t.Fatalf("RandomAddr = %v: want unicast, locally administered", a)
		}
		seen[a] = true
	}
	if len(seen) < 100 {
		t.Errorf("100 random addresses, %d distinct", len(seen))
	}
}

func TestOpenDefaults(t *testing.T) {
	netns.Available(t)
	d, err := tap.Open(tap.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !strings.HasPrefix(d.Name(), "tap") {
		t.Errorf("Name = %q, want tapN", d.Name())
	}
	if d.MTU() != 1500 || netns.Sysfs(d.Name(), "mtu") != "1500" {
		t.Errorf("MTU = %d, interface's %s; want 1500", d.MTU(), netns.Sysfs(d.Name(), "mtu"))
	}
	a, k := d.HardwareAddr(), d.KernelAddr()
	if a.IsMulticast() || a[0]&2 == 0 {
		t.Errorf("HardwareAddr = %v, want unicast, locally administered", a)
	}
	if k.String() != netns.Sysfs(d.Name(), "address") || k == a {
		t.Errorf("KernelAddr = %v, the interface has %s, ours is %v", k, netns.Sysfs(d.Name(), "address"), a)
	}

	// A pattern, an address and an MTU of our choosing.
	mine := ethernet.Addr{0x02, 0x6d, 0x65, 0x64, 0, 1}
	e, err := tap.Open(tap.Config{Name: "mdn%d", MTU: 9000, HardwareAddr: mine})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if !strings.HasPrefix(e.Name(), "mdn") || e.Name() == "mdn%d" {
		t.Errorf("Name = %q, want mdnN", e.Name())
	}
	if e.MTU() != 9000 || netns.Sysfs(e.Name(), "mtu") != "9000" || e.HardwareAddr() != mine {
		t.Errorf("MTU %d (interface %s), address %v", e.MTU(), netns.Sysfs(e.Name(), "mtu"), e.HardwareAddr())
	}
}

func TestPersist(t *testing.T) {
	netns.Available(t)
	name := "mdnp" + strconv.Itoa(os.Getpid()%100000)
	t.Cleanup(func() { exec.Command("ip", "link", "del", name).Run() })
	d, err := tap.Open(tap.Config{Name: name, Persist: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != name {
		t.Errorf("Name = %q, want %q", d.Name(), name)
	}
	d.Close()
	if netns.Gone(name) {
		t.Fatal("a persistent TAP went away with its file")
	}
	// Open attaches to it again; without Persist it goes on Close.
	d, err = tap.Open(tap.Config{Name: name})
	if err != nil {
		t.Fatalf("attaching to a persistent TAP: %v", err)
	}
	d.Close()
	if !netns.Gone(name) {
		t.Error("the TAP stayed after its persistence was cleared and its file closed")
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	netns.Available(t)
	for _, offload := range []bool{false, true} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) { closeUnblocksRead(t, tap.Config{Offload: offload}) })
	}
}

func closeUnblocksRead(t *testing.T, cfg tap.Config) {
	d, err := tap.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	netns.CloseUnblocksRead(t, d)
}

func TestWriteWhileDown(t *testing.T) {
	netns.Available(t)
	for _, offload := range []bool{false, true} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) { writeWhileDown(t, tap.Config{Offload: offload}) })
	}
}

func writeWhileDown(t *testing.T, cfg tap.Config) {
	d, err := tap.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f := arpFrame(1, ethernet.Broadcast, d.HardwareAddr(), netns.StackAddr, ethernet.Addr{}, netns.KernelAddr)
	if err := d.WriteFrame(f); err != nil {
		t.Errorf("WriteFrame while down: %v, want a silent drop", err)
	}
	if err := d.WriteFrame(f[:10]); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("WriteFrame of 10 bytes: %v, want EINVAL", err)
	}
	if s := d.Stats(); s.TxDropped != 1 || s.TxFrames != 0 {
		t.Errorf("Stats = %+v, want 1 dropped", s)
	}
}

// The stack asks the kernel for its MAC address, and the kernel answers.
func TestARPExchange(t *testing.T) {
	for _, offload := range []bool{false, true} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) { arpExchange(t, tap.Config{Offload: offload}) })
	}
}

// arpExchange is TestARPExchange over a TAP opened with cfg.
func arpExchange(t *testing.T, cfg tap.Config) {
	tp := netns.NewTAP(t, cfg)
	d := tp.Dev
	if on, _ := d.Offload(); on != cfg.Offload {
		t.Fatalf("Offload() = %v, want %v", on, cfg.Offload)
	}
	ch := netns.Frames(t, d)
	me := d.HardwareAddr()
	if err := d.WriteFrame(arpFrame(1, ethernet.Broadcast, me, netns.StackAddr, ethernet.Addr{}, netns.KernelAddr)); err != nil {
		t.Fatal(err)
	}
	f := netns.Expect(t, ch, "an ARP reply", func(f []byte) bool {
		p, ok := parseARP(f)
		return ok && p.op == 2
	})
	p, _ := parseARP(f)
	fr := ethernet.Frame(f)
	want := arp{op: 2, sha: tp.KernelMAC, spa: netns.KernelAddr, tha: me, tpa: netns.StackAddr}
	if p != want || fr.Dst() != me || fr.Src() != tp.KernelMAC {
		t.Errorf("reply %v > %v %+v, want %v > %v %+v", fr.Src(), fr.Dst(), p, tp.KernelMAC, me, want)
	}
	// The kernel learnt our address from the request.
	if out := tp.NS.IP(t, "neigh", "show", netns.StackAddr.String()); !strings.Contains(out, me.String()) {
		t.Errorf("the kernel's neighbour table has %q, want %v", out, me)
	}
	s := d.Stats()
	if s.TxFrames != 1 || s.TxBytes != 60 || s.RxFrames < 1 {
		t.Errorf("Stats = %+v", s)
	}
}

// ping runs "ping -c 1 -s size" from the namespace to the stack's address
// and answers it as a stack would: an ARP reply for the kernel's request,
// then an echo reply made from the echo request. ping must succeed.
func ping(t *testing.T, tp *netns.TAP, size int) {
	d := tp.Dev
	me := d.HardwareAddr()
	ch := netns.Frames(t, d)
	cmd := tp.NS.Command("ping", "-c", "1", "-W", "10", "-s", strconv.Itoa(size), netns.StackAddr.String())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	f := netns.Expect(t, ch, "the kernel's ARP request", func(f []byte) bool {
		p, ok := parseARP(f)
		return ok && p.op == 1 && p.tpa == netns.StackAddr
	})
	p, _ := parseARP(f)
	if fr := ethernet.Frame(f); !fr.Dst().IsBroadcast() || fr.Src() != tp.KernelMAC || p.sha != tp.KernelMAC || p.spa != netns.KernelAddr {
		t.Errorf("ARP request %v > %v %+v", fr.Src(), fr.Dst(), p)
	}
	d.WriteFrame(arpFrame(2, tp.KernelMAC, me, netns.StackAddr, tp.KernelMAC, netns.KernelAddr))

	f = netns.Expect(t, ch, "an ICMP echo request", func(f []byte) bool {
		return ethernet.Frame(f).Type() == ethernet.TypeIPv4 && len(f) >= 14+20+8 && f[14+9] == 1 && f[14+20] == 8
	})
	if want := 14 + 20 + 8 + size; len(f) != want {
		t.Errorf("echo request of %d bytes, want %d", len(f), want)
	}
	if fr := ethernet.Frame(f); fr.Dst() != me {
		t.Errorf("echo request to %v, want %v", fr.Dst(), me)
	}
	r := bytes.Clone(f)
	fr := ethernet.Frame(r)
	fr.SetDst(tp.KernelMAC)
	fr.SetSrc(me)
	netns.EchoReply(r)
	if err := d.WriteFrame(r); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ping failed: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "1 received") {
		t.Errorf("ping says:\n%s", out.String())
	}
}

// The kernel pings the stack: ARP request, ARP reply, echo request, echo
// reply, across the TAP.
func TestKernelPings(t *testing.T) {
	netns.NeedTools(t, "ping")
	for _, offload := range []bool{false, true} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) {
			ping(t, netns.NewTAP(t, tap.Config{Offload: offload}), 56)
		})
	}
}

// With an MTU of 9000 on both sides, the kernel sends jumbo frames whole.
func TestJumboFrames(t *testing.T) {
	netns.NeedTools(t, "ping")
	ping(t, netns.NewTAP(t, tap.Config{MTU: 9000}), 8000)
}

// A burst of frames queued in the kernel comes out of one ReadFrames, and
// a short buffer takes the start of a frame.
func TestReadFramesAndShortBuffer(t *testing.T) {
	tp := netns.NewTAP(t, tap.Config{})
	d := tp.Dev
	me := d.HardwareAddr()
	req := arpFrame(1, ethernet.Broadcast, me, netns.StackAddr, ethernet.Addr{}, netns.KernelAddr)
	const burst = 8
	for range burst {
		if err := d.WriteFrame(req); err != nil {
			t.Fatal(err)
		}
	}
	// The kernel answers within each write(2), in its softirq, so the
	// replies are queued by now; the pause is for a loaded machine.
	time.Sleep(100 * time.Millisecond)
	netns.ReadBurst(t, d, burst, func(i int, f []byte) {
		if p, ok := parseARP(f); !ok || p.op != 2 || p.tha != me {
			t.Errorf("frame %d of the burst is not our ARP reply: % x", i, f)
		}
	})

	if err := d.WriteFrame(req); err != nil {
		t.Fatal(err)
	}
	short := make([]byte, 20)
	n, err := d.ReadFrame(short)
	want := append(append(append([]byte{}, me[:]...), tp.KernelMAC[:]...), 0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4)
	if err != nil || n != 20 || !bytes.Equal(short, want) {
		t.Errorf("ReadFrame into 20 bytes = %d, %v, % x; want % x", n, err, short[:n], want)
	}
	// The rest of that frame is gone; the next read is the next frame.
	d.WriteFrame(req)
	buf := make([]byte, 1518)
	if n, err := d.ReadFrame(buf); err != nil || n != 42 && n != 60 {
		t.Errorf("the next ReadFrame = %d, %v; want a whole ARP reply", n, err)
	}
}

// impair wraps a TAP like any device: with 30 ms of delay each way, the
// kernel's ARP reply comes 60 ms after the request, on the real clock.
func TestImpaired(t *testing.T) {
	tp := netns.NewTAP(t, tap.Config{})
	const delay = 30 * time.Millisecond
	d := impair.New(tp.Dev, impair.Config{Tx: impair.Profile{Delay: delay}, Rx: impair.Profile{Delay: delay}})
	defer d.Close()
	ch := netns.Frames(t, d)
	start := time.Now()
	d.WriteFrame(arpFrame(1, ethernet.Broadcast, d.HardwareAddr(), netns.StackAddr, ethernet.Addr{}, netns.KernelAddr))
	netns.Expect(t, ch, "an ARP reply", func(f []byte) bool {
		p, ok := parseARP(f)
		return ok && p.op == 2
	})
	if rtt := time.Since(start); rtt < 2*delay {
		t.Errorf("ARP reply after %v, want at least %v", rtt, 2*delay)
	}
	if s := d.Stats(); s.Tx.Delayed != 1 || s.Rx.Delayed < 1 {
		t.Errorf("Stats = %+v", s)
	}
}

// The namespace and the device are gone once the test that made them is
// over, even when it failed.
func TestCleanup(t *testing.T) {
	netns.Available(t)
	var ns, name string
	t.Run("inner", func(t *testing.T) {
		tp := netns.NewTAP(t, tap.Config{})
		ns, name = tp.NS.Name, tp.Dev.Name()
		if _, err := netns.RunIn(tp.NS, "ip", "link", "show", name); err != nil {
			t.Fatal(err)
		}
	})
	out, _ := exec.Command("ip", "netns", "list").Output()
	if strings.Contains(string(out), ns) {
		t.Errorf("namespace %s still listed:\n%s", ns, out)
	}
	if !netns.Gone(name) {
		t.Errorf("%s still exists", name)
	}
}

func ExampleOpen() {
	dev, err := tap.Open(tap.Config{Name: "medina%d"})
	if err != nil {
		fmt.Println(err) // not root, or no /dev/net/tun
		return
	}
	defer dev.Close()
	// Bring the kernel's side up ("ip link set NAME up", an address),
	// then hand dev to a stack, or read frames:
	buf := make([]byte, link.FrameLen(dev))
	go func() {
		for {
			n, err := dev.ReadFrame(buf)
			if err != nil {
				return // closed
			}
			fmt.Printf("%d bytes from %s\n", n, ethernet.Frame(buf[:n]).Src())
		}
	}()
}
