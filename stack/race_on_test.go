//go:build race

package stack

// raceEnabled says the tests run under the race detector, which slows
// the stack several times over: assertions about real time against the
// Linux kernel (no retransmission timeout on a clean link) do not hold
// then, and are reported instead of checked.
const raceEnabled = true
