package pcap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"
)

// memFiles is a directory in memory, for RotatingWriter's Create.
type memFiles struct {
	files  map[string]*memFile
	opened []string
}

type memFile struct {
	bytes.Buffer
	closed bool
}

func (f *memFile) Close() error { f.closed = true; return nil }

func (m *memFiles) create(name string) (io.WriteCloser, error) {
	if m.files == nil {
		m.files = map[string]*memFile{}
	}
	f := &memFile{}
	m.files[name] = f
	m.opened = append(m.opened, name)
	return f, nil
}

// count returns the number of records in a classic file.
func (m *memFiles) count(t *testing.T, name string) int {
	t.Helper()
	_, recs, err := readAll(Config{}, m.files[name].Bytes())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return len(recs)
}

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// TestRotateSize checks -C: a file is closed before the packet that finds
// it larger than the limit, and the next is numbered from 1, or from 0
// with the width of -W's count when -W is given, wrapping at the count.
func TestRotateSize(t *testing.T) {
	pkt := frame(100, 1) // 116 bytes a record
	hdr := FileHeader{LinkType: LinkTypeEthernet, Snaplen: 262144}
	for _, tc := range []struct {
		count  int
		opened []string
		last   map[string]int
	}{
		{0, []string{"x", "x1", "x2", "x3"}, map[string]int{"x": 3, "x1": 3, "x2": 3, "x3": 1}},
		{3, []string{"x0", "x1", "x2", "x0"}, map[string]int{"x0": 1, "x1": 3, "x2": 3}},
		{11, []string{"x00", "x01", "x02", "x03"}, map[string]int{"x00": 3, "x03": 1}},
		{1, []string{"x", "x", "x", "x"}, map[string]int{"x": 1}},
	} {
		t.Run(fmt.Sprint("W", tc.count), func(t *testing.T) {
			var fs memFiles
			// 24 + 2*116 = 256 is not over 300; 24 + 3*116 = 372 is.
			w, err := NewRotatingWriter(RotateConfig{Name: "x", Size: 300, Count: tc.count, Header: hdr, Create: fs.create})
			must(t, err)
			for i := range 10 {
				must(t, w.WritePacket(uint32(i), 0, pkt, 100, 0))
			}
			must(t, w.Close())
			if !reflect.DeepEqual(fs.opened, tc.opened) {
				t.Errorf("opened %q, want %q", fs.opened, tc.opened)
			}
			for name, n := range tc.last {
				if got := fs.count(t, name); got != n {
					t.Errorf("%s holds %d packets, want %d", name, got, n)
				}
			}
			for _, f := range fs.files {
				if !f.closed {
					t.Errorf("a file was left open")
				}
			}
		})
	}
}

// TestRotateTime checks -G: a new file when the clock has moved on by the
// interval, named by strftime with the time it was opened; with -W and
// without -C, ErrFileLimit instead of file W+1; with -C, numbers from 0
// again in each period.
func TestRotateTime(t *testing.T) {
	t.Setenv("TZ", "UTC")
	loc := time.Local
	time.Local = time.UTC
	defer func() { time.Local = loc }()

	hdr := FileHeader{LinkType: LinkTypeEthernet, Snaplen: 65535, Nano: true}
	clock := &fakeClock{t: time.Unix(1700000000, 5e8)}
	var fs memFiles
	w, err := NewRotatingWriter(RotateConfig{Name: "t-%H%M%S", Seconds: 10, Count: 3, Header: hdr, Now: clock.now, Create: fs.create})
	must(t, err)
	write := func() error { return w.WritePacket(1, 2, frame(60, 3), 60, 0) }
	must(t, write())
	clock.t = clock.t.Add(9 * time.Second) // 9.5 s later, 9 whole seconds: not yet
	must(t, write())
	clock.t = clock.t.Add(time.Second)
	must(t, write())
	clock.t = clock.t.Add(25 * time.Second)
	must(t, write())
	clock.t = clock.t.Add(10 * time.Second)
	if err := write(); !errors.Is(err, ErrFileLimit) {
		t.Fatalf("fourth period: %v, want ErrFileLimit", err)
	}
	want := []string{"t-221320", "t-221330", "t-221355"}
	if !reflect.DeepEqual(fs.opened, want) {
		t.Errorf("opened %q, want %q", fs.opened, want)
	}
	if n := fs.count(t, "t-221320"); n != 2 {
		t.Errorf("first file holds %d packets", n)
	}
	for _, f := range fs.files {
		if !f.closed {
			t.Errorf("a file was left open after the limit")
		}
	}

	// With -C as well, each period starts at number 0 and -W only sets
	// the width.
	fs = memFiles{}
	clock.t = time.Unix(1700000000, 0)
	w, err = NewRotatingWriter(RotateConfig{Name: "c%S.", Seconds: 5, Size: 100, Count: 2, Header: hdr, Now: clock.now, Create: fs.create})
	must(t, err)
	for i := range 6 {
		if i == 3 {
			clock.t = clock.t.Add(5 * time.Second)
		}
		must(t, w.WritePacket(0, 0, frame(60, 3), 60, 0))
	}
	must(t, w.Close())
	want = []string{"c20.0", "c20.1", "c25.0", "c25.1"}
	if !reflect.DeepEqual(fs.opened, want) {
		t.Errorf("opened %q, want %q", fs.opened, want)
	}
}

// TestRotateFlushAndErrors checks -U (every packet reaches the file) and
// the errors: an empty name, a file that cannot be created (libpcap's
// wording), writing after Close.
func TestRotateFlushAndErrors(t *testing.T) {
	var fs memFiles
	hdr := FileHeader{LinkType: LinkTypeRaw, Snaplen: 1500}
	w, err := NewRotatingWriter(RotateConfig{Name: "u", Flush: true, Header: hdr, Create: fs.create})
	must(t, err)
	if fs.files["u"].Len() != fileHeaderLen {
		t.Errorf("-U: the header is not in the file yet")
	}
	must(t, w.WritePacket(1, 2, frame(20, 1), 20, 0))
	if got := fs.files["u"].Len(); got != fileHeaderLen+recordLen+20 {
		t.Errorf("-U: %d bytes in the file after one packet", got)
	}
	must(t, w.Close())
	if err := w.WritePacket(1, 2, nil, 0, 0); err == nil {
		t.Errorf("write after Close accepted")
	}

	if _, err := NewRotatingWriter(RotateConfig{Header: hdr}); err == nil || err.Error() != "an empty string is not a valid file name" {
		t.Errorf("empty name: %v", err)
	}
	_, err = NewRotatingWriter(RotateConfig{Name: t.TempDir() + "/no/such/dir/x.pcap", Header: hdr})
	if err == nil || !errors.Is(err, ErrIO) || !bytes.HasSuffix([]byte(err.Error()), []byte("x.pcap: No such file or directory")) {
		t.Errorf("uncreatable file: %v", err)
	}
}

// TestRotatePcapng writes pcapng files, keeping the direction.
func TestRotatePcapng(t *testing.T) {
	var fs memFiles
	w, err := NewRotatingWriter(RotateConfig{
		Name:   "n.pcapng",
		Header: FileHeader{Nano: false},
		Ng:     &NgInterface{LinkType: LinkTypeEthernet, Snaplen: 262144, Name: "eth0"},
		Create: fs.create,
	})
	must(t, err)
	must(t, w.WritePacket(1700000000, 123456, frame(60, 1), 60, uint32(DirectionOutbound)))
	must(t, w.WritePacket(1700000001, 5, frame(70, 2), 50, 0)) // a wire length below the captured one
	must(t, w.Close())
	_, recs, err := readAll(Config{}, fs.files["n.pcapng"].Bytes())
	must(t, err)
	want := []record{
		{Data: frame(60, 1), Length: 60, Sec: 1700000000, Frac: 123456000, FracPerSec: 1e9, LinkType: LinkTypeEthernet, Flags: 2},
		{Data: frame(70, 2), Length: 70, Sec: 1700000001, Frac: 5000, FracPerSec: 1e9, LinkType: LinkTypeEthernet},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("read back %+v\nwant %+v", recs, want)
	}
}

// TestRotatingWriterDoesNotAllocate: writing a packet allocates nothing,
// with every rotation check on.
func TestRotatingWriterDoesNotAllocate(t *testing.T) {
	w, err := NewRotatingWriter(RotateConfig{
		Name: "a", Size: 1 << 40, Seconds: 1 << 30, Header: FileHeader{LinkType: LinkTypeEthernet},
		Create: func(string) (io.WriteCloser, error) { return nopWriteCloser{io.Discard}, nil },
	})
	must(t, err)
	pkt := frame(1500, 1)
	if n := testing.AllocsPerRun(1000, func() { must(t, w.WritePacket(1, 2, pkt, 1500, 0)) }); n != 0 {
		t.Errorf("%v allocations a packet", n)
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
