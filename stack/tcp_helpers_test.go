package stack

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/ipv6"
	"github.com/medina-net/medina/link"
	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

// Helpers shared by the TCP impairment sweep and the Linux interop tests:
// deterministic bulk data, and an in-memory capture that is written to a
// file only when a test fails.

// bulkData returns a reader of n pseudo-random bytes determined by seed
// and stream: the same arguments give the same bytes, so a sender and a
// checker need not share a buffer, and a failing transfer can be
// regenerated.
func bulkData(seed, stream uint64, n int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	binary.LittleEndian.PutUint64(key[8:], stream)
	copy(key[16:], "medina bulk data")
	return io.LimitReader(rand.NewChaCha8(key), n)
}

// bulkSum returns the SHA-256 of bulkData(seed, stream, n).
func bulkSum(seed, stream uint64, n int64) [32]byte {
	h := sha256.New()
	if _, err := io.Copy(h, bulkData(seed, stream, n)); err != nil {
		panic(err) // ChaCha8 does not fail
	}
	return [32]byte(h.Sum(nil))
}

// hashingWriter counts and hashes what is written to it.
type hashingWriter struct {
	h hash.Hash
	n int64
}

func newHashingWriter() *hashingWriter { return &hashingWriter{h: sha256.New()} }

func (w *hashingWriter) Write(p []byte) (int, error) {
	w.h.Write(p)
	w.n += int64(len(p))
	return len(p), nil
}

func (w *hashingWriter) sum() [32]byte { return [32]byte(w.h.Sum(nil)) }

// verifyingWriter hashes what is written to it and compares it with the
// stream it should be, to say where a damaged stream first goes wrong.
type verifyingWriter struct {
	hashingWriter
	want     io.Reader
	buf      []byte
	badAt    int64 // offset of the first wrong byte, -1 if none
	badRun   int64 // length of the first run of wrong bytes
	badEnded bool
	goodRun  int
	badBytes int64 // wrong bytes in all
}

func newVerifyingWriter(want io.Reader) *verifyingWriter {
	return &verifyingWriter{hashingWriter: *newHashingWriter(), want: want, badAt: -1}
}

func (w *verifyingWriter) Write(p []byte) (int, error) {
	if cap(w.buf) < len(p) {
		w.buf = make([]byte, len(p))
	}
	exp := w.buf[:len(p)]
	k, _ := io.ReadFull(w.want, exp)
	if k == len(p) && (w.badAt < 0 || w.badEnded) && bytes.Equal(p, exp) {
		return w.hashingWriter.Write(p)
	}
	for i := range p {
		ok := i < k && p[i] == exp[i]
		if !ok {
			w.badBytes++
			if w.badAt < 0 {
				w.badAt = w.n + int64(i)
			}
		}
		// The first run of damage ends at 64 right bytes in a row (a
		// wrong byte can be right by chance).
		if w.badAt >= 0 && !w.badEnded {
			if ok {
				w.goodRun++
				w.badEnded = w.goodRun >= 64
			} else {
				w.badRun = w.n + int64(i) + 1 - w.badAt
				w.goodRun = 0
			}
		}
	}
	return w.hashingWriter.Write(p)
}

// damage describes where the stream went wrong, or "" if it did not.
func (w *verifyingWriter) damage() string {
	if w.badAt < 0 {
		return ""
	}
	return fmt.Sprintf("the first wrong byte is at offset %d, in a run of %d bytes; %d bytes are wrong in all", w.badAt, w.badRun, w.badBytes)
}

// memCapture records the frames of several devices, one pcapng interface
// each, into memory. Saving it (on failure, typically) writes the pcapng
// to a file under os.TempDir, which outlives the test, unlike t.TempDir,
// so that it can be opened afterwards with netdump or tcpdump.
type memCapture struct {
	mu  sync.Mutex // serialises the taps' recorders and guards buf
	buf bytes.Buffer
	w   *pcap.NgWriter
}

// newMemCapture starts a capture with one interface per name; tap(i, ...)
// records on interface i. snaplen 0 keeps whole frames.
func newMemCapture(t testing.TB, snaplen uint32, names ...string) *memCapture {
	t.Helper()
	c := &memCapture{}
	iface := func(name string) pcap.NgInterface {
		return pcap.NgInterface{LinkType: pcap.LinkTypeEthernet, Snaplen: snaplen, Name: name}
	}
	var err error
	if c.w, err = pcap.NewNgWriter(&c.buf, iface(names[0])); err != nil {
		t.Fatal(err)
	}
	for _, name := range names[1:] {
		if _, err := c.w.AddInterface(iface(name)); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// tap wraps dev with a pcap.Tap that records on interface i, stamped by
// clock (nil: link.SystemClock, virtual inside a synctest bubble).
func (c *memCapture) tap(i int, dev link.Device, clock link.Clock) *pcap.Tap {
	return pcap.NewTap(dev, pcap.LockedRecorder(&c.mu, c.w.Recorder(i)), clock)
}

// bytes flushes the capture and returns a copy of it.
func (c *memCapture) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.w.Flush()
	return bytes.Clone(c.buf.Bytes())
}

// save flushes the capture and writes it to os.TempDir under a name made
// of the test's name and tag (if not empty), returning the path.
func (c *memCapture) save(t testing.TB, tag string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	name := "medina-" + strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	if tag != "" {
		name += "-" + tag
	}
	path := filepath.Join(os.TempDir(), name+".pcapng")
	return path, os.WriteFile(path, c.buf.Bytes(), 0o644)
}

// saveOnFailure registers a cleanup that saves the capture if t failed,
// and logs where. Register it before anything whose cleanup must finish
// first (the stacks), since cleanups run last-registered first.
func (c *memCapture) saveOnFailure(t testing.TB, tag string, always bool) {
	t.Cleanup(func() {
		if !t.Failed() && !always {
			return
		}
		path, err := c.save(t, tag)
		if err != nil {
			t.Errorf("saving the capture: %v", err)
			return
		}
		if t.Failed() {
			t.Errorf("the failing run's capture (%d bytes) is in %s", c.size(), path)
		} else {
			t.Logf("capture (%d bytes) saved in %s", c.size(), path)
		}
	})
}

func (c *memCapture) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Len()
}

// checkSentSegments reads a capture made by memCapture and checks the TCP
// segments recorded as outbound (the ones our stacks sent) for what no
// link can excuse: a datagram longer than mtu, a reset that carries data,
// and a window, scaled by the shift the sender's SYN announced, larger
// than maxWindow (its receive buffer's limit). It returns a description
// of the first few problems.
func checkSentSegments(capture []byte, mtu, maxWindow int) []string {
	type key struct {
		iface      int
		src, dst   netip.Addr
		sport, dpt uint16
	}
	var problems []string
	report := func(format string, args ...any) {
		if len(problems) < 5 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	r, err := pcap.NewReader(bytes.NewReader(capture))
	if err != nil {
		return []string{err.Error()}
	}
	shifts := make(map[key]uint8)
	for n := 1; ; n++ {
		p, err := r.Next()
		if err == io.EOF {
			return problems
		}
		if err != nil {
			return append(problems, err.Error())
		}
		if p.Direction() != pcap.DirectionOutbound {
			continue
		}
		f, err := ethernet.NewFrame(p.Data)
		if err != nil {
			continue
		}
		// The datagram's length, its addresses and its TCP segment, over
		// either family (the stack puts no extension header before TCP).
		var (
			total, hdrLen int
			src, dst      netip.Addr
			seg           []byte
		)
		switch f.Type() {
		case ethernet.TypeIPv4:
			ip, err := ipv4.NewHeader(f.Payload())
			if err != nil || ip.Protocol() != ipv4.ProtoTCP {
				continue
			}
			total, hdrLen, seg = int(ip.TotalLen()), ip.HeaderLen(), ip.Payload()
			src, dst = ip.Src().Netip(), ip.Dst().Netip()
		case ethernet.TypeIPv6:
			ip, err := ipv6.NewHeader(f.Payload())
			if err != nil || ip.NextHeader() != ipv4.ProtoTCP {
				continue
			}
			total, hdrLen, seg = ipv6.HeaderLen+int(ip.PayloadLen()), ipv6.HeaderLen, f.Payload()[ipv6.HeaderLen:]
			src, dst = ip.Src().Netip(), ip.Dst().Netip()
		default:
			continue
		}
		h, err := tcp.NewHeader(seg)
		if err != nil {
			continue
		}
		if total > mtu {
			report("packet %d: a datagram of %d bytes, beyond the MTU of %d", n, total, mtu)
		}
		k := key{p.Interface, src, dst, h.SrcPort(), h.DstPort()}
		if h.Flags()&tcp.FlagSYN != 0 {
			it := h.OptionIter()
			for {
				o, ok := it.Next()
				if !ok {
					break
				}
				if v, ok := o.WindowScale(); ok && o.Kind == tcp.OptWindowScale {
					shifts[k] = min(v, 14)
				}
			}
			continue
		}
		data := total - hdrLen - h.DataOffset()
		if h.Flags()&tcp.FlagRST != 0 && data != 0 {
			report("packet %d: a reset from port %d with %d bytes of data", n, h.SrcPort(), data)
		}
		if shift, ok := shifts[k]; ok && int(h.Window())<<shift > maxWindow {
			report("packet %d: port %d offers a window of %d bytes (%d<<%d), beyond its largest receive buffer of %d",
				n, h.SrcPort(), int(h.Window())<<shift, h.Window(), shift, maxWindow)
		}
	}
}

// serveTCPEcho accepts connections on ln until it is closed, and echoes
// on each what it reads until EOF.
func serveTCPEcho(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			io.Copy(c, c)
			c.Close()
		}()
	}
}
