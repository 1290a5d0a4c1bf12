package pcap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"
)

// FuzzReader reads arbitrary bytes as a capture file, in both modes, and
// checks that the reader never panics, that what it hands out stays within
// its buffer and the snapshot length, that its memory stays proportional to
// the input (a length field cannot make it allocate gigabytes), that every
// error is an *Error with a sentinel, and that reading through a tiny
// buffer in short reads gives the same packets as reading whole.
func FuzzReader(f *testing.F) {
	for _, tc := range errCases() {
		f.Add(tc.file)
	}
	if dir := filepath.Join("..", "..", "shared", "corpus"); dirExists(dir) {
		for _, g := range []string{"tcpdump/*.pcap*", "gopacket/*/*.pcapng", "pcapng-test-generator/output_*/*/*.pcapng", "libpcap/*.pcap*"} {
			files, _ := filepath.Glob(filepath.Join(dir, g))
			for _, file := range files {
				if b, err := os.ReadFile(file); err == nil && len(b) <= 16<<10 {
					f.Add(b)
				}
			}
		}
	}
	var buf bytes.Buffer
	nw, _ := NewNgWriter(&buf, NgInterface{LinkType: LinkTypeEthernet, Name: "eth0"})
	nw.WriteSecrets(SecretsTLSKeyLog, []byte("CLIENT_RANDOM 00 11\n"))
	nw.AddInterface(NgInterface{LinkType: LinkTypeRaw, Snaplen: 64})
	nw.WritePacket(0, time.Unix(1, 2), frame(60, 0), 60, DirectionInbound)
	nw.WritePacket(1, time.Unix(1, 2), frame(80, 0), 80, DirectionOutbound)
	nw.Flush()
	f.Add(buf.Bytes())

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range []Config{{}, {Libpcap: true}} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, recs, err := fuzzRead(t, c, bytes.NewReader(data), data)
			runtime.ReadMemStats(&after)
			compressed := len(data) >= 2 && data[0] == gzipID1 && data[1] == gzipID2
			// Decompressed size is not bounded by the input; the
			// bound below holds for plain input. (The record and
			// block limits bound compressed input too, in absolute
			// terms.)
			if alloc := after.TotalAlloc - before.TotalAlloc; !compressed && alloc > uint64(16*len(data)+(64<<10)) {
				t.Fatalf("allocated %d bytes for %d bytes of input", alloc, len(data))
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || len(e.Unwrap()) == 0 || e.Kind == nil {
					t.Fatalf("error %v (%T) is not an *Error with a sentinel", err, err)
				}
			}
			if !compressed {
				// A tiny buffer and short reads: records straddle
				// the buffer's end and outgrow it all the time.
				saved := minBufSize
				minBufSize = 16
				rd := &chunkReader{r: bytes.NewReader(data), n: 1 + len(data)%7}
				_, recs2, err2 := fuzzRead(t, c, rd, data)
				minBufSize = saved
				if !reflect.DeepEqual(recs, recs2) || msgOf(err) != msgOf(err2) {
					t.Fatalf("small buffer, short reads: %d packets, %v; whole: %d, %v", len(recs2), err2, len(recs), err)
				}
			}
		}
	})
}

// chunkReader returns at most n bytes per Read. It claims to hold no
// bytes (Len), so the reader starts with its smallest buffer.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Len() int { return 0 }

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// fuzzRead reads everything from rd, checking each packet.
func fuzzRead(t *testing.T, c Config, rd io.Reader, input []byte) (*Reader, []record, error) {
	r, err := c.NewReader(rd)
	if err != nil {
		if r != nil {
			t.Fatal("a reader and an error")
		}
		return nil, nil, err
	}
	var recs []record
	compressed := len(input) >= 2 && input[0] == gzipID1 && input[1] == gzipID2
	for {
		p, err := r.Next()
		if err == io.EOF {
			return r, recs, nil
		}
		if err != nil {
			if p != nil {
				t.Fatal("a packet and an error")
			}
			return r, recs, err
		}
		if cap(p.Data) != len(p.Data) {
			t.Fatalf("Data has room to append into the reader's buffer: len %d cap %d", len(p.Data), cap(p.Data))
		}
		if len(p.Data) > len(r.src.buf) {
			t.Fatalf("Data of %d bytes, buffer of %d", len(p.Data), len(r.src.buf))
		}
		if !compressed && len(p.Data) > len(input) {
			t.Fatalf("Data of %d bytes from %d bytes of input", len(p.Data), len(input))
		}
		snap := r.Snaplen()
		if r.Format() == FormatPcapNG && !c.Libpcap {
			snap = r.Interfaces()[p.Interface].Snaplen
		}
		if uint64(len(p.Data)) > uint64(snap) {
			t.Fatalf("Data of %d bytes, snapshot length %d", len(p.Data), snap)
		}
		if p.FracPerSec != 1e6 && p.FracPerSec != 1e9 {
			t.Fatalf("FracPerSec %d", p.FracPerSec)
		}
		if r.Format() == FormatPcapNG && p.Frac >= p.FracPerSec {
			t.Fatalf("pcapng fraction %d of %d", p.Frac, p.FracPerSec)
		}
		recs = append(recs, recordOf(p))
	}
}
