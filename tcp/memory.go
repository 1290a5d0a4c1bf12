package tcp

import (
	"runtime"
	"sync/atomic"

	"github.com/medina-net/medina/internal/sysmem"
)

// The engine-wide memory budget of connection buffers, after Linux's
// tcp_mem. Every byte of storage a send or receive ring holds (the
// receive ring's out-of-order data included) is charged to it when the
// ring takes the storage and credited when the ring hands it back, so
// that what peers can make the engine hold has a bound however many
// connections they open: a peer that never reads pins what the
// application wrote for it, and one that sends into a window the
// application never reads pins a receive buffer.
//
// The budget has three levels, in the proportions Linux gives tcp_mem's
// three numbers:
//
//   - below the pressure threshold (two thirds of the limit) buffers grow
//     as they like: send buffers as writes need, up to
//     Config.SendBuffer, receive buffers by auto-tuning;
//   - under pressure, which starts at the threshold and lasts until use
//     falls below half the limit, a buffer grows no further than the size
//     connections start with, receive auto-tuning stops, and a buffer
//     that empties is handed back whatever its size;
//   - at the limit a buffer gets no more than memMinBuffer (Linux's
//     tcp_rmem[0] and tcp_wmem[0]), so that every connection can still
//     make progress: a writer whose buffer is full waits for its peer's
//     acknowledgements instead of growing it, and a segment the receive
//     buffer has no room for is dropped (and counted) and sent again by
//     the peer, whose window is then closing.
//
// The bound on buffer memory is therefore the limit plus memMinBuffer
// per direction of each connection that holds data.
type memory struct {
	limit, pressureAt, lowAt int64 // 0 limit: none
	used                     atomic.Int64
	underPressure            atomic.Bool

	pressures atomic.Uint64 // entries into pressure
	limited   atomic.Uint64 // buffer growths refused or cut short
	rcvDrops  atomic.Uint64 // received data dropped for want of buffer
}

// memMinBuffer is the storage a buffer may always have, even at the
// limit: Linux's tcp_rmem[0] and tcp_wmem[0].
const memMinBuffer = 4 << 10

// DefaultMemoryLimit returns the budget of an engine whose
// Config.MemoryLimit is zero: a sixteenth of the memory the program may
// use (the machine's, or less under a cgroup or GOMEMLIMIT), as Linux
// sizes tcp_mem's pressure threshold, and at least 32 MiB.
func DefaultMemoryLimit() int64 {
	return max(sysmem.Limit()/16, 32<<20)
}

// init sets the budget; a limit of zero or less means none.
func (m *memory) init(limit int64) {
	if limit <= 0 {
		return
	}
	m.limit = limit
	m.pressureAt = limit / 3 * 2
	m.lowAt = limit / 2
}

// grant returns the storage, between cur and want bytes, that a buffer
// now holding cur may grow to; start is the size buffers of its kind
// start with, the most one grows to under pressure.
func (m *memory) grant(cur, want, start int) int {
	if want <= cur || m.limit == 0 {
		return want
	}
	next := m.used.Load() + int64(want-cur)
	switch {
	case next <= m.pressureAt && !m.underPressure.Load():
		return want
	case next <= m.limit && want <= start:
		return want
	}
	// Under pressure or at the limit: cut the growth short.
	m.limited.Add(1)
	allowed := memMinBuffer
	if m.used.Load()+int64(start-cur) <= m.limit {
		allowed = start
	}
	return min(want, max(cur, allowed))
}

// pressure reports whether the budget is under pressure (or at its
// limit).
func (m *memory) pressure() bool { return m.underPressure.Load() }

// atLimit reports whether the budget is spent.
func (m *memory) atLimit() bool { return m.limit > 0 && m.used.Load() >= m.limit }

// charge accounts for n bytes of storage taken (n < 0: handed back).
func (m *memory) charge(n int) {
	if n == 0 {
		return
	}
	used := m.used.Add(int64(n))
	if m.limit == 0 {
		return
	}
	switch {
	case n > 0 && used > m.pressureAt && m.underPressure.CompareAndSwap(false, true):
		m.pressures.Add(1)
	case n < 0 && used < m.lowAt:
		m.underPressure.Store(false)
	}
}

// account is what one connection has charged to the budget: its rings
// charge through it, so that when a connection the application dropped
// without closing is collected, a cleanup can credit what it still held
// (the memory itself goes with the connection).
type account struct {
	m     *memory
	bytes atomic.Int64
}

func (a *account) charge(n int) {
	a.bytes.Add(int64(n))
	a.m.charge(n)
}

// settle credits the budget with whatever the account still holds.
func (a *account) settle() {
	a.m.charge(-int(a.bytes.Swap(0)))
}

// newAccount returns the account of connection c, settled when c is
// garbage collected.
func (m *memory) newAccount(c *Conn) *account {
	a := &account{m: m}
	runtime.AddCleanup(c, (*account).settle, a)
	return a
}
