package dump

// Some of tcpdump's printers end a packet at the end of the captured data
// with a local "goto trunc" rather than the longjmp of its GET macros:
// " [|proto]" is printed all the same, but the raw dumps of -x, -X and -A
// then skip the link-layer header, where after the longjmp they show the
// whole packet. localTrunc is that ending; the printers that use it
// defer catchLocalTrunc at their entry.

// localTrunc is the panic value of a printer that ends the packet as
// tcpdump's local "goto trunc" does.
type localTrunc struct{}

// truncHere ends the packet with a local truncation.
func (p *Printer) truncHere() { panic(localTrunc{}) }

// needHere ends the packet with a local truncation unless b holds at
// least n bytes (tcpdump's ND_TCHECK without a longjmp).
func (p *Printer) needHere(b []byte, n int) {
	if n < 0 || len(b) < n {
		p.truncHere()
	}
}

// catchLocalTrunc, deferred by a printer, prints " [|proto]" for a local
// truncation and lets any other panic go on.
func (p *Printer) catchLocalTrunc() {
	if r := recover(); r != nil {
		if _, ok := r.(localTrunc); !ok {
			panic(r)
		}
		p.s(" [|")
		p.s(p.proto)
		p.c(']')
	}
}
