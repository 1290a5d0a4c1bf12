package tcpstream

// The Assembler keeps connections in intrusive doubly linked lists, so that
// moving one to the front on every segment costs neither a search nor an
// allocation. A connection has three sets of links: one for the list of
// open or of ended connections (by activity), one for the list of
// connections holding out-of-order data, one for the list of connections
// whose Handler holds memory (by activity).
const (
	lruLinks    = 0
	holdLinks   = 1
	chargeLinks = 2
)

type links struct {
	prev, next *conn
}

// list is a list of connections through one set of their links, head
// first.
type list struct {
	head, tail *conn
	n          int
	which      int
}

func (l *list) pushFront(c *conn) {
	ln := &c.links[l.which]
	ln.prev, ln.next = nil, l.head
	if l.head != nil {
		l.head.links[l.which].prev = c
	} else {
		l.tail = c
	}
	l.head = c
	l.n++
}

func (l *list) remove(c *conn) {
	ln := &c.links[l.which]
	if ln.prev != nil {
		ln.prev.links[l.which].next = ln.next
	} else {
		l.head = ln.next
	}
	if ln.next != nil {
		ln.next.links[l.which].prev = ln.prev
	} else {
		l.tail = ln.prev
	}
	ln.prev, ln.next = nil, nil
	l.n--
}

func (l *list) moveToFront(c *conn) {
	if l.head == c {
		return
	}
	l.remove(c)
	l.pushFront(c)
}
