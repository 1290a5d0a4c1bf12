package netns_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/medina-net/medina/internal/netns"
)

func listed(name string) bool {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if n, _, _ := strings.Cut(line, " "); n == name {
			return true
		}
	}
	return false
}

func TestNamespace(t *testing.T) {
	netns.Available(t)
	var name string
	t.Run("inner", func(t *testing.T) {
		ns := netns.NewNamespace(t)
		name = ns.Name
		if !listed(name) {
			t.Fatalf("%s not in ip netns list", name)
		}
		// Only the loopback, up; IPv6 off.
		out := ns.IP(t, "-o", "link")
		if lines := strings.Count(strings.TrimSpace(out), "\n") + 1; lines != 1 || !strings.Contains(out, "lo:") || !strings.Contains(out, "UP") {
			t.Errorf("links in a fresh namespace:\n%s", out)
		}
		if got := strings.TrimSpace(ns.Run(t, "cat", "/proc/sys/net/ipv6/conf/default/disable_ipv6")); got != "1" {
			t.Errorf("disable_ipv6 = %q, want 1", got)
		}
		// Commands run inside it: the loopback answers a ping, where
		// ping is installed.
		t.Run("ping", func(t *testing.T) {
			netns.NeedTools(t, "ping")
			if _, err := netns.RunIn(ns, "ping", "-c", "1", "-W", "5", "127.0.0.1"); err != nil {
				t.Error(err)
			}
		})
		// A failing command says what failed.
		_, err := netns.RunIn(ns, "false")
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "false") {
			t.Errorf("RunIn(false) = %v", err)
		}
		if out, err := ns.Command("ip", "-o", "link").Output(); err != nil || !strings.Contains(string(out), "lo:") {
			t.Errorf("Command: %v, %s", err, out)
		}
	})
	if listed(name) {
		t.Errorf("%s still listed after its test ended", name)
	}
}

func TestNamespacesAreDistinct(t *testing.T) {
	a, b := netns.NewNamespace(t), netns.NewNamespace(t)
	if a.Name == b.Name {
		t.Fatalf("two namespaces named %s", a.Name)
	}
	a.IP(t, "link", "add", "mdnx", "type", "veth", "peer", "name", "mdny")
	if out := b.IP(t, "-o", "link"); strings.Contains(out, "mdnx") {
		t.Errorf("a link made in %s shows in %s", a.Name, b.Name)
	}
}
