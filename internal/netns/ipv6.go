package netns

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// IPv6 addresses on the link between a TAP's kernel side and the stack,
// from the documentation prefix 2001:db8::/32 (RFC 3849), which no real
// network routes.
var (
	// KernelPrefix6 is the global address and prefix EnableIPv6 gives the
	// kernel's side of a TAP.
	KernelPrefix6 = netip.MustParsePrefix("2001:db8:1::1/64")
	// KernelAddr6 is KernelPrefix6's address.
	KernelAddr6 = KernelPrefix6.Addr()
	// StackAddr6 is the global address a test gives the stack statically
	// on a TAP's link, where it does not form one by SLAAC.
	StackAddr6 = netip.MustParseAddr("2001:db8:1::2")
)

// EnableIPv6 turns IPv6 on in ns (NewNamespace turns it off) and on the
// interface dev inside it, without Duplicate Address Detection on the
// kernel's side, so that its addresses are usable at once, and with
// addr (if valid) as a global address of dev. The kernel then sends what
// a Linux host sends on a link: router solicitations, MLD reports,
// neighbour solicitations.
func (ns *Namespace) EnableIPv6(t testing.TB, dev string, addr netip.Prefix) {
	t.Helper()
	if _, err := os.Stat("/proc/sys/net/ipv6"); err != nil {
		t.Skip("netns: this kernel has no IPv6")
	}
	ns.Run(t, "sh", "-c", fmt.Sprintf(`set -e
		echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6
		echo 0 > /proc/sys/net/ipv6/conf/default/disable_ipv6
		echo 0 > /proc/sys/net/ipv6/conf/%[1]s/accept_dad
		echo 0 > /proc/sys/net/ipv6/conf/%[1]s/disable_ipv6`, dev))
	if addr.IsValid() {
		ns.IP(t, "-6", "addr", "add", addr.String(), "dev", dev, "nodad")
	}
}

// Radvd runs radvd(8) inside ns, advertising prefix on the interface dev
// every second or so, with the given link MTU in its advertisements when
// mtu is not 0 and with rdnss as a recursive DNS server when it is valid.
// It stops when t ends. Radvd skips t where radvd is not installed, and
// turns on forwarding in ns, which radvd requires of a router.
func (ns *Namespace) Radvd(t testing.TB, dev string, prefix netip.Prefix, mtu int, rdnss netip.Addr) {
	t.Helper()
	NeedTools(t, "radvd")
	dir := t.TempDir()
	var conf strings.Builder
	fmt.Fprintf(&conf, "interface %s {\n\tAdvSendAdvert on;\n\tMinRtrAdvInterval 3;\n\tMaxRtrAdvInterval 4;\n", dev)
	if mtu != 0 {
		fmt.Fprintf(&conf, "\tAdvLinkMTU %d;\n", mtu)
	}
	fmt.Fprintf(&conf, "\tprefix %s {\n\t\tAdvOnLink on;\n\t\tAdvAutonomous on;\n\t};\n", prefix.Masked())
	if rdnss.IsValid() {
		fmt.Fprintf(&conf, "\tRDNSS %s {\n\t};\n", rdnss)
	}
	conf.WriteString("};\n")
	confFile := filepath.Join(dir, "radvd.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ns.Run(t, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/forwarding")
	pidFile := filepath.Join(dir, "radvd.pid")
	// -n: stay in the foreground, so the test owns the process; -m stderr
	// so that a refusal shows in the test's log.
	cmd := ns.Command("radvd", "-n", "-m", "stderr", "-C", confFile, "-p", pidFile, "-u", "root")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("radvd: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	// radvd checks its configuration before it starts sending; an exit
	// within the first moments is a refusal.
	select {
	case <-done:
		t.Fatalf("radvd exited at once: %s\nconfiguration:\n%s", stderr.String(), conf.String())
	case <-time.After(200 * time.Millisecond):
	}
}
