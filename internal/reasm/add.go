package reasm

import (
	"time"

	"github.com/medina-net/medina/internal/bufpool"
)

// Add is Take and, if the fragment passes, Insert, under the lock.
func (e *Engine[K, H, PH]) Add(key *K, f *Frag, now time.Time) (datagram []byte, done bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.Take(f); err != nil {
		return nil, false, err
	}
	return e.Insert(key, f, now)
}

// Take counts a fragment received and makes the checks it must pass on
// its own: data, a multiple of 8 bytes unless it is the last, within
// MaxLen. It returns nil or the family's Length or TooBig error. Lock
// held.
func (e *Engine[K, H, PH]) Take(f *Frag) error {
	e.stats.Reqds++
	if n := f.End - f.Off; n <= 0 || f.More && n%8 != 0 {
		return e.malformed(e.par.Errors.Length)
	}
	if f.Prefix+f.End > e.par.MaxLen {
		return e.malformed(e.par.Errors.TooBig)
	}
	return nil
}

// Refuse counts a fragment that Take passed and the family refuses on a
// rule of its own, as a failure. Lock held.
func (e *Engine[K, H, PH]) Refuse() { e.stats.Fails++ }

// Insert adds a fragment that Take passed to the datagram key names,
// starting the datagram if it is new: it times out Timeout after now.
//
// When the fragment completes its datagram, Insert returns it with done
// true: the first fragment's headers as Head.Build rebuilt them, then the
// whole fragmentable part, in a pool buffer that the caller gives back
// with Release. Otherwise done is false, and err says why the fragment was
// not taken, if it was not: one of Params.Errors (Duplicate is benign).
// Lock held.
func (e *Engine[K, H, PH]) Insert(key *K, f *Frag, now time.Time) (datagram []byte, done bool, err error) {
	off, end, n := f.Off, f.End, f.End-f.Off
	p := e.table[*key]
	i := 0 // where the fragment goes in p.frags
	if p != nil {
		if p.dead {
			e.stats.Discards++
			return nil, false, e.par.Errors.Discarded
		}
		i = p.search(off)
		switch {
		case i < len(p.frags) && p.frags[i].off == off && p.frags[i].end == end:
			// Same range: a duplicate, if it agrees on being last.
			if f.More == (end == p.total) {
				return e.discard(p, e.par.Errors.Inconsistent)
			}
			e.stats.Duplicates++
			return nil, false, e.par.Errors.Duplicate
		case !f.More && p.total >= 0 && end != p.total,
			!f.More && len(p.frags) > 0 && p.frags[len(p.frags)-1].end > end,
			f.More && p.total >= 0 && end >= p.total:
			return e.discard(p, e.par.Errors.Inconsistent)
		case i > 0 && p.frags[i-1].end > off || i < len(p.frags) && p.frags[i].off < end:
			return e.discard(p, e.par.Errors.Overlap)
		case len(p.frags) >= e.cfg.MaxFragments:
			e.stats.Drops++
			return e.discard(p, e.par.Errors.TooMany)
		}
	}

	// Room: the data's buffer, the first fragment's headers, a larger
	// fragment list, a new record (with a list of initFrags, or of a
	// recycled one's length, up to KeepFrags: which record comes back
	// depends on what the drops below recycle, so the charge takes the
	// larger).
	need := 0
	if p == nil {
		need = e.recordCost + max(e.par.KeepFrags, e.initFrags())*fragCost
		if len(e.table) >= e.cfg.MaxDatagrams {
			e.dropOldest(nil)
		}
	}
	need += bufpool.Size(n)
	if off == 0 {
		need += f.HeadCost
	}
	if p != nil && len(p.frags) == cap(p.frags) {
		need += (e.growFrags(cap(p.frags)) - cap(p.frags)) * fragCost
	}
	for e.mem+need > e.cfg.MaxBytes && e.dropOldest(p) {
	}
	if e.mem+need > e.cfg.MaxBytes {
		e.stats.Drops++
		if p != nil {
			return e.discard(p, e.par.Errors.Memory)
		}
		e.stats.Fails++
		return nil, false, e.par.Errors.Memory
	}

	if p == nil {
		p = e.newRecord(key, now)
	}
	if !f.More {
		p.total = end
	}
	if off == 0 {
		e.account(p, PH(&p.head).Keep(f.Head, f.Mark, &e.pool))
	}
	if len(p.frags) == cap(p.frags) {
		c := e.growFrags(cap(p.frags))
		e.account(p, (c-cap(p.frags))*fragCost)
		p.frags = append(make([]frag, 0, c), p.frags...)
	}
	b := e.pool.Get(n)
	copy(b, f.Data)
	e.account(p, cap(b))
	p.frags = append(p.frags, frag{})
	copy(p.frags[i+1:], p.frags[i:])
	p.frags[i] = frag{off: off, end: end, buf: b}
	p.size += n
	if p.size != p.total {
		return nil, false, nil
	}

	// Complete: the fragments cover [0, total) without overlap, and the
	// first one's headers are there (it holds offset 0).
	h := PH(&p.head)
	prefix := h.Prefix()
	if prefix+p.total > e.par.MaxLen {
		e.stats.Malformed++
		return e.discard(p, e.par.Errors.TooBig)
	}
	size := prefix + p.total
	var out []byte
	if size <= bufpool.MaxSize {
		out = e.pool.Get(size)
	} else {
		// Only the largest datagrams (IPv6 payloads near 65535 bytes)
		// are beyond the pool's classes; they are left to the
		// collector.
		out = make([]byte, size)
	}
	for _, g := range p.frags {
		copy(out[prefix+g.off:], g.buf)
	}
	h.Build(out)
	e.stats.OKs++
	e.remove(p)
	e.recycle(p)
	return out, true, nil
}

// search returns the index of the first fragment whose offset is at least
// off.
func (p *record[K, H]) search(off int) int {
	lo, hi := 0, len(p.frags)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p.frags[m].off < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// initFrags is the least capacity of a new datagram's fragment list.
func (e *Engine[K, H, PH]) initFrags() int { return min(4, e.cfg.MaxFragments) }

// growFrags returns the capacity a full fragment list of capacity c grows
// to.
func (e *Engine[K, H, PH]) growFrags(c int) int { return min(2*c, e.cfg.MaxFragments) }

// account charges n bytes (negative to credit) to p.
func (e *Engine[K, H, PH]) account(p *record[K, H], n int) {
	p.mem += n
	e.mem += n
}

// malformed counts a fragment rejected on its own.
func (e *Engine[K, H, PH]) malformed(err error) error {
	e.stats.Malformed++
	e.stats.Fails++
	return err
}

// discard gives up p: its buffers are freed, and it stays in the table,
// dead, until it times out, so that its later fragments are dropped.
func (e *Engine[K, H, PH]) discard(p *record[K, H], err error) ([]byte, bool, error) {
	e.stats.Fails++
	if err == e.par.Errors.Overlap {
		e.stats.Overlaps++
	}
	e.freeBufs(p)
	p.dead = true
	return nil, false, err
}

// freeBufs returns p's buffers to the pool.
func (e *Engine[K, H, PH]) freeBufs(p *record[K, H]) {
	for i, f := range p.frags {
		e.account(p, -cap(f.buf))
		e.pool.Put(f.buf)
		p.frags[i] = frag{}
	}
	p.frags = p.frags[:0]
	p.size = 0
	if e.par.PooledHead {
		e.account(p, -PH(&p.head).Free(&e.pool))
	}
}
