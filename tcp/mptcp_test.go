package tcp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// describeMPTCP renders the fields of an MPTCP option the views expose,
// absent ones left out.
func describeMPTCP(m MPTCP) string {
	var s []string
	add := func(format string, v any, ok bool) {
		if ok {
			s = append(s, fmt.Sprintf(format, v))
		}
	}
	s = append(s, m.Subtype().String())
	if c, ok := m.Capable(); ok {
		add("v%d", c.Version(), true)
		add("csum", nil, c.ChecksumRequired())
		k, ok := c.SenderKey()
		add("skey %#x", k, ok)
		k, ok = c.ReceiverKey()
		add("rkey %#x", k, ok)
		l, ok := c.DataLen()
		add("dlen %d", l, ok)
		x, ok := c.Checksum()
		add("sum %#x", x, ok)
	}
	if j, ok := m.Join(); ok {
		add("backup", nil, j.Backup())
		add("id %d", j.AddrID(), true)
		v, ok := j.Token()
		add("token %#x", v, ok)
		v, ok = j.Nonce()
		add("nonce %#x", v, ok)
		h, ok := j.TruncatedHMAC()
		add("thmac %#x", h, ok)
		mac, ok := j.HMAC()
		add("hmac %x", mac, ok)
	}
	if d, ok := m.DSS(); ok {
		add("fin", nil, d.DataFIN())
		v, ok := d.Ack()
		add("ack %d", v, ok)
		v, ok = d.DataSeq()
		add("seq %d", v, ok)
		ssn, ok := d.SubflowSeq()
		add("subseq %d", ssn, ok)
		l, ok := d.DataLen()
		add("len %d", l, ok)
		c, ok := d.Checksum()
		add("csum %#x", c, ok)
	}
	if a, ok := m.AddAddr(); ok {
		add("v%d", a.Version(), true)
		add("echo", nil, a.Echo())
		add("id %d", a.AddrID(), true)
		add("addr %x", a.Addr(), a.Addr() != nil)
		p, ok := a.Port()
		add("port %d", p, ok)
		h, ok := a.HMAC()
		add("hmac %#x", h, ok)
	}
	if r, ok := m.RemoveAddr(); ok {
		add("ids %v", r.IDs(), true)
	}
	if p, ok := m.Prio(); ok {
		add("backup", nil, p.Backup())
		id, ok := p.AddrID()
		add("id %d", id, ok)
	}
	if f, ok := m.Fail(); ok {
		v, ok := f.DataSeq()
		add("seq %d", v, ok)
	}
	if f, ok := m.FastClose(); ok {
		v, ok := f.Key()
		add("key %#x", v, ok)
	}
	if r, ok := m.TCPRST(); ok {
		add("flags %#x", r.Flags(), true)
		add("transient", nil, r.Transient())
		v, ok := r.Reason()
		add("reason %d", v, ok)
	}
	for i, x := range s {
		s[i] = strings.TrimSuffix(x, "%!(EXTRA <nil>)")
	}
	if err := m.Validate(); err != nil {
		s = append(s, "| "+err.Error())
	}
	return strings.Join(s, " ")
}

func TestMPTCP(t *testing.T) {
	for _, c := range []struct {
		name, opt, want string
	}{
		// MP_CAPABLE, from mptcp-fclose.pcap (v0) and mptcp-v1.pcap (v1).
		{"capable v0 syn", "1e0c 0081 9b59be3d695e66a7", "capable v0 csum skey 0x9b59be3d695e66a7"},
		{"capable v0 ack", "1e14 0081 9b59be3d695e66a7 d005b1ab34bad344",
			"capable v0 csum skey 0x9b59be3d695e66a7 rkey 0xd005b1ab34bad344"},
		{"capable v1 syn", "1e04 0101", "capable v1"},
		{"capable v1 ack data", "1e16 0101 1fdb5df328bc3def 29a6c86981ad933c 0010",
			"capable v1 skey 0x1fdb5df328bc3def rkey 0x29a6c86981ad933c dlen 16"},
		{"capable v1 ack data csum", "1e18 0181 1fdb5df328bc3def 29a6c86981ad933c 0010 abcd",
			"capable v1 csum skey 0x1fdb5df328bc3def rkey 0x29a6c86981ad933c dlen 16 sum 0xabcd"},
		{"capable 13", "1e0d 0101 1fdb5df328bc3def 29",
			"capable v1 skey 0x1fdb5df328bc3def | tcp: bad option: mptcp capable option of 13 bytes"},
		// MP_JOIN in its three forms.
		{"join syn", "1e0c 1102 01020304 05060708", "join backup id 2 token 0x1020304 nonce 0x5060708"},
		{"join synack", "1e10 1003 0102030405060708 0a0b0c0d", "join id 3 nonce 0xa0b0c0d thmac 0x102030405060708"},
		{"join ack", "1e18 1000 000102030405060708090a0b0c0d0e0f10111213",
			"join id 0 hmac 000102030405060708090a0b0c0d0e0f10111213"},
		{"join 13", "1e0d 1000 0102030405060708 09",
			"join id 0 | tcp: bad option: mptcp join option of 13 bytes"},
		// DSS: mptcp-v0.pcap has "mptcp 20 dss ack 3576348362 seq 3518592144
		// subseq 1 len 4 csum 0x...".
		{"dss ack4", "1e08 2001 d52cc94a", "dss ack 3576482122"},
		{"dss ack8", "1e0c 2003 a896f3fe7a8dbf33", "dss ack 12148165319181844275"},
		{"dss ack map csum", "1e14 2005 d52cc94a d1b93e90 00000001 0004 3f2a",
			"dss ack 3576482122 seq 3518578320 subseq 1 len 4 csum 0x3f2a"},
		{"dss fin ack8 map8", "1e1a 201f a896f3fe7a8dbf33 ee83a616c38766b5 00000000 0001",
			"dss fin ack 12148165319181844275 seq 17186763219675866805 subseq 0 len 1"},
		{"dss 3", "1e03 20", "dss | tcp: bad option: mptcp dss option of 3 bytes"},
		{"dss short ack", "1e06 2001 d52c", "dss | tcp: bad option: mptcp dss option of 6 bytes"},
		{"dss extra", "1e0a 2001 d52cc94a 0000", "dss ack 3576482122 | tcp: bad option: mptcp dss option of 10 bytes"},
		// ADD_ADDR: mptcp-aa-v1.pcap and mptcp-aa-echo.pcap, and v0 forms.
		{"add-addr v1 hmac", "1e10 3001 0a000201 f8295862f645df19", "add-addr v1 id 1 addr 0a000201 hmac 0xf8295862f645df19"},
		{"add-addr v1 echo", "1e08 3101 0a000201", "add-addr v1 echo id 1 addr 0a000201"},
		{"add-addr v1 port hmac", "1e12 3002 0a000201 1f90 f8295862f645df19",
			"add-addr v1 id 2 addr 0a000201 port 8080 hmac 0xf8295862f645df19"},
		{"add-addr v0 ip4 port", "1e0a 3405 c0a80001 0050", "add-addr v0 id 5 addr c0a80001 port 80"},
		{"add-addr v0 ip6", "1e14 3607 20010db8000000000000000000000001", "add-addr v0 id 7 addr 20010db8000000000000000000000001"},
		{"add-addr v0 ip4 in 20", "1e14 3407 20010db8000000000000000000000001",
			"add-addr v0 id 7 addr 20010db8000000000000000000000001 | tcp: bad option: mptcp add-addr option of 20 bytes"},
		{"add-addr v1 no hmac", "1e08 3001 0a000201",
			"add-addr v1 id 1 addr 0a000201 | tcp: bad option: mptcp add-addr option of 8 bytes"},
		// The rest.
		{"rem-addr", "1e05 4001 02", "rem-addr ids [1 2]"},
		{"rem-addr none", "1e03 40", "rem-addr ids [] | tcp: bad option: mptcp rem-addr option of 3 bytes"},
		{"prio v1", "1e03 51", "prio backup"},
		{"prio v0", "1e04 5009", "prio id 9"},
		{"fail", "1e0c 6000 0000000000000400", "fail seq 1024"},
		{"fast-close", "1e0c 7000 d005b1ab34bad344", "fast-close key 0xd005b1ab34bad344"},
		{"fast-close short", "1e0b 7000 d005b1ab34bad3", "fast-close | tcp: bad option: mptcp fast-close option of 11 bytes"},
		{"tcprst", "1e04 8105", "unknown flags 0x1 transient reason 5"},
		{"experimental", "1e05 f0 abcd", "unknown"},
	} {
		m, err := NewMPTCP(unhex(t, c.opt))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := describeMPTCP(m); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	if _, err := NewMPTCP([]byte{30, 2}); !errors.Is(err, ErrBadOption) {
		t.Errorf("NewMPTCP of 2 bytes: %v", err)
	}
	if m, _ := NewMPTCP(unhex(t, "1e04 0101")); !errors.Is(m.Validate(), nil) {
		t.Error(m.Validate())
	}
}
