package hostilecap_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/medina-net/medina/checksum"
	"github.com/medina-net/medina/internal/decap"
	"github.com/medina-net/medina/internal/hostilecap"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/pcap"
)

// The flood's frames are well-formed: the decoders under test must see
// what the flood says, not a malformed packet.
func TestHalfOpenTLSFrames(t *testing.T) {
	var n, syns int
	hostilecap.HalfOpenTLS{Conns: 70000, SYN: true}.Frames(func(f []byte, ts time.Time) {
		n++
		seg, ok := decap.TCP(pcap.LinkTypeEthernet, f)
		if !ok {
			t.Fatalf("frame %d: no TCP segment", n)
		}
		ip, err := ipv4.NewHeader(f[14:])
		if err != nil || !ip.ChecksumValid() {
			t.Fatalf("frame %d: IPv4 header %v, checksum valid %v", n, err, ip.ChecksumValid())
		}
		src, dst := seg.Src.Addr().As4(), seg.Dst.Addr().As4()
		if checksum.Checksum(seg.TCP, checksum.Pseudo(src, dst, 6, uint16(len(seg.TCP)))) != 0 {
			t.Fatalf("frame %d: bad TCP checksum", n)
		}
		if seg.TCP[13]&0x02 != 0 {
			syns++
			return
		}
		payload := seg.TCP[20:]
		if len(payload) != 100 || !bytes.Equal(payload[:5], []byte{0x16, 3, 1, 0x40, 0}) || payload[5] != 1 {
			t.Fatalf("frame %d: payload % x", n, payload[:min(9, len(payload))])
		}
	})
	if n != 140000 || syns != 70000 {
		t.Errorf("%d frames, %d SYNs", n, syns)
	}
}

// The lying files make the pcap reader fail where they lie, and the deep
// VLAN stack reads.
func TestHostileFiles(t *testing.T) {
	read := func(b []byte) (int, error) {
		r, err := pcap.NewReader(bytes.NewReader(b))
		if err != nil {
			return 0, err
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
			n++
		}
	}
	if n, err := read(hostilecap.GiantCaplen(0xffffffff)); n != 1 || !errors.Is(err, pcap.ErrCaptureLength) {
		t.Errorf("GiantCaplen: %d packets, %v", n, err)
	}
	if n, err := read(hostilecap.HugeBlock(0xfffffffc)); n != 1 || !errors.Is(err, pcap.ErrBlockLength) {
		t.Errorf("HugeBlock: %d packets, %v", n, err)
	}
	if n, err := read(hostilecap.DeepVLAN(300)); n != 2 || err != nil {
		t.Errorf("DeepVLAN: %d packets, %v", n, err)
	}
}
