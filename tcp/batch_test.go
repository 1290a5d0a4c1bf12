package tcp

import "testing"

// TestReceiveBatchAcks: in-order data taken one segment at a time is
// acknowledged every second segment (RFC 5681 4.2); within a receive
// batch (BeginBatch, EndBatch), once, at the batch's end, for all of it;
// and a segment that fills a hole is acknowledged at once even in a
// batch, so that the peer's recovery does not wait.
func TestReceiveBatchAcks(t *testing.T) {
	for _, batch := range []bool{false, true} {
		r := newRecoveryConn(t, "cubic", true, 0, false)
		e := r.c.e
		now := e.clock.Now()
		data := make([]byte, testMSS)
		segAt := func(i int) Header {
			f := Fields{SrcPort: 40000, DstPort: 80, Seq: testIRS + 1 + uint32(i*testMSS), Ack: testISS + 1, Flags: FlagACK, Window: 0xffff}
			b := make([]byte, HeaderLen+testMSS)
			h, err := f.Encode(b)
			if err != nil {
				t.Fatal(err)
			}
			copy(b[HeaderLen:], data)
			return h
		}
		acks := func() int {
			r.net.mu.Lock()
			defer r.net.mu.Unlock()
			n := 0
			for _, s := range r.net.segs {
				if s.n == 0 && s.flags == FlagACK {
					n++
				}
			}
			r.net.segs = r.net.segs[:0]
			return n
		}
		if batch {
			e.BeginBatch()
		}
		for i := range 10 {
			r.c.input(segAt(i), 1, now)
		}
		want := 5
		if batch {
			if n := acks(); n != 0 {
				t.Fatalf("batch: %d ACKs before the batch ended", n)
			}
			e.EndBatch(now)
			want = 1
		}
		if n := acks(); n != want {
			t.Fatalf("batch %v: %d ACKs for 10 segments, want %d", batch, n, want)
		}
		// A hole at segment 10: 11 arrives first (out of order: an
		// immediate duplicate ACK), then 10 fills it.
		if batch {
			e.BeginBatch()
		}
		r.c.input(segAt(11), 1, now)
		r.c.input(segAt(10), 1, now)
		if n := acks(); n != 2 {
			t.Fatalf("batch %v: %d ACKs for an out-of-order segment and the one filling its hole, want 2 at once", batch, n)
		}
		if batch {
			e.EndBatch(now)
			if n := acks(); n != 0 {
				t.Fatalf("batch: %d more ACKs at the end of a batch with nothing owed", n)
			}
		}
		r.c.mu.Lock()
		next := r.c.rcvNxt
		r.c.mu.Unlock()
		if want := Seq(testIRS + 1 + 12*testMSS); next != want {
			t.Fatalf("batch %v: RCV.NXT %d, want %d", batch, next, want)
		}
	}
}
