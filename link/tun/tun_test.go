//go:build linux

package tun_test

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

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/tun"
)

// echoFrame builds a frame holding an IPv4 ICMP echo (request when typ
// is 8, reply when 0) from src to dst with size bytes of data, behind an
// Ethernet header of zeros: a TUN must not care what it holds.
func echoFrame(typ byte, src, dst netip.Addr, id, seq uint16, size int) []byte {
	f := make([]byte, ethernet.HeaderLen+20+8+size)
	ip := f[ethernet.HeaderLen:]
	ip[0], ip[8], ip[9] = 0x45, 64, 1
	binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
	copy(ip[12:16], src.AsSlice())
	copy(ip[16:20], dst.AsSlice())
	binary.BigEndian.PutUint16(ip[10:], checksum.Checksum(ip[:20], 0))
	icmp := ip[20:]
	icmp[0] = typ
	binary.BigEndian.PutUint16(icmp[4:], id)
	binary.BigEndian.PutUint16(icmp[6:], seq)
	for i := range size {
		icmp[8+i] = byte(i)
	}
	binary.BigEndian.PutUint16(icmp[2:], checksum.Checksum(icmp, 0))
	return f
}

// isEcho reports whether f is an IPv4 ICMP echo of type typ behind the
// synthetic header of d.
func isEcho(d *tun.Device, f []byte, typ byte) bool {
	fr := ethernet.Frame(f)
	return len(f) >= ethernet.HeaderLen+28 && fr.Dst() == d.HardwareAddr() && fr.Src() == (ethernet.Addr{}) &&
		fr.Type() == ethernet.TypeIPv4 && f[ethernet.HeaderLen+9] == 1 && f[ethernet.HeaderLen+20] == typ
}

func TestBadNames(t *testing.T) {
	for _, name := range []string{"abcdefghijklmnop", "a/b", "a b", "a:1", ".", "..", "x%d%d", "x%s"} {
		if _, err := tun.Open(tun.Config{Name: name}); !errors.Is(err, tun.ErrName) {
			t.Errorf("Open(%q): %v, want ErrName", name, err)
		}
	}
}

func TestOpenDefaults(t *testing.T) {
	netns.Available(t)
	for _, offload := range []bool{false, true} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) {
			d, err := tun.Open(tun.Config{Offload: offload})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if !strings.HasPrefix(d.Name(), "tun") {
				t.Errorf("Name = %q, want tunN", d.Name())
			}
			if d.MTU() != 1500 || netns.Sysfs(d.Name(), "mtu") != "1500" {
				t.Errorf("MTU = %d, interface's %s; want 1500", d.MTU(), netns.Sysfs(d.Name(), "mtu"))
			}
			// ARPHRD_NONE: a link without link-layer addresses.
			if typ := netns.Sysfs(d.Name(), "type"); typ != "65534" {
				t.Errorf("interface type %s, want 65534 (ARPHRD_NONE)", typ)
			}
			if a := d.HardwareAddr(); a.IsMulticast() || a[0]&2 == 0 {
				t.Errorf("HardwareAddr = %v, want unicast, locally administered", a)
			}
			if !link.IsLayer3(d) {
				t.Error("a TUN does not say it is a layer-3 device")
			}
			if on, _ := d.Offload(); on != offload || d.ReceiveOffload() != offload || (d.MaxGSO() != 0) != offload {
				t.Errorf("Offload() = %v, ReceiveOffload %v, MaxGSO %d; opened with offload %v", on, d.ReceiveOffload(), d.MaxGSO(), offload)
			}
		})
	}

	e, err := tun.Open(tun.Config{Name: "mdnt%d", MTU: 9000})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if !strings.HasPrefix(e.Name(), "mdnt") || e.Name() == "mdnt%d" {
		t.Errorf("Name = %q, want mdntN", e.Name())
	}
	if e.MTU() != 9000 || netns.Sysfs(e.Name(), "mtu") != "9000" {
		t.Errorf("MTU %d (interface %s)", e.MTU(), netns.Sysfs(e.Name(), "mtu"))
	}
}

func TestPersist(t *testing.T) {
	netns.Available(t)
	name := "mdntp" + strconv.Itoa(os.Getpid()%10000)
	t.Cleanup(func() { exec.Command("ip", "link", "del", name).Run() })
	d, err := tun.Open(tun.Config{Name: name, Persist: true})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if netns.Gone(name) {
		t.Fatal("a persistent TUN went away with its file")
	}
	if d, err = tun.Open(tun.Config{Name: name}); err != nil {
		t.Fatalf("attaching to a persistent TUN: %v", err)
	}
	d.Close()
	if !netns.Gone(name) {
		t.Error("the TUN stayed after its persistence was cleared and its file closed")
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	netns.Available(t)
	for _, offload := range []bool{false, true} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) {
			d, err := tun.Open(tun.Config{Offload: offload})
			if err != nil {
				t.Fatal(err)
			}
			netns.CloseUnblocksRead(t, d)
		})
	}
}

// Writing into a TUN that is down drops the packet; a frame with no
// packet behind its header, or a packet that is not IP, is refused.
func TestWriteWhileDown(t *testing.T) {
	netns.Available(t)
	for _, offload := range []bool{false, true} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) {
			d, err := tun.Open(tun.Config{Offload: offload})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := d.WriteFrame(echoFrame(8, netns.StackAddr, netns.KernelAddr, 1, 1, 8)); err != nil {
				t.Errorf("WriteFrame while down: %v, want a silent drop", err)
			}
			if err := d.WriteFrame(make([]byte, 14)); !errors.Is(err, syscall.EINVAL) {
				t.Errorf("WriteFrame of a bare header: %v, want EINVAL", err)
			}
			if s := d.Stats(); s.TxDropped != 1 || s.TxFrames != 0 {
				t.Errorf("Stats = %+v, want 1 dropped", s)
			}
		})
	}
}

// The kernel pings the stack's address across the TUN: no ARP first,
// the echo request arrives behind a synthetic header, and the reply
// written behind a header of zeros reaches ping.
func TestKernelPings(t *testing.T) {
	netns.NeedTools(t, "ping")
	for _, offload := range []bool{false, true} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) {
			ping(t, netns.NewTUN(t, tun.Config{Offload: offload}), 56)
		})
	}
}

// With an MTU of 9000, the kernel sends jumbo packets whole.
func TestJumboPackets(t *testing.T) {
	netns.NeedTools(t, "ping")
	ping(t, netns.NewTUN(t, tun.Config{MTU: 9000}), 8000)
}

func ping(t *testing.T, tn *netns.TUN, size int) {
	d := tn.Dev
	ch := netns.Frames(t, d)
	cmd := tn.NS.Command("ping", "-c", "1", "-W", "10", "-s", strconv.Itoa(size), netns.StackAddr.String())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	f := netns.Expect(t, ch, "an ICMP echo request", func(f []byte) bool { return isEcho(d, f, 8) })
	if want := 14 + 20 + 8 + size; len(f) != want {
		t.Errorf("echo request of %d bytes, want %d", len(f), want)
	}
	r := bytes.Clone(f)
	clear(r[:ethernet.HeaderLen]) // a TUN does not read it
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
	if s := d.Stats(); s.RxDropped != 0 || s.TxFrames != 1 || s.TxBytes != uint64(len(r)-14) {
		t.Errorf("Stats = %+v", s)
	}
}

// A burst of packets queued in the kernel comes out of one ReadFrames,
// and a short buffer takes the start of a frame, synthetic header first.
func TestReadFramesAndShortBuffer(t *testing.T) {
	for _, offload := range []bool{false, true} {
		t.Run(fmt.Sprintf("offload=%v", offload), func(t *testing.T) {
			readFramesAndShortBuffer(t, netns.NewTUN(t, tun.Config{Offload: offload}))
		})
	}
}

func readFramesAndShortBuffer(t *testing.T, tn *netns.TUN) {
	d := tn.Dev
	const burst = 8
	for i := range burst {
		if err := d.WriteFrame(echoFrame(8, netns.StackAddr, netns.KernelAddr, 7, uint16(i), 32)); err != nil {
			t.Fatal(err)
		}
	}
	// The kernel answers within each write(2); the pause is for a
	// loaded machine.
	time.Sleep(100 * time.Millisecond)
	netns.ReadBurst(t, d, burst, func(i int, f []byte) {
		if !isEcho(d, f, 0) || len(f) != 14+20+8+32 {
			t.Errorf("frame %d of the burst is not an echo reply: % x", i, f)
		}
	})

	for _, size := range []int{20, 14, 5} {
		if err := d.WriteFrame(echoFrame(8, netns.StackAddr, netns.KernelAddr, 7, 99, 32)); err != nil {
			t.Fatal(err)
		}
		short := make([]byte, size)
		n, err := d.ReadFrame(short)
		a := d.HardwareAddr()
		// The header, then the IPv4 header's version, length and total
		// length (the kernel's identification follows).
		want := append(append(append([]byte{}, a[:]...), make([]byte, 6)...), 0x08, 0x00, 0x45, 0, 0, 60)
		k := min(size, len(want))
		if err != nil || n != size || !bytes.Equal(short[:k], want[:k]) {
			t.Errorf("ReadFrame into %d bytes = %d, %v, % x; want % x", size, n, err, short[:n], want[:k])
		}
	}
	// The rest of that packet is gone; the next read is the next packet.
	d.WriteFrame(echoFrame(8, netns.StackAddr, netns.KernelAddr, 7, 100, 32))
	buf := make([]byte, 1518)
	if n, err := d.ReadFrame(buf); err != nil || !isEcho(d, buf[:n], 0) || binary.BigEndian.Uint16(buf[14+20+6:]) != 100 {
		t.Errorf("the next ReadFrame = %d, %v; want the whole echo reply to sequence 100", n, err)
	}
}
