package reasm

import "time"

// Expire drops the datagrams whose timeout has passed at now. For each one
// that was still being reassembled and whose first fragment (offset 0) had
// arrived, it calls timedOut with that fragment's headers as received and
// the start of its data (QuoteData bytes at most), cut to QuoteLen, for
// the time exceeded message the family sends. The slice is valid only
// during the call, which is made without the lock held; timedOut may be
// nil.
//
// Expire returns the time of the next timeout, or the zero time if there
// is no datagram in progress.
func (e *Engine[K, H, PH]) Expire(now time.Time, timedOut func(firstFragment []byte)) (next time.Time) {
	e.expireMu.Lock()
	defer e.expireMu.Unlock()
	expired := e.expired[:0]

	e.mu.Lock()
	for p := e.head; p != nil && !now.Before(p.deadline); p = e.head {
		e.remove(p)
		if !p.dead {
			e.stats.Timeout++
			e.stats.Fails++
			if len(PH(&p.head).Bytes()) > 0 && timedOut != nil {
				expired = append(expired, p) // recycled below
				continue
			}
		}
		e.recycle(p)
	}
	if e.head != nil {
		next = e.head.deadline
	}
	e.mu.Unlock()

	if len(expired) > 0 {
		for _, p := range expired {
			// The fragment at offset 0 is the first in the list, and
			// holds data (Take refuses a fragment without).
			n := copy(e.quote, PH(&p.head).Bytes())
			d := p.frags[0].buf
			n += copy(e.quote[n:], d[:min(e.par.QuoteData, len(d))])
			timedOut(e.quote[:n])
		}
		e.mu.Lock()
		for i, p := range expired {
			e.recycle(p)
			expired[i] = nil
		}
		e.mu.Unlock()
	}
	e.expired = expired[:0]
	return next
}

// Deadline returns the time of the next timeout, or the zero time if
// there is no datagram in progress.
func (e *Engine[K, H, PH]) Deadline() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.head == nil {
		return time.Time{}
	}
	return e.head.deadline
}
