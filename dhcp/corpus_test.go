package dhcp

import (
	"testing"

	"github.com/medina-net/medina/internal/corpus"
)

// TestCorpus reads every DHCP message of tcpdump's test captures and
// holds it against gopacket; the DHCP captures must be among them.
func TestCorpus(t *testing.T) {
	corpus.Need(t)
	msgs := dhcpPayloads(t, corpus.Files("tcpdump-4.99.3-all", "gopacket"))
	dhcp := 0
	for _, b := range msgs {
		compareGopacket(t, b)
		if m, err := NewMessage(b); err == nil && m.Check() == nil && m.MessageType() != 0 {
			dhcp++
		}
	}
	t.Logf("%d BOOTP/DHCP payloads, %d well-formed DHCP messages", len(msgs), dhcp)
	if dhcp < 10 {
		t.Errorf("%d well-formed DHCP messages in the corpus; its dhcp-*.pcap alone hold more", dhcp)
	}
}
