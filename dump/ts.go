package dump

import (
	"time"

	"github.com/medina-net/medina/pcap"
)

// tsState is what timestamp printing keeps between packets: the reference
// for -ttt and -ttttt, and the last second formatted, since consecutive
// packets mostly fall in the same second and formatting a date is the
// costliest part of a short line.
type tsState struct {
	refSet  bool
	refSec  int64
	refFrac int64

	cacheSec  int64
	cacheDate bool
	cacheOK   bool
	cache     []byte
}

// timestamp converts a packet's stored time to what tcpdump works with: a
// second count and a fraction in the precision it prints (nanoseconds with
// --nano, microseconds otherwise). Like libpcap, it scales the stored
// fraction without normalising it, so an invalid microsecond field of
// 1000000 prints as ".1000000".
func (p *Printer) timestamp(pkt *pcap.Packet) (sec, frac int64) {
	sec, frac = pkt.Sec, int64(pkt.Frac)
	want := uint32(1e6)
	if p.opt.Nano {
		want = 1e9
	}
	switch {
	case pkt.FracPerSec == want || pkt.FracPerSec == 0:
	case pkt.FracPerSec < want:
		frac *= int64(want / pkt.FracPerSec)
	default:
		frac /= int64(pkt.FracPerSec / want)
	}
	return sec, frac
}

// printTimestamp prints the packet's time in the form -t asks for, followed
// by a space (tcpdump's ts_print).
func (p *Printer) printTimestamp(pkt *pcap.Packet) {
	sec, frac := p.timestamp(pkt)
	switch p.opt.TimestampFormat {
	case TimeOfDay:
		p.dateTime(sec, frac, false, p.loc)
		p.c(' ')
	case NoTimestamp:
	case UnixTime:
		if uint32(sec)&0x80000000 != 0 {
			p.s("[Error converting time]")
		} else {
			p.u(uint64(uint32(sec)))
			p.frac(frac)
		}
		p.c(' ')
	case SincePrevious, SinceFirst:
		// A zero first timestamp leaves the reference unset, so the next
		// packet becomes the reference, exactly as tcpdump's
		// netdissect_timevalisset test does.
		if !p.ts.refSet {
			p.ts.refSec, p.ts.refFrac = sec, frac
			p.ts.refSet = sec != 0 || frac != 0
		}
		ds, df := sec-p.ts.refSec, frac-p.ts.refFrac
		neg := sec < p.ts.refSec || (sec == p.ts.refSec && frac < p.ts.refFrac)
		if neg {
			ds, df = -ds, -df
		}
		if df < 0 {
			ds--
			if p.opt.Nano {
				df += 1e9
			} else {
				df += 1e6
			}
		}
		if neg {
			p.c('-')
		} else {
			p.c(' ')
		}
		p.dateTime(ds, df, false, time.UTC)
		p.c(' ')
		if p.opt.TimestampFormat == SincePrevious {
			p.ts.refSec, p.ts.refFrac = sec, frac
			p.ts.refSet = sec != 0 || frac != 0
		}
	case DateTime:
		p.dateTime(sec, frac, true, p.loc)
		p.c(' ')
	}
}

// dateTime prints [YYYY-MM-DD ]HH:MM:SS.FRAC. Like tcpdump, it refuses a
// second count whose low 32 bits have the sign bit set.
func (p *Printer) dateTime(sec, frac int64, date bool, loc *time.Location) {
	if uint32(sec)&0x80000000 != 0 {
		p.s("[Error converting time]")
		return
	}
	c := &p.ts
	if !c.cacheOK || c.cacheSec != sec || c.cacheDate != date || loc != p.loc {
		t := time.Unix(sec, 0).In(loc)
		c.cache = c.cache[:0]
		if date {
			c.cache = appendPadded(c.cache, t.Year(), 4)
			c.cache = append(c.cache, '-')
			c.cache = appendPadded(c.cache, int(t.Month()), 2)
			c.cache = append(c.cache, '-')
			c.cache = appendPadded(c.cache, t.Day(), 2)
			c.cache = append(c.cache, ' ')
		}
		h, m, s := t.Clock()
		c.cache = appendPadded(c.cache, h, 2)
		c.cache = append(c.cache, ':')
		c.cache = appendPadded(c.cache, m, 2)
		c.cache = append(c.cache, ':')
		c.cache = appendPadded(c.cache, s, 2)
		// Only wall-clock times repeat; deltas (in UTC) are formatted
		// afresh unless the wall clock is UTC too.
		c.cacheOK = loc == p.loc
		c.cacheSec, c.cacheDate = sec, date
	}
	p.out = append(p.out, c.cache...)
	p.frac(frac)
}

// frac prints ".%06u" or ".%09u" of the fraction taken as an unsigned
// 32-bit value, as tcpdump's ts_frac_print does.
func (p *Printer) frac(frac int64) {
	p.c('.')
	if p.opt.Nano {
		p.uw(uint64(uint32(frac)), 9)
	} else {
		p.uw(uint64(uint32(frac)), 6)
	}
}

func appendPadded(b []byte, v, width int) []byte {
	var buf [12]byte
	i := len(buf)
	neg := v < 0
	if neg {
		v = -v
	}
	for v > 0 || width > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return append(b, buf[i:]...)
}
