package tcp

import "net/netip"

// What the script harness (script_test.go) reads of the engine's insides.
// The harness is an external test, package tcp_test, because it shares
// internal/pktscript with package stack's harness and pktscript imports
// this package; an internal test importing it would be an import cycle.

// ConnFor returns the connection on a four-tuple, accepted or not, or nil.
func (e *Engine) ConnFor(local, remote netip.Addr, localPort, remotePort uint16) *Conn {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.conns[fourTuple{localAddr: local, remoteAddr: remote, localPort: localPort, remotePort: remotePort}]
}

// Waiting returns how many connections wait for Accept.
func (l *Listener) Waiting() int { return len(l.queue) }

// WriteRoom returns the room left in the send buffer, and whether a Write
// fails at once (closed, reset, or after CloseWrite) rather than waits
// for room.
func (c *Conn) WriteRoom() (room int, fails bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sndBufMax - c.snd.len(), c.closed || c.err != nil || c.finQueued
}

// ReadState returns what a Read would find: the bytes waiting, whether
// the peer's FIN came, the connection's error, and whether it is closed.
func (c *Conn) ReadState() (avail int, fin bool, err error, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rcv.len(), c.finRcvd, c.err, c.closed
}
