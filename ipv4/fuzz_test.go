package ipv4

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// FuzzHeader feeds arbitrary bytes to the view. Nothing may panic; Check
// and Validate must agree; a valid header must re-encode to itself; and
// where gopacket's layers.IPv4 also decodes the bytes, the fields both
// decode must agree.
func FuzzHeader(f *testing.F) {
	for _, p := range readIPv4(f, linuxLoPcap) {
		f.Add(p.b)
	}
	// The corpus beside the checkout, when it is there: its malformed
	// datagrams are the best seeds.
	for _, file := range corpusFiles() {
		for _, p := range readIPv4(f, file) {
			f.Add(p.b)
		}
	}
	f.Add(echoRequest)
	f.Add([]byte{0x4f, 0, 0, 60, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		131, 3, 4, 68, 4, 5, 0x31, 1, 1, 148, 4, 0, 0, 7, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := NewHeader(b)
		if err != nil {
			if len(b) >= MinHeaderLen || !errors.Is(err, ErrTruncated) {
				t.Fatalf("NewHeader(%d bytes) = %v", len(b), err)
			}
			return
		}
		readAll(h)

		check, valid := h.Check(), h.Validate()
		if (check == nil) != (valid == nil) || !errors.Is(valid, check) {
			t.Fatalf("Check %v, Validate %v", check, valid)
		}
		optsOK := true
		it := h.OptionIter()
		for n := 0; ; n++ {
			if n > MaxOptionsLen {
				t.Fatal("more options than bytes")
			}
			o, err := it.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				optsOK = false
				break
			}
			if o.Len != len(o.Bytes) || o.Offset < MinHeaderLen || o.Offset+o.Len > h.HeaderLen() {
				t.Fatalf("option %+v out of the header", o)
			}
		}
		if check == nil {
			// CheckOptions is the stricter walk: what it accepts, the
			// iterator walks without error, and it points inside the
			// options at what it refuses.
			if at, err := h.CheckOptions(); err == nil && !optsOK {
				t.Fatalf("CheckOptions accepts options % x that the iterator refuses", h.Options())
			} else if err != nil && (at < MinHeaderLen || at >= h.HeaderLen()) {
				t.Fatalf("CheckOptions points at %d, outside the options", at)
			}
			h.HasSourceRoute()
			var fl Fields
			fl.Decode(h)
			e, err := fl.Encode(make([]byte, MaxHeaderLen))
			if err == nil && h.Checksum() == 0xffff && e.Checksum() == 0 {
				// 0x0000 and 0xffff are the two zeros of one's complement:
				// a header may carry either where the other is computed,
				// and both verify.
				e.SetChecksum(0xffff)
			}
			if err != nil || !bytes.Equal(e[:e.HeaderLen()], h[:h.HeaderLen()]) {
				t.Fatalf("re-encoded (%v)\n% x\nwant\n% x", err, e, h[:h.HeaderLen()])
			}
		}

		var g layers.IPv4
		gerr := g.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
		if check == nil && optsOK && gerr != nil {
			t.Fatalf("valid for us, gopacket says %v", gerr)
		}
		if gerr != nil {
			// gopacket refuses IHL < 5, a header or total length beyond
			// the data and malformed options; we decode those leniently.
			return
		}
		if g.Version != h.Version() || g.IHL != h.IHL() || g.TOS != h.TOS() || g.Id != h.ID() ||
			uint8(g.Flags) != uint8(h.Flags()) || g.FragOffset != h.FragOffsetUnits() || g.TTL != h.TTL() ||
			uint8(g.Protocol) != uint8(h.Protocol()) || g.Checksum != h.Checksum() ||
			!g.SrcIP.Equal(net.IP(h[12:16])) || !g.DstIP.Equal(net.IP(h[16:20])) {
			t.Fatalf("gopacket %+v\ndisagrees with % x", g, h[:20])
		}
		// gopacket reads a total length of 0 as TCP segmentation offload
		// and puts the buffer's length there instead.
		if h.TotalLen() != 0 && g.Length != h.TotalLen() {
			t.Fatalf("gopacket length %d, ours %d", g.Length, h.TotalLen())
		}
		// gopacket decoded every option, so the iterator must too.
		if !optsOK {
			t.Fatalf("gopacket decoded options % x that we reject", h.Options())
		}
		it = h.OptionIter()
		for i, gopt := range g.Options {
			o, err := it.Next()
			if err != nil {
				t.Fatalf("option %d: %v, gopacket has %+v", i, err, gopt)
			}
			if uint8(o.Kind) != gopt.OptionType || o.Len != int(gopt.OptionLength) || !bytes.Equal(o.Data(), gopt.OptionData) {
				t.Fatalf("option %d: %+v, gopacket %+v", i, o, gopt)
			}
		}
		if _, err := it.Next(); err != io.EOF {
			t.Fatalf("more options than gopacket's %d: %v", len(g.Options), err)
		}
	})
}

// readAll calls every accessor, for the fuzzer to find a panic in.
func readAll(h Header) {
	_, _, _, _, _ = h.Version(), h.IHL(), h.HeaderLen(), h.TOS(), h.DSCP()
	_, _, _, _, _ = h.ECN(), h.TotalLen(), h.ID(), h.Flags(), h.DF()
	_, _, _, _, _ = h.MF(), h.FragOffset(), h.FragOffsetUnits(), h.IsFragment(), h.TTL()
	_, _, _, _, _ = h.Protocol(), h.Checksum(), h.Src(), h.Dst(), h.Options()
	_, _, _, _ = h.Payload(), h.ComputeChecksum(), h.ChecksumValid(), h.FinalDst()
	_, _ = tcpdumpOptions(h)
	it := NewOptionIter(h.Options())
	for {
		o, err := it.Next()
		_, _ = o.Pointer()
		_, _ = o.RouteAddr(0)
		_, _, _ = o.TSFlags()
		_, _, _ = o.TSEntry(1)
		_, _ = o.RouterAlert()
		_, _ = o.Data(), o.Truncated()
		if err != nil {
			break
		}
	}
	for o := range h.OptionIter().All() {
		for i := range 11 {
			_, _ = o.RouteSlot(i)
			_, _, _ = o.TSSlot(i)
		}
		_ = o.Err()
	}
}
