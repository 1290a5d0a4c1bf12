package dhcp

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/medina-net/medina/ipv4"
)

var testMAC = []byte{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}

// ack builds the ACK a server sends with every option the client reads.
func ack(t testing.TB) []byte {
	t.Helper()
	var o []byte
	o = AppendMessageType(o, Ack)
	o = AppendAddr(o, OptServerID, ipv4.Addr{192, 0, 2, 1})
	o = AppendUint32(o, OptLeaseTime, 3600)
	o = AppendUint32(o, OptRenewalTime, 1800)
	o = AppendUint32(o, OptRebindingTime, 3150)
	o = AppendAddr(o, OptSubnetMask, ipv4.Addr{255, 255, 255, 0})
	o = AppendAddrs(o, OptRouter, ipv4.Addr{192, 0, 2, 1}, ipv4.Addr{192, 0, 2, 254})
	o = AppendAddrs(o, OptDNS, ipv4.Addr{192, 0, 2, 53})
	o = AppendOption(o, OptDomainName, []byte("example.test"))
	o = AppendUint16(o, OptInterfaceMTU, 1400)
	o, err := AppendDomainSearch(o, "a.example.test", "example.test.")
	if err != nil {
		t.Fatal(err)
	}
	o, err = AppendClasslessRoutes(o, Route{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParseAddr("192.0.2.2")},
		Route{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("192.0.2.1")})
	if err != nil {
		t.Fatal(err)
	}
	f := Fields{Op: OpReply, XID: 0x01020304, Flags: FlagBroadcast, YIAddr: ipv4.Addr{192, 0, 2, 10}, CHAddr: testMAC, Options: o}
	b := make([]byte, MaxLen)
	m, err := f.Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEncodeDecode(t *testing.T) {
	m, err := NewMessage(ack(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if d, err := (&Fields{}).Encode(make([]byte, MaxLen)); err != nil || len(d) != MinLen {
		t.Errorf("a message without options is %d bytes (%v), want padded to %d", len(d), err, MinLen)
	}
	if m.Op() != OpReply || m.XID() != 0x01020304 || m.Flags() != FlagBroadcast || m.YIAddr() != (ipv4.Addr{192, 0, 2, 10}) ||
		!slices.Equal(m.CHAddr(), testMAC) || m.HType() != HTypeEthernet || m.HLen() != 6 || m.Cookie() != Cookie {
		t.Errorf("fixed fields: op %d xid %#x flags %#x yiaddr %v chaddr %x", m.Op(), m.XID(), m.Flags(), m.YIAddr(), m.CHAddr())
	}
	if m.MessageType() != Ack {
		t.Errorf("message type %v", m.MessageType())
	}
	o, ok := m.Find(OptRouter)
	if as, ok2 := o.Addrs(); !ok || !ok2 || as.Len() != 2 || as.At(1) != (ipv4.Addr{192, 0, 2, 254}) {
		t.Errorf("routers %v %v %x", ok, ok2, o.Raw)
	}
	o, _ = m.Find(OptLeaseTime)
	if d, inf, ok := o.Duration(); !ok || inf || d.Seconds() != 3600 {
		t.Errorf("lease %v %v %v", d, inf, ok)
	}
	o, _ = m.Find(OptInterfaceMTU)
	if v, ok := o.Uint16(); !ok || v != 1400 {
		t.Errorf("mtu %d %v", v, ok)
	}
	o, _ = m.Find(OptDomainSearch)
	names, err := DecodeDomainSearch(nil, o.Data())
	if err != nil || !slices.Equal(names, []string{"a.example.test", "example.test"}) {
		t.Errorf("search %q %v", names, err)
	}
	o, _ = m.Find(OptClasslessRoutes)
	rs, err := DecodeClasslessRoutes(nil, o.Data())
	if err != nil || len(rs) != 2 || rs[0].Dest != netip.MustParsePrefix("198.51.100.0/24") || rs[1].Gateway != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("routes %v %v", rs, err)
	}
}

// TestDomainSearchRFC3397 decodes the example of RFC 3397 section 3: two
// options concatenated, the second name compressed with a pointer.
func TestDomainSearchRFC3397(t *testing.T) {
	data := []byte("\x03eng\x05apple\x03com\x00\x09marketing\xc0\x04")
	names, err := DecodeDomainSearch(nil, data)
	if err != nil || !slices.Equal(names, []string{"eng.apple.com", "marketing.apple.com"}) {
		t.Fatalf("%q %v", names, err)
	}
	for _, bad := range []string{
		"\x03eng",                         // no terminating label
		"\x03eng\x00\xc0\x05",             // pointer forward
		"\x01a\xc0\x00",                   // pointer to itself, through its own name: a loop
		"\x40" + string(make([]byte, 64)), // label type 01
		"\x03eng\x00\xc0",                 // cut pointer
	} {
		if _, err := DecodeDomainSearch(nil, []byte(bad)); !errors.Is(err, ErrBadOption) {
			t.Errorf("%q: %v, want ErrBadOption", bad, err)
		}
	}
}

// TestClasslessRoutesRFC3442 decodes the encodings of RFC 3442 section 1's
// table.
func TestClasslessRoutesRFC3442(t *testing.T) {
	data := []byte{0, 10, 0, 0, 1, 8, 10, 10, 0, 0, 2, 24, 10, 17, 0, 10, 0, 0, 3, 32, 10, 229, 0, 128, 10, 0, 0, 4, 25, 10, 229, 0, 128, 10, 0, 0, 5}
	rs, err := DecodeClasslessRoutes(nil, data)
	want := []string{"0.0.0.0/0 10.0.0.1", "10.0.0.0/8 10.0.0.2", "10.17.0.0/24 10.0.0.3", "10.229.0.128/32 10.0.0.4", "10.229.0.128/25 10.0.0.5"}
	var got []string
	for _, r := range rs {
		got = append(got, r.Dest.String()+" "+r.Gateway.String())
	}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := DecodeClasslessRoutes(nil, []byte{33, 1, 2, 3, 4, 5, 6, 7, 8}); !errors.Is(err, ErrBadOption) {
		t.Errorf("width 33: %v", err)
	}
	if rs, err := DecodeClasslessRoutes(nil, data[:len(data)-1]); !errors.Is(err, ErrBadOption) || len(rs) != 4 {
		t.Errorf("cut short: %v, %d routes kept", err, len(rs))
	}
}

func TestCheck(t *testing.T) {
	good := ack(t)
	for _, c := range []struct {
		name string
		edit func(b []byte) []byte
		want error
	}{
		{"cookie", func(b []byte) []byte { b[cookieOff] = 0; return b }, ErrBadCookie},
		{"op", func(b []byte) []byte { b[opOff] = 3; return b }, ErrBadOp},
		{"hlen", func(b []byte) []byte { b[hlenOff] = 17; return b }, ErrBadHardwareLen},
		{"option past end", func(b []byte) []byte { return append(b[:optionsOff:optionsOff], 53, 2, 1) }, ErrBadOption},
		{"no length byte", func(b []byte) []byte { return append(b[:optionsOff:optionsOff], 53) }, ErrBadOption},
	} {
		b := c.edit(append([]byte(nil), good...))
		m, _ := NewMessage(b)
		if err := m.Check(); err != c.want {
			t.Errorf("%s: Check %v, want %v", c.name, err, c.want)
		}
		if err := m.Validate(); !errors.Is(err, c.want) {
			t.Errorf("%s: Validate %v", c.name, err)
		}
	}
	if _, err := NewMessage(good[:HeaderLen-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("short: %v", err)
	}
	if n := testing.AllocsPerRun(100, func() {
		m, _ := NewMessage(good)
		m[cookieOff] = 0
		_ = m.Check()
		m[cookieOff] = 0x63
	}); n != 0 {
		t.Errorf("Check allocates %v times", n)
	}
}

// TestOptionStatuses walks options of wrong lengths and an overload into
// the file and sname fields.
func TestOptionStatuses(t *testing.T) {
	var o []byte
	o = append(o, byte(OptSubnetMask), 3, 255, 255, 255) // wrong length
	o = AppendMessageType(o, Offer)
	o = append(o, byte(OptOverload), 1, overloadFile|overloadSName)
	f := Fields{Op: OpReply, CHAddr: testMAC, Options: o}
	m, err := f.Encode(make([]byte, MaxLen))
	if err != nil {
		t.Fatal(err)
	}
	// The file field holds a hostname, the sname field a lease time.
	copy(m.File(), append(AppendOption(nil, OptHostname, []byte("h")), byte(OptEnd)))
	copy(m.SName(), AppendUint32(nil, OptLeaseTime, 60))
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for o := range m.Options().All() {
		got = append(got, o.Code.String()+" "+o.Status.String())
	}
	want := []string{"1 wrong length", "53 ok", "52 ok", "12 ok", "51 ok"}
	if !slices.Equal(got, want) {
		t.Errorf("options %q, want %q", got, want)
	}
	if o, ok := m.Find(OptSubnetMask); ok {
		t.Errorf("Find returned a malformed option %x", o.Raw)
	}
	if _, ok := m.Find(OptLeaseTime); !ok {
		t.Error("no lease time in sname")
	}
	it := m.Options()
	if n := testing.AllocsPerRun(100, func() {
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			_ = o
		}
		it = m.Options()
	}); n != 0 {
		t.Errorf("walking options allocates %v times", n)
	}
}
