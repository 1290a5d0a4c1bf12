package pktscript

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/medina-net/medina/tcp"
)

// Tuple is what a script knows of one four-tuple: the numbers that make
// those of the side under test relative, as the package comment
// describes. The zero value knows nothing yet.
type Tuple struct {
	ISN       uint32 // the initial sequence number of the side under test
	ISNKnown  bool
	PeerISN   uint32 // the peer's, as the script chose it
	PeerKnown bool
	TSBase    uint32 // the first TS val the side under test sent
	TSKnown   bool
	TSLast    uint32 // its latest TS val matched, and when it was sent
	TSLastAt  time.Time
}

// Describe takes a segment the side under test sent from src to dst (of
// either family) at time at apart, in script form with its numbers relative. It learns the
// initial sequence number from a SYN and the first TS val, and reports in
// err what every segment must satisfy and this one does not: a right
// checksum, well-formed options, a TS val that neither goes back nor runs
// ahead of a 1 ms clock (RFC 7323 5.4), and a payload that is the pattern
// at its place in the stream.
func (t *Tuple) Describe(h tcp.Header, src, dst netip.Addr, at time.Time) (s *Segment, err error) {
	flags := h.Flags() & 0xff
	if flags&tcp.FlagSYN != 0 && (!t.ISNKnown || t.ISN != h.Seq()) {
		t.ISN, t.ISNKnown = h.Seq(), true
		t.TSKnown = false // a new incarnation
	}
	s = &Segment{Flags: flags, Seq: Num{V: h.Seq() - t.ISN}, Len: len(h.Payload()),
		Win: Num{V: uint32(h.Window())}, WinSet: true, OptsSet: true}
	if flags&tcp.FlagACK != 0 {
		s.Ack = Num{V: h.Ack()}
	}
	var errs []string
	it := h.OptionIter()
	for {
		o, ok := it.Next()
		if !ok || o.Kind == tcp.OptEOL {
			break
		}
		op := Option{Kind: o.Kind}
		switch o.Kind {
		case tcp.OptMSS:
			v, _ := o.MSS()
			op.V1.V = uint32(v)
		case tcp.OptWindowScale:
			v, _ := o.WindowScale()
			op.V1.V = uint32(v)
		case tcp.OptTimestamps:
			val, ecr, _ := o.Timestamps()
			if !t.TSKnown {
				t.TSBase, t.TSKnown, t.TSLast, t.TSLastAt = val, true, val, at
			}
			if d, ms := int32(val-t.TSLast), at.Sub(t.TSLastAt).Milliseconds(); d < 0 || int64(d) > ms+64 {
				errs = append(errs, fmt.Sprintf("TS val moved by %d in %d ms (RFC 7323 5.4: monotonic, a 1 ms clock)", d, ms))
			}
			op.V1.V, op.V2.V = val-t.TSBase, ecr
		case tcp.OptSACK:
			blocks, _ := o.SACK()
			for i := range blocks.Len() {
				b := blocks.At(i)
				op.Blocks = append(op.Blocks, [2]Num{{V: b.Left}, {V: b.Right}})
			}
		}
		if o.Err() != nil {
			errs = append(errs, o.Err().Error())
		}
		s.Opts = append(s.Opts, op)
	}
	if !verifyChecksum(h, src, dst) {
		errs = append(errs, "bad TCP checksum")
	}
	if p := h.Payload(); len(p) > 0 {
		off := int(s.Seq.V) - 1
		if i, ok := CheckPattern(p, off); !ok {
			errs = append(errs, fmt.Sprintf("payload byte %d is not the byte written at stream offset %d", i, off+i))
		}
	}
	if len(errs) > 0 {
		return s, errors.New(strings.Join(errs, "; "))
	}
	return s, nil
}

// Learn remembers the TS val of a segment the side under test sent at
// time at, once a script matched it: "ecr *" echoes it, and the next TS
// val is checked against it.
func (t *Tuple) Learn(h tcp.Header, at time.Time) {
	it := h.OptionIter()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if val, _, ok := o.Timestamps(); ok {
			t.TSLast, t.TSLastAt = val, at
		}
	}
}

// Build encodes the segment s that the peer sends from src:srcPort to
// dst:dstPort, with its relative numbers made absolute, its options
// encoded, its payload the pattern at its place in the peer's stream,
// and its checksum. A SYN sets the peer's initial sequence number.
func (t *Tuple) Build(s *Segment, srcPort, dstPort uint16, src, dst netip.Addr) (tcp.Header, error) {
	if s.Flags&tcp.FlagSYN != 0 {
		t.PeerISN, t.PeerKnown = s.Seq.V, true
	}
	o, err := t.options(s.Opts)
	if err != nil {
		return nil, err
	}
	f := tcp.Fields{SrcPort: srcPort, DstPort: dstPort, Seq: s.Seq.V, Flags: s.Flags, Window: uint16(s.Win.V), Options: o}
	if s.Flags&tcp.FlagACK != 0 {
		f.Ack = s.Ack.V + t.ISN
	}
	b := make([]byte, f.HeaderLen()+s.Len)
	dataSeq := s.Seq.V
	if s.Flags&tcp.FlagSYN != 0 {
		dataSeq++
	}
	FillPattern(b[f.HeaderLen():], int(int32(dataSeq-(t.PeerISN+1))))
	if src.Is4() {
		return f.EncodeChecksum(b, src.As4(), dst.As4())
	}
	return f.EncodeChecksum6(b, src.As16(), dst.As16())
}

// verifyChecksum checks a segment's checksum over the pseudo-header of
// its addresses' family.
func verifyChecksum(h tcp.Header, src, dst netip.Addr) bool {
	if src.Is4() {
		return h.ChecksumValid(src.As4(), dst.As4())
	}
	return h.ChecksumValid6(src.As16(), dst.As16())
}

// options encodes the options of a segment the peer sends.
func (t *Tuple) options(opts []Option) ([]byte, error) {
	o := make([]byte, 0, tcp.MaxOptionsLen)
	for _, op := range opts {
		switch op.Kind {
		case tcp.OptNOP:
			o = tcp.AppendNOP(o)
		case tcp.OptEOL:
			o = append(o, byte(tcp.OptEOL))
		case tcp.OptSACKPermitted:
			o = tcp.AppendSACKPermitted(o)
		case tcp.OptMSS:
			o = tcp.AppendMSS(o, uint16(op.V1.V))
		case tcp.OptWindowScale:
			o = tcp.AppendWindowScale(o, uint8(op.V1.V))
		case tcp.OptTimestamps:
			ecr := op.V2.V
			switch {
			case op.V2.Any && !t.TSKnown:
				return nil, fmt.Errorf("ecr *: no TS val was sent to the peer yet")
			case op.V2.Any:
				ecr = t.TSLast
			case t.TSKnown:
				ecr += t.TSBase
			}
			o = tcp.AppendTimestamps(o, op.V1.V, ecr)
		case tcp.OptSACK:
			var blocks []tcp.SACKBlock
			for _, b := range op.Blocks {
				blocks = append(blocks, tcp.SACKBlock{Left: b[0].V + t.ISN, Right: b[1].V + t.ISN})
			}
			o = tcp.AppendSACK(o, blocks...)
		}
	}
	return o, nil
}
