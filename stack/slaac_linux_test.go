package stack

import (
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link/tap"
	"github.com/medina-net/medina/ndp"
)

// TestLinuxSLAAC puts the stack, with Config.Autoconf and no address of
// its own, on a TAP whose kernel side runs radvd advertising
// 2001:db8:1::/64 with a link MTU of 1400 and a DNS server (RDNSS). The
// stack must form its link-local address and a SLAAC address in the
// prefix, each after Duplicate Address Detection; Linux must then reach
// both with ping (its neighbour table resolving them), the stack must
// size what it sends for the advertised MTU, and an embedder must read
// the router, the MTU and the DNS server from Stack.Autoconf. tcpdump
// records the TAP, and netdump must print the capture (DAD, router
// discovery, MLD, RAs with their options) as tcpdump does. It needs
// root, /dev/net/tun, radvd, ping and tcpdump.
func TestLinuxSLAAC(t *testing.T) {
	netns.Available(t)
	netns.NeedTools(t, "radvd", "ping", "tcpdump")
	tp := netns.NewTAP(t, tap.Config{})
	ns, ifname := tp.NS, tp.Dev.Name()
	ns.EnableIPv6(t, ifname, netns.KernelPrefix6)
	capture := filepath.Join(t.TempDir(), "linux-slaac.pcap")
	stopCapture := startTCPDump(t, ns, ifname, capture)

	const raMTU = 1400
	prefix := netns.KernelPrefix6.Masked()
	dns := netip.MustParseAddr("2001:db8:1::53")
	ns.Radvd(t, ifname, prefix, raMTU, dns)

	s, err := New(tp.Dev, Config{Autoconf: &ndp.Config{}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ac := s.Autoconf()

	// DAD takes a second or so per address; the stack solicits a router,
	// and radvd also advertises every 3 to 4 seconds, so the SLAAC
	// address may be ready before the link-local one.
	var ll, global netip.Addr
	start := time.Now()
	deadline := start.Add(20 * time.Second)
	for time.Now().Before(deadline) && !(ll.IsValid() && global.IsValid()) {
		time.Sleep(100 * time.Millisecond)
		ll, _ = ac.LinkLocal()
		for _, a := range ac.Addresses() {
			if a.Origin == ndp.OriginSLAAC && a.State == ndp.StatePreferred && prefix.Contains(a.Prefix.Addr()) {
				global = a.Prefix.Addr()
			}
		}
	}
	if !ll.IsValid() || !global.IsValid() {
		t.Fatalf("after 20 s, no link-local and SLAAC address (link-local %v, global %v): %+v; ndp: %+v", ll, global, ac.Addresses(), ac.Stats())
	}
	t.Logf("the stack formed %v and %v in %v", ll, global, time.Since(start).Round(time.Millisecond))
	if st := ac.Stats(); st.DADDuplicates != 0 {
		t.Errorf("DAD found duplicates on a link where there are none: %+v", st)
	}
	var inUse []netip.Addr
	for _, p := range s.Addrs() {
		inUse = append(inUse, p.Addr())
	}
	for _, a := range []netip.Addr{ll, global} {
		if !strings.Contains(" "+joinAddrs(inUse)+" ", " "+a.String()+" ") {
			t.Errorf("the stack does not use %v: its addresses are %v", a, inUse)
		}
	}

	// What the embedder reads: the router (Linux's link-local address),
	// the link MTU and the DNS server radvd advertised.
	kernelLL := ns.IP(t, "-6", "-o", "addr", "show", "dev", ifname, "scope", "link")
	rt, ok := ac.DefaultRouter()
	if !ok || !strings.Contains(kernelLL, " "+rt.Addr.String()+"/") {
		t.Errorf("default router %v (%v), want Linux's link-local address:\n%s", rt.Addr, ok, kernelLL)
	}
	if m := ac.MTU(); m != raMTU {
		t.Errorf("Autoconf().MTU() is %d, want the advertised %d", m, raMTU)
	}
	if d := ac.DNSServers(); len(d) != 1 || d[0].Addr != dns {
		t.Errorf("DNS servers %+v, want %v", d, dns)
	}

	// Linux pings both addresses; the larger echoes (1448 bytes) fit
	// Linux's 1500 but not the advertised 1400, so the stack's replies
	// must come in fragments.
	before := s.Stats().IPv6
	for _, dst := range []string{global.String(), ll.String() + "%" + ifname} {
		for _, size := range []int{56, 1400} {
			out := ns.Run(t, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "-s", strconv.Itoa(size), dst)
			if !strings.Contains(out, " 0% packet loss") {
				t.Fatalf("ping -6 -s %d %s from Linux lost packets:\n%s", size, dst, out)
			}
		}
	}
	after := s.Stats().IPv6
	if n := after.FragOKs - before.FragOKs; n < 6 {
		t.Errorf("the stack fragmented %d echo replies of 1448 bytes, want 6: it does not use the advertised MTU of %d", n, raMTU)
	}
	neigh := ns.IP(t, "-6", "neigh", "show", "dev", ifname)
	for _, a := range []netip.Addr{ll, global} {
		if !strings.Contains(neigh, a.String()+" lladdr "+s.HardwareAddr().String()) {
			t.Errorf("Linux's neighbour table has no entry for %v at the stack's MAC %v:\n%s", a, s.HardwareAddr(), neigh)
		}
	}

	stopCapture()
	compareWithTCPDump(t, capture)
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, " ")
}
