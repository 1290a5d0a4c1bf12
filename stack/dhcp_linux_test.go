package stack

import (
	"bytes"
	"fmt"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/medina-net/medina/dhcp"
	"github.com/medina-net/medina/internal/netns"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/tap"
)

// The DHCP interop tests: the stack, with Config.DHCP and no address, on
// a TAP whose kernel side (192.0.2.1/24, netns.KernelPrefix) runs
// Debian's dnsmasq serving a range. dnsmasq's shortest lease is two
// minutes, so the stack runs on a clock that goes 20 times as fast as
// the wall's (fastClock): T1 comes 3 s after the lease, T2 5.25 s, the
// end 6 s, and RFC 5227's probes take a fraction of a second; dnsmasq,
// on real time, sees a client that renews early, which the protocol
// allows. They need root, /dev/net/tun and dnsmasq.

// fastClock is the wall clock sped up k times from start.
type fastClock struct {
	start time.Time
	k     time.Duration
}

func (c fastClock) Now() time.Time { return c.start.Add(time.Since(c.start) * c.k) }

func (c fastClock) AfterFunc(d time.Duration, f func()) link.Timer {
	return fastTimer{time.AfterFunc(d/c.k, f), c.k}
}

type fastTimer struct {
	t *time.Timer
	k time.Duration
}

func (t fastTimer) Stop() bool                 { return t.t.Stop() }
func (t fastTimer) Reset(d time.Duration) bool { return t.t.Reset(d / t.k) }

// syncBuffer is a bytes.Buffer a process writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// dnsmasq runs dnsmasq in ns as a DHCP server only (no DNS: port 0) on
// dev, leasing 192.0.2.50 to 192.0.2.51 for two minutes with a router,
// a DNS server, a domain and search list, an MTU of 1400 and classless
// routes, and with the options extra. It does not ping an address before
// offering it (--no-ping), so that a conflict is the client's to find. It
// returns the process and its log; the process is killed when t ends.
func dnsmasq(t *testing.T, ns *netns.Namespace, dev string, extra ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	args := []string{"dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root",
		"--interface=" + dev, "--bind-interfaces", "--no-ping", "--dhcp-authoritative", "--log-dhcp", "--log-facility=-",
		"--dhcp-leasefile=" + filepath.Join(dir, "leases"), "--pid-file=" + filepath.Join(dir, "pid"),
		"--dhcp-range=192.0.2.50,192.0.2.51,255.255.255.0,2m",
		"--domain=example.test",
		"--dhcp-option=option:router,192.0.2.1",
		"--dhcp-option=option:dns-server,192.0.2.53",
		"--dhcp-option=option:domain-search,example.test,corp.example.test",
		"--dhcp-option=option:mtu,1400",
		"--dhcp-option=option:classless-static-route,198.51.100.0/24,192.0.2.254,0.0.0.0/0,192.0.2.1"}
	cmd := ns.Command(append(args, extra...)...)
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("dnsmasq: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("dnsmasq's log:\n%s", log)
		}
	})
	// dnsmasq has bound its socket once it logs its DHCP range.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(log.String(), "DHCP, IP range"); {
		if time.Now().After(deadline) {
			t.Fatalf("dnsmasq did not start:\n%s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cmd, log
}

// waitLog waits up to 3 s for dnsmasq's log to show what, failing t if
// it does not.
func waitLog(t *testing.T, log *syncBuffer, what string, ok func(string) bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); !ok(log.String()); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("dnsmasq did not log %s", what)
			return
		}
	}
}

// dhcpOverTAP brings up a TAP, dnsmasq on its kernel side and a stack
// with Config.DHCP on a fast clock; events are the client's. With a
// capture file, tcpdump records the TAP first.
func dhcpOverTAP(t *testing.T, capture string) (*Stack, *netns.TAP, *exec.Cmd, *syncBuffer, chan dhcp.Event, func()) {
	netns.Available(t)
	netns.NeedTools(t, "dnsmasq", "ping")
	tp := netns.NewTAP(t, tap.Config{})
	stop := func() {}
	if capture != "" {
		netns.NeedTools(t, "tcpdump")
		stop = startTCPDump(t, tp.NS, tp.Dev.Name(), capture)
	}
	cmd, log := dnsmasq(t, tp.NS, tp.Dev.Name())
	events := make(chan dhcp.Event, 64)
	s, err := New(tp.Dev, Config{Clock: fastClock{time.Now(), 20},
		DHCP: &dhcp.Config{Hostname: "medina-test", Event: func(e dhcp.Event) { events <- e }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, tp, cmd, log, events, stop
}

// waitEvent waits up to d of real time for an event of kind want,
// skipping others, and fails t without one.
func waitEvent(t *testing.T, events chan dhcp.Event, want dhcp.EventKind, d time.Duration) dhcp.Event {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case e := <-events:
			if e.Kind == want {
				return e
			}
			t.Logf("event %v (%v) while waiting for %v", e.Kind, e.Lease.Addr, want)
		case <-timeout:
			t.Fatalf("no %v event in %v", want, d)
		}
	}
}

// TestLinuxDHCPLease: the stack leases an address from dnsmasq and uses
// it (Linux pings it), with the options dnsmasq gave, and renews it by
// unicast at T1, which dnsmasq ACKs, and gives it back (RELEASE).
// tcpdump records the TAP, and netdump must print the exchange as
// tcpdump does.
func TestLinuxDHCPLease(t *testing.T) {
	capture := filepath.Join(t.TempDir(), "linux-dhcp.pcap")
	s, tp, _, log, events, stopCapture := dhcpOverTAP(t, capture)
	start := time.Now()
	e := waitEvent(t, events, dhcp.EventBound, 10*time.Second)
	t.Logf("bound to %v in %v of real time", e.Lease.Addr, time.Since(start).Round(time.Millisecond))
	if e.Lease.Addr.Bits() != 24 || !netns.KernelPrefix.Masked().Contains(e.Lease.Addr.Addr()) {
		t.Fatalf("lease %v", e.Lease.Addr)
	}
	l, _ := s.DHCPLease()
	if fmt.Sprint(l.DNS) != "[192.0.2.53]" || fmt.Sprint(l.SearchList) != "[example.test corp.example.test]" ||
		l.DomainName != "example.test" || l.MTU != 1400 || l.Duration != 2*time.Minute || len(l.Routes) != 2 {
		t.Errorf("lease options %+v", l)
	}
	if v := s.resolver().view(); fmt.Sprint(v.servers) != "[192.0.2.53:53]" {
		t.Errorf("the resolver's servers %v, want the lease's", v.servers)
	}
	if got := s.Addrs(); len(got) != 1 || got[0] != e.Lease.Addr {
		t.Errorf("stack's addresses %v, want %v", got, e.Lease.Addr)
	}
	if hop, err := s.nextHop([4]byte{198, 51, 100, 1}); err != nil || hop != [4]byte{192, 0, 2, 254} {
		t.Errorf("next hop to 198.51.100.1: %v %v, want the classless route's 192.0.2.254", hop, err)
	}
	out := tp.NS.Run(t, "ping", "-c", "3", "-i", "0.2", "-W", "2", e.Lease.Addr.Addr().String())
	if !strings.Contains(out, " 0% packet loss") {
		t.Errorf("Linux cannot ping the leased address:\n%s", out)
	}
	// T1 is a minute of the stack's time: 3 s of ours.
	r := waitEvent(t, events, dhcp.EventRenewed, 10*time.Second)
	if r.Lease.Addr != e.Lease.Addr || !r.Lease.Expiry.After(e.Lease.Expiry) {
		t.Errorf("renewed %v until %v, was %v until %v", r.Lease.Addr, r.Lease.Expiry, e.Lease.Addr, e.Lease.Expiry)
	}
	st := s.DHCP().Stats()
	if st.Renewed < 1 || st.Conflicts != 0 {
		t.Errorf("stats %+v", st)
	}
	// dnsmasq's log may come a little after what it sent.
	waitLog(t, log, "the lease's and the renewal's ACKs", func(s string) bool { return strings.Count(s, "DHCPACK(") >= 2 })
	waitLog(t, log, "the stack's hostname", func(s string) bool { return strings.Contains(s, "medina-test") })
	// A clean shutdown gives the lease back.
	s.ReleaseDHCP()
	waitLog(t, log, "the RELEASE", func(s string) bool { return strings.Contains(s, "DHCPRELEASE(") })
	if got := s.Addrs(); len(got) != 0 {
		t.Errorf("addresses after the release: %v", got)
	}
	stopCapture()
	compareWithTCPDump(t, capture)
}

// TestLinuxDHCPServerGone: dnsmasq goes away after the lease; the stack
// renews in vain, rebinds in vain, and at the lease's end removes the
// address and starts over.
func TestLinuxDHCPServerGone(t *testing.T) {
	s, _, cmd, _, events, _ := dhcpOverTAP(t, "")
	e := waitEvent(t, events, dhcp.EventBound, 10*time.Second)
	cmd.Process.Kill()
	cmd.Wait()
	x := waitEvent(t, events, dhcp.EventExpired, 15*time.Second)
	if x.Lease.Addr != e.Lease.Addr {
		t.Errorf("expired %v, leased %v", x.Lease.Addr, e.Lease.Addr)
	}
	if got := s.Addrs(); len(got) != 0 {
		t.Errorf("addresses after the lease's end: %v", got)
	}
	st := s.DHCP().Stats()
	// From T1 to T2 and from T2 to the end, RFC 2131 4.4.5 has the
	// client try at least once each.
	if st.OutRequests < 3 || st.Expired != 1 {
		t.Errorf("stats %+v", st)
	}
	if s := s.DHCP().State(); s != dhcp.StateSelecting {
		t.Errorf("state %v after the lease's end", s)
	}
}

// TestLinuxDHCPConflict: the namespace holds 192.0.2.50, which dnsmasq
// has reserved for the stack's MAC, and answers the stack's ARP probe
// for it: the stack declines it, and leases 192.0.2.51 from the range
// once dnsmasq has set the declined address aside.
func TestLinuxDHCPConflict(t *testing.T) {
	netns.Available(t)
	netns.NeedTools(t, "dnsmasq")
	tp := netns.NewTAP(t, tap.Config{})
	// On lo, as a /32: dnsmasq would not offer an address of the
	// interface it serves, but Linux answers ARP on the TAP for any
	// address of its own (arp_ignore 0), probes included.
	tp.NS.IP(t, "link", "set", "lo", "up")
	tp.NS.IP(t, "addr", "add", "192.0.2.50/32", "dev", "lo")
	// dnsmasq picks the address it offers by a hash of the MAC: a
	// reservation makes it offer 192.0.2.50 first.
	_, log := dnsmasq(t, tp.NS, tp.Dev.Name(), "--dhcp-host="+tp.Dev.HardwareAddr().String()+",192.0.2.50")
	events := make(chan dhcp.Event, 64)
	s, err := New(tp.Dev, Config{Clock: fastClock{time.Now(), 20},
		DHCP: &dhcp.Config{Event: func(e dhcp.Event) { events <- e }}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := waitEvent(t, events, dhcp.EventDeclined, 10*time.Second)
	if d.Lease.Addr.Addr() != netip.MustParseAddr("192.0.2.50") {
		t.Errorf("declined %v", d.Lease.Addr)
	}
	e := waitEvent(t, events, dhcp.EventBound, 10*time.Second)
	if e.Lease.Addr.Addr() != netip.MustParseAddr("192.0.2.51") {
		t.Errorf("bound to %v after declining 192.0.2.50", e.Lease.Addr)
	}
	waitLog(t, log, "the DECLINE", func(s string) bool { return strings.Contains(s, "DHCPDECLINE(") })
	if st := s.DHCP().Stats(); st.Conflicts != 1 || st.OutDeclines != 1 {
		t.Errorf("stats %+v", st)
	}
}
