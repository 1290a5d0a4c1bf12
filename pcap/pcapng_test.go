package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
)

// TestNgTimestamps checks the conversion of pcapng timestamps for each
// kind of if_tsresol, with and without if_tsoffset: microseconds and
// nanoseconds as stored, everything else in exact nanoseconds.
func TestNgTimestamps(t *testing.T) {
	const sec = 1700000000
	for _, tc := range []struct {
		name     string
		opts     [][]byte
		ts       uint64
		sec      int64
		frac     uint32
		perSec   uint32
		tcpdump  bool // libpcap's arithmetic does not overflow here
		resol    uint64
		tsoffset int64
	}{
		{"default micro", nil, sec*1e6 + 123456, sec, 123456, 1e6, true, 1e6, 0},
		{"10^-6", [][]byte{ngOpt(le, 9, u8(6))}, sec*1e6 + 999999, sec, 999999, 1e6, true, 1e6, 0},
		{"10^-9", [][]byte{ngOpt(le, 9, u8(9))}, sec*1e9 + 123456789, sec, 123456789, 1e9, true, 1e9, 0},
		{"10^-3", [][]byte{ngOpt(le, 9, u8(3))}, sec*1e3 + 7, sec, 7_000_000, 1e9, true, 1e3, 0},
		{"10^0", [][]byte{ngOpt(le, 9, u8(0))}, sec, sec, 0, 1e9, true, 1, 0},
		{"10^-7", [][]byte{ngOpt(le, 9, u8(7))}, sec*1e7 + 1234567, sec, 123456700, 1e9, true, 1e7, 0},
		{"10^-12", [][]byte{ngOpt(le, 9, u8(12))}, 1e12 + 123456789012, 1, 123456789, 1e9, true, 1e12, 0},
		{"10^-19", [][]byte{ngOpt(le, 9, u8(19))}, 1e19 + 5e18, 1, 500000000, 1e9, true, 1e19, 0},
		{"2^-8", [][]byte{ngOpt(le, 9, u8(0x88))}, sec<<8 | 0x80, sec, 500000000, 1e9, true, 256, 0},
		{"2^-10", [][]byte{ngOpt(le, 9, u8(0x8a))}, 5<<10 | 1, 5, 976562, 1e9, true, 1024, 0},
		{"2^-30", [][]byte{ngOpt(le, 9, u8(0x9e))}, 3<<30 | 1<<29, 3, 500000000, 1e9, true, 1 << 30, 0},
		{"2^-63", [][]byte{ngOpt(le, 9, u8(0xbf))}, 1<<63 - 1, 0, 999999999, 1e9, false, 1 << 63, 0},
		{"2^0", [][]byte{ngOpt(le, 9, u8(0x80))}, 42, 42, 0, 1e9, true, 1, 0},
		{"tsoffset", [][]byte{ngOpt(le, 14, u64(le, 1000))}, 5e6 + 1, 1005, 1, 1e6, true, 1e6, 1000},
		{"negative tsoffset", [][]byte{ngOpt(le, 14, u64(le, uint64(1<<64-1000)))}, sec * 1e6, sec - 1000, 0, 1e6, true, 1e6, -1000},
		{"tsoffset and 10^-9", [][]byte{ngOpt(le, 14, u64(le, 7)), ngOpt(le, 9, u8(9)), ngEnd()}, 3e9 + 5, 10, 5, 1e9, true, 1e9, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := cat(shbLE, ngIDB(le, 1, 0, tc.opts...), ngEPB(le, 0, tc.ts, 4, 4, frame(4, 0)))
			r, recs, err := readAll(Config{}, file)
			if err != nil || len(recs) != 1 {
				t.Fatalf("%d packets, %v", len(recs), err)
			}
			p := recs[0]
			if p.Sec != tc.sec || p.Frac != tc.frac || p.FracPerSec != tc.perSec {
				t.Errorf("%d.%d/%d, want %d.%d/%d", p.Sec, p.Frac, p.FracPerSec, tc.sec, tc.frac, tc.perSec)
			}
			if i := r.Interfaces()[0]; i.TSResolution != tc.resol || i.TSOffset != tc.tsoffset {
				t.Errorf("interface %+v", i)
			}
			if tc.tcpdump {
				if bin := maybeTcpdump(); bin != "" {
					path := filepath.Join(t.TempDir(), "ts.pcapng")
					os.WriteFile(path, file, 0o644)
					compareWithTcpdump(t, bin, path)
				}
			}
		})
	}
}

// TestNgInterfacesAndFlags reads a two-section file, one section per
// byte order, with interfaces of different link types and epb_flags.
func TestNgInterfacesAndFlags(t *testing.T) {
	section := func(o byteOrder) []byte {
		return cat(ngSHB(o, 1, 0),
			ngIDB(o, 1, 0, ngOpt(o, optIfName, []byte("eth0")), ngEnd()),
			ngIDB(o, 101, 1500, ngOpt(o, optIfName, []byte("tun0")), ngOpt(o, 9, u8(9))),
			ngEPB(o, 0, 1e6, 60, 60, frame(60, 1), ngOpt(o, optEPBFlags, u32v(o, 1)), ngEnd()),
			ngEPB(o, 1, 2e9, 20, 20, frame(20, 2), ngOpt(o, 1, []byte("a comment")), ngOpt(o, optEPBFlags, u32v(o, 2|1<<24))),
			ngEPB(o, 1, 3e9, 20, 20, frame(20, 3)),
			ngSPB(o, 40, frame(40, 4)),
		)
	}
	for _, order := range [][2]byteOrder{{le, le}, {be, be}, {le, be}, {be, le}} {
		file := cat(section(order[0]), section(order[1]))
		r, recs, err := readAll(Config{}, file)
		if err != nil {
			t.Fatal(err)
		}
		one := []record{
			{Data: frame(60, 1), Length: 60, Sec: 1, Frac: 0, FracPerSec: 1e6, LinkType: LinkTypeEthernet, Interface: 0, Flags: 1},
			{Data: frame(20, 2), Length: 20, Sec: 2, Frac: 0, FracPerSec: 1e9, LinkType: LinkTypeRaw, Interface: 1, Flags: 2 | 1<<24},
			{Data: frame(20, 3), Length: 20, Sec: 3, Frac: 0, FracPerSec: 1e9, LinkType: LinkTypeRaw, Interface: 1},
			{Data: frame(40, 4), Length: 40, Sec: 0, Frac: 0, FracPerSec: 1e6, LinkType: LinkTypeEthernet, Interface: 0},
		}
		if want := append(one, one...); !reflect.DeepEqual(recs, want) {
			t.Errorf("%v: got %+v\nwant %+v", order, recs, want)
		}
		if r.ByteOrder() != order[1].(binary.ByteOrder) {
			t.Errorf("byte order %v", r.ByteOrder())
		}
		ifs := r.Interfaces()
		if len(ifs) != 2 || ifs[0].Name != "eth0" || ifs[1].Name != "tun0" || ifs[1].Snaplen != 1500 || ifs[0].Snaplen != MaxSnaplen {
			t.Errorf("interfaces %+v", ifs)
		}
		if r.LinkType() != LinkTypeEthernet || r.Snaplen() != MaxSnaplen || r.Format() != FormatPcapNG {
			t.Errorf("reader %v %d %v", r.LinkType(), r.Snaplen(), r.Format())
		}
	}
	p := Packet{Flags: 2 | 1<<24}
	if p.Direction() != DirectionOutbound {
		t.Errorf("Direction() = %d", p.Direction())
	}
}

// TestNgSecrets checks that Decryption Secrets Blocks are kept, in order,
// wherever they are, and that their data does not alias the read buffer.
func TestNgSecrets(t *testing.T) {
	keylog := []byte("CLIENT_RANDOM 0102 0304\n")
	file := cat(shbLE, ngDSB(le, uint32(SecretsTLSKeyLog), keylog), idbEth, epb60,
		ngDSB(le, uint32(SecretsWireGuardKeyLog), []byte("wg")), epb60)
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Secrets(); len(s) != 1 || s[0].Type != SecretsTLSKeyLog || !bytes.Equal(s[0].Data, keylog) {
		t.Fatalf("secrets at open: %+v", s)
	}
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	s := r.Secrets()
	if len(s) != 2 || s[1].Type != SecretsWireGuardKeyLog || string(s[1].Data) != "wg" || !bytes.Equal(s[0].Data, keylog) {
		t.Errorf("secrets %+v", s)
	}
}

// TestNgBlockLimit checks that the block size limit follows the first
// interface's link type, as libpcap's does: a D-Bus interface allows
// blocks for 128 MiB packets.
func TestNgBlockLimit(t *testing.T) {
	huge := cat(u32v(le, blockEPB), u32v(le, 20<<20), make([]byte, 100))
	_, _, err := readAll(Config{}, cat(shbLE, ngIDB(le, uint16(LinkTypeDBUS), 0), huge))
	if !errors.Is(err, ErrTruncated) {
		t.Errorf("D-Bus: %v, want a truncated 20 MiB block", err)
	}
	_, _, err = readAll(Config{}, cat(shbLE, idbEth, huge))
	if msgOf(err) != "pcapng block size 20971520 > maximum 16777216" {
		t.Errorf("Ethernet: %v", err)
	}
}

// TestNgAgainstPcapgo reads every pcapng file of the corpus with this
// reader and with gopacket's pcapgo.NgReader, and expects the same packets:
// data, lengths, timestamps and interfaces, and the same epb_flags in
// little-endian files (pcapgo reads the flags little-endian whatever the
// section's byte order).
func TestNgAgainstPcapgo(t *testing.T) {
	var files []string
	for _, f := range corpusFiles(t) {
		if strings.HasSuffix(f, ".pcapng") {
			files = append(files, f)
		}
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, recs, ourErr := readAll(Config{}, raw)

			ng, err := pcapgo.NewNgReader(bytes.NewReader(raw), pcapgo.NgReaderOptions{WantMixedLinkType: true})
			if err != nil {
				if r != nil {
					t.Fatalf("pcapgo refuses the file (%v), we read %d packets", err, len(recs))
				}
				return
			}
			var theirs []record
			var theirErr error
			for {
				data, ci, opts, err := ng.ReadPacketDataWithOptions()
				if err != nil {
					if err != io.EOF {
						theirErr = err
					}
					break
				}
				rec := record{Data: data, Length: ci.Length, Interface: ci.InterfaceIndex,
					Sec: ci.Timestamp.Unix(), Frac: uint32(ci.Timestamp.Nanosecond())}
				if ci.Timestamp.IsZero() {
					// A Simple Packet Block has no timestamp;
					// pcapgo gives it the zero time, libpcap
					// (and this reader) 0 plus if_tsoffset.
					rec.Sec = -1
				}
				if opts.Flags != nil {
					rec.Flags = opts.Flags.ToUint32()
				}
				theirs = append(theirs, rec)
			}
			if r == nil {
				// We refuse files without an interface at open, as
				// libpcap does; pcapgo reads them as empty.
				if !errors.Is(ourErr, ErrNoInterface) || len(theirs) != 0 {
					t.Fatalf("we refuse the file (%v), pcapgo reads %d packets (%v)", ourErr, len(theirs), theirErr)
				}
				return
			}
			if (ourErr == nil) != (theirErr == nil) {
				t.Errorf("we end with %v, pcapgo with %v", ourErr, theirErr)
			}
			if len(recs) != len(theirs) {
				t.Fatalf("%d packets, pcapgo %d", len(recs), len(theirs))
			}
			bigEndian := r.ByteOrder() == binary.BigEndian
			for i, p := range recs {
				q := theirs[i]
				nsec := p.Frac
				if p.FracPerSec == 1e6 {
					nsec *= 1000
				}
				if q.Sec == -1 {
					q.Sec, q.Frac = p.Sec, nsec
				}
				if !bytes.Equal(p.Data, q.Data) || p.Length != q.Length || p.Interface != q.Interface ||
					p.Sec != q.Sec || nsec != q.Frac || !bigEndian && p.Flags != q.Flags {
					t.Errorf("packet %d: %d bytes of %d, if %d, %d.%09d, flags %#x\npcapgo:   %d bytes of %d, if %d, %d.%09d, flags %#x",
						i, len(p.Data), p.Length, p.Interface, p.Sec, nsec, p.Flags,
						len(q.Data), q.Length, q.Interface, q.Sec, q.Frac, q.Flags)
				}
			}
		})
	}
}
