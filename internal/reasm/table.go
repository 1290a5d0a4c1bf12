package reasm

import "time"

// dropOldest drops the oldest datagram other than keep, reporting whether
// there was one.
func (e *Engine[K, H, PH]) dropOldest(keep *record[K, H]) bool {
	p := e.head
	if p != nil && p == keep {
		p = p.next
	}
	if p == nil {
		return false
	}
	if !p.dead {
		e.stats.Drops++
		e.stats.Fails++
	}
	e.remove(p)
	e.recycle(p)
	return true
}

// newRecord starts a datagram at the tail of the list.
func (e *Engine[K, H, PH]) newRecord(key *K, now time.Time) *record[K, H] {
	var p *record[K, H]
	if n := len(e.free); n > 0 {
		p = e.free[n-1]
		e.free[n-1] = nil
		e.free = e.free[:n-1]
	} else {
		p = new(record[K, H])
	}
	if cap(p.frags) < e.initFrags() {
		p.frags = make([]frag, 0, e.initFrags())
	}
	p.key = *key
	p.deadline = now.Add(e.cfg.Timeout)
	p.total = -1
	e.table[*key] = p
	p.prev = e.tail
	if e.tail != nil {
		e.tail.next = p
	} else {
		e.head = p
	}
	e.tail = p
	e.account(p, e.recordCost+cap(p.frags)*fragCost)
	return p
}

// remove takes p out of the table and the list; its memory stays counted
// until recycle.
func (e *Engine[K, H, PH]) remove(p *record[K, H]) {
	delete(e.table, p.key)
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		e.head = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	} else {
		e.tail = p.prev
	}
	p.prev, p.next = nil, nil
}

// recycle frees p's buffers and keeps the record for reuse.
func (e *Engine[K, H, PH]) recycle(p *record[K, H]) {
	e.freeBufs(p)
	e.mem -= p.mem
	frags := p.frags[:0]
	if cap(frags) > max(e.par.KeepFrags, e.initFrags()) {
		frags = nil // grown large: let it go, so that records stay small
	}
	*p = record[K, H]{frags: frags}
	if len(e.free) < keepRecords {
		e.free = append(e.free, p)
	}
}
