package icmp

import (
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/medina-net/medina/checksum"
)

// mplsTimeExceeded builds what an MPLS router sends to traceroute (RFC
// 4950): a time exceeded quoting 128 bytes, then an extension structure
// with one MPLS label stack object of two entries. With rfc4884 the
// length field says where the quote ends; without, it is 0, as routers
// older than RFC 4884 send it.
func mplsTimeExceeded(rfc4884 bool) Message {
	dgram := make([]byte, 128)
	dgram[0] = 0x45
	ext := []byte{
		0x20, 0, 0, 0, // version 2, checksum below
		0, 12, byte(ClassMPLS), 1, // 12-byte object: class 1, c-type 1
		0x00, 0x3e, 0x80, 0x01, // label 1000, TC 0, TTL 1
		0x00, 0x01, 0x41, 0xfe, // label 20, TC 0, bottom of stack, TTL 254
	}
	binary.BigEndian.PutUint16(ext[2:], checksum.Checksum(ext, 0))
	m := mustEncode(Encode(make([]byte, 200), TypeTimeExceeded, TimeExceededTTL, 0, append(dgram, ext...)))
	if rfc4884 {
		m.SetQuotedLen(128)
		m.FillChecksum()
	}
	return m
}

func TestMPLSExtension(t *testing.T) {
	for _, rfc4884 := range []bool{true, false} {
		m := mplsTimeExceeded(rfc4884)
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		if len(m.Quoted()) != 128 && rfc4884 {
			t.Errorf("RFC 4884: %d bytes quoted", len(m.Quoted()))
		}
		e, ok := m.Extension()
		if !ok || e.Version() != 2 || !e.ChecksumValid() || len(e) != 16 {
			t.Fatalf("RFC 4884 %v: extension %v, version %d", rfc4884, ok, e.Version())
		}
		it := e.Objects()
		o, err := it.Next()
		if err != nil || o.Class != ClassMPLS || o.CType != 1 || o.Len != 12 {
			t.Fatalf("object %+v, %v", o, err)
		}
		for i, w := range []struct {
			label uint32
			tc    uint8
			s     bool
			ttl   uint8
		}{{1000, 0, false, 1}, {20, 0, true, 254}} {
			l, ok := o.MPLSEntry(i)
			if !ok || l.Label() != w.label || l.TC() != w.tc || l.S() != w.s || l.TTL() != w.ttl {
				t.Errorf("entry %d: label %d tc %d s %v ttl %d", i, l.Label(), l.TC(), l.S(), l.TTL())
			}
		}
		if _, ok := o.MPLSEntry(2); ok {
			t.Error("entry 2 of 2")
		}
		if _, err := it.Next(); err != io.EOF {
			t.Fatalf("after the object: %v", err)
		}
	}

	// Without the length field, a structure at 136 that does not verify is
	// taken for the quote going on.
	m := mplsTimeExceeded(false)
	m[LegacyExtensionOffset+5]++
	m.FillChecksum()
	if _, ok := m.Extension(); ok {
		t.Error("a legacy extension with a bad checksum was accepted")
	}
	if _, ok := m[:LegacyExtensionOffset+7].Extension(); ok {
		t.Error("a legacy extension without room for an object was accepted")
	}
	if e, err := NewExtension(m[LegacyExtensionOffset:]); err != nil || e.Version() != 2 {
		t.Errorf("NewExtension at the legacy offset: %v", err)
	}
	if _, err := NewExtension(m[:3]); !errors.Is(err, ErrTruncated) {
		t.Errorf("NewExtension of 3 bytes: %v", err)
	}
}

func TestObjectIterMalformed(t *testing.T) {
	type step struct {
		len, off, bytes int
		err             error
	}
	for _, c := range []struct {
		name  string
		objs  []byte
		steps []step
	}{
		{"none", nil, nil},
		{"two objects", []byte{0, 4, 1, 1, 0, 8, 2, 1, 1, 2, 3, 4}, []step{{4, 4, 4, nil}, {8, 8, 8, nil}}},
		{"length 0", []byte{0, 0, 1, 1, 9, 9}, []step{{0, 4, 4, ErrBadObjectLength}}},
		{"length 3", []byte{0, 3, 1, 1}, []step{{3, 4, 4, ErrBadObjectLength}}},
		{"past the end", []byte{0, 9, 1, 1, 5, 5}, []step{{9, 4, 6, ErrTruncated}}},
		{"header cut", []byte{0, 4, 1, 1, 0, 4}, []step{{4, 4, 4, nil}, {0, 8, 2, ErrTruncated}}},
	} {
		it := Extension(append([]byte{0x20, 0, 0, 0}, c.objs...)).Objects()
		for i, w := range c.steps {
			o, err := it.Next()
			if !errors.Is(err, w.err) || (err == nil) != (w.err == nil) {
				t.Fatalf("%s: step %d: %v, want %v", c.name, i, err, w.err)
			}
			if o.Len != w.len || o.Offset != w.off || len(o.Bytes) != w.bytes {
				t.Fatalf("%s: step %d: %+v, want %+v", c.name, i, o, w)
			}
		}
		if _, err := it.Next(); err != io.EOF {
			t.Fatalf("%s: at the end: %v", c.name, err)
		}
	}
}
