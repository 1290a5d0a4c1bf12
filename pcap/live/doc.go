// Package live captures packets from a network interface, as libpcap does
// for tcpdump -i, in pure Go: on Linux through an AF_PACKET socket whose
// packets arrive in a TPACKET_V3 ring of blocks shared with the kernel
// (golang.org/x/sys/unix, no cgo), with the filter attached in the kernel
// (SO_ATTACH_FILTER, a classic BPF program as golang.org/x/net/bpf
// instructions) so that packets it rejects never reach user space.
//
// The behaviour follows libpcap 1.10.3 (pcap-linux.c), the library behind
// the tcpdump 4.99.3 that netdump matches: the same link type for a device
// (EN10MB for Ethernet and loopback, RAW for a TUN, Linux cooked capture
// for PPP and for the "any" device, LINUX_SLL2 by default as tcpdump
// chooses it), the same cooked header built in front of each packet, VLAN
// tags the kernel took off put back in the frame, the same ring geometry
// (blocks of 256 KiB, 2 MiB unless Config.BufferSize says otherwise), the
// same snapshot length rules, outgoing packets on the loopback device
// dropped (they come back as incoming), the direction filter (-Q) applied
// as libpcap applies it, and the same counts (Stats: received by filter,
// dropped by kernel, dropped by interface).
//
// A capture is opened in two steps so that the filter is in place before
// the first packet: Open makes the socket and the ring and learns the link
// type, which a filter compiler needs, but receives nothing; SetFilter
// attaches the program; Start begins the capture. Next then returns one
// packet at a time as a *pcap.Packet whose Data is a view into the ring,
// valid until the next call: nothing is copied or allocated per packet.
// Break, safe from any goroutine (a signal handler's, say), makes a
// blocked or later Next return ErrBreak, as pcap_breakloop does.
//
// On other systems Open returns ErrUnsupported.
package live
