package stack

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/link/pipe"
	"github.com/medina-net/medina/link/vnet"
	"github.com/medina-net/medina/tcp"
)

// gsoPipe is a pipe end that takes TCP super-frames (link.GSOWriter) and
// cuts them in software into the frames it passes on, as a TAP's kernel
// would: what crosses the pipe is wire-size either way.
type gsoPipe struct {
	*pipe.End
	supers atomic.Int64
}

func (d *gsoPipe) MaxGSO() int { return 65535 + 14 }

func (d *gsoPipe) WriteGSO(frame []byte, gso link.GSO) error {
	d.supers.Add(1)
	cut, err := vnet.SegmenterFor(frame, gso)
	if err != nil {
		return err
	}
	buf := make([]byte, cut.HeadersLen()+gso.SegmentSize)
	for i := range cut.N() {
		n, err := cut.Segment(i, buf)
		if err != nil {
			return err
		}
		if err := d.End.WriteFrame(buf[:n]); err != nil {
			return err
		}
	}
	return nil
}

// TestTCPSuperSegments: over a device that takes TCP super-frames, a
// bulk transfer goes out in super-frames, in both families, and arrives
// intact; when the neighbour is forgotten in the middle, the super-
// segments sent before it is resolved again are cut by the stack itself
// and go out the ordinary way, waiting for the resolution.
//
// Over a pipe with Offload, the super-frames also arrive whole: the
// receiving stack takes them in one read each, unverified and uncut.
func TestTCPSuperSegments(t *testing.T) {
	for _, fam := range benchFamilies {
		for _, whole := range []bool{false, true} {
			name := fam.name + "/cut-by-device"
			if whole {
				name = fam.name + "/whole"
			}
			t.Run(name, func(t *testing.T) { testTCPSuperSegments(t, fam.a, whole) })
		}
	}
}

func testTCPSuperSegments(t *testing.T, to netip.Addr, whole bool) {
	ea, eb := pipe.New(pipe.Config{Queue: 4096, Offload: whole})
	var db link.Device = eb
	var cutter *gsoPipe
	if !whole {
		cutter = &gsoPipe{End: eb}
		db = cutter
	}
	sa, sb := dualStacks(t, ea, db, tcp.Config{})
	{
		{
			ln, err := sa.ListenTCP(netip.AddrPortFrom(netip.Addr{}, 80))
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			data := make([]byte, 8<<20)
			for i := range data {
				data[i] = byte(i*7 + i>>11)
			}
			got := make(chan []byte, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					got <- nil
					return
				}
				b, _ := io.ReadAll(c)
				c.Close()
				got <- b
			}()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c, err := sb.DialContext(ctx, "tcp", netip.AddrPortFrom(to, 80).String())
			if err != nil {
				t.Fatal(err)
			}
			half := len(data) / 2
			if _, err := c.Write(data[:half]); err != nil {
				t.Fatal(err)
			}
			// The next super-segments find no neighbour: cut here.
			if to.Is4() {
				forget(sb, to)
			} else {
				sb.nd6().Remove(to)
			}
			if _, err := c.Write(data[half:]); err != nil {
				t.Fatal(err)
			}
			c.Close()
			var b []byte
			select {
			case b = <-got:
			case <-ctx.Done():
				t.Fatal("transfer did not finish")
			}
			if !bytes.Equal(b, data) {
				t.Fatalf("%d bytes arrived, not the %d sent", len(b), len(data))
			}
			st, in := sb.Stats().Link, sa.Stats().Link
			t.Logf("%d super-frames written, %d cut by the stack; %d taken whole by the receiver", st.OutSuperFrames, st.OutSuperCut, in.InSuperFrames)
			if st.OutSuperFrames == 0 {
				t.Errorf("no super-frames written")
			}
			if cutter != nil && cutter.supers.Load() != int64(st.OutSuperFrames) {
				t.Errorf("%d super-frames counted, %d written to the device", st.OutSuperFrames, cutter.supers.Load())
			}
			switch {
			case whole && in.InSuperFrames != st.OutSuperFrames:
				// The pipe's queue is deep enough that nothing is dropped.
				t.Errorf("%d super-frames written, %d taken whole", st.OutSuperFrames, in.InSuperFrames)
			case !whole && in.InSuperFrames != 0:
				t.Errorf("%d super-frames taken whole from a device that cuts them", in.InSuperFrames)
			}
			if st.OutSuperCut == 0 {
				t.Error("no super-segment cut by the stack after the neighbour was forgotten")
			}
		}
	}
}
