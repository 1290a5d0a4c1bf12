package stack

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/link/impair"
	"github.com/medina-net/medina/link/pipe"
)

// TestUDPUnderImpairments sends datagrams, some fragmented, from b to a
// over a link that loses, duplicates, reorders, corrupts, delays and
// rate-limits frames, and then accounts for every one: each layer's
// counters must add up, frame by frame, from the impairment to the socket,
// and every datagram that arrives must be intact. The seed is printed on
// failure; the same seed gives the same run.
func TestUDPUnderImpairments(t *testing.T) {
	profiles := []struct {
		name string
		p    impair.Profile
	}{
		{"clean", impair.Profile{}},
		{"loss5", impair.Profile{Loss: 0.05}},
		{"loss10", impair.Profile{Loss: 0.10}},
		{"duplicate", impair.Profile{Duplicate: 0.10}},
		{"reorder", impair.Profile{Reorder: 0.25}},
		{"corrupt", impair.Profile{Corrupt: 0.05}},
		{"delay", impair.Profile{Delay: 20 * time.Millisecond, Jitter: 15 * time.Millisecond}},
		{"rate", impair.Profile{Rate: 2_000_000, QueueLimit: 64}},
		{"everything", impair.Profile{Loss: 0.03, Duplicate: 0.03, Reorder: 0.1, Corrupt: 0.03, Delay: 5 * time.Millisecond, Jitter: 5 * time.Millisecond}},
	}
	for i, tc := range profiles {
		seed := uint64(1000 + i)
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				runImpaired(t, seed, tc.p)
			})
		})
	}
}

// datagram sizes cycle through small, one-frame and fragmented ones.
var impairSizes = []int{16, 200, 1472, 2000, 5000}

const impairCount = 400

func runImpaired(t *testing.T, seed uint64, prof impair.Profile) {
	t.Helper()
	ea, eb := pipe.New(pipe.Config{Queue: 4096})
	imp := impair.New(eb, impair.Config{Seed: seed, Tx: prof})
	a, err := New(ea, Config{Addr: netip.PrefixFrom(addrA, 24), Rand: SeededRand(seed)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(imp, Config{Addr: netip.PrefixFrom(addrB, 24), Rand: SeededRand(seed + 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	defer a.Close()

	sink, err := a.ListenUDP(netip.MustParseAddrPort("0.0.0.0:9"))
	if err != nil {
		t.Fatal(err)
	}
	sink.SetReadBuffer(64 << 20)
	got := make(map[uint64]int)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, _, err := sink.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			seq, ok := checkImpairPayload(buf[:n])
			if !ok {
				t.Errorf("seed %d: a damaged datagram of %d bytes reached the socket", seed, n)
				continue
			}
			got[seq]++
		}
	}()

	c, err := b.DialUDP(netip.AddrPort{}, netip.MustParseAddrPort("10.0.0.1:9"))
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(0); seq < impairCount; seq++ {
		if _, err := c.Write(impairPayload(seq)); err != nil {
			t.Fatalf("seed %d: write %d: %v", seed, seq, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	// Long enough for every delayed frame to land and every incomplete
	// datagram's reassembly to time out.
	time.Sleep(2 * time.Minute)
	sink.Close()
	<-done

	sa, sb, si := a.Stats(), b.Stats(), imp.Stats().Tx
	report := func(format string, args ...any) {
		t.Errorf("seed %d: "+format+"\n a: %+v\n b: %+v\n impairment: %+v", append(append([]any{seed}, args...), sa, sb, si)...)
	}
	// The impairment: every frame in is out, lost or dropped for room.
	if si.Frames+si.Duplicated != si.Delivered+si.Dropped+si.QueueDropped {
		report("impairment: %d in + %d duplicated != %d delivered + %d lost + %d queue-dropped",
			si.Frames, si.Duplicated, si.Delivered, si.Dropped, si.QueueDropped)
	}
	if sb.Link.OutFrames != si.Frames {
		report("b wrote %d frames, the impairment saw %d", sb.Link.OutFrames, si.Frames)
	}
	if st := eb.Stats(); st.TxDropped != 0 {
		report("the pipe dropped %d frames", st.TxDropped)
	}
	// Every frame a read is accounted for by a layer.
	arpIn := sa.ARP.InRequests + sa.ARP.InReplies + sa.ARP.InErrors
	if sa.Link.InFrames != si.Delivered {
		report("a read %d frames, %d were delivered", sa.Link.InFrames, si.Delivered)
	}
	if sum := sa.Link.InErrors + sa.Link.InOtherHost + sa.Link.InUnknown + arpIn + sa.IP.InReceives + sa.IPv6.InReceives; sum != sa.Link.InFrames {
		report("link: %d frames read, %d accounted for", sa.Link.InFrames, sum)
	}
	ip := sa.IP
	if ip.InReceives-ip.InHdrErrors-ip.InAddrErrors-ip.ReasmReqds+ip.ReasmOKs != ip.InDelivers {
		report("IP: %d received - %d header errors - %d address errors - %d fragments + %d reassembled != %d delivered",
			ip.InReceives, ip.InHdrErrors, ip.InAddrErrors, ip.ReasmReqds, ip.ReasmOKs, ip.InDelivers)
	}
	if sum := sa.UDP.InDatagrams + sa.UDP.NoPorts + sa.UDP.InErrors + sa.ICMP.InMsgs; sum != ip.InDelivers {
		report("transports: %d delivered by IP, %d accounted for", ip.InDelivers, sum)
	}
	// The socket got what UDP delivered, and nothing it was not sent.
	received := uint64(0)
	for seq, n := range got {
		if seq >= impairCount {
			report("received sequence number %d, which was never sent", seq)
		}
		received += uint64(n)
	}
	if received != sa.UDP.InDatagrams {
		report("the socket read %d datagrams, UDP delivered %d", received, sa.UDP.InDatagrams)
	}
	if sb.UDP.OutDatagrams != impairCount {
		report("b sent %d datagrams, want %d", sb.UDP.OutDatagrams, impairCount)
	}
	// What is missing is explained by frames that were harmed: by the
	// impairment, or by b itself, which drops what does not fit the queue
	// of datagrams waiting for ARP to resolve a's address.
	missing := impairCount - uint64(len(got))
	harmed := si.Dropped + si.QueueDropped + si.Corrupted + sb.IP.OutDiscards
	if missing > harmed {
		report("%d datagrams missing, but only %d frames were lost, corrupted or discarded", missing, harmed)
	}
	if prof == (impair.Profile{}) && (missing != 0 || received != impairCount) {
		report("on a clean link %d datagrams went missing, %d arrived", missing, received)
	}
	t.Logf("seed %d: %d of %d datagrams arrived (%d copies); %d frames lost, %d corrupted, %d duplicated, %d reordered; reassembly: %d OK, %d failed",
		seed, len(got), impairCount, received, si.Dropped+si.QueueDropped, si.Corrupted, si.Duplicated, si.Reordered, ip.ReasmOKs, ip.ReasmFails)
}

// impairPayload is datagram seq: the sequence number, then bytes that
// depend on it, so that damage anywhere is detected.
func impairPayload(seq uint64) []byte {
	size := impairSizes[seq%uint64(len(impairSizes))]
	b := make([]byte, size)
	binary.BigEndian.PutUint64(b, seq)
	for i := 8; i < size; i++ {
		b[i] = byte(seq*31 + uint64(i)*7)
	}
	return b
}

func checkImpairPayload(b []byte) (uint64, bool) {
	if len(b) < 8 {
		return 0, false
	}
	seq := binary.BigEndian.Uint64(b)
	want := impairPayload(seq % (1 << 32))
	if len(b) != len(want) || string(b) != string(want) {
		return seq, false
	}
	return seq, true
}
