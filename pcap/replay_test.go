package pcap

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/link"
)

// capPkt is a packet of a capture built for a test.
type capPkt struct {
	at    time.Duration // after replayBase
	data  []byte
	dir   Direction
	iface int
}

var replayBase = time.Unix(1700000000, 0)

// ngCapture writes pkts to a pcapng file with two Ethernet interfaces.
func ngCapture(t *testing.T, pkts ...capPkt) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddInterface(NgInterface{LinkType: LinkTypeEthernet}); err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		must(t, w.WritePacket(p.iface, replayBase.Add(p.at), p.data, len(p.data), p.dir))
	}
	must(t, w.Flush())
	return buf.Bytes()
}

// classicCapture writes pkts to a classic pcap file.
func classicCapture(t *testing.T, pkts ...capPkt) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, LinkTypeEthernet, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		must(t, w.WritePacket(replayBase.Add(p.at), p.data, len(p.data)))
	}
	must(t, w.Flush())
	return buf.Bytes()
}

func newReplay(t *testing.T, file []byte, cfg ReplayConfig) *Replay {
	t.Helper()
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	rp, err := NewReplay(r, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

// readN reads n frames from dev and returns copies.
func readN(t *testing.T, dev link.Device, n int) [][]byte {
	t.Helper()
	buf := make([]byte, link.FrameLen(dev))
	var got [][]byte
	for range n {
		k, err := dev.ReadFrame(buf)
		if err != nil {
			t.Fatalf("ReadFrame: %v", err)
		}
		got = append(got, bytes.Clone(buf[:k]))
	}
	return got
}

// conversation is a capture of three requests from B and A's answers, with
// directions recorded, a frame of another interface, and a runt.
func conversation(t *testing.T) (file []byte, ins, outs [][]byte) {
	ins = [][]byte{ethFrame(macB, macA, 60, 1), ethFrame(macB, macA, 70, 2), ethFrame(macB, macA, 80, 3), {1, 2, 3}}
	outs = [][]byte{ethFrame(macA, macB, 60, 11), ethFrame(macA, macB, 1514, 12)}
	file = ngCapture(t,
		capPkt{0, ins[0], DirectionInbound, 0},
		capPkt{time.Millisecond, outs[0], DirectionOutbound, 0},
		capPkt{2 * time.Millisecond, ethFrame(macB, macA, 99, 9), DirectionInbound, 1},
		capPkt{10 * time.Millisecond, ins[1], DirectionInbound, 0},
		capPkt{10 * time.Millisecond, ins[2], DirectionInbound, 0},
		capPkt{30 * time.Millisecond, outs[1], DirectionOutbound, 0},
		capPkt{time.Second, ins[3], DirectionUnknown, 0},
	)
	return file, ins, outs
}

// TestReplayFast replays a pcapng capture as fast as possible and
// compares what is written with the recorded outbound frames.
func TestReplayFast(t *testing.T) {
	file, ins, outs := conversation(t)
	rp := newReplay(t, file, ReplayConfig{})
	if rp.HardwareAddr() != macA || rp.MTU() != 1500 {
		t.Errorf("address %v (want the source of the first outbound frame), MTU %d", rp.HardwareAddr(), rp.MTU())
	}
	if !reflect.DeepEqual(rp.Inbound(), ins) || !reflect.DeepEqual(rp.Recorded(), outs) {
		t.Fatalf("inbound %d frames, recorded %d", len(rp.Inbound()), len(rp.Recorded()))
	}
	select {
	case <-rp.Done():
		t.Fatal("done before any frame was read")
	default:
	}
	if got := readN(t, rp, len(ins)); !reflect.DeepEqual(got, ins) {
		t.Errorf("read %x\nwant %x", got, ins)
	}
	<-rp.Done()

	if err := rp.Compare(); err == nil || !strings.Contains(err.Error(), "frame 0 (60 bytes) was recorded but not written") {
		t.Errorf("Compare before writing: %v", err)
	}
	for _, f := range outs {
		must(t, rp.WriteFrame(f))
	}
	outs[0][20]++ // the replay keeps copies
	outs[0][20]--
	if err := rp.Compare(); err != nil {
		t.Errorf("Compare: %v", err)
	}
	if !reflect.DeepEqual(rp.Written(), outs) {
		t.Errorf("Written differs")
	}
	must(t, rp.WriteFrame(nil))
	var m *Mismatch
	if err := rp.Compare(); !errors.As(err, &m) || m.Index != 2 || m.Offset != -1 || m.Recorded != nil || m.Written == nil ||
		err.Error() != "pcap: replay: outbound frame 2 (0 bytes) was written but not recorded" {
		t.Errorf("Compare with an extra frame: %v %+v", err, m)
	}
	must(t, rp.Close())
	if err := rp.WriteFrame(outs[0]); !errors.Is(err, net.ErrClosed) {
		t.Errorf("WriteFrame after Close: %v", err)
	}
	if _, err := rp.ReadFrame(make([]byte, 100)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("ReadFrame after Close: %v", err)
	}
	must(t, rp.Close())
}

// TestReplayCompare checks the first difference Compare reports,
// including against a frame the capture cut short.
func TestReplayCompare(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet, Snaplen: 64})
	if err != nil {
		t.Fatal(err)
	}
	short, long := ethFrame(macA, macB, 60, 1), ethFrame(macA, macB, 100, 2)
	must(t, w.WriteFrame(replayBase, short, DirectionOutbound))
	must(t, w.WriteFrame(replayBase, long, DirectionOutbound)) // captured: 64 of 100
	must(t, w.Flush())

	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 0xff; return b }
	for _, c := range []struct {
		name    string
		written [][]byte
		index   int // -1: no mismatch
		offset  int
		msg     string
	}{
		{"same", [][]byte{short, long}, -1, 0, ""},
		{"byte", [][]byte{short, flip(long, 20)}, 1, 20, "pcap: replay: outbound frame 1 differs at byte 20 (written 0xe9, recorded 0x16)"},
		{"past the capture", [][]byte{short, flip(long, 80)}, -1, 0, ""},
		{"first", [][]byte{flip(short, 0), long}, 0, 0, "pcap: replay: outbound frame 0 differs at byte 0 (written 0xfd, recorded 0x02)"},
		{"shorter", [][]byte{short[:59], long}, 0, 59, "pcap: replay: outbound frame 0 differs at byte 59: written 59 bytes, recorded 60"},
		{"longer", [][]byte{append(bytes.Clone(short), 0), long}, 0, 60, "pcap: replay: outbound frame 0 differs at byte 60: written 61 bytes, recorded 60"},
		{"shorter than the wire", [][]byte{short, long[:99]}, 1, 64, "pcap: replay: outbound frame 1 differs at byte 64: written 99 bytes, recorded 100"},
		{"shorter than the capture", [][]byte{short, long[:50]}, 1, 50, "pcap: replay: outbound frame 1 differs at byte 50: written 50 bytes, recorded 100"},
		{"missing", [][]byte{short}, 1, -1, "pcap: replay: outbound frame 1 (100 bytes) was recorded but not written"},
	} {
		rp := newReplay(t, buf.Bytes(), ReplayConfig{})
		for _, f := range c.written {
			must(t, rp.WriteFrame(f))
		}
		err := rp.Compare()
		if c.index < 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var m *Mismatch
		if !errors.As(err, &m) {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		wantLen := []int{60, 100}[c.index]
		if m.Index != c.index || m.Offset != c.offset || err.Error() != c.msg || m.RecordedLength != wantLen ||
			!bytes.Equal(m.Recorded, []([]byte){short, long[:64]}[c.index]) || (m.Written == nil) != (c.offset == -1) {
			t.Errorf("%s: %+v\n%q\nwant index %d offset %d\n%q", c.name, m, err, c.index, c.offset, c.msg)
		}
	}
}

// TestReplayClassic infers directions by MAC address in a classic pcap
// file, which records none.
func TestReplayClassic(t *testing.T) {
	in1, out1, in2, out2 := ethFrame(macB, macA, 60, 1), ethFrame(macA, macB, 60, 2), ethFrame(macB, ethernet.Broadcast, 60, 3), ethFrame(macA, ethernet.Broadcast, 60, 4)
	file := classicCapture(t, capPkt{data: in1}, capPkt{data: out1}, capPkt{data: in2}, capPkt{data: out2}, capPkt{data: []byte{0xff}})

	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewReplay(r, ReplayConfig{}); err == nil || !strings.Contains(err.Error(), "set ReplayConfig.HardwareAddr") {
		t.Errorf("without an address: %v", err)
	}

	rp := newReplay(t, file, ReplayConfig{HardwareAddr: macA, MTU: 9000})
	if rp.HardwareAddr() != macA || rp.MTU() != 9000 {
		t.Errorf("address %v, MTU %d", rp.HardwareAddr(), rp.MTU())
	}
	if want := [][]byte{in1, in2, {0xff}}; !reflect.DeepEqual(rp.Inbound(), want) {
		t.Errorf("inbound %x", rp.Inbound())
	}
	if want := [][]byte{out1, out2}; !reflect.DeepEqual(rp.Recorded(), want) {
		t.Errorf("recorded %x", rp.Recorded())
	}
	// Seen from B, the directions swap.
	rp = newReplay(t, file, ReplayConfig{HardwareAddr: macB})
	if want := [][]byte{out1, out2, {0xff}}; !reflect.DeepEqual(rp.Inbound(), want) {
		t.Errorf("inbound from B %x", rp.Inbound())
	}

	// A pcapng file without directions is the same; with some, the
	// first outbound frame gives the address for the others.
	ng := ngCapture(t, capPkt{data: in1}, capPkt{data: out1})
	r, err = NewReader(bytes.NewReader(ng))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewReplay(r, ReplayConfig{}); err == nil {
		t.Errorf("pcapng without directions or address: no error")
	}
	ng = ngCapture(t, capPkt{data: in1}, capPkt{data: out2, dir: DirectionOutbound}, capPkt{data: out1}, capPkt{data: in2})
	rp = newReplay(t, ng, ReplayConfig{})
	if !reflect.DeepEqual(rp.Inbound(), [][]byte{in1, in2}) || !reflect.DeepEqual(rp.Recorded(), [][]byte{out2, out1}) {
		t.Errorf("mixed directions: inbound %x, recorded %x", rp.Inbound(), rp.Recorded())
	}
	// Recorded directions win over addresses.
	ng = ngCapture(t, capPkt{data: out1, dir: DirectionInbound})
	rp = newReplay(t, ng, ReplayConfig{HardwareAddr: macA})
	if len(rp.Inbound()) != 1 || len(rp.Recorded()) != 0 {
		t.Errorf("the flags were not believed")
	}
}

// TestReplayConfig checks the interface selection, the link type check,
// a short buffer, OpenReplay and the empty capture.
func TestReplayConfig(t *testing.T) {
	file, _, _ := conversation(t)
	rp := newReplay(t, file, ReplayConfig{Interface: 1})
	if want := [][]byte{ethFrame(macB, macA, 99, 9)}; !reflect.DeepEqual(rp.Inbound(), want) || len(rp.Recorded()) != 0 {
		t.Errorf("interface 1: %x", rp.Inbound())
	}
	buf := make([]byte, 20)
	if n, err := rp.ReadFrame(buf); n != 20 || err != nil || !bytes.Equal(buf, ethFrame(macB, macA, 99, 9)[:20]) {
		t.Errorf("short buffer: %d, %v", n, err)
	}

	var raw bytes.Buffer
	w, err := NewWriter(&raw, LinkTypeRaw, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.WritePacket(replayBase, frame(20, 0x45), 20))
	must(t, w.Flush())
	r, err := NewReader(&raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewReplay(r, ReplayConfig{HardwareAddr: macA}); err == nil || err.Error() != "pcap: replay: packet 1: link type RAW, not Ethernet" {
		t.Errorf("raw IP: %v", err)
	}
	r, err = NewReader(bytes.NewReader(file[:len(file)-3]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewReplay(r, ReplayConfig{}); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated file: %v", err)
	}
	r, err = NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewReplay(r, ReplayConfig{Pacing: 7}); err == nil {
		t.Errorf("bad pacing accepted")
	}
	if Paced.String() != "Paced" || AsFastAsPossible.String() != "AsFastAsPossible" || Pacing(7).String() != "Pacing(7)" {
		t.Errorf("Pacing strings")
	}

	path := filepath.Join(t.TempDir(), "c.pcapng")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	rp, err = OpenReplay(path, ReplayConfig{})
	if err != nil || len(rp.Inbound()) != 4 {
		t.Errorf("OpenReplay: %v", err)
	}
	if _, err := OpenReplay(path+".missing", ReplayConfig{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReplay of a missing file: %v", err)
	}

	empty := ngCapture(t)
	rp = newReplay(t, empty, ReplayConfig{})
	select {
	case <-rp.Done():
	default:
		t.Errorf("an empty replay is not done")
	}
	if rp.HardwareAddr() != (ethernet.Addr{}) || rp.Compare() != nil {
		t.Errorf("empty replay: %v %v", rp.HardwareAddr(), rp.Compare())
	}
}

// TestReplayPacedPast replays a capture whose times are long past on the
// real clock: every frame is due, so none waits.
func TestReplayPacedPast(t *testing.T) {
	file, ins, _ := conversation(t)
	rp := newReplay(t, file, ReplayConfig{Pacing: Paced})
	start := time.Now()
	readN(t, rp, len(ins))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("replaying past frames took %v", d)
	}
}

// readTimes reads n frames from dev inside a bubble and returns how long
// after start each arrived.
func readTimes(t *testing.T, dev link.Device, n int, start time.Time) []time.Duration {
	t.Helper()
	var got []time.Duration
	buf := make([]byte, link.FrameLen(dev))
	for range n {
		if _, err := dev.ReadFrame(buf); err != nil {
			t.Fatal(err)
		}
		got = append(got, time.Since(start))
	}
	return got
}

// TestReplaySynctest replays inside testing/synctest bubbles: Paced
// delivers each frame at its recorded time (shifted by Start), in virtual
// time; AsFastAsPossible delivers them all at once.
func TestReplaySynctest(t *testing.T) {
	file, ins, _ := conversation(t)
	want := []time.Duration{0, 10 * time.Millisecond, 10 * time.Millisecond, time.Second}
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		rp := newReplay(t, file, ReplayConfig{Pacing: Paced, Start: start.Add(time.Hour)})
		got := readTimes(t, rp, len(ins), start)
		for i := range got {
			got[i] -= time.Hour
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Paced frames arrived at %v, want %v", got, want)
		}
		must(t, rp.Close())
	})
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		rp := newReplay(t, file, ReplayConfig{Start: start.Add(time.Hour)})
		if got := readTimes(t, rp, len(ins), start); !reflect.DeepEqual(got, make([]time.Duration, len(ins))) {
			t.Errorf("AsFastAsPossible frames arrived at %v", got)
		}
		must(t, rp.Close())
	})
}

// TestReplayClose checks that Close unblocks a ReadFrame waiting after
// the last frame or for a paced frame's time, and one waiting for the
// reader lock, all without moving the clock.
func TestReplayClose(t *testing.T) {
	file, ins, _ := conversation(t)
	for _, pacing := range []Pacing{AsFastAsPossible, Paced} {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			cfg := ReplayConfig{Pacing: pacing}
			if pacing == Paced {
				cfg.Start = start.Add(time.Hour) // the first frame is an hour away
			}
			rp := newReplay(t, file, cfg)
			if pacing == AsFastAsPossible {
				readN(t, rp, len(ins)) // now it is quiet
			}
			errs := make(chan error, 2)
			for range 2 {
				go func() {
					_, err := rp.ReadFrame(make([]byte, 1514))
					errs <- err
				}()
			}
			synctest.Wait()
			select {
			case err := <-errs:
				t.Fatalf("%v: ReadFrame returned %v before Close", pacing, err)
			default:
			}
			must(t, rp.Close())
			for range 2 {
				if err := <-errs; !errors.Is(err, net.ErrClosed) {
					t.Errorf("%v: ReadFrame returned %v after Close", pacing, err)
				}
			}
			if d := time.Since(start); d != 0 {
				t.Errorf("%v: the clock moved by %v", pacing, d)
			}
		})
	}
}

// echo stands in for a stack: it answers every frame, delay later, with
// the frame sent back from mac with its first payload byte bumped. It
// returns when dev is closed. It uses the standard clock, like a stack in
// a synctest bubble.
func echo(dev link.Device, mac ethernet.Addr, delay time.Duration, arrivals *[]time.Time) {
	buf := make([]byte, link.FrameLen(dev))
	for {
		n, err := dev.ReadFrame(buf)
		if err != nil {
			return
		}
		*arrivals = append(*arrivals, time.Now())
		time.Sleep(delay)
		f := ethernet.Frame(bytes.Clone(buf[:n]))
		f.SetDst(f.Src())
		f.SetSrc(mac)
		f[ethernet.HeaderLen]++
		if dev.WriteFrame(f) != nil {
			return
		}
	}
}

// TestTapReplayGolden records a conversation with a Tap in one synctest
// bubble, replays it paced in another against a fresh "stack" recorded by
// a second Tap, and finds the stack's answers equal to the recorded ones
// and the second capture byte-identical to the first.
func TestTapReplayGolden(t *testing.T) {
	gaps := []time.Duration{5 * time.Millisecond, 0, 20 * time.Millisecond, time.Second, 7 * time.Microsecond}
	var golden []byte
	var recArrivals []time.Time
	synctest.Test(t, func(t *testing.T) {
		dev := newFakeDev(macA)
		var buf bytes.Buffer
		w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet})
		if err != nil {
			t.Fatal(err)
		}
		tap := NewTap(dev, w, link.SystemClock)
		done := make(chan struct{})
		go func() {
			echo(tap, macA, 3*time.Millisecond, &recArrivals)
			close(done)
		}()
		for i, gap := range gaps {
			time.Sleep(gap)
			dev.in <- ethFrame(macB, macA, 60+i, byte(i))
		}
		time.Sleep(time.Second)
		synctest.Wait()
		must(t, tap.Close())
		<-done
		golden = buf.Bytes()
	})
	if s := len(mustRead(t, golden)); s != 2*len(gaps) {
		t.Fatalf("recorded %d packets, want %d", s, 2*len(gaps))
	}

	synctest.Test(t, func(t *testing.T) {
		rp := newReplay(t, golden, ReplayConfig{Pacing: Paced})
		var buf bytes.Buffer
		w, err := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet})
		if err != nil {
			t.Fatal(err)
		}
		tap := NewTap(rp, w, link.SystemClock)
		var arrivals []time.Time
		done := make(chan struct{})
		go func() {
			echo(tap, rp.HardwareAddr(), 3*time.Millisecond, &arrivals)
			close(done)
		}()
		<-rp.Done()
		time.Sleep(time.Second)
		synctest.Wait()
		if err := rp.Compare(); err != nil {
			t.Error(err)
		}
		must(t, tap.Close())
		<-done
		if !reflect.DeepEqual(arrivals, recArrivals) {
			t.Errorf("frames arrived at\n%v\nwant\n%v", arrivals, recArrivals)
		}
		if !bytes.Equal(buf.Bytes(), golden) {
			t.Errorf("the replay's capture differs from the recording's")
		}
	})

	// A stack that answers differently is caught.
	synctest.Test(t, func(t *testing.T) {
		rp := newReplay(t, golden, ReplayConfig{Pacing: Paced})
		var arrivals []time.Time
		done := make(chan struct{})
		go func() {
			echo(rp, macB, time.Millisecond, &arrivals)
			close(done)
		}()
		<-rp.Done()
		time.Sleep(time.Second)
		var m *Mismatch
		if err := rp.Compare(); !errors.As(err, &m) || m.Index != 0 || m.Offset != 11 ||
			err.Error() != "pcap: replay: outbound frame 0 differs at byte 11 (written 0x0b, recorded 0x0a)" {
			t.Errorf("Compare: %v", err)
		}
		must(t, rp.Close())
		<-done
	})
}
